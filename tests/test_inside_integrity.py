"""Evidence inside an image that cannot be trusted is not-evaluated, never "absent, so pass".

Every image here is captured by the real wimlib-imagex from a copy of the golden offline Windows
tree (real hives written by hivex), then damaged the way the field damages it: a hive cut short
with `truncate`, left dirty, with a broken base block, or swapped for another hive; a symlink or a
case variant where an unattend file should be; a folder of look-alike names. Each case is judged
the same by both extraction backends (wimlib-imagex and 7-Zip) and, where it applies, by the
offline-directory reader. Before issue 11 each of them passed the rule it now leaves not-evaluated.
"""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from conftest import GOLDEN, require_tool

OFFLINE = GOLDEN / "offline_win11_25h2"
CONFIG = "Windows/System32/config"
JOIN = ('<unattend xmlns="urn:schemas-microsoft-com:unattend"><settings pass="specialize"><component '
        'name="Microsoft-Windows-UnattendedJoin" processorArchitecture="amd64" publicKeyToken="31bf3856ad364e35" '
        'language="neutral" versionScope="nonSxS"><Identification><JoinDomain>corp.contoso.com</JoinDomain>'
        '</Identification></component></settings></unattend>')
PLAIN = '<unattend xmlns="urn:schemas-microsoft-com:unattend"><settings pass="oobeSystem"/></unattend>'


@pytest.fixture(params=["wimlib", "7z"])
def backend(request, monkeypatch, deep_tools):
    require_tool("7z" if request.param == "7z" else "wimlib-imagex")
    monkeypatch.setenv("OOBE_READY_EXTRACTOR", request.param)
    return request.param


@pytest.fixture
def tree(tmp_path) -> Path:
    root = tmp_path / "tree"
    shutil.copytree(OFFLINE, root, symlinks=True)
    return root


def capture(tree: Path) -> Path:
    wim = tree.parent / "image.wim"
    subprocess.run([require_tool("wimlib-imagex"), "capture", str(tree), str(wim), "Windows 11 Enterprise",
                    "--flags=Enterprise"], check=True, capture_output=True)
    return wim


def results(manifest: dict, rule: str) -> list[dict]:
    return [r for r in manifest["results"] if r["rule"] == rule]


def one(manifest: dict, rule: str) -> dict:
    (found,) = results(manifest, rule)
    return found


def patch_header(hive: Path, offset: int, value: int, fix_checksum: bool = True) -> None:
    """Write one base-block field and, like a real writer, the checksum that covers it."""
    data = bytearray(hive.read_bytes())
    struct.pack_into("<I", data, offset, value)
    if fix_checksum:
        checksum = 0
        for (word,) in struct.iter_unpack("<I", bytes(data[:508])):
            checksum ^= word
        struct.pack_into("<I", data, 508, checksum)
    hive.write_bytes(bytes(data))


def truncate(hive: Path) -> None:
    subprocess.run(["truncate", "-s", "8192", str(hive)], check=True)


def dirty(hive: Path) -> None:
    primary = struct.unpack_from("<I", hive.read_bytes(), 4)[0]
    patch_header(hive, 4, primary + 1)


def bad_checksum(hive: Path) -> None:
    patch_header(hive, 0x30, 0x41414141, fix_checksum=False)


def foreign(hive: Path) -> None:
    shutil.copyfile(hive.with_name("SYSTEM"), hive)


@pytest.mark.parametrize("damage, why", [
    (truncate, "damaged hive: truncated to 8192 bytes, its header says 12288"),
    (dirty, "dirty hive: sequence numbers differ"),
    (bad_checksum, "damaged hive: base block checksum"),
    (foreign, r"not a SOFTWARE hive: no Microsoft\Windows NT\CurrentVersion key"),
])
def test_damaged_or_foreign_software_hive_leaves_its_rules_not_evaluated(check_json, backend, tree, damage, why):
    damage(tree / CONFIG / "SOFTWARE")
    manifest = check_json(capture(tree))
    for rule in ("SVC001", "SVC003", "SVC006", "SVC007", "SVC008"):
        result = one(manifest, rule)
        assert result["outcome"] == "not-evaluated", (rule, result["message"])
        assert why in result["message"]
    assert manifest["summary"]["verdict"] != "ready"


def test_a_clean_copy_of_the_tree_is_judged(check_json, backend, tree):
    """The control: the same capture without damage passes the rules the damaged ones cannot."""
    manifest = check_json(capture(tree))
    assert {one(manifest, r)["outcome"] for r in ("SVC003", "SVC004", "SVC006", "SVC008")} == {"pass"}


