"""The verdict's precedence, in-process (issue 15): blocked beats incomplete beats ready; a waived or
non-blocking finding never blocks; a gap or a missing required kind is incomplete."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from toolkit.pipeline.engine import Result, blocks, counts, decide
from toolkit.rules.base import FAIL, NOT_APPLICABLE, NOT_EVALUATED, PASS, SKIPPED, WARN, Rule, Verdict

BLOCKER = Rule(id="XXX001", title="t", severity="blocker", kind="image", rationale="r", remediation=(), docs="d",
               check=lambda s, c: Verdict(PASS, "m"))
WARNING = Rule(id="XXX002", title="t", severity="warning", kind="image", rationale="r", remediation=(), docs="d",
               check=lambda s, c: Verdict(PASS, "m"))
INFO = Rule(id="XXX003", title="t", severity="info", kind="image", rationale="r", remediation=(), docs="d",
            check=lambda s, c: Verdict(PASS, "m"))


def result(rule: Rule, outcome: str, waived: bool = False) -> Result:
    return Result(rule, "s", Verdict(outcome, "m"), waiver=object() if waived else None)


@pytest.mark.parametrize("results, fail_on, gaps, expected", [
    ([], "blocker", [], ("ready", 0)),
    ([result(BLOCKER, PASS)], "blocker", [], ("ready", 0)),
    ([result(BLOCKER, FAIL)], "blocker", [], ("blocked", 1)),
    ([result(BLOCKER, FAIL), result(BLOCKER, NOT_EVALUATED)], "blocker", [], ("blocked", 1)),
    ([result(BLOCKER, NOT_EVALUATED)], "blocker", [], ("incomplete", 3)),
    ([result(BLOCKER, PASS)], "blocker", ["no install image"], ("incomplete", 3)),
    ([result(BLOCKER, FAIL)], "blocker", ["no install image"], ("blocked", 1)),
    ([result(WARNING, FAIL)], "blocker", [], ("ready", 0)),
    ([result(WARNING, FAIL)], "warning", [], ("blocked", 1)),
    ([result(BLOCKER, WARN)], "blocker", [], ("ready", 0)),
    ([result(BLOCKER, WARN)], "warning", [], ("blocked", 1)),
    ([result(BLOCKER, FAIL, waived=True)], "blocker", [], ("ready", 0)),
    ([result(BLOCKER, FAIL, waived=True)], "warning", [], ("ready", 0)),
    ([result(INFO, FAIL)], "warning", [], ("ready", 0)),
    ([result(BLOCKER, SKIPPED), result(BLOCKER, NOT_APPLICABLE)], "blocker", [], ("ready", 0)),
])
def test_verdict_precedence(results, fail_on, gaps, expected):
    assert decide(results, fail_on, gaps) == expected


def test_blocking_flag_and_counts_keep_the_waived_outcome_apart():
    waived, failed = result(BLOCKER, FAIL, waived=True), result(BLOCKER, FAIL)
    assert (blocks(waived, "blocker"), blocks(failed, "blocker")) == (False, True)
    assert counts([waived, failed])["waived"] == 1 and counts([waived, failed])["fail"] == 1


# -- subjects and evaluate, in-process ---------------------------------------------------------------

from toolkit.facts.intune import ExportObject, IntuneFacts  # noqa: E402
from toolkit.pipeline.engine import evaluate, subjects_for, supplied_kinds  # noqa: E402
from toolkit.providers.autopilot_files import AutopilotFiles  # noqa: E402
from toolkit.providers.base import NOT_SUPPLIED, SWITCHED_OFF, Inputs, Skip  # noqa: E402
from toolkit.providers.images import ImageInputs  # noqa: E402
from toolkit.providers.intune import TenantInputs  # noqa: E402
from toolkit.rules.base import Context  # noqa: E402


def rule(kind: str, needs: str = "", paths=("oobe", "first-sign-in", "backup"), check=None, **kw) -> Rule:
    return Rule(id="XXX009", title="t", severity="blocker", kind=kind, rationale="r", remediation=(), docs="d",
                check=check or (lambda s, c: Verdict(PASS, "m")), paths=paths, needs=needs, **kw)


def obj(kind: str, name: str, **data) -> ExportObject:
    return ExportObject(kind, f"/x/{name}.json", "", {"id": name, "displayName": name, **data})


CTX = Context(baseline={"id": "b"}, path="oobe", today=None, catalog=None)
ONE_IMAGE = [SimpleNamespace(path="/x/install.wim", images=(SimpleNamespace(index=1),))]


def tenant_inputs(facts: IntuneFacts, **derived) -> Inputs:
    return Inputs({"intune": TenantInputs(facts, **derived)})


def not_supplied(message: str) -> Skip:
    return Skip(NOT_SUPPLIED, message)


def test_skip_reasons_say_which_input_is_missing():
    empty = Inputs()
    assert subjects_for(rule("image"), empty) == not_supplied("input not supplied: no image supplied")
    assert subjects_for(rule("autopilot-file"), empty) == not_supplied("input not supplied: no offline Autopilot file")
    assert subjects_for(rule("tenant", "ca"), empty) == \
        not_supplied("input not supplied: no Intune/Entra export (--intune)")
    facts = IntuneFacts()
    tenant = tenant_inputs(facts)
    assert subjects_for(rule("tenant", "ca"), tenant) == \
        not_supplied("input not supplied: no Conditional Access policy in the exports")
    assert subjects_for(rule("tenant", "sp"), tenant) == \
        not_supplied("input not supplied: no service principal in the exports")
    assert subjects_for(rule("tenant", "restore"), tenant) == not_supplied(
        "input not supplied: no Windows restore setting (windowsRestoreDeviceEnrollmentConfiguration) in the exports")
    assert subjects_for(rule("tenant", ""), tenant) == [("tenant", facts)]
    assert subjects_for(rule("tenant", "restore", judges_absence=True), tenant) == [("tenant", facts)]


def test_deep_rules_skip_with_no_deep_only_when_images_exist():
    inputs = Inputs({"image": ImageInputs(ONE_IMAGE, deep=False)})
    assert subjects_for(rule("image", "deep"), inputs) == Skip(SWITCHED_OFF, "deep inspection off (--no-deep)")
    assert subjects_for(rule("image"), inputs) == [("/x/install.wim#1", ONE_IMAGE[0].images[0])]
    assert subjects_for(rule("image", "deep"), Inputs()) == not_supplied("input not supplied: no image supplied")
    deep = Inputs({"image": ImageInputs(ONE_IMAGE, deep=True)})
    assert subjects_for(rule("image", "deep"), deep) == [("/x/install.wim#1", ONE_IMAGE[0].images[0])]


def test_unusable_inputs_become_not_evaluated_subjects():
    facts = IntuneFacts(incomplete=[("/x/page.json", "one page", ("ca",)), ("/x/other.json", "bad", ("esp",))])
    facts.objects["ca"] = [obj("ca", "p")]
    subjects = subjects_for(rule("tenant", "ca"), tenant_inputs(facts))
    assert subjects[0] == ("tenant", facts)
    assert [(s, v.outcome, v.message) for s, v in subjects[1:]] == [("/x/page.json", NOT_EVALUATED, "one page")]
    everything = subjects_for(rule("tenant", ""), tenant_inputs(facts))
    assert [s for s, _ in everything] == ["tenant", "/x/page.json", "/x/other.json"]
    only_bad = IntuneFacts(incomplete=[("/x/page.json", "one page", ("ca",))])
    assert [s for s, _ in subjects_for(rule("tenant", "ca"), tenant_inputs(only_bad))] == ["/x/page.json"]
    apf = Inputs({"autopilot-file": AutopilotFiles([], [("img#1:/a.json", "a link")])})
    ((where, verdict),) = subjects_for(rule("autopilot-file"), apf)
    assert (where, verdict.outcome, verdict.message) == ("img#1:/a.json", NOT_EVALUATED, "img#1:/a.json: a link")


def test_profile_subjects_follow_the_choice_and_device_preparation_replaces_the_esp():
    from toolkit.facts.targets import ProfileChoice

    facts = IntuneFacts()
    judged, skipped = obj("profile", "laptop"), obj("profile", "kiosk")
    facts.objects["profile"] = [judged, skipped]
    inputs = tenant_inputs(facts, profiles=ProfileChoice(((judged, "assigned"),), ((skipped, "not assigned"),)))
    subjects = subjects_for(rule("autopilot", "profile"), inputs)
    assert subjects[0] == (judged.subject, judged)
    assert subjects[1][0] == skipped.subject and subjects[1][1].outcome == NOT_APPLICABLE
    assert subjects[1][1].message == "profile 'kiosk' is not assigned"
    assert [s for s, _ in subjects_for(rule("autopilot", "profile"), tenant_inputs(facts))] == \
        [judged.subject, skipped.subject]
    prepared = tenant_inputs(facts, device_preparation="DPP")
    ((where, verdict),) = subjects_for(rule("esp", "esp"), prepared)
    assert where == "DPP" and verdict.outcome == NOT_APPLICABLE and "device preparation (DPP)" in verdict.message
    assert subjects_for(rule("esp", "esp"), tenant_inputs(facts)) == \
        not_supplied("input not supplied: no Enrollment Status Page in the exports")


def test_evaluate_marks_paths_skips_and_findings():
    off_path = rule("image", paths=("backup",))
    (marked,) = evaluate((off_path,), Inputs(), CTX)
    assert (marked.subject, marked.verdict.outcome, marked.verdict.message) == \
        ("-", NOT_APPLICABLE, "not checked on the oobe path")
    (skipped,) = evaluate((rule("image"),), Inputs(), CTX)
    assert (skipped.subject, skipped.verdict) == ("-", Verdict(SKIPPED, "input not supplied: no image supplied"))
    many = rule("tenant", check=lambda s, c: [("a", Verdict(FAIL, "x")), ("b", Verdict(PASS, "y"))])
    out = evaluate((many,), tenant_inputs(IntuneFacts()), CTX)
    assert [(r.subject, r.verdict.outcome) for r in out] == [("a", FAIL), ("b", PASS)]
    given = Verdict(NOT_EVALUATED, "unusable")
    facts = IntuneFacts(incomplete=[("/x/f.json", "unusable", ("ca",))])
    out = evaluate((rule("tenant", "ca"),), tenant_inputs(facts), CTX)
    assert [(r.subject, r.verdict) for r in out] == [("/x/f.json", given)]


def test_supplied_kinds():
    facts = IntuneFacts()
    facts.objects["esp"] = [obj("esp", "e")]
    assert supplied_kinds(Inputs()) == set()
    everything = Inputs({"image": ImageInputs(ONE_IMAGE, deep=True), "intune": TenantInputs(facts),
                         "autopilot-file": AutopilotFiles([object()], [])})
    assert supplied_kinds(everything) == {"image", "autopilot", "esp"}
    unusable_only = Inputs({"autopilot-file": AutopilotFiles([], [("img#1:/a.json", "a link")])})
    assert supplied_kinds(unusable_only) == set()  # an unreadable file does not supply the kind


def test_blocking_levels_and_counts():
    assert blocks(result(INFO, WARN), "warning") and not blocks(result(INFO, WARN), "blocker")
    assert not blocks(result(WARNING, PASS), "warning") and not blocks(result(BLOCKER, NOT_EVALUATED), "warning")
    tally = counts([result(BLOCKER, PASS), result(BLOCKER, PASS), result(WARNING, FAIL)])
    assert tally["pass"] == 2 and tally["fail"] == 1 and tally["warn"] == 0 and tally["waived"] == 0


def test_every_unusable_input_is_reported_and_unlabelled_kinds_name_themselves():
    facts = IntuneFacts(incomplete=[("/x/a.json", "bad a", ("group",)), ("/x/b.json", "bad b", ("group",))])
    out = evaluate((rule("tenant", "group"),), tenant_inputs(facts), CTX)
    assert [r.subject for r in out] == ["/x/a.json", "/x/b.json"]
    assert subjects_for(rule("tenant", "group"), tenant_inputs(IntuneFacts())) == \
        not_supplied("input not supplied: no group in the exports")
    ((_, verdict),) = subjects_for(rule("esp", "esp"), tenant_inputs(IntuneFacts(), device_preparation="DPP"))
    assert verdict.message == ("the devices are provisioned by Autopilot device preparation (DPP), which shows no "
                               "Enrollment Status Page")


def test_every_rule_kind_has_one_provider_and_require_names_come_from_them():
    from toolkit.providers.registry import BY_RULE_KIND, PROVIDERS, REQUIRE_NAMES
    from toolkit.rules.registry import RULES

    assert {r.kind for r in RULES} <= set(BY_RULE_KIND)
    owned = [kind for p in PROVIDERS for kind in p.rule_kinds]
    assert len(owned) == len(set(owned))  # no rule kind served twice
    assert REQUIRE_NAMES == ("image", "autopilot", "esp", "tenant")


def test_fail_on_never_reports_without_failing():
    """Report-only: the verdict stays what a blocker threshold gives (a finding is never called ready), no
    finding blocks, the exit code is 0; missing evidence still ends incomplete."""
    failed_blocker = result(BLOCKER, FAIL)
    assert not blocks(failed_blocker, "never")
    assert decide([failed_blocker], "never", []) == ("blocked", 0)
    assert decide([result(WARNING, FAIL)], "never", []) == ("ready", 0)
    assert decide([result(BLOCKER, NOT_EVALUATED)], "never", []) == ("incomplete", 3)
    assert decide([failed_blocker], "blocker", []) == ("blocked", 1)
