"""Every rule has a passing and a failing fixture, judged through the real `check` command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import GOLDEN, exports

FIXED_DAY = "1795219200"  # 2026-11-21T00:00:00Z: lifecycle rules judge against a fixed day


@pytest.fixture(autouse=True)
def fixed_day(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_DAY)
    monkeypatch.setenv("OOBE_READY_AS_OF", "2026-11-21")  # the evaluation date


@pytest.fixture
def run(check_json):
    return check_json


def outcome(manifest: dict, rule: str) -> str:
    found = {r["outcome"] for r in manifest["results"] if r["rule"] == rule}
    assert len(found) == 1, (rule, found)
    return found.pop()


def export(tmp_path: Path, name: str, doc: object) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    return str(path)


def pilot(*ages: float | None) -> dict:
    """A snapshot's pilot group probe (snapshot --pilot-group) taken on the fixed day: one user per age in
    days of their newest Windows backup (None: no backup)."""
    from datetime import datetime, timedelta, timezone

    day = datetime(2026, 11, 21, tzinfo=timezone.utc)
    users = [{"id": f"a0000000-0000-4000-8000-00000000000{n}",
              "newestBackup": None if age is None else (day - timedelta(days=age)).strftime("%Y-%m-%dT%H:%M:%SZ")}
             for n, age in enumerate(ages)]
    return {"@odata.type": "#oobe-ready.pilotGroupBackups", "id": "g", "groupId": "g",
            "checkedAt": day.isoformat(), "users": users}


def apfile(tmp_path: Path, **changes) -> str:
    doc = {"CloudAssignedTenantId": "2f9d6e5a-6c1b-4c8e-9a47-5d3c1b2a0f11",
           "CloudAssignedTenantDomain": "contoso.onmicrosoft.com", "CloudAssignedDomainJoinMethod": 0,
           "CloudAssignedOobeConfig": 1310, "CloudAssignedForcedEnrollment": 1,
           "CloudAssignedAadServerData": json.dumps({"ZeroTouchConfig": {"ForcedEnrollment": 1}}),
           "ZtdCorrelationId": "7c2b9f0e-3d41-4b8a-9e6f-0a1b2c3d4e5f", "Comment_File": "Profile Test"}
    doc.update(changes)
    folder = tmp_path / "ap"
    folder.mkdir(exist_ok=True)
    path = folder / "AutopilotConfigurationFile.json"
    path.write_bytes(json.dumps(doc).encode("ascii"))
    return str(path)


W = lambda name: str(GOLDEN / name)  # noqa: E731
GOOD = lambda t: [W("win11_24h2_multi.wim"), "--index", "1"]  # noqa: E731
P, E = exports.profile, exports.esp

# rule -> (args that pass, args that fail, outcome of the failing case)
CASES = {
    "IMG001": (GOOD, lambda t: [W("win11_24h2_broken_xml.wim")], "fail"),
    "IMG002": (GOOD, lambda t: [W("server2022_standard.wim")], "fail"),
    "IMG003": (GOOD, lambda t: [W("win10_22h2_enterprise.wim")], "fail"),
    "IMG004": (GOOD, lambda t: [W("win11_23h2_enterprise.wim")], "fail"),
    "IMG005": (GOOD, lambda t: [W("win11_se_cloudedition.wim")], "fail"),
    "IMG006": (GOOD, lambda t: [W("win11_23h2_enterprise.wim")], "fail"),
    # the August 2026 update is current two weeks after it shipped, and stale once November's has
    "IMG007": (lambda t: [*GOOD(t), "--as-of", "2026-08-25"], lambda t: [W("win11_23h2_enterprise.wim")], "fail"),
    "IMG009": (lambda t: [W("boot.wim"), "--index", "1"], lambda t: [W("win11_24h2_multi.wim"), "--index", "1"],
               "not-applicable"),
    "SVC001": (GOOD, lambda t: [W("win11_23h2_relabeled.wim")], "fail"),
    "SVC002": (GOOD, lambda t: [W("win11_24h2_stale_xml.wim")], "fail"),
    "SVC003": (GOOD, lambda t: [W("win11_24h2_policy_blocked.wim")], "fail"),
    "SVC004": (GOOD, lambda t: [W("win11_24h2_domain_join.wim")], "fail"),
    "SVC005": (GOOD, lambda t: [W("win11_24h2_not_generalized.wim")], "fail"),
    "SVC006": (GOOD, lambda t: [W("win11_24h2_gpo_enroll.wim")], "fail"),
    "SVC007": (GOOD, lambda t: [W("win11_24h2_configmgr.wim")], "fail"),
    "SVC009": (lambda t: [W("win11_24h2_winre.wim"), "--index", "1"],
               lambda t: [W("win11_24h2_winre.wim"), "--index", "2"], "fail"),
    "SVC008": (GOOD, lambda t: [W("win11_24h2_shared_pc.wim")], "fail"),
    "AP001": (lambda t: ["--intune", export(t, "p.json", P(False, False))],
              lambda t: ["--intune", export(t, "p.json", P(True, False))], "fail"),
    "AP002": (lambda t: ["--intune", export(t, "p.json", P(False, False))],
              lambda t: ["--intune", export(t, "p.json", P(False, False, usage="shared"))], "fail"),
    "AP003": (lambda t: ["--intune", export(t, "p.json", P(False, False))],
              lambda t: ["--intune", export(t, "p.json", P(False, True))], "fail"),
    "AP004": (lambda t: ["--intune", export(t, "p.json", P(False, False))],
              lambda t: ["--intune", export(t, "p.json", {**P(False, False), "deviceType": "holoLens"})], "fail"),
    "AP005": (lambda t: ["--intune", export(t, "p.json", P(False, False))],
              lambda t: ["--intune", export(t, "p.json", {**P(False, False), "enableWhiteGlove": True})], "fail"),
    "ESP001": (lambda t: ["--intune", export(t, "e.json", E(False, True))],
               lambda t: ["--intune", export(t, "e.json", E(False, False))], "fail"),
    "ESP002": (lambda t: ["--intune", export(t, "e.json", E(False, True))],
               lambda t: ["--intune", export(t, "e.json", E(False, True, shown=False))], "fail"),
    "ESP003": (lambda t: ["--intune", export(t, "e.json", E(False, True))],
               lambda t: ["--intune", export(t, "e.json", E(False, True, block=False))], "fail"),
    "ESP004": (lambda t: ["--intune", export(t, "e.json", E(False, True))],
               lambda t: ["--intune", export(t, "e.json", E(False, True, timeout=30))], "fail"),
    "TEN001": (lambda t: ["--intune", export(t, "r.json", exports.restore("enabled"))],
               lambda t: ["--intune", export(t, "r.json", exports.restore("notConfigured"))], "fail"),
    "TEN002": (lambda t: ["--intune", export(t, "s.json", exports.backup_policy(True))],
               lambda t: ["--intune", export(t, "s.json", exports.backup_policy(False))], "fail"),
    "TEN003": (lambda t: ["--intune", export(t, "c.json", exports.ca_policy(True))],
               lambda t: ["--intune", export(t, "c.json", exports.ca_policy(False))], "fail"),
    "TEN004": (lambda t: ["--intune", export(t, "sp.json", exports.SERVICE_PRINCIPAL)],
               lambda t: ["--intune", export(t, "sp.json", {**exports.SERVICE_PRINCIPAL, "appId": "x"})], "fail"),
    "TEN005": (lambda t: ["--intune", export(t, "v.json", {"value": [
                    {**P(False, False), "deviceType": "virtualMachine"}, exports.ca_policy(True)]})],
               lambda t: ["--intune", export(t, "v.json", {"value": [
                    {**P(False, False), "deviceType": "virtualMachine"},
                    {**exports.ca_policy(True), "grantControls": {"operator": "OR", "authenticationStrength": {
                        "id": "00000000-0000-0000-0000-000000000004"}}}]})], "fail"),
    "TEN006": (lambda t: ["--intune", export(t, "r.json", exports.restore("enabled")), "--cloud", "public"],
               lambda t: ["--intune", export(t, "r.json", {**exports.restore("enabled"),
                          "@odata.context": "https://graph.microsoft.us/beta/$metadata#x"})], "fail"),
    "TEN007": (lambda t: ["--intune", export(t, "b.json", pilot(1, 8))],
               lambda t: ["--intune", export(t, "b.json", pilot(1, 8.01, None))], "fail"),
    "APF001": (lambda t: ["--autopilot-file", apfile(t)],
               lambda t: ["--autopilot-file", _utf16(apfile(t))], "fail"),
    "APF002": (lambda t: ["--autopilot-file", apfile(t)],
               lambda t: ["--autopilot-file", apfile(t, CloudAssignedAadServerData="{not json")], "fail"),
    "APF003": (lambda t: ["--autopilot-file", apfile(t)],
               lambda t: ["--autopilot-file", apfile(t, CloudAssignedDomainJoinMethod=1)], "fail"),
    "APF004": (lambda t: ["--autopilot-file", apfile(t)],
               lambda t: ["--autopilot-file", apfile(t, CloudAssignedOobeConfig=1310 | 32 | 64)], "fail"),
    "APF005": (lambda t: ["--autopilot-file", apfile(t), "--tenant-id", "2f9d6e5a-6c1b-4c8e-9a47-5d3c1b2a0f11"],
               lambda t: ["--autopilot-file", apfile(t), "--tenant-id", "11111111-2222-3333-4444-555555555555"],
               "fail"),
}


def _utf16(path: str) -> str:
    p = Path(path)
    p.write_bytes(b"\xff\xfe" + p.read_bytes().decode("ascii").encode("utf-16-le"))
    return path


def test_every_rule_has_cases():
    from toolkit.rules.registry import RULES

    assert sorted(CASES) == sorted(r.id for r in RULES)


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_passes_on_its_good_fixture(rule, run, tmp_path, request):
    if rule.startswith("SVC"):
        request.getfixturevalue("deep_tools")
    good, _, _ = CASES[rule]
    assert outcome(run(*good(tmp_path)), rule) == "pass"


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_fails_on_its_bad_fixture(rule, run, tmp_path, request):
    if rule.startswith("SVC"):
        request.getfixturevalue("deep_tools")
    _, bad, expected = CASES[rule]
    manifest = run(*bad(tmp_path))
    assert outcome(manifest, rule) == expected
    if expected == "fail":
        result = next(r for r in manifest["results"] if r["rule"] == rule)
        assert result["remediation"] and result["message"]


def test_pilot_backups_boundaries(run, tmp_path):
    """Eight days old is recent; a minute more is not; no users restores nothing; a bad date is unknown."""
    def judged(doc):
        return next((r["outcome"], r["message"]) for r in run("--intune", export(tmp_path, "b.json", doc))["results"]
                    if r["rule"] == "TEN007")

    assert judged(pilot(8)) == ("pass", "all 1 pilot user(s) have a Windows backup newer than 8 days")
    assert judged(pilot(8 + 1 / 1440))[0] == "fail"
    assert judged(pilot(None, 0))[1] == ("1 of 2 pilot user(s) have no Windows backup newer than 8 days "
                                         "(a0000000-0000-4000-8000-000000000000)")
    assert judged(pilot())[0] == "fail"
    assert judged({**pilot(1), "checkedAt": "yesterday"})[0] == "not-evaluated"


def test_hybrid_profile_warns_on_first_sign_in_path(run, tmp_path):
    args = ["--intune", export(tmp_path, "p.json", P(True, False))]
    assert outcome(run(*args, "--path", "first-sign-in"), "AP001") == "warn"
    assert outcome(run(*args, "--path", "first-sign-in", "--baseline", "wbfo-2025-11"), "AP001") == "fail"
    assert outcome(run(*args, "--path", "backup"), "AP001") == "pass"


def test_multi_session_fails_on_oobe_and_warns_on_first_sign_in(run):
    assert outcome(run(W("win11_multisession.wim")), "IMG005") == "fail"
    assert outcome(run(W("win11_multisession.wim"), "--path", "first-sign-in"), "IMG005") == "warn"


def test_old_image_is_a_warning_when_the_esp_installs_quality_updates(run):
    m = run(W("win11_23h2_enterprise.wim"), "--intune", str(GOLDEN / "intune" / "ready"))
    assert outcome(m, "IMG004") == "warn"


def test_ambiguous_release_is_not_evaluated_when_candidates_disagree(run):
    m = run(W("win11_24h2_multi.wim"), "--index", "3", "--no-deep")  # Pro: 24H2 Home/Pro ended 2026-10-13
    result = next(r for r in m["results"] if r["rule"] == "IMG006")
    assert result["outcome"] == "not-evaluated"
    assert "24H2 or 25H2" in result["message"]
    assert m["summary"]["verdict"] == "incomplete"


def test_deep_inspection_decides_the_release_the_xml_cannot(run, deep_tools):
    m = run(W("win11_24h2_multi.wim"), "--index", "3")  # the hive says 26100 / 24H2
    result = next(r for r in m["results"] if r["rule"] == "IMG006")
    assert result["outcome"] == "fail" and "24H2 (home_pro) left servicing on 2026-10-13" in result["message"]
    assert result["evidence"][0]["locator"].endswith("CurrentVersion\\CurrentBuild")
    assert m["summary"]["verdict"] == "blocked"


def test_windows10_on_backup_path_is_judged_by_backup_minimums(run, deep_tools):
    m = run(W("win10_22h2_enterprise.wim"), "--path", "backup", "--no-deep")
    assert outcome(m, "IMG003") == "not-applicable"
    assert outcome(m, "IMG004") == "pass"
    # XML 19041.6216 is 21H2 (ended) or 22H2 (ESU only since 2025-10-14): the XML cannot decide
    result = next(r for r in m["results"] if r["rule"] == "IMG006")
    assert result["outcome"] == "not-evaluated" and "Extended Security Updates" in result["message"]
    # the hive says 19045 / 22H2: serviced through ESU only, a warning on the backup path
    deep = run(W("win10_22h2_enterprise.wim"), "--path", "backup")
    result = next(r for r in deep["results"] if r["rule"] == "IMG006")
    assert result["outcome"] == "warn" and "22H2 ended on 2025-10-14" in result["message"]


def test_hotpatch_build_is_judged_by_its_baseline_month():
    from toolkit.catalog_store import shipped_catalog
    from toolkit.rules.image import _effective_ubr

    branch = next(b for b in shipped_catalog().branches if b.id == "win11-24h2")
    assert _effective_ubr(branch, 4270)[0] == 3775  # June 2025 hotpatch: below .4946 after all
