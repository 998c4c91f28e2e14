"""Issue 17: the check report reads well at 80 columns and in CI logs: width from COLUMNS (else 100
without a terminal), no word or URL split, wrapped lines indented, the verdict first and a one-line
summary last, whether each finding blocks, identical findings across indexes once, values in words."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

GOLDEN = Path(__file__).resolve().parent.parent / "golden_images"
MULTI = "golden_images/win11_24h2_multi.wim"
BLOCKED_TENANT = GOLDEN / "intune" / "blocked"


@pytest.fixture
def report(cli, monkeypatch):
    monkeypatch.chdir(GOLDEN.parent)

    def run(columns: str | None, *args: str) -> tuple[str, dict]:
        if columns is None:
            monkeypatch.delenv("COLUMNS", raising=False)
        else:
            monkeypatch.setenv("COLUMNS", columns)
        table = cli("check", *args, "--as-of", "2026-11-21").out
        manifest = json.loads(cli("check", *args, "--as-of", "2026-11-21", "-o", "json").out)
        return table, manifest
    return run


def too_long(text: str, columns: int) -> list[str]:
    """Lines over the width that are not one word standing alone."""
    return [line for line in text.splitlines() if len(line) > columns and " " in line.strip()]


@pytest.mark.parametrize("columns, expected", [("80", 80), ("120", 120), (None, 100)])
def test_width_from_columns_else_100(report, columns, expected):
    table, _ = report(columns, MULTI, "--intune", str(BLOCKED_TENANT))
    assert too_long(table, expected) == []
    assert max(len(line) for line in table.splitlines()) > expected * 0.8  # the width is used, not less


def test_no_word_or_url_is_split(report):
    table, manifest = report("80", MULTI, "--intune", str(BLOCKED_TENANT))
    words = set(table.split())
    for result in manifest["results"]:
        if result["outcome"] in ("fail", "warn", "not-evaluated"):
            assert result["docs"] in words  # whole, on one line
            assert set(result["message"].split()) <= words
            for step in result["remediation"]:
                assert set(step.split()) <= words


def test_verdict_first_summary_last_and_blocking_said(report):
    table, manifest = report("80", MULTI, "--intune", str(BLOCKED_TENANT))
    lines = [line for line in table.splitlines() if line.strip()]
    verdict = manifest["summary"]["verdict"].upper()
    assert lines[0].startswith(verdict + "  ")
    blocking = sorted({r["rule"] for r in manifest["results"] if r["blocking"]})
    assert lines[-1].startswith(f"{verdict} · {len(blocking)} rules block · ") and lines[-1].endswith("2026-08-12")
    assert len(lines[-1]) <= 80  # one line: eight blocking rules are counted, not named
    wide, _ = report("200", MULTI, "--intune", str(BLOCKED_TENANT))
    assert wide.splitlines()[-1].startswith(f"{verdict} · blocks: {', '.join(blocking)} · ")
    assert "· blocker, blocks" in table
    assert "· warning, does not block at --fail-on blocker" in table


def test_identical_findings_across_indexes_once(report):
    table, manifest = report("80", MULTI)
    assert sum(r["rule"] == "IMG007" and r["outcome"] == "fail" for r in manifest["results"]) == 3
    assert len(re.findall(r"^FAIL IMG007 ", table, re.M)) == 1
    assert f"  on {MULTI}#1, #2, #3" in table
    assert "evidence (first of 3, the others alike):" in table


def test_evidence_values_in_words(report):
    table, manifest = report("80", "--intune", str(BLOCKED_TENANT))
    booleans = [e for r in manifest["results"] for e in r["evidence"] if isinstance(e["actual"], bool)]
    assert booleans  # the export holds yes/no settings
    assert not re.search(r"expected (True|False)|actual (True|False)", table)
    assert re.search(r"actual (yes|no)\b", table)


@pytest.mark.parametrize("columns", ["80", "100", "200"])
def test_inspect_fits_the_width_without_splitting(cli, monkeypatch, columns):
    monkeypatch.chdir(GOLDEN.parent)
    monkeypatch.setenv("COLUMNS", columns)
    shown = cli("inspect", MULTI, "--deep").out
    report = json.loads(cli("inspect", MULTI, "--deep", "-o", "json").out)
    assert too_long(shown, int(columns)) == []
    words = set(shown.split())
    for image in report["sources"][0]["images"]:
        assert {image["build_ubr"], image["update"]["kb"], *image["name"].split()} <= words
    table = "┃ Name" in shown
    assert table == (columns == "200")  # a row per index where it fits, else a block per index
