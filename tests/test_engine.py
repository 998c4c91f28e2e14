"""The verdict's precedence, in-process (issue 15): blocked beats incomplete beats ready; a waived or
non-blocking finding never blocks; a gap or a missing required kind is incomplete."""

from __future__ import annotations

import pytest

from toolkit.engine import Result, blocks, counts, decide
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
