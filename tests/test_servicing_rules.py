"""Deep (SVC) rules in-process: the gate every SVC rule shares (no files, failed inspection, boot
image, a missing or unreadable file it reads) and SVC005's image-state sources, with exact messages
and evidence (issue 15: tests that catch mutations). Full images are covered in test_deep."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from toolkit.baselines import load_baseline
from toolkit.catalog_store import shipped_catalog
from toolkit.facts import DeepFacts, ImageFacts, WindowsVersion
from toolkit.inside.hives import SoftwareFacts
from toolkit.registry_checks import registry_checks
from toolkit.rules.base import FAIL, NOT_APPLICABLE, NOT_EVALUATED, PASS, SKIPPED, Context, Evidence
from toolkit.rules.servicing import OOBE_STATE, RULES, svc002, svc003, svc004, svc005, svc007

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
