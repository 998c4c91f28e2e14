"""Deep (SVC) rules in-process: the gate every SVC rule shares (no files, failed inspection, boot
image, a missing or unreadable file it reads) and SVC005's image-state sources, with exact messages
and evidence (issue 15: tests that catch mutations). Full images are covered in test_deep."""

from __future__ import annotations

from datetime import date

import pytest

from toolkit.baselines import load_baseline
from toolkit.catalog_store import shipped_catalog
from toolkit.facts import DeepFacts, ImageFacts, WindowsVersion
from toolkit.facts.inside import DomainJoin, KernelFacts, Package, SoftwareFacts, UnattendFacts
from toolkit.records import replace
from toolkit.registry_checks import registry_checks
from toolkit.rules.base import FAIL, NOT_APPLICABLE, NOT_EVALUATED, PASS, SKIPPED, WARN, Context, Evidence
from toolkit.rules.servicing import (
    OOBE_STATE,
    RULES,
    installs_configmgr,
    svc001,
    svc002,
    svc003,
    svc004,
    svc005,
    svc006,
    svc007,
    svc008,
    svc009,
)

IMAGE = ImageFacts("/x/install.wim", 1, "/WIM/IMAGE[@INDEX='1']", name="Windows 11 Enterprise",
                   edition_id="Enterprise", installation_type="Client", version=WindowsVersion(10, 0, 26100, 1742))
ORIGIN = "/x/install.wim#1"


def ctx() -> Context:
    return Context(baseline=load_baseline("wbfo-2026-09")[0], path="oobe", today=date(2026, 11, 21),
                   catalog=shipped_catalog())


def deep(**facts) -> ImageFacts:
    return replace(IMAGE, deep=DeepFacts(ORIGIN, **facts))


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_every_deep_rule_is_gated(rule):
    raw = rule.check(IMAGE, ctx())
    assert (raw.outcome, raw.message) == (SKIPPED, "raw WIM XML: the image's files are not available to inspect")
    failed_deep = rule.check(deep(unavailable="wimlib-imagex exited 1"), ctx())
    assert (failed_deep.outcome, failed_deep.message) == (NOT_EVALUATED,
                                                          "deep inspection failed: wimlib-imagex exited 1")


@pytest.mark.parametrize("rule", [r for r in RULES if r.id != "SVC002"], ids=lambda r: r.id)
def test_boot_images_are_not_applicable(rule):  # SVC002 compares a boot image's servicing evidence too
    boot = replace(IMAGE, name="Microsoft Windows Setup (amd64)", edition_id="WindowsPE",
                   installation_type="WindowsPE", deep=DeepFacts(ORIGIN))
    verdict = rule.check(boot, ctx())
    assert (verdict.outcome, verdict.message) == (NOT_APPLICABLE, "boot image (Setup): restore rules do not apply")


@pytest.mark.parametrize("state_ini, xml_state, outcome", [
    (OOBE_STATE, None, PASS),
    ("IMAGE_STATE_COMPLETE", OOBE_STATE, FAIL),  # the files inside outrank the XML
    (None, OOBE_STATE, PASS),
    (None, "IMAGE_STATE_UNDEPLOYABLE", FAIL),
    (None, None, NOT_EVALUATED),
])
def test_svc005_image_state_sources(state_ini, xml_state, outcome):
    image = replace(IMAGE, image_state=xml_state, deep=DeepFacts(ORIGIN, state_ini=state_ini))
    verdict = svc005.check(image, ctx())
    assert verdict.outcome == outcome
    if outcome == NOT_EVALUATED:
        assert verdict.message == ("no image state recorded (no State.ini, Setup\\State key or "
                                   "SERVICINGDATA/IMAGESTATE)")
        return
    state = state_ini or xml_state
    expected = f"image state {state}" if outcome == PASS else \
        f"image state is {state}, not {OOBE_STATE}: the image was not sealed for OOBE"
    assert verdict.message == expected
    if state_ini:
        assert verdict.evidence[0] == Evidence(f"{ORIGIN}:state_ini", "[State]/ImageState", OOBE_STATE, state_ini)
    else:
        assert verdict.evidence == (Evidence("/x/install.wim", "/WIM/IMAGE[@INDEX='1']/WINDOWS/SERVICINGDATA/"
                                             "IMAGESTATE", OOBE_STATE, xml_state),)


