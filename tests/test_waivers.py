"""Waivers: required fields, scopes, expiry, unused entries, and the original outcome kept everywhere."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from conftest import GOLDEN

IMAGE = GOLDEN / "win11_23h2_enterprise.wim"   # fails IMG004 and IMG006 (blockers), IMG007 (warning)
GUID = "21547526dbabee237e32c8b4603962da"        # its WIM header GUID, as `inspect` shows it
RESTORE = GOLDEN / "intune" / "blocked" / "Device Enrollment Configurations" / "Windows Restore.json"
TODAY = "1795219200"                             # SOURCE_DATE_EPOCH of 2026-11-21


@pytest.fixture(autouse=True)
def fixed_day(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", TODAY)
    monkeypatch.setenv("OOBE_READY_AS_OF", "2026-11-21")  # the evaluation date


def entry(rule: str, scope: str, expires: str = "2027-03-31", ticket: str = "CHG-1", **extra) -> str:
    lines = ["[[waiver]]", f'rule = "{rule}"', f"scope = {scope}",
             'justification = "Rebuild scheduled; devices patch at OOBE meanwhile"',
             'owner = "image-team@contoso.com"', f'ticket = "{ticket}"', f"expires = {expires}"]
    lines += [f"{k} = {v}" for k, v in extra.items()]
    return "\n".join(lines) + "\n\n"


@pytest.fixture
def ledger(tmp_path):
    def write(*entries: str) -> str:
        path = tmp_path / "waivers.toml"
        path.write_text("".join(entries), encoding="utf-8")
        return str(path)
    return write


def run(cli, *args):
    result = cli("check", *args, "-o", "json")
    return result, json.loads(result.out) if result.out else None


def by_rule(manifest, rule):
    return next(r for r in manifest["results"] if r["rule"] == rule)


def test_waived_blockers_keep_their_outcome_and_stop_blocking(cli, deep_tools, ledger):
    path = ledger(entry("IMG004", f'{{ image_guid = "{GUID}" }}', ticket="CHG-4"),
                  entry("IMG006", '{ build = ">=22631.0,<22632" }', ticket="CHG-6"))
    result, manifest = run(cli, IMAGE, "--waivers", path)
    assert result.code == 0 and manifest["summary"]["verdict"] == "ready"
    img004 = by_rule(manifest, "IMG004")
    assert img004["outcome"] == "waived" and img004["original_outcome"] == "fail"
    assert img004["waiver"] == {"ticket": "CHG-4", "owner": "image-team@contoso.com", "expires": "2027-03-31",
                                "justification": "Rebuild scheduled; devices patch at OOBE meanwhile"}
    assert by_rule(manifest, "IMG007")["outcome"] == "fail"  # not waived, a warning: does not block
    assert [w["ticket"] for w in manifest["waivers"]["applied"]] == ["CHG-4", "CHG-6"]
    assert manifest["waivers"]["sha256"] == hashlib.sha256(Path(path).read_bytes()).hexdigest()
    # --no-waivers: the audit view, findings count as found
    audit, manifest = run(cli, IMAGE, "--waivers", path, "--no-waivers")
    assert audit.code == 1 and by_rule(manifest, "IMG004")["outcome"] == "fail"
    assert manifest["waivers"]["file"] is None


def test_a_waived_result_shows_its_original_outcome_in_every_format(cli, deep_tools, ledger, tmp_path):
    path = ledger(entry("IMG004", f'{{ image_guid = "{{{GUID}}}" }}', ticket="CHG-4"))  # braces accepted
    outs = {fmt: tmp_path / f"out.{fmt}" for fmt in ("sarif", "junit", "markdown", "html", "github", "azure")}
    result = cli("check", IMAGE, "--waivers", path, *[f"-o{f}={p}" for f, p in outs.items()], "-o", "table")
    assert result.code == 1  # IMG006 still blocks
    assert "WAIVED (fail) IMG004" in result.out and "CHG-4" in result.out
    sarif = json.loads(outs["sarif"].read_text())
    img004 = next(r for r in sarif["runs"][0]["results"] if r["ruleId"] == "IMG004")
    assert img004["level"] == "error" and img004["suppressions"][0]["status"] == "accepted"
    assert "CHG-4" in img004["suppressions"][0]["justification"]
    junit = outs["junit"].read_text()
    assert 'message="waived (fail) by CHG-4, owner image-team@contoso.com, until 2027-03-31' in junit
    assert "waived (fail) by CHG-4" in outs["markdown"].read_text()
    assert "waived (fail) by CHG-4" in outs["html"].read_text()
    github = outs["github"].read_text()
    assert any(line.startswith("::notice ") and "title=IMG004" in line and "waived (fail)" in line
               for line in github.splitlines())
    assert "waived (fail) by CHG-4" in outs["azure"].read_text()


def test_expired_waiver_stops_applying_and_says_so(cli, deep_tools, ledger):
    path = ledger(entry("IMG004", f'{{ image_guid = "{GUID}" }}', expires="2026-11-20", ticket="CHG-OLD"))
    result, manifest = run(cli, IMAGE, "--waivers", path)
    assert result.code == 1 and by_rule(manifest, "IMG004")["outcome"] == "fail"
    expired = manifest["waivers"]["expired"]
    assert [w["ticket"] for w in expired] == ["CHG-OLD"] and expired[0]["days_left"] == -1
    assert "waiver CHG-OLD (IMG004, owner image-team@contoso.com) expired on 2026-11-20" in result.err
    assert f"IMG004 counts again on {IMAGE}#1" in result.err


@pytest.mark.parametrize("expires, warned", [("2026-11-21", True), ("2026-12-05", True), ("2026-12-06", False)])
def test_waivers_expiring_within_14_days_warn(cli, deep_tools, ledger, expires, warned):
    path = ledger(entry("IMG004", f'{{ image_guid = "{GUID}" }}', expires=expires, ticket="CHG-SOON"))
    result, manifest = run(cli, IMAGE, "--waivers", path)
    assert by_rule(manifest, "IMG004")["outcome"] == "waived"  # still applies on its last day
    assert bool(manifest["waivers"]["expiring"]) is warned
    assert ("waiver CHG-SOON (IMG004, owner image-team@contoso.com) expires on" in result.err) is warned


def test_unused_waivers_are_reported(cli, deep_tools, ledger):
    path = ledger(entry("IMG004", '{ build = ">=26100.0" }', ticket="CHG-WRONG-BUILD"),
                  entry("SVC003", f'{{ image_guid = "{GUID}" }}', ticket="CHG-PASSING-RULE"))
    result, manifest = run(cli, IMAGE, "--waivers", path)
    assert result.code == 1
    assert [w["ticket"] for w in manifest["waivers"]["unused"]] == ["CHG-WRONG-BUILD", "CHG-PASSING-RULE"]
    assert "waiver CHG-WRONG-BUILD (IMG004, owner image-team@contoso.com) matched no finding" in result.err


def test_image_sha256_scope_hashes_the_image(cli, deep_tools, ledger):
    digest = hashlib.sha256(IMAGE.read_bytes()).hexdigest()
    path = ledger(entry("IMG004", f'{{ image_sha256 = "{digest.upper()}" }}'))
    _, manifest = run(cli, IMAGE, "--waivers", path)
    assert by_rule(manifest, "IMG004")["outcome"] == "waived"
    assert manifest["inputs"][0]["sha256"] == digest  # the evidence for the waiver is in the manifest
    other = ledger(entry("IMG004", f'{{ image_sha256 = "{"0" * 64}" }}'))
    _, manifest = run(cli, IMAGE, "--waivers", other)
    assert by_rule(manifest, "IMG004")["outcome"] == "fail"


def test_export_and_object_id_scope(cli, ledger):
    restore_id = "2f9d6e5a-6c1b-4c8e-9a47-5d3c1b2a0f11_WindowsRestore"
    path = ledger(entry("TEN001", f'{{ export = "Device Enrollment Configurations/Windows Restore.json", '
                                  f'object_id = "{restore_id}" }}', ticket="CHG-TEN"),
                  entry("TEN001", '{ export = "Device Enrollment Configurations/Windows Restore.json", '
                                  'object_id = "00000000-0000-0000-0000-000000000000" }', ticket="CHG-OTHER"))
    _, manifest = run(cli, "--intune", GOLDEN / "intune" / "blocked")
    assert by_rule(manifest, "TEN001")["outcome"] == "fail"
    _, manifest = run(cli, "--intune", GOLDEN / "intune" / "blocked", "--waivers", path)
    assert by_rule(manifest, "TEN001")["outcome"] == "waived"
    assert [w["ticket"] for w in manifest["waivers"]["unused"]] == ["CHG-OTHER"]


def test_a_waiver_never_covers_missing_evidence(cli, ledger, monkeypatch):
    monkeypatch.setenv("OOBE_READY_EXTRACTOR", "none")
    path = ledger(entry("SVC001", f'{{ image_guid = "{GUID}" }}'))
    result, manifest = run(cli, IMAGE, "--waivers", path)
    assert result.code in (1, 3) and by_rule(manifest, "SVC001")["outcome"] == "not-evaluated"
    assert [w["ticket"] for w in manifest["waivers"]["unused"]] == ["CHG-1"]


@pytest.mark.parametrize("text, fragment", [
    ('[[waiver]]\nrule = "IMG004"\nscope = { build = ">=1" }\njustification = "x"\nticket = "T"\n'
     "expires = 2027-01-01\n", "waiver 1: missing field(s) owner"),
    (entry("IMG999", '{ build = ">=1" }'), "waiver 1: unknown rule 'IMG999'"),
    (entry("IMG004", '{ build = ">=1" }', expires='"next year"'), "is not a date"),
    (entry("IMG004", '{ image = "x" }'), "unknown scope key(s) image"),
    (entry("IMG004", "{}"), "`scope` must be a table with one or more of"),
    (entry("IMG004", '{ image_guid = "nope" }'), "is not a GUID"),
    (entry("IMG004", '{ build = "22631" }'), "is not a range"),
    (entry("IMG004", '{ object_id = "x" }'), "scope.object_id needs scope.export"),
    (entry("IMG004", '{ build = ">=1" }', approver='"me"'), "unknown field(s) approver"),
    (entry("IMG004", '{ build = ">=1" }', owner='""').replace('owner = "image-team@contoso.com"\n', ""),
     "`owner` must be a non-empty string"),
    ("[[waiver]\n", "not a valid TOML waiver file"),
])
def test_an_invalid_waiver_file_is_exit_2_with_one_line(cli, ledger, text, fragment):
    path = ledger(text)
    result = cli("check", GOLDEN / "win11_24h2_multi.xml", "--waivers", path)
    assert result.code == 2, result.err
    assert result.err.count("\n") == 1 and path in result.err and fragment in result.err, result.err
    assert result.out == ""


def test_a_missing_waiver_file_is_exit_2(cli, tmp_path):
    result = cli("check", GOLDEN / "win11_24h2_multi.xml", "--waivers", tmp_path / "nope.toml")
    assert result.code == 2 and "cannot read waiver file" in result.err
