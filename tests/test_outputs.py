"""Every output format: valid in its consumer's shape, rendered from the one manifest, same exit code."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
from pathlib import Path

import jsonschema
import pytest
from conftest import GOLDEN, require_tool
from lxml import etree

SCHEMAS = Path(__file__).parent / "schemas"
FORMATS = ("table", "json", "sarif", "junit", "markdown", "html", "github", "azure")
BLOCKED = (GOLDEN / "win11_23h2_enterprise.wim", "--intune", GOLDEN / "intune" / "blocked")
READY_WITH_WARNING = (GOLDEN / "win11_24h2_not_generalized.wim", "--intune", GOLDEN / "intune" / "ready")
INCOMPLETE = (GOLDEN / "win11_24h2_multi.wim", "--index", "1")  # run without a backend: SVC not-evaluated


@pytest.fixture(autouse=True)
def fixed_day(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795219200")  # 2026-11-21
    monkeypatch.setenv("OOBE_READY_AS_OF", "2026-11-21")  # the evaluation date


def sarif_validator():
    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text())
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def junit_schema():
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "JUnit.xsd")))


def run_all_formats(cli, tmp_path: Path, *args) -> tuple[int, dict[str, str]]:
    outputs = [f"-o{fmt}={tmp_path / ('out.' + fmt)}" for fmt in FORMATS]
    result = cli("check", *args, *outputs)
    return result.code, {fmt: (tmp_path / f"out.{fmt}").read_text(encoding="utf-8") for fmt in FORMATS}


@pytest.mark.parametrize("args, code", [(BLOCKED, 1), (READY_WITH_WARNING, 0)])
def test_exit_code_is_the_same_whatever_the_format(cli, deep_tools, args, code):
    codes = {fmt: cli("check", *args, "-o", fmt).code for fmt in FORMATS}
    assert set(codes.values()) == {code}, codes


def test_incomplete_exit_3_in_every_format(cli, monkeypatch):
    monkeypatch.setenv("OOBE_READY_EXTRACTOR", "none")
    codes = {fmt: cli("check", *INCOMPLETE, "-o", fmt).code for fmt in FORMATS}
    assert set(codes.values()) == {3}, codes


def test_sarif_is_schema_valid_and_carries_what_code_scanning_needs(cli, deep_tools, tmp_path):
    code, out = run_all_formats(cli, tmp_path, *BLOCKED)
    log = json.loads(out["sarif"])
    errors = list(sarif_validator().iter_errors(log))
    assert not errors, [e.message for e in errors[:3]]
    run = log["runs"][0]
    assert run["invocations"][0]["exitCode"] == code == 1
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    img004 = rules["IMG004"]
    assert img004["help"]["text"] and "**How to fix**" in img004["help"]["markdown"]
    assert img004["properties"]["security-severity"] == "8.0"
    assert img004["defaultConfiguration"]["level"] == "error"
    results = {(r["ruleId"], r["properties"]["subject"]): r for r in run["results"]}
    blocker = results[("IMG004", f"{BLOCKED[0]}#1")]
    assert blocker["level"] == "error" and blocker["kind"] == "fail"
    uri = blocker["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri.endswith("win11_23h2_enterprise.wim")
    assert results[("IMG007", f"{BLOCKED[0]}#1")]["level"] == "warning"
    # the exports' file names hold spaces: the URI is percent-encoded
    esp = next(r for r in run["results"] if r["ruleId"] == "ESP001")
    assert "%20" in esp["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert not any(r["properties"]["outcome"] == "pass" for r in run["results"])


def test_sarif_fingerprints_are_stable_across_runs(cli, deep_tools, tmp_path, monkeypatch):
    first = json.loads(cli("check", *BLOCKED, "-o", "sarif").out)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795305600")  # a day later
    monkeypatch.setenv("OOBE_READY_AS_OF", "2026-11-22")  # the evaluation date
    second = json.loads(cli("check", *BLOCKED, "-o", "sarif").out)

    def prints(log):
        return sorted(r["partialFingerprints"]["primaryLocationLineHash"] for r in log["runs"][0]["results"])

    assert prints(first) == prints(second)
    assert len(set(prints(first))) == len(prints(first))  # one per finding


def test_sarif_not_evaluated_is_open_and_notified(cli, monkeypatch):
    monkeypatch.setenv("OOBE_READY_EXTRACTOR", "none")
    log = json.loads(cli("check", *INCOMPLETE, "-o", "sarif").out)
    assert not list(sarif_validator().iter_errors(log))
    svc = [r for r in log["runs"][0]["results"] if r["ruleId"].startswith("SVC")]
    assert svc and all(r["kind"] == "open" and r["level"] == "none" for r in svc)
    notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert any(n["level"] == "error" and "could not be evaluated" in n["message"]["text"] for n in notes)


def test_sarif_passes_the_official_sarif_validator_with_github_rules(cli, deep_tools, tmp_path):
    """The Microsoft SARIF Multitool (the validator behind sarifweb), with its GitHub ingestion rules."""
    tool = os.environ.get("OOBE_READY_SARIF_MULTITOOL") or require_tool("Sarif.Multitool")
    sarif = tmp_path / "out.sarif"
    cli("check", *BLOCKED, "-o", f"sarif={sarif}")
    report = tmp_path / "validation.sarif"
    done = subprocess.run([tool, "validate", str(sarif), "-o", str(report), "--log", "ForceOverwrite",
                           "--rule-kind", "Sarif;Gh"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:]
    findings = json.loads(report.read_text(encoding="utf-8-sig"))["runs"][0]["results"]
    serious = [f for f in findings if f.get("level", "warning") == "error"]
    assert not serious, [f["message"] for f in serious]
    # the one remaining warning is SARIF2005 (no informationUri: the project has no public home page)
    assert {f["ruleId"] for f in findings} <= {"SARIF2005"}


def test_junit_is_valid_against_the_ant_xsd_and_maps_outcomes(cli, deep_tools, tmp_path):
    _, out = run_all_formats(cli, tmp_path, *BLOCKED)
    doc = etree.fromstring(out["junit"].encode())
    schema = junit_schema()
    assert schema.validate(doc), schema.error_log
    image = doc.find(f"testsuite[@name='{BLOCKED[0]}#1']")
    case = {c.get("name").split()[1]: c for c in image.findall("testcase")}
    assert case["IMG004"].find("failure") is not None               # blocking fail
    assert "Add-WindowsPackage" in case["IMG004"].find("failure").text
    assert case["IMG007"].find("failure") is None                   # fail of a warning rule: not blocking
    assert "not blocking" in case["IMG007"].get("name")
    assert "IMG007" in image.find("system-out").text
    assert case["IMG009"].find("skipped") is not None               # not-applicable
    assert int(image.get("failures")) == len(image.findall("testcase/failure"))
    rule_wide = doc.find("testsuite[@name='not checked (rule-wide)']")
    skipped = rule_wide.findall("testcase/skipped")
    assert skipped and all(s.get("message") for s in skipped)


def test_junit_not_evaluated_is_an_error(cli, monkeypatch):
    monkeypatch.setenv("OOBE_READY_EXTRACTOR", "none")
    doc = etree.fromstring(cli("check", *INCOMPLETE, "-o", "junit").out.encode())
    assert junit_schema().validate(doc)
    errors = doc.findall(".//testcase/error")
    assert errors and all(e.get("type") == "not-evaluated" for e in errors)


def test_markdown_summary_leads_with_verdict_and_escapes_tables(cli, deep_tools, tmp_path):
    _, out = run_all_formats(cli, tmp_path, *BLOCKED)
    md = out["markdown"]
    assert md.startswith("## ❌ oobe-ready: BLOCKED")
    assert len(md.encode()) < 1024 * 1024
    rows = [line for line in md.splitlines() if line.startswith("| ❌ fail | IMG004")]
    assert rows and rows[0].count(" | ") == 5  # six cells, no stray pipes from the content
    assert "<details><summary>IMG004" in md and "**How to fix**" in md
    assert "### Inputs" in md and "win11_23h2_enterprise.wim" in md


def test_github_annotations(cli, deep_tools, tmp_path):
    _, out = run_all_formats(cli, tmp_path, *BLOCKED)
    lines = out["github"].splitlines()
    img004 = next(line for line in lines if "title=IMG004" in line)
    assert img004.startswith(f"::error file={BLOCKED[0]},line=1,")
    assert any(line.startswith("::warning ") and "title=IMG007" in line for line in lines)
    assert lines[-1].startswith("::notice title=oobe-ready::oobe-ready: BLOCKED (exit 1")
    # property values escape ':' and ',' so a subject with either cannot break the command
    assert all(line.count("::") == 2 for line in lines)


def test_azure_logging_commands_and_succeeded_with_issues(cli, deep_tools, tmp_path):
    _, blocked = run_all_formats(cli, tmp_path, *BLOCKED)
    assert "##vso[task.logissue type=error;sourcepath=" in blocked["azure"]
    assert "SucceededWithIssues" not in blocked["azure"]  # the exit code fails the task
    ready = cli("check", *READY_WITH_WARNING, "-o", "azure")
    assert ready.code == 0
    assert "##vso[task.logissue type=warning;" in ready.out
    assert ready.out.rstrip().endswith("non-blocking findings; see the warnings above")
    assert "##vso[task.complete result=SucceededWithIssues;]" in ready.out


def test_render_reproduces_every_format_byte_for_byte(cli, deep_tools, tmp_path):
    code, _ = run_all_formats(cli, tmp_path, *BLOCKED)
    manifest = tmp_path / "out.json"
    for fmt in FORMATS:
        again = tmp_path / f"again.{fmt}"
        result = cli("render", manifest, "-o", f"{fmt}={again}")
        assert result.code == code
        assert again.read_bytes() == (tmp_path / f"out.{fmt}").read_bytes(), fmt


@pytest.mark.parametrize("content, fragment", [
    (b"{not json", "not JSON"),
    (b'{"schema": "something/else"}', "not an oobe-ready manifest"),
    (b'{"schema": "oobe-ready/manifest/v1", "tool": {}}', "not a valid oobe-ready manifest"),
])
def test_render_rejects_what_is_not_a_manifest(cli, tmp_path, content, fragment):
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    result = cli("render", bad, "-o", "sarif")
    assert result.code == 2
    assert result.err.count("\n") == 1 and str(bad) in result.err and fragment in result.err
    assert result.out == ""


def test_unknown_format_is_a_usage_error(cli):
    result = cli("check", *BLOCKED, "-o", "pdf")
    assert result.code == 2 and "unknown format 'pdf'" in result.err


def test_unwritable_output_leaves_no_partial_file(cli, tmp_path):
    (tmp_path / "a-file").write_text("x")
    target = tmp_path / "a-file" / "out.sarif"  # its folder would have to be a file
    result = cli("check", GOLDEN / "win11_24h2_multi.xml", "-o", f"sarif={target}")
    assert result.code == 2 and str(target) in result.err
    assert (tmp_path / "a-file").read_text() == "x"


def test_report_folders_are_created(cli, tmp_path):
    target = tmp_path / "reports" / "2026-11" / "out.sarif"
    result = cli("check", GOLDEN / "win11_24h2_multi.xml", "-o", f"sarif={target}")
    assert result.code in (0, 1, 3) and json.loads(target.read_text())["version"] == "2.1.0"


def test_html_is_self_contained(cli, deep_tools, tmp_path):
    _, out = run_all_formats(cli, tmp_path, *BLOCKED)
    html = out["html"]
    assert not re.search(r"<link|<img|<iframe|@import|url\(|\ssrc=|\son[a-z]+=", html, re.I)
    (script,) = re.findall(r"<script>(.*?)</script>", html, re.S)  # one inline script, allowed by its hash only
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    (csp,) = re.findall(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert csp.startswith("default-src &#x27;none&#x27;") and f"sha256-{digest}" in csp
    hrefs = re.findall(r'href="([^"]+)"', html)
    assert hrefs and all(h.startswith(("https://learn.microsoft.com/", "#f")) for h in hrefs)  # docs, findings
    assert "BLOCKED" in html and "IMG004" in html and "Add-WindowsPackage" in html


def test_render_and_attest_of_an_offline_directory_check(cli, deep_tools, tmp_path):
    manifest = tmp_path / "m.json"
    checked = cli("check", GOLDEN / "offline_win11_25h2", "-o", f"json={manifest}")
    rendered = cli("render", manifest, "-o", "json")
    assert rendered.code == checked.code and rendered.out == manifest.read_text()
    attested = cli("attest", manifest)
    assert attested.code == 2 and "has no input with a digest to attest" in attested.err


@pytest.mark.parametrize("fmt, shown", [("json", "Geräte Kiosk € ✓"), ("markdown", "✅ oobe-ready: READY")])
def test_stdout_gets_the_bytes_a_file_gets_whatever_the_locale(tmp_path, fmt, shown):
    """A pipeline redirects stdout: it gets the same UTF-8 bytes as `-o FORMAT=FILE`, even where the
    locale's encoding (here Latin-1) could not write the names in the export."""
    import sys

    export = tmp_path / "export"
    export.mkdir()
    profile = json.loads((GOLDEN / "intune" / "ready" / "AutoPilot" / "User-driven Entra join.json")
                         .read_text(encoding="utf-8-sig"))
    profile["displayName"] = "Geräte Kiosk € ✓"  # € and ✓ are not in Latin-1
    (export / "profile.json").write_text(json.dumps(profile, ensure_ascii=False), encoding="utf-8")
    target = tmp_path / f"out.{fmt}"
    env = {**os.environ, "PYTHONIOENCODING": "latin-1", "SOURCE_DATE_EPOCH": "1795219200"}
    done = subprocess.run([sys.executable, "-m", "toolkit", "check", "--intune", str(export), "-o", fmt,
                           "-o", f"{fmt}={target}"], capture_output=True, env=env, check=False)
    assert done.returncode == 0, done.stderr  # a user-driven Entra join profile: ready
    assert done.stdout == target.read_bytes()
    assert shown.encode() in done.stdout