def test_svc005_unreadable_state_file_is_not_evaluated():
    image = replace(IMAGE, deep=DeepFacts(ORIGIN, problems={"/Windows/Setup/State/State.ini": "unreadable"}))
    verdict = svc005.check(image, ctx())
    assert (verdict.outcome, verdict.message) == (NOT_EVALUATED, "/Windows/Setup/State/State.ini: unreadable")
    assert verdict.evidence == (Evidence(f"{ORIGIN}:/Windows/Setup/State/State.ini", "(file)"),)


def test_svc004_without_unattend_files():
    verdict = svc004.check(deep(), ctx())
    assert (verdict.outcome, verdict.message) == (PASS, "no unattend file in the image")


SETUP_CMD = "\r\n".join([
    "@echo off",
    r"rem %WINDIR%\ccmsetup\ccmsetup.exe /mp:cm01",  # a comment
    r"%WINDIR%\ccmsetup\ccmsetup.exe /uninstall",
    r"%WINDIR%\ccmsetup\ccmsetup.exe /mp:cm01.contoso.com SMSSITECODE=P01",
])


@pytest.mark.parametrize("keys, setup, outcome", [
    (frozenset(), None, PASS),
    (frozenset(), "@echo off\r\nexit /b 0", PASS),
    (frozenset({"Microsoft\\CCMSetup"}), None, FAIL),
    (frozenset(), SETUP_CMD, FAIL),
])
def test_svc007_configmgr_client(keys, setup, outcome):
    image = deep(software=SoftwareFacts(keys=keys), setup_complete=setup)
    verdict = svc007.check(image, ctx())
    assert verdict.outcome == outcome
    if outcome == PASS:
        assert verdict.message == ("no Configuration Manager client in the registry, SetupComplete.cmd or "
                                   "unattend commands")
        return
    assert verdict.message == "a Configuration Manager client is installed or staged in the image"
    if keys:
        assert verdict.evidence == (Evidence(f"{ORIGIN}:software", "HKLM\\SOFTWARE\\Microsoft\\CCMSetup",
                                             "absent", "present"),)
    else:  # only the line that installs counts, numbered from 1
        assert verdict.evidence == (Evidence(f"{ORIGIN}:setup_complete", "line 4", "no ccmsetup install",
                                             r"%WINDIR%\ccmsetup\ccmsetup.exe /mp:cm01.contoso.com SMSSITECODE=P01"),)


def test_svc007_unreadable_setup_complete_is_not_evaluated():
    image = deep(software=SoftwareFacts(), problems={"/Windows/Setup/Scripts/SetupComplete.cmd": "unreadable"})
    verdict = svc007.check(image, ctx())
    assert (verdict.outcome, verdict.message) == (NOT_EVALUATED, "/Windows/Setup/Scripts/SetupComplete.cmd: "
                                                  "unreadable")


HIVE = f"{ORIGIN}:software"
UBR_KEY = "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\UBR"
XML_UBR = ("/x/install.wim", "/WIM/IMAGE[@INDEX='1']/WINDOWS/VERSION/SPBUILD")


@pytest.mark.parametrize("hive_ubr, outcome, message", [
    (1742, PASS, "wim-xml, hive agree on UBR 1742"),
    (1000, FAIL, "servicing evidence disagrees (wim-xml 1742, hive 1000); the lowest, 1000 from hive, is what the "
                 "build rules use"),
])
def test_svc002_xml_and_hive_ubr(hive_ubr, outcome, message):
    image = deep(software=SoftwareFacts(current_version={"UBR": hive_ubr, "CurrentBuild": "26100"}))
    verdict = svc002.check(image, ctx())
    assert (verdict.outcome, verdict.message) == (outcome, message)
    assert verdict.evidence == (Evidence(*XML_UBR, "the same UBR everywhere", "26100.1742"),
                                Evidence(HIVE, UBR_KEY, "the same UBR everywhere", f"26100.{hive_ubr}"))


