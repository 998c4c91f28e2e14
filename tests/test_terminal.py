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
    assert "evidence (first of 3): " in table


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


def tmux_capture(command: list[str], columns: int = 80) -> list[str]:
    """What a person sees: the command run in a real terminal (tmux) `columns` wide, the pane's whole
    history captured with wrapped lines joined."""
    import shlex
    import subprocess
    import time
    import uuid

    from conftest import require_tool

    require_tool("tmux")
    session = f"oobe-{uuid.uuid4().hex[:8]}"
    done = GOLDEN.parent / f".{session}.done"
    script = f"{shlex.join(command)}; touch {shlex.quote(str(done))}; sleep 30"
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", str(columns), "-y", "50",
                    "-c", str(GOLDEN.parent), script], check=True, env={**__import__("os").environ,
                                                                        "TERM": "xterm-256color"})
    try:
        for _ in range(600):
            if done.exists():
                break
            time.sleep(0.1)
        shown = subprocess.run(["tmux", "capture-pane", "-p", "-J", "-S", "-", "-t", session],
                               capture_output=True, text=True, check=True).stdout
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
        done.unlink(missing_ok=True)
    return [line.rstrip() for line in shown.splitlines()]


def test_a_real_80_column_terminal_on_the_11_edition_image():
    import sys

    command = [sys.executable, "-m", "toolkit", "check", "golden_images/win10_install_lxd_mirror.wim",
               "--as-of", "2026-11-21"]
    lines = [line for line in tmux_capture(command) if line]
    urls = [line for line in lines if line.startswith("https://")]
    assert [line for line in lines if len(line) > 80 and line not in urls] == []
    assert all(" " not in url for url in urls)  # a URL longer than the width stands whole on its own line
    assert lines[0].startswith("BLOCKED  baseline wbfo-2026-09")
    assert lines[-1].startswith("BLOCKED · ") and lines[-1].endswith("catalog 2026-08-12")
    assert sum(line.startswith("FAIL IMG003 ") for line in lines) == 1  # 11 editions, one entry
    assert len(lines) <= 96  # two screens of a 48-row terminal


def test_a_real_80_column_terminal_inspecting_the_11_edition_image():
    import sys

    lines = [line for line in tmux_capture([sys.executable, "-m", "toolkit", "inspect", "--deep",
                                            "golden_images/win10_install_lxd_mirror.wim"]) if line]
    assert [line for line in lines if len(line) > 80 and " " in line] == []
    assert sum(line.startswith("  #") for line in lines) == 11  # a block per edition: no table split mid-word
    assert lines[-1] == "release catalog as of 2026-08-12"


def test_markdown_summary_groups_and_stays_under_the_cap(cli, monkeypatch):
    """Step summaries: a finding on 11 editions is one row, each rule's details fold into one <details>,
    and however many findings there are the text stays under GitHub's 1 MiB cap, saying what it left out."""
    from toolkit.render.markdown import LIMIT, render

    monkeypatch.chdir(GOLDEN.parent)
    manifest = json.loads(cli("check", "golden_images/win10_install_lxd_mirror.wim", "--as-of", "2026-11-21",
                              "-o", "json").out)
    md = render(manifest)
    assert len(re.findall(r"^\| ❌ fail \| IMG003 ", md, re.M)) == 1
    assert "#1, #2, #3, #4, #5, #6, #7, #8, #9, #10, #11" in md
    rules = {r["rule"] for r in manifest["results"] if r["outcome"] in ("fail", "warn", "not-evaluated", "waived")}
    assert md.count("<details>") == len(rules)
    template = next(r for r in manifest["results"] if r["rule"] == "IMG003")
    manifest["results"] += [{**template, "subject": f"huge.wim#{n}", "message": f"finding {n} " + "x" * 400}
                            for n in range(4000)]  # every one different: nothing groups
    big = render(manifest)
    assert len(big.encode("utf-8")) <= LIMIT
    assert "more findings left out to fit the summary" in big and big.rstrip().endswith("</sub>")
