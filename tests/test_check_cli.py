"""`check` as a pipeline sees it: exit codes, the manifest schema, determinism, commands."""

from __future__ import annotations

import json

import jsonschema
import pytest
from conftest import GOLDEN, ROOT

READY = [str(GOLDEN / "win11_24h2_multi.wim"), "--index", "1", "--intune", str(GOLDEN / "intune/ready")]
BLOCKED = [str(GOLDEN / "win11_23h2_enterprise.wim"), "--intune", str(GOLDEN / "intune/blocked")]
SCHEMA = json.loads((ROOT / "manifests/schema/manifest-v1.schema.json").read_text())


@pytest.fixture(autouse=True)
def fixed_day(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795219200")
    monkeypatch.setenv("OOBE_READY_AS_OF", "2026-11-21")  # the evaluation date


def test_ready_exit_0_and_blocked_exit_1(cli, deep_tools):
    ready = cli("check", *READY, "-o", "json")
    blocked = cli("check", *BLOCKED, "-o", "json")
    assert (ready.code, json.loads(ready.out)["summary"]["verdict"]) == (0, "ready")
    assert (blocked.code, json.loads(blocked.out)["summary"]["verdict"]) == (1, "blocked")


def test_fail_on_warning_turns_warnings_into_blocks(cli):
    # a real profile whose only finding is AP003 (warning): pre-provisioning allowed
    args = ["--intune", str(ROOT / "tests/samples/intune/graph_autopilot_profiles/"
                                    "IntuneHydrationKit_Windows-Autopilot-Profile.json")]
    assert cli("check", *args).code == 0
    assert cli("check", *args, "--fail-on", "warning").code == 1


def test_missing_evidence_is_incomplete_exit_3(cli, deep_tools, tmp_path):
    folder = tmp_path / "export" / "EnrollmentStatusPage"
    folder.mkdir(parents=True)
    (folder / "broken.json").write_text("{not json")
    result = cli("check", *READY[:3], "--intune", tmp_path / "export", "-o", "json")
    manifest = json.loads(result.out)
    assert result.code == 3 and manifest["summary"]["verdict"] == "incomplete"
    assert {r["rule"] for r in manifest["results"] if r["outcome"] == "not-evaluated"} == \
           {"ESP001", "ESP002", "ESP003", "ESP004", "TEN006"}


def test_require_turns_a_missing_kind_into_incomplete(cli):
    result = cli("check", *READY[:3], "--require", "image,tenant", "-o", "json")
    assert result.code == 3
    assert json.loads(result.out)["summary"]["missing_required"] == ["tenant"]


@pytest.mark.parametrize("args, fragment", [
    (["--intune", "{notjson}"], "No such file"),
    (["--baseline", "nope", str(GOLDEN / "boot.wim")], "unknown baseline"),
    (["--tenant-id", "contoso", str(GOLDEN / "boot.wim")], "not a GUID"),
    (["--require", "images", str(GOLDEN / "boot.wim")], "unknown kind"),
    ([str(GOLDEN / "intune/build.py")], "not a WIM image"),
])
def test_input_errors_exit_2(cli, args, fragment):
    result = cli("check", *args)
    assert result.code == 2 and fragment in result.err and "Traceback" not in result.err


def test_a_file_passed_directly_that_is_not_json_is_exit_2(cli, tmp_path):
    bad = tmp_path / "profile.json"
    bad.write_text("<html>")
    result = cli("check", "--intune", bad)
    assert result.code == 2 and str(bad) in result.err and "not valid JSON" in result.err


def test_manifest_validates_against_its_schema(cli):
    for args in (READY, BLOCKED, [str(GOLDEN / "boot.wim")]):
        jsonschema.validate(json.loads(cli("check", *args, "-o", "json").out), SCHEMA)


def test_same_inputs_and_source_date_epoch_give_identical_bytes(cli, tmp_path):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    cli("check", *BLOCKED, "-o", f"json={first}")
    cli("check", *BLOCKED, "-o", f"json={second}")
    assert first.read_bytes() == second.read_bytes()
    assert json.loads(first.read_text())["generated_at"] == "2026-11-21T00:00:00Z"


def test_table_leads_with_the_verdict_and_shows_the_fix(cli, deep_tools):
    out = cli("check", *BLOCKED).out
    assert out.startswith("BLOCKED")
    assert "fix 1. Apply KB5120240" in out and "evidence:" in out and "Not checked" in out


def test_rules_explain_baselines(cli):
    rules = cli("rules").out
    assert "IMG004" in rules and "TEN003" in rules and "APF004" in rules
    explain = cli("explain", "esp003")
    assert explain.code == 0 and "blockDeviceSetupRetryByUser" in explain.out
    assert cli("explain", "XXX999").code == 2
    assert "* wbfo-2026-09" in cli("baselines").out