def test_svc003_policy_values_baked_in():
    policy = registry_checks().backup_blocking[0]  # EnableActivityFeed = 0 disables the activity feed
    count = len(registry_checks().backup_blocking)
    clean = svc003.check(deep(software=SoftwareFacts(values={(policy.key, policy.value): 1})), ctx())
    assert (clean.outcome, clean.message) == (PASS, f"none of the {count} backup-blocking policy values is set in "
                                              "the image")
    found = svc003.check(deep(software=SoftwareFacts(values={(policy.key, policy.value): policy.when})), ctx())
    assert (found.outcome, found.message) == (FAIL, f"backup disabled by policy baked into the image: "
                                              f"{policy.setting}")
    assert found.evidence == (Evidence(HIVE, f"HKLM\\SOFTWARE\\{policy.key}\\{policy.value}", f"not {policy.when}",
                                       policy.when),)
    assert found.remediation[0] == f"{policy.setting}: {policy.via} (HKLM\\SOFTWARE\\{policy.key})"


# --- SVC001: the feature release from the hive, against the XML and the release catalog ---------------

CV = "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion"
EP_25H2 = Package("Package_for_KB5054156~31bf3856ad364e35~amd64~~26100.1742.1.1", "Package_for_KB5054156",
                  (26100, 1742, 1, 1), "amd64", "KB5054156", "Feature Pack", None)
OTHER_KB = replace(EP_25H2, identity="Package_for_KB5000001~31bf3856ad364e35~amd64~~26100.1.1.1",
                   name="Package_for_KB5000001", kb="KB5000001")


def svc001_image(current_version: dict, xml_build: int | None = 26100, packages=(), problems=None,
                 installation_type="Client") -> ImageFacts:
    return replace(IMAGE, installation_type=installation_type, version=WindowsVersion(10, 0, xml_build, 1742),
                   deep=DeepFacts(ORIGIN, software=SoftwareFacts(current_version=current_version),
                                  packages=tuple(packages), problems=problems or {}))