def test_case_variant_unattend_is_ambiguous_on_every_backend(check_json, backend, tree):
    panther = tree / "Windows/Panther"
    panther.mkdir()
    (panther / "unattend.xml").write_text(PLAIN)
    (panther / "Unattend.xml").write_text(JOIN)  # on NTFS only one of them would exist
    svc004 = one(check_json(capture(tree)), "SVC004")
    assert svc004["outcome"] == "not-evaluated"
    assert "2 case-insensitive matches" in svc004["message"] and "Unattend.xml" in svc004["message"]


def test_link_in_place_of_an_unattend_file_is_not_evaluated(check_json, backend, tree):
    outside = tree.parent / "joins.xml"
    outside.write_text(JOIN)
    (tree / "Windows/Panther").mkdir()
    (tree / "Windows/Panther/unattend.xml").symlink_to(outside)
    svc004 = one(check_json(capture(tree)), "SVC004")
    assert svc004["outcome"] == "not-evaluated" and "a link or reparse point" in svc004["message"]


def test_offline_directory_judges_links_and_case_variants_the_same(check_json, cli, deep_tools, tree):
    panther = tree / "Windows/Panther"
    panther.mkdir()
    (panther / "unattend.xml").write_text(PLAIN)
    (panther / "UNATTEND.XML").write_text(JOIN)
    (tree / "Windows/Setup/Scripts/SetupComplete.cmd").unlink()
    (tree / "Windows/Setup/Scripts/SetupComplete.cmd").symlink_to(tree.parent)
    (tree / "Windows/System32/Sysprep").symlink_to(tree.parent)  # a whole evidence folder behind a link
    manifest = check_json(tree)
    assert "2 case-insensitive matches" in one(manifest, "SVC004")["message"]
    deep = json.loads(cli("inspect", tree, "--deep", "--format", "json").out)["sources"][0]["images"][0]["deep"]
    assert deep["problems"]["/Windows/System32/Sysprep"] == "a link or reparse point stands in its place " \
                                                           "(not followed)"
    svc007 = one(manifest, "SVC007")
    assert svc007["outcome"] == "not-evaluated" and "SetupComplete.cmd: a link" in svc007["message"]


def test_look_alike_directories_do_not_push_the_autopilot_file_past_the_listing_cap(check_json, deep_tools,
                                                                                    tree, monkeypatch):
    monkeypatch.setattr("toolkit.sources.extract.directory.MAX_SMALL_FILES", 50)
    folder = tree / "Windows/Provisioning/Autopilot"
    folder.mkdir(parents=True)
    for n in range(200):
        (folder / f"decoy{n:03}.json").mkdir()
    real = GOLDEN.parent / "tests/samples/intune/autopilot_offline_json/John-Goossen_PS.AutopilotConfigurationFile.json"
    shutil.copyfile(real, folder / "AutopilotConfigurationFile.json")
    manifest = check_json(tree)
    assert one(manifest, "APF002")["outcome"] == "pass"  # the real file was found and judged


def test_reaching_the_listing_cap_is_not_evaluated_naming_the_folder(check_json, deep_tools, tree, monkeypatch):
    monkeypatch.setattr("toolkit.sources.extract.directory.MAX_SMALL_FILES", 5)
    folder = tree / "Windows/Provisioning/Autopilot"
    folder.mkdir(parents=True)
    for n in range(8):
        (folder / f"profile{n}.json").write_text("{}")
    manifest = check_json(tree)
    unseen = [r for r in results(manifest, "APF001") if r["outcome"] == "not-evaluated"]
    assert unseen and "/Windows/Provisioning/Autopilot" in unseen[0]["message"]
    assert "listing was cut at the limit" in unseen[0]["message"]
    assert manifest["summary"]["verdict"] != "ready"


def test_enablement_release_without_package_manifests_is_not_evaluated(check_json, backend, tree):
    shutil.rmtree(tree / "Windows/servicing")
    svc001 = one(check_json(capture(tree)), "SVC001")
    assert svc001["outcome"] == "not-evaluated"
    assert "no servicing package manifest" in svc001["message"] and "KB5054156" in svc001["message"]


