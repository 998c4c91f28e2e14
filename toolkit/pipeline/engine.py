"""Run the rules over the facts and decide the verdict. No I/O, no rendering."""

from __future__ import annotations

from typing import Any

from toolkit.providers.base import Inputs, Skip, Subjects
from toolkit.providers.registry import BY_RULE_KIND, PROVIDERS
from toolkit.records import record
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
# --fail-on: the lowest level that blocks; "never" reports every finding and blocks on none
THRESHOLD = {"warning": 1, "blocker": 2, "never": 3}


@record
class Result:
    rule: Rule
    subject: str
    verdict: Verdict
    waiver: Any = None  # the Waiver that covers this finding; the verdict keeps its original outcome

    @property
    def outcome(self) -> str:
        return WAIVED if self.waiver is not None else self.verdict.outcome


def subjects_for(rule: Rule, inputs: Inputs) -> Subjects | Skip:
    """The subjects a rule judges, or why there are none: the provider of the rule's kind decides."""
    provider = BY_RULE_KIND[rule.kind]
    return provider.subjects(rule, inputs.of(provider.name))


def evaluate(rules: tuple[Rule, ...], inputs: Inputs, ctx: Context) -> list[Result]:
    results = []
    for rule in rules:
        if ctx.path not in rule.paths:
            results.append(Result(rule, "-", Verdict(NOT_APPLICABLE, f"not checked on the {ctx.path} path")))
            continue
        subjects = subjects_for(rule, inputs)
        if isinstance(subjects, Skip):
            results.append(Result(rule, "-", Verdict(SKIPPED, subjects.message)))
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
    """The `--require` names the supplied inputs satisfy."""
    return {name for p in PROVIDERS if (facts := inputs.of(p.name)) is not None for name in p.supplied(facts)}


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
    return level > 0 and level >= THRESHOLD[fail_on]


def decide(results: list[Result], fail_on: str, missing_required: list[str]) -> tuple[str, int]:
    """The verdict and exit code. Report-only (`--fail-on never`) keeps the verdict a blocker would give,
    so a finding is never called ready, and exits 0 for it; missing evidence still ends incomplete."""
    if any(blocks(r, "blocker" if fail_on == "never" else fail_on) for r in results):
        return "blocked", EXIT_READY if fail_on == "never" else EXIT_BLOCKED
    if missing_required or any(r.verdict.outcome == NOT_EVALUATED for r in results):
        return "incomplete", EXIT_INCOMPLETE
    return "ready", EXIT_READY


def counts(results: list[Result]) -> dict[str, int]:
    from collections import Counter

    found = Counter(r.outcome for r in results)  # one pass over thousands of results
    return {o: found[o] for o in (*OUTCOMES, WAIVED)}