@pytest.mark.parametrize("current_version, xml_build, packages, problems, outcome, message", [
    ({"CurrentBuild": "26100", "DisplayVersion": "24H2"}, 26100, (), None, PASS,
     "Windows 11 24H2 (hive CurrentBuild 26100, DisplayVersion 24H2)"),
    ({"CurrentBuildNumber": "26100", "DisplayVersion": "24H2"}, 26100, (), None, PASS,  # older hives
     "Windows 11 24H2 (hive CurrentBuild 26100, DisplayVersion 24H2)"),
    ({"CurrentBuild": "26200", "DisplayVersion": "25H2"}, 26100, (EP_25H2,), None, PASS,
     "Windows 11 25H2 (hive CurrentBuild 26200, DisplayVersion 25H2); the WIM XML carries the 26100 base build, "
     "as enablement-package media do"),
    ({"CurrentBuild": "26200", "DisplayVersion": "25H2"}, 26200, (EP_25H2,), None, PASS,
     "Windows 11 25H2 (hive CurrentBuild 26200, DisplayVersion 25H2)"),
    ({"CurrentBuild": "26200", "DisplayVersion": "25H2"}, None, (EP_25H2,), None, PASS,
     "Windows 11 25H2 (hive CurrentBuild 26200, DisplayVersion 25H2)"),
    ({"CurrentBuild": "26200", "DisplayVersion": "25H2"}, 26100, (OTHER_KB,), None, WARN,
     "hive says Windows 11 25H2 (26200) but its enablement package KB5054156 is not in Windows/servicing/Packages"),
    ({"CurrentBuild": "26200", "DisplayVersion": "25H2"}, 26100, (), None, NOT_EVALUATED,
     "hive says Windows 11 25H2 (26200); no servicing package manifest (Windows/servicing/Packages/"
     "Package_for_*.mum) in the image to confirm its enablement package KB5054156"),
    ({"CurrentBuild": "26200", "DisplayVersion": "25H2"}, 26100, (EP_25H2,),
     {"/Windows/servicing/Packages": "listing cut at 10000 files"}, NOT_EVALUATED,
     "/Windows/servicing/Packages: listing cut at 10000 files"),
    ({"CurrentBuild": "26100", "DisplayVersion": "24H2"}, 26100, (),  # no enablement package to confirm
     {"/Windows/servicing/Packages": "listing cut at 10000 files"}, PASS,
     "Windows 11 24H2 (hive CurrentBuild 26100, DisplayVersion 24H2)"),
    ({"CurrentBuild": "26200", "DisplayVersion": "24H2"}, 26100, (EP_25H2,), None, FAIL,
     "hive DisplayVersion '24H2' does not match CurrentBuild 26200 (25H2): the hive was edited"),
    ({"CurrentBuild": "26100", "DisplayVersion": "24H2"}, 22621, (), None, FAIL,
     "the WIM XML says build 22621 but the SOFTWARE hive says 26100 (Windows 11 24H2): the XML misdescribes "
     "the image"),
    ({"CurrentBuild": "99999", "DisplayVersion": "30H2"}, 26100, (), None, WARN,
     "hive CurrentBuild 99999 is not in the release catalog (as of 2026-08-12)"),
    ({"CurrentBuild": "abc", "DisplayVersion": "24H2"}, 26100, (), None, NOT_EVALUATED,
     "the SOFTWARE hive has no numeric CurrentBuild"),
    ({}, 26100, (), {"software": "SOFTWARE hive unreadable: bad checksum"}, NOT_EVALUATED,
     "SOFTWARE hive unreadable: bad checksum"),
])
def test_svc001_release_from_hive(current_version, xml_build, packages, problems, outcome, message):
    verdict = svc001.check(svc001_image(current_version, xml_build, packages, problems), ctx())
    assert (verdict.outcome, verdict.message) == (outcome, message)
    if problems and outcome == NOT_EVALUATED:
        return
    assert verdict.evidence[:2] == (
        Evidence(HIVE, f"{CV}\\CurrentBuild", "a Windows build", current_version.get("CurrentBuild")),
        Evidence(HIVE, f"{CV}\\DisplayVersion", "the release name", current_version.get("DisplayVersion")))
    if outcome in (PASS, FAIL) or "enablement" in message:
        build = int(current_version.get("CurrentBuild") or current_version["CurrentBuildNumber"])
        base = 26100 if build in (26100, 26200) else build
        assert verdict.evidence[2] == Evidence("/x/install.wim", "/WIM/IMAGE[@INDEX='1']/WINDOWS/VERSION/BUILD",
                                               f"{build} or {base}", xml_build)


def test_svc001_server_releases_are_looked_up_as_server():
    cv = {"CurrentBuild": "20348", "DisplayVersion": "21H2"}  # Server 2022 names its release "2022", not 21H2
    for kind in ("Server", "Server Core"):
        verdict = svc001.check(svc001_image(cv, 20348, installation_type=kind), ctx())
        assert (verdict.outcome, verdict.message) == (PASS, "Windows Server 2022 (hive CurrentBuild 20348, "
                                                      "DisplayVersion 21H2)")
    client = svc001.check(svc001_image(cv, 20348), ctx())
    assert client.outcome == WARN


# --- SVC002: every servicing level, the lowest trusted ---------------------------------------------------

ROLLUP = Package("Package_for_RollupFix~31bf3856ad364e35~amd64~~26100.1742.1.5", "Package_for_RollupFix",
                 (26100, 1742, 1, 5), "amd64", None, "Update", None)
OLD_ROLLUP = replace(ROLLUP, identity="Package_for_RollupFix~31bf3856ad364e35~amd64~~26100.1000.1.1",
                     version=(26100, 1000, 1, 1))
KERNEL = KernelFacts((10, 0, 26100, 1742), "x64")
ALL_AGREE = {"UBR": 1742, "CurrentBuild": "26100"}


def svc002_image(cv=None, packages=(ROLLUP,), kernel=KERNEL, cbs=None, problems=None, **image) -> ImageFacts:
    software = SoftwareFacts(current_version=ALL_AGREE if cv is None else cv, cbs_states=cbs or {})
    return replace(IMAGE, **image, deep=DeepFacts(ORIGIN, software=software, packages=tuple(packages),
                                                  kernel=kernel, problems=problems or {}))


