"""Run the rules over the facts and decide the verdict. No I/O, no rendering."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from toolkit.facts import ImageFacts, ImageSource
from toolkit.rules.base import (
    FAIL,
    NOT_APPLICABLE,
    NOT_EVALUATED,
    OUTCOMES,
    SKIPPED,
    WAIVED,
    WARN,
    Context,
    Rule,
    Verdict,
)

EXIT_READY, EXIT_BLOCKED, EXIT_INCOMPLETE = 0, 1, 3
LEVEL = {"blocker": 2, "warning": 1, "info": 0}
KINDS = ("image", "autopilot", "esp", "tenant")
NEEDS_LABEL = {"profile": "Autopilot deployment profile", "esp": "Enrollment Status Page",
               "restore": "Windows restore setting (windowsRestoreDeviceEnrollmentConfiguration)",
               "settings": "settings catalog policy", "ca": "Conditional Access policy",
               "sp": "service principal"}


@dataclass(frozen=True)
class Result:
    rule: Rule
    subject: str
    verdict: Verdict
    waiver: Any = None  # the Waiver that covers this finding; the verdict keeps its original outcome

    @property
    def outcome(self) -> str:
        return WAIVED if self.waiver is not None else self.verdict.outcome


@dataclass
class Inputs:
    """Facts gathered from every source, grouped by the subject each rule family judges."""

    images: list[ImageSource] = field(default_factory=list)
    tenant: object | None = None          # IntuneFacts
    esp: object | None = None             # EffectiveEsp: derived once from tenant, judged by ESP rules
    profiles: object | None = None        # ProfileChoice: the profiles that reach the devices
    device_preparation: str | None = None  # the device preparation policy the target devices get
    autopilot_files: list = field(default_factory=list)
    autopilot_unusable: list[tuple[str, str]] = field(default_factory=list)  # in-image (where, why)
    deep: bool = True                     # deep inspection on (SVC rules judge); --no-deep skips them

    def image_subjects(self) -> list[tuple[str, ImageFacts]]:
        return [(f"{s.path}#{i.index}", i) for s in self.images for i in s.images]


Subjects = list[tuple[str, object]]


def _image_subjects(rule: Rule, inputs: Inputs) -> Subjects | str:
    if rule.needs == "deep" and not inputs.deep and inputs.images:
        return "deep inspection off (--no-deep)"
    return inputs.image_subjects() or "input not supplied: no image supplied"


def _autopilot_file_subjects(rule: Rule, inputs: Inputs) -> Subjects | str:
    return [(f.path, f) for f in inputs.autopilot_files] + \
        [(where, Verdict(NOT_EVALUATED, f"{where}: {why}")) for where, why in inputs.autopilot_unusable] \
        or "input not supplied: no offline Autopilot file"


def _tenant_subjects(rule: Rule, inputs: Inputs) -> Subjects | str:
    """Profiles, the effective ESP, or the tenant as a whole; plus, fail-closed, every export file that
    could not be used whole and might have held this rule's evidence."""
    tenant = inputs.tenant
    if tenant is None:
        return "input not supplied: no Intune/Entra export (--intune)"
    subjects: Subjects
    if rule.needs == "profile":
        choice = inputs.profiles
        judged = [p for p, _ in choice.judged] if choice else tenant.of("profile")
        subjects = [(p.subject, p) for p in judged]
        subjects += [(p.subject, Verdict(NOT_APPLICABLE, f"profile '{p.data.get('displayName')}' is {why}"))
                     for p, why in (choice.skipped if choice else ())]
    elif rule.needs == "esp" and inputs.device_preparation:
        subjects = [(inputs.device_preparation, Verdict(NOT_APPLICABLE, "the devices are provisioned by Autopilot "
                                                       f"device preparation ({inputs.device_preparation}), which "
                                                       "shows no Enrollment Status Page"))]
    elif rule.needs == "esp":
        subjects = [(inputs.esp.subject, inputs.esp)] if inputs.esp else []
    elif not rule.needs or tenant.of(rule.needs) or rule.judges_absence:
        subjects = [("tenant", tenant)]
    else:
        subjects = []
    subjects += [(path, Verdict(NOT_EVALUATED, why))
                 for path, why, kinds in tenant.incomplete if not rule.needs or rule.needs in kinds]
    return subjects or f"input not supplied: no {NEEDS_LABEL.get(rule.needs, rule.needs)} in the exports"


# Each rule kind's provider of subjects (a rule's `kind`): adding an input kind adds its provider here.
PROVIDERS = {"image": _image_subjects, "autopilot-file": _autopilot_file_subjects,
             "autopilot": _tenant_subjects, "esp": _tenant_subjects, "tenant": _tenant_subjects}


def subjects_for(rule: Rule, inputs: Inputs) -> Subjects | str:
    """The subjects a rule judges, or why there are none (a skip reason)."""
    return PROVIDERS[rule.kind](rule, inputs)


def evaluate(rules: tuple[Rule, ...], inputs: Inputs, ctx: Context) -> list[Result]:
    results = []
    for rule in rules:
        if ctx.path not in rule.paths:
            results.append(Result(rule, "-", Verdict(NOT_APPLICABLE, f"not checked on the {ctx.path} path")))
            continue
        subjects = subjects_for(rule, inputs)
        if isinstance(subjects, str):
            results.append(Result(rule, "-", Verdict(SKIPPED, subjects)))
            continue
        for subject_id, subject in subjects:
            if isinstance(subject, Verdict):  # the source already knows it cannot be judged
                results.append(Result(rule, subject_id, subject))
                continue
            judged = rule.check(subject, ctx)
            if isinstance(judged, Verdict):
                judged = [(subject_id, judged)]
            results += [Result(rule, sid, verdict) for sid, verdict in judged]
    return results


def supplied_kinds(inputs: Inputs) -> set[str]:
    kinds = set()
    if inputs.images:
        kinds.add("image")
    if inputs.autopilot_files:
        kinds.add("autopilot")
    if inputs.tenant is not None:
        kinds |= inputs.tenant.kinds()
    return kinds


def blocking_level(result: Result) -> int:
    """How loudly a result speaks: a failed blocker 2, a failed warning or any warn 1, a waived one 0."""
    if result.waiver is not None:
        return 0
    if result.verdict.outcome == FAIL:
        return LEVEL[result.rule.severity]
    if result.verdict.outcome == WARN:
        return LEVEL["warning"]
    return 0


def blocks(result: Result, fail_on: str) -> bool:
    """A non-waived finding at or above the --fail-on threshold."""
    level = blocking_level(result)
    return level > 0 and level >= LEVEL[fail_on]


def decide(results: list[Result], fail_on: str, missing_required: list[str]) -> tuple[str, int]:
    if any(blocks(r, fail_on) for r in results):
        return "blocked", EXIT_BLOCKED
    if missing_required or any(r.verdict.outcome == NOT_EVALUATED for r in results):
        return "incomplete", EXIT_INCOMPLETE
    return "ready", EXIT_READY


def counts(results: list[Result]) -> dict[str, int]:
    return {o: sum(r.outcome == o for r in results) for o in (*OUTCOMES, WAIVED)}
