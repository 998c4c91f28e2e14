"""Baseline wbfo-2026-09 (the Windows doc of 2026-09-29), the default: each rule it changes, judged
on the same inputs under it and under wbfo-2026-02 (issue 14)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import GOLDEN, exports, require_tool

RESTORE_SETTING = "device_vendor_msft_windowsbackupandrestore_enablewindowsrestore"


@pytest.fixture(autouse=True)
def fixed_day(monkeypatch):
    monkeypatch.setenv("OOBE_READY_AS_OF", "2026-11-21")


def outcome(cli, *args: str, rule: str) -> dict:
    manifest = json.loads(cli("check", *args, "-o", "json").out)
    found = [r for r in manifest["results"] if r["rule"] == rule]
    assert len(found) == 1, found
    return found[0]


def xml_at(tmp_path: Path, build: int, spbuild: int) -> Path:
    xml = (GOLDEN / "win11_24h2_multi.xml").read_bytes().decode("utf-16")
    xml = xml.replace("<BUILD>26100</BUILD>", f"<BUILD>{build}</BUILD>", 1)
    xml = xml.replace("<SPBUILD>9168</SPBUILD>", f"<SPBUILD>{spbuild}</SPBUILD>", 1)
    path = tmp_path / f"{build}.{spbuild}.xml"
    path.write_bytes(b"\xff\xfe" + xml.encode("utf-16-le"))
    return path


def test_the_new_baseline_is_the_default(cli):
    assert "* wbfo-2026-09" in cli("baselines").out
    diff = cli("baselines", "--diff", "wbfo-2026-02", "wbfo-2026-09").out
    assert "paths.first-sign-in.releases: (absent) -> [26100, 26200, 26300]" in diff
    assert "tenant.gcc: (absent) -> warn" in diff


@pytest.mark.parametrize("build, spbuild, new, old", [
    (22621, 6000, "fail", "pass"),   # 22H2/23H2: not listed for first sign-in restore since 2026-09
    (28000, 2000, "warn", "pass"),   # 26H1: not listed by Microsoft
    (26100, 9168, "pass", "pass"),   # 24H2/25H2/26H2 media (base build)
])
def test_img003_first_sign_in_lists_releases(cli, tmp_path, build, spbuild, new, old):
    image = xml_at(tmp_path, build, spbuild)
    for baseline, expected in (("wbfo-2026-09", new), ("wbfo-2026-02", old)):
        result = outcome(cli, image, "--index", "1", "--path", "first-sign-in", "--baseline", baseline, rule="IMG003")
        assert result["outcome"] == expected, (baseline, result["message"])


def restore_policy(tmp_path: Path, assigned: bool = True) -> Path:
    doc = exports.backup_policy(enabled=True)
    doc["name"] = "Enable Windows Restore"
    instance = doc["settings"][0]["settingInstance"]
    instance["settingDefinitionId"] = RESTORE_SETTING
    instance["choiceSettingValue"]["value"] = f"{RESTORE_SETTING}_true"
    if not assigned:
        doc["assignments"] = []
    path = tmp_path / "restore-policy.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    off = tmp_path / "switch.json"
    off.write_text(json.dumps(exports.restore("notConfigured")), encoding="utf-8")
    return path


def test_ten001_first_sign_in_accepts_the_enable_windows_restore_policy(cli, tmp_path):
    policy = restore_policy(tmp_path)
    args = ("--intune", policy, "--intune", tmp_path / "switch.json", "--path", "first-sign-in")
    assert outcome(cli, *args, rule="TEN001")["outcome"] == "pass"
    assert outcome(cli, *args, "--baseline", "wbfo-2026-02", rule="TEN001")["outcome"] == "fail"
    # at OOBE only the tenant switch turns restore on
    assert outcome(cli, *args[:4], "--path", "oobe", rule="TEN001")["outcome"] == "fail"


def test_ten001_ignores_an_unassigned_restore_policy(cli, tmp_path):
    policy = restore_policy(tmp_path, assigned=False)
    result = outcome(cli, "--intune", policy, "--intune", tmp_path / "switch.json", "--path", "first-sign-in",
                     rule="TEN001")
    assert result["outcome"] == "fail"


def test_ten006_gcc_warns(cli, tmp_path):
    path = tmp_path / "restore.json"
    path.write_text(json.dumps(exports.restore("enabled")), encoding="utf-8")
    assert outcome(cli, "--intune", path, "--cloud", "gcc", rule="TEN006")["outcome"] == "warn"
    assert outcome(cli, "--intune", path, "--cloud", "gcc", "--baseline", "wbfo-2026-02",
                   rule="TEN006")["outcome"] == "pass"


def test_ten002_26h2_images_back_up_by_default_unless_disabled(cli, deep_tools, tmp_path):
    tree = tmp_path / "offline"
    shutil.copytree(GOLDEN / "offline_win11_25h2", tree)
    reg = tmp_path / "26h2.reg"
    reg.write_text('Windows Registry Editor Version 5.00\n\n[\\Microsoft\\Windows NT\\CurrentVersion]\n'
                   '"CurrentBuild"="26300"\n"CurrentBuildNumber"="26300"\n"DisplayVersion"="26H2"\n', encoding="utf-8")
    subprocess.run([require_tool("hivexregedit"), "--merge", "--prefix", "HKEY_LOCAL_MACHINE\\SOFTWARE",
                    str(tree / "Windows/System32/config/SOFTWARE"), str(reg)], check=True, capture_output=True)
    none = tmp_path / "restore.json"
    none.write_text(json.dumps(exports.restore("enabled")), encoding="utf-8")
    other = tmp_path / "other.json"  # a settings catalog policy that does not touch backup
    doc = exports.backup_policy(enabled=True)
    doc["settings"][0]["settingInstance"]["settingDefinitionId"] = "device_vendor_msft_policy_config_other"
    other.write_text(json.dumps(doc), encoding="utf-8")
    result = outcome(cli, tree, "--intune", other, "--intune", none, rule="TEN002")
    assert result["outcome"] == "pass" and "backs up by default" in result["message"]
    assert outcome(cli, tree, "--intune", other, "--intune", none, "--baseline", "wbfo-2026-02",
                   rule="TEN002")["outcome"] == "fail"
    disabled = tmp_path / "off.json"
    disabled.write_text(json.dumps(exports.backup_policy(enabled=False)), encoding="utf-8")
    manifest = json.loads(cli("check", tree, "--intune", disabled, "-o", "json").out)
    assert any(r["rule"] == "TEN002" and r["outcome"] == "fail" and "disables" in r["message"]
               for r in manifest["results"])