def test_svc002_all_four_levels_agree():
    verdict = svc002.check(svc002_image(), ctx())
    assert (verdict.outcome, verdict.message) == (PASS, "wim-xml, hive, rollup, kernel agree on UBR 1742")
    assert verdict.evidence[2:] == (
        Evidence(f"{ORIGIN}:/Windows/servicing/Packages/{ROLLUP.identity}.mum", "/assembly/assemblyIdentity/@version",
                 "the same UBR everywhere", ROLLUP.identity),
        Evidence(f"{ORIGIN}:kernel", "VS_FIXEDFILEINFO.FileVersion", "the same UBR everywhere", "10.0.26100.1742"))


def test_svc002_the_lowest_level_is_named():
    verdict = svc002.check(svc002_image(kernel=KernelFacts((10, 0, 26100, 1700), "x64")), ctx())
    assert (verdict.outcome, verdict.message) == (FAIL, "servicing evidence disagrees (wim-xml 1742, hive 1742, "
                                                  "rollup 1742, kernel 1700); the lowest, 1700 from kernel, is what "
                                                  "the build rules use")


def test_svc002_newest_installed_rollup_counts_superseded_do_not():
    both = svc002_image(packages=(OLD_ROLLUP, ROLLUP))
    assert svc002.check(both, ctx()).outcome == PASS  # the newest of two installed
    superseded = svc002_image(packages=(ROLLUP, OLD_ROLLUP), cbs={ROLLUP.identity.upper(): 0x50})
    verdict = svc002.check(superseded, ctx())  # the newer one is staged, not installed: the old one counts
    assert verdict.outcome == FAIL and "rollup 1000" in verdict.message


def test_svc002_hive_lcuver_stands_in_for_ubr():
    cv = {"CurrentBuild": "26100", "LCUVer": "10.0.26100.1742"}
    verdict = svc002.check(svc002_image(cv=cv), ctx())
    assert verdict.outcome == PASS
    assert verdict.evidence[1] == Evidence(HIVE, f"{CV}\\LCUVer", "the same UBR everywhere", "26100.1742")
    wrong_build = svc002_image(cv={"CurrentBuild": "26100", "LCUVer": "10.0.22621.1742"}, packages=(), kernel=None)
    assert svc002.check(wrong_build, ctx()).message == "wim-xml agree on UBR 1742"  # LCUVer of another build


def test_svc002_boot_images_keep_ubr_1():
    boot = svc002_image(cv={"UBR": 1, "CurrentBuild": "26100"}, name="Microsoft Windows Setup (amd64)",
                        edition_id="WindowsPE", installation_type="WindowsPE")
    verdict = svc002.check(boot, ctx())
    assert (verdict.outcome, verdict.message) == (PASS, "wim-xml, rollup, kernel agree on UBR 1742 (the Setup "
                                                  "hive's UBR 1 is expected and not compared)")


def test_svc002_without_any_level_is_not_evaluated():
    image = svc002_image(cv={"CurrentBuild": "26100"}, packages=(), kernel=None,
                         version=WindowsVersion(10, 0, 26100, None))
    verdict = svc002.check(image, ctx())
    assert (verdict.outcome, verdict.message) == (NOT_EVALUATED, "no servicing level recorded (WIM XML SPBUILD, "
                                                  "hive UBR or LCUVer, installed RollupFix, ntoskrnl.exe file "
                                                  "version)")


@pytest.mark.parametrize("problem, judged", [
    ("kernel", False),                                           # a role
    ("KERNEL", False),                                           # roles and paths compare without case
    ("/Windows/servicing/Packages", False),                      # the folder itself
    ("/Windows/servicing/Packages/Package_for_RollupFix~x.mum", False),  # a file inside it
    ("/Windows/servicing", False),                               # a folder above it (a cut listing)
    ("/Windows/servicing/PackagesOld", True),                    # a sibling that only shares the prefix
    ("/Windows/servicing/Package", True),
    ("system", True),                                            # a role SVC002 does not read
])
def test_svc002_problem_with_a_file_it_reads(problem, judged):
    verdict = svc002.check(svc002_image(problems={problem: "unreadable"}), ctx())
    if judged:
        assert verdict.outcome == PASS
        return
    message = f"{problem}: unreadable" if problem.startswith("/") else "unreadable"
    assert (verdict.outcome, verdict.message) == (NOT_EVALUATED, message)
    assert verdict.evidence == (Evidence(f"{ORIGIN}:{problem}", "(file)"),)