# SetupComplete.cmd lines seen in public imaging scripts; only a real install invocation is a finding.
CCM_LINES = {
    r"%WINDIR%\ccmsetup\ccmsetup.exe /mp:cm01.contoso.com SMSSITECODE=P01": True,
    r'start /wait "" "%WINDIR%\ccmsetup\ccmsetup.exe" SMSSITECODE=P01 /forceinstall': True,
    r'cmd /c "C:\Temp\ccmsetup.exe CCMHOSTNAME=cmg.contoso.com/CCM_Proxy_MutualAuth/1"': True,
    r"if exist %WINDIR%\ccmsetup\ccmsetup.exe %WINDIR%\ccmsetup\ccmsetup.exe /mp:cm01": True,
    r"%WINDIR%\ccmsetup\ccmsetup.exe /uninstall": False,
    r"REM %WINDIR%\ccmsetup\ccmsetup.exe SMSSITECODE=P01": False,
    r":: ccmsetup.exe SMSSITECODE=P01": False,
    r'tasklist /FI "IMAGENAME eq ccmsetup.exe" | find /i "ccmsetup.exe"': False,
    r"reg delete HKLM\SOFTWARE\Microsoft\CCMSetup /f": False,
    r"rd /s /q %WINDIR%\ccmsetup": False,
    r"echo ccmsetup removed >> %TEMP%\setup.log": False,
}


@pytest.mark.parametrize("line, installs", CCM_LINES.items())
def test_ccmsetup_install_invocations_and_look_alikes(line, installs):
    from toolkit.rules.servicing import installs_configmgr

    assert installs_configmgr(line) is installs


def test_setupcomplete_that_only_cleans_up_configmgr_passes(check_json, deep_tools, tree):
    script = tree / "Windows/Setup/Scripts/SetupComplete.cmd"
    script.write_text("@echo off\r\n" + "\r\n".join(line for line, installs in CCM_LINES.items() if not installs))
    assert one(check_json(tree), "SVC007")["outcome"] == "pass"
    script.write_text("@echo off\r\n" + next(iter(CCM_LINES)) + "\r\n")
    svc007 = one(check_json(tree), "SVC007")
    assert svc007["outcome"] == "fail" and svc007["evidence"][0]["locator"] == "line 2"


def merge(hive: Path, root: str, text: str) -> None:
    """Change a real hive with hivex's own hivexregedit, as the golden images are built."""
    reg = hive.parent.parent / f"{hive.name}.reg"
    reg.write_text("Windows Registry Editor Version 5.00\n\n" + text, encoding="utf-8")
    subprocess.run([require_tool("hivexregedit"), "--merge", "--prefix", root, str(hive), str(reg)], check=True,
                   capture_output=True)
    reg.unlink()


def test_offline_directory_of_an_older_release_reads_its_fallback_values(cli, deep_tools, tree):
    """Older releases have no CurrentBuild (only CurrentBuildNumber) and some hives lack UBR while
    LCUVer names the servicing level; the default language is InstallLanguage, not the first UI
    language in alphabetical order."""
    merge(tree / CONFIG / "SOFTWARE", "HKEY_LOCAL_MACHINE\\SOFTWARE",
          '[\\Microsoft\\Windows NT\\CurrentVersion]\n"CurrentBuild"=-\n"UBR"=-\n'
          '"LCUVer"="10.0.26200.7171"\n')
    merge(tree / CONFIG / "SYSTEM", "HKEY_LOCAL_MACHINE\\SYSTEM",
          '[\\ControlSet001\\Control\\MUI\\UILanguages\\de-DE]\n\n'
          '[\\ControlSet001\\Control\\Nls\\Language]\n"InstallLanguage"="0409"\n')
    image = json.loads(cli("inspect", tree, "--format", "json").out)["sources"][0]["images"][0]
    assert image["build_ubr"] == "26200.7171"
    assert image["languages"] == ["de-DE", "en-US"] and image["default_language"] == "en-US"


def test_svc001_knows_26h2(check_json, deep_tools, tree):
    """Windows 11 26H2: an enablement release (build 26300) on the 24H2/25H2 servicing branch."""
    merge(tree / CONFIG / "SOFTWARE", "HKEY_LOCAL_MACHINE\\SOFTWARE",
          '[\\Microsoft\\Windows NT\\CurrentVersion]\n"CurrentBuild"="26300"\n"CurrentBuildNumber"="26300"\n'
          '"DisplayVersion"="26H2"\n')
    svc001 = one(check_json(tree), "SVC001")
    assert svc001["outcome"] == "pass" and "Windows 11 26H2 (hive CurrentBuild 26300" in svc001["message"]
