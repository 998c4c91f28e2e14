"""What a rule is, what it returns, and the context it judges in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from toolkit.records import field, record

PASS, FAIL, WARN = "pass", "fail", "warn"
NOT_APPLICABLE, SKIPPED, NOT_EVALUATED = "not-applicable", "skipped", "not-evaluated"
WAIVED = "waived"  # shown in place of fail/warn when a waiver covers the finding
OUTCOMES = (PASS, FAIL, WARN, NOT_APPLICABLE, SKIPPED, NOT_EVALUATED)
SEVERITIES = ("blocker", "warning", "info")
PATHS = ("oobe", "first-sign-in", "backup")
RESTORE_PATHS = ("oobe", "first-sign-in")


@record
class Evidence:
    source: str
    locator: str
    expected: Any = None
    actual: Any = None


@record
class Verdict:
    outcome: str
    message: str
    evidence: tuple[Evidence, ...] = ()
    # steps specific to this finding (e.g. the KB to apply), shown before the rule's own steps
    remediation: tuple[str, ...] = ()

    def fix(self, *steps: str) -> Verdict:
        return Verdict(self.outcome, self.message, self.evidence, self.remediation + steps)


def passed(message: str, *evidence: Evidence) -> Verdict:
    return Verdict(PASS, message, evidence)


def failed(message: str, *evidence: Evidence) -> Verdict:
    return Verdict(FAIL, message, evidence)


def warned(message: str, *evidence: Evidence) -> Verdict:
    return Verdict(WARN, message, evidence)


def not_applicable(message: str, *evidence: Evidence) -> Verdict:
    return Verdict(NOT_APPLICABLE, message, evidence)


def not_evaluated(message: str, *evidence: Evidence) -> Verdict:
    return Verdict(NOT_EVALUATED, message, evidence)


# A rule judges its subject as a whole (one Verdict), or reports one finding per object inside it,
# each with its own subject, so that a waiver scoped to one object covers that object only.
Findings = list[tuple[str, Verdict]]


@record
class Context:
    """Everything a rule may consult besides its subject."""

    baseline: dict
    path: str
    today: date
    catalog: Any
    tenant_id: str | None = None
    cloud: str | None = None
    tenant: Any = None  # IntuneFacts when exports were given
    extras: dict = field(default_factory=dict)

    def hybrid_join(self) -> str:
        """What the baseline says of a hybrid (Active Directory) joined device on this path, decided in
        one place for AP001, APF003 and SVC004: "allowed" (backup), "first-sign-in-only" (restored at
        first sign-in, never by the OOBE restore page) or "blocked"."""
        if self.path not in self.baseline.get("hybrid_allowed_on", []):
            return "blocked"
        return "first-sign-in-only" if self.path == "first-sign-in" else "allowed"

    def hybrid_verdict(self, what: str, *evidence: Evidence) -> Verdict:
        """The verdict on `what` (a hybrid-joined device) for this path and baseline."""
        policy = self.hybrid_join()
        if policy == "allowed":
            return passed(f"{what}: hybrid join is supported on the {self.path} path", *evidence)
        if policy == "first-sign-in-only":
            return warned(f"{what}: only first sign-in restore applies, never the OOBE restore page "
                          f"({self.baseline['id']})", *evidence)
        return failed(f"{what}: no restore for a hybrid joined device on the {self.path} path "
                      f"({self.baseline['id']})", *evidence)

    def minimums(self) -> dict[int, int]:
        table = self.baseline["paths"][self.path]["minimum"]
        return {int(k): int(v) for k, v in table.items()}


@record
class Rule:
    id: str
    title: str
    severity: str
    kind: str  # input kind: image | autopilot | esp | tenant | autopilot-file
    rationale: str
    remediation: tuple[str, ...]
    docs: str
    check: Callable[..., Verdict]
    paths: tuple[str, ...] = PATHS
    needs: str = ""  # the narrower input it reads (e.g. conditional-access), for skip messages
    judges_absence: bool = False  # judged on the exports even when none holds an object it `needs`

    def __post_init__(self) -> None:
        assert self.severity in SEVERITIES, self.severity

    def document(self) -> dict:
        """The rule's metadata as the manifest, `rules -o json` and `explain -o json` write it."""
        return {"id": self.id, "title": self.title, "severity": self.severity, "kind": self.kind,
                "paths": list(self.paths), "rationale": self.rationale, "remediation": list(self.remediation),
                "docs": self.docs}


def rule(**meta: Any) -> Callable[[Callable[..., Verdict]], Rule]:
    """Attach metadata to a check function; the module lists its rules explicitly."""

    def wrap(check: Callable[..., Verdict]) -> Rule:
        meta.setdefault("remediation", ())
        return Rule(check=check, **{**meta, "remediation": tuple(meta["remediation"])})

    return wrap