# --- SVC004: domain join in an unattend file, by the one hybrid-join policy ------------------------------

PANTHER = "/Windows/Panther/unattend.xml"
JOIN = DomainJoin("specialize", "corp.contoso.com", "/unattend/settings[@pass='specialize']/component/"
                  "Identification/JoinDomain")


@pytest.mark.parametrize("baseline, path, outcome, message", [
    ("wbfo-2026-09", "oobe", FAIL, "the unattend file joins the domain corp.contoso.com: no restore for a hybrid "
                                   "joined device on the oobe path (wbfo-2026-09)"),
    ("wbfo-2026-09", "first-sign-in", WARN, "the unattend file joins the domain corp.contoso.com: only first "
                                            "sign-in restore applies, never the OOBE restore page (wbfo-2026-09)"),
    ("wbfo-2025-08", "first-sign-in", FAIL, "the unattend file joins the domain corp.contoso.com: no restore for "
                                            "a hybrid joined device on the first-sign-in path (wbfo-2025-08)"),
    ("wbfo-2026-09", "backup", PASS, "the unattend file joins the domain corp.contoso.com: hybrid join is "
                                     "supported on the backup path"),
])
def test_svc004_domain_join(baseline, path, outcome, message):
    image = deep(unattend=((PANTHER, UnattendFacts((JOIN,), ())),),
                 problems={"/Windows/System32/Sysprep/unattend.xml": "unreadable"})  # a join found outranks it
    context = replace(ctx(), baseline=load_baseline(baseline)[0], path=path)
    verdict = svc004.check(image, context)
    assert (verdict.outcome, verdict.message) == (outcome, message)
    assert verdict.evidence == (Evidence(f"{ORIGIN}:{PANTHER}", JOIN.locator, "no JoinDomain", "corp.contoso.com"),)


def test_svc004_unattend_without_join_and_unreadable_unattend():
    clean = svc004.check(deep(unattend=((PANTHER, UnattendFacts((), ())),)), ctx())
    assert (clean.outcome, clean.message) == (PASS, "1 unattend file(s), none joins a domain")
    assert clean.evidence == (Evidence(f"{ORIGIN}:{PANTHER}", "/unattend", "no JoinDomain", "none"),)
    unknown = svc004.check(deep(problems={"/Windows/System32/Sysprep/unattend.xml": "a link"}), ctx())
    assert (unknown.outcome, unknown.message) == (NOT_EVALUATED, "/Windows/System32/Sysprep/unattend.xml: a link")


# --- SVC006 / SVC008: policy values baked into the SOFTWARE hive -----------------------------------------

@pytest.mark.parametrize("rule, checks, failure, success", [
    (svc006, "gpo_enrollment", "Group Policy MDM auto-enrollment is baked into the image",
     "no Group Policy MDM auto-enrollment in the image"),
    (svc008, "shared_pc", "shared PC mode is on in the image", "shared PC mode is not configured in the image"),
])
def test_policy_values_in_the_hive(rule, checks, failure, success):
    policies = getattr(registry_checks(), checks)
    off = {(p.key, p.value): 1 - p.when for p in policies}  # the other value of the 0/1 switch
    verdict = rule.check(deep(software=SoftwareFacts(values=off)), ctx())
    assert (verdict.outcome, verdict.message) == (PASS, success)
    on = {(p.key, p.value): p.when for p in policies}
    verdict = rule.check(deep(software=SoftwareFacts(values=on)), ctx())
    settings = ", ".join(dict.fromkeys(p.setting for p in policies))  # one name per setting, in order
    assert (verdict.outcome, verdict.message) == (FAIL, f"{failure}: {settings}")
    assert verdict.evidence == tuple(Evidence(HIVE, p.locator, f"not {p.when}", p.when) for p in policies)
    assert verdict.remediation[:len(policies)] == tuple(f"{p.setting}: {p.via} (HKLM\\SOFTWARE\\{p.key})"
                                                        for p in policies)
    unreadable = rule.check(deep(problems={"software": "SOFTWARE hive missing"}), ctx())
    assert (unreadable.outcome, unreadable.message) == (NOT_EVALUATED, "SOFTWARE hive missing")


# --- SVC007: which command lines install the Configuration Manager client --------------------------------

@pytest.mark.parametrize("line, installs", [
    (r"C:\Windows\ccmsetup\ccmsetup.exe /mp:cm01 SMSSITECODE=P01", True),
    ("ccmsetup.exe /mp:cm01", True),
    ("CCMSETUP /mp:cm01", True),
    (r'start /wait "" "%WINDIR%\ccmsetup\ccmsetup.exe" /mp:cm01', True),
    ("cmd /c (ccmsetup.exe /mp:cm01)", True),
    ("x=ccmsetup.exe", True),
    ("echo installing & ccmsetup.exe /mp:cm01", True),  # each chained command on its own
    ("ccmsetup.exe /mp:cm01 && echo done", True),
    ("tasklist | findstr ccmsetup || ccmsetup.exe /mp:cm01", True),
    ("echo ccmsetup.exe /mp:cm01 > log.txt", False),
    ("rem ccmsetup.exe & ccmsetup.exe /mp:cm01", False),  # rem comments out the rest of the line
    ("ccmsetup.exe /uninstall", False),
    ("rem ccmsetup.exe /mp:cm01", False),
    ("  @REM ccmsetup.exe", False),
    (":: ccmsetup.exe", False),
    ("tasklist | findstr ccmsetup.exe", False),
    ("taskkill /im ccmsetup.exe /f", False),
    (r"del /q C:\Windows\ccmsetup\ccmsetup.exe", False),
    (r"reg delete HKLM\SOFTWARE\Microsoft\CCMSetup /f", False),
    ("sc.exe stop ccmsetup", False),
    ("rd /s /q ccmsetup", False),
    ("myccmsetup.exe /mp:cm01", False),            # another program
    ("ccmsetupx.exe", False),
    ("remccmsetup.exe", False),
    ("", False),
])
def test_installs_configmgr(line, installs):
    assert installs_configmgr(line) is installs


def test_svc007_unattend_commands():
    commands = ("cmd /c echo hello", r"C:\Windows\ccmsetup\ccmsetup.exe /mp:cm01")
    image = deep(software=SoftwareFacts(), unattend=((PANTHER, UnattendFacts((), commands)),))
    verdict = svc007.check(image, ctx())
    assert verdict.outcome == FAIL
    assert verdict.evidence == (Evidence(f"{ORIGIN}:{PANTHER}", "/unattend//(Path|CommandLine)", "no ccmsetup install",
                                         commands[1]),)
    unreadable = deep(software=SoftwareFacts(), problems={"/autounattend.xml": "unreadable"})
    assert svc007.check(unreadable, ctx()).outcome == NOT_EVALUATED


@pytest.mark.parametrize("rule", [r for r in RULES if r.id not in ("SVC004", "SVC009")], ids=lambda r: r.id)
def test_an_unreadable_software_hive_is_not_evaluated(rule):  # SVC004 reads unattend files, SVC009 Winre.wim
    image = deep(problems={"software": "SOFTWARE hive: dirty hive"}, state_ini=OOBE_STATE,
                 kernel=KernelFacts((10, 0, 26100, 1742), "x64"))
    verdict = rule.check(image, ctx())
    assert (verdict.outcome, verdict.message) == (NOT_EVALUATED, "SOFTWARE hive: dirty hive")
    assert verdict.evidence == (Evidence(f"{ORIGIN}:software", "(file)"),)


def test_svc005_hive_image_state_outranks_the_xml():
    image = replace(IMAGE, image_state=OOBE_STATE,
                    deep=DeepFacts(ORIGIN, software=SoftwareFacts(image_state="IMAGE_STATE_COMPLETE")))
    verdict = svc005.check(image, ctx())
    assert (verdict.outcome, verdict.message) == (FAIL, f"image state is IMAGE_STATE_COMPLETE, not {OOBE_STATE}: the "
                                                  "image was not sealed for OOBE")
    assert verdict.evidence == (
        Evidence(HIVE, "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Setup\\State\\ImageState", OOBE_STATE,
                 "IMAGE_STATE_COMPLETE"),
        Evidence("/x/install.wim", "/WIM/IMAGE[@INDEX='1']/WINDOWS/SERVICINGDATA/IMAGESTATE", OOBE_STATE, OOBE_STATE))


# --- SVC009: WinRE inside the image, against the image's servicing level --------------------------------

def winre_image(winre_ubr: int | None, image_ubr: int = 9168, winre_build: int = 26100, days: int | None = None):
    winre = ImageFacts("/tmp/x/Winre.wim", 1, "/WIM/IMAGE[@INDEX='1']", name="Microsoft Windows Recovery "
                       "Environment (amd64)", edition_id="WindowsPE", installation_type="WindowsPE",
                       version=WindowsVersion(10, 0, winre_build, winre_ubr))
    image = replace(IMAGE, version=WindowsVersion(10, 0, 26100, image_ubr),
                    deep=DeepFacts(ORIGIN, winre=winre if winre_ubr != -1 else None))
    context = ctx()
    if days is not None:
        context = replace(context, baseline={**context.baseline, "image": {**context.baseline["image"],
                                                                           "update_currency_days": days}})
    return image, context


@pytest.mark.parametrize("winre_ubr, image_ubr, winre_build, days, outcome, message", [
    (9168, 9168, 26100, None, PASS, "WinRE 26100.9168 is at the image's level (26100.9168)"),
    (9200, 9168, 26100, None, PASS, "WinRE 26100.9200 is at the image's level (26100.9168)"),
    (8875, 9168, 26100, None, PASS, "WinRE 26100.8875 (KB5101650, 2026-07-14) is 28 days behind the image's "
                                    "26100.9168 (KB5121003, 2026-08-11)"),
    (8875, 9168, 26100, 28, PASS, "WinRE 26100.8875 (KB5101650, 2026-07-14) is 28 days behind the image's "
                                  "26100.9168 (KB5121003, 2026-08-11)"),
    (8875, 9168, 26100, 27, FAIL, "WinRE 26100.8875 (KB5101650, 2026-07-14) is 28 days behind the image's "
                                  "26100.9168 (KB5121003, 2026-08-11)"),
    (8655, 9168, 26100, None, FAIL, "WinRE 26100.8655 (KB5094126, 2026-06-09) is 63 days behind the image's "
                                    "26100.9168 (KB5121003, 2026-08-11)"),
    (2861, 9168, 22621, None, FAIL, "WinRE is build 22621.2861, the image 26100.9168: another release"),
    (9000, 9168, 26100, None, NOT_EVALUATED, "WinRE 26100.9000 is older than the image's 26100.9168, and the "
                                             "release catalog (as of 2026-08-12) does not date both"),
    (None, 9168, 26100, None, NOT_EVALUATED, "the servicing level of WinRE or of the image is not recorded"),
    (-1, 9168, 26100, None, NOT_APPLICABLE, "no Windows/System32/Recovery/Winre.wim in the image"),
])
def test_svc009_winre_against_the_image(winre_ubr, image_ubr, winre_build, days, outcome, message):
    image, context = winre_image(winre_ubr, image_ubr, winre_build, days)
    verdict = svc009.check(image, context)
    assert (verdict.outcome, verdict.message) == (outcome, message)
    if outcome in (PASS, FAIL):
        window = days if days is not None else 45
        assert verdict.evidence == (Evidence(f"{ORIGIN}:winre", "/WIM/IMAGE[@INDEX='1']/WINDOWS/VERSION/SPBUILD",
                                             f"within {window} days of the image's 26100.{image_ubr}",
                                             f"{winre_build}.{winre_ubr}"),)


def test_svc009_unreadable_winre_is_not_evaluated():
    image = replace(IMAGE, deep=DeepFacts(ORIGIN, problems={"winre": "Winre.wim: not a WIM image"}))
    verdict = svc009.check(image, ctx())
    assert (verdict.outcome, verdict.message) == (NOT_EVALUATED, "Winre.wim: not a WIM image")
