"""Image rules in-process on ImageFacts as the WIM XML reader fills them: every outcome with its
exact message and evidence (issue 15: tests that catch mutations). Release-dependent rules are
covered on real media metadata in test_releases; these tables pin the rest."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from toolkit.baselines import load_baseline
from toolkit.catalog_store import shipped_catalog
from toolkit.facts import ImageFacts, WindowsVersion
from toolkit.rules.base import FAIL, NOT_APPLICABLE, NOT_EVALUATED, PASS, WARN, Context, Evidence
from toolkit.rules.image import img001, img002, img003, img005, img009

W = "/x/install.wim"
LOC = "/WIM/IMAGE[@INDEX='1']"
ENTERPRISE = ImageFacts(W, 1, LOC, name="Windows 11 Enterprise", edition_id="Enterprise",
                        installation_type="Client", arch_code=9, languages=("en-US",),
                        version=WindowsVersion(10, 0, 26100, 1742))
WINPE = replace(ENTERPRISE, name="Microsoft Windows Setup (amd64)", edition_id="WindowsPE",
                installation_type="WindowsPE")


def ctx(path: str = "oobe", baseline: str = "wbfo-2026-09") -> Context:
    return Context(baseline=load_baseline(baseline)[0], path=path, today=date(2026, 11, 21), catalog=shipped_catalog())


def ev(element: str, expected: object, actual: object) -> Evidence:
    return Evidence(W, f"{LOC}/{element}", expected, actual)


def test_img001_complete_and_incomplete():
    verdict = img001.check(ENTERPRISE, ctx())
    assert (verdict.outcome, verdict.message) == (PASS, "EDITIONID, ARCH, BUILD, SPBUILD, INSTALLATIONTYPE and "
                                                  "LANGUAGES are present")
    stripped = replace(ENTERPRISE, edition_id=None, languages=(), version=WindowsVersion(10, 0, None, 1742),
                       malformed={"WINDOWS/VERSION/BUILD": "abc"})
    verdict = img001.check(stripped, ctx())
    assert (verdict.outcome, verdict.message) == (FAIL, "image metadata incomplete: missing EDITIONID, LANGUAGE; "
                                                  "malformed BUILD")
    assert verdict.evidence == (ev("WINDOWS/EDITIONID", "present", "missing"),
                                ev("WINDOWS/LANGUAGES/LANGUAGE", "present", "missing"),
                                ev("WINDOWS/VERSION/BUILD", "well-formed", "abc"))
    only_missing = img001.check(replace(ENTERPRISE, arch_code=None), ctx())
    assert only_missing.message == "image metadata incomplete: missing ARCH"


@pytest.mark.parametrize("image, outcome, message", [
    (ENTERPRISE, PASS, "installation type Client"),
    (replace(ENTERPRISE, installation_type="Server"), FAIL, "installation type Server: not a Windows client"),
    (replace(ENTERPRISE, installation_type=None), NOT_EVALUATED, "INSTALLATIONTYPE missing (see IMG001)"),
    (WINPE, NOT_APPLICABLE, "boot image: see IMG009"),
])
def test_img002_client(image, outcome, message):
    verdict = img002.check(image, ctx())
    assert (verdict.outcome, verdict.message) == (outcome, message)
    assert verdict.evidence == (ev("WINDOWS/INSTALLATIONTYPE", "Client", image.installation_type),)


@pytest.mark.parametrize("build, kind, outcome, message", [
    (22620, "Client", FAIL, "build 22620 is older than Windows 11 22H2 (22621): no restore"),
    (22621, "Client", PASS, "build 22621 is Windows 11 22H2 or later"),
    (22622, "Client", PASS, "build 22622 is Windows 11 22H2 or later"),
    (26100, "Server Core", FAIL, "build 26100 is Windows Server (Server Core): no restore (see IMG002)"),
    (26100, None, NOT_EVALUATED, "INSTALLATIONTYPE missing: client or Server cannot be told (see IMG001)"),
    (None, "Client", NOT_EVALUATED, "BUILD missing (see IMG001)"),
])
def test_img003_minimum_build_boundaries(build, kind, outcome, message):
    image = replace(ENTERPRISE, installation_type=kind, version=WindowsVersion(10, 0, build, 1))
    verdict = img003.check(image, ctx("backup"))
    assert (verdict.outcome, verdict.message) == (outcome, message)
    assert verdict.evidence == (ev("WINDOWS/VERSION/BUILD", ">= 22621", build),)
    assert img003.check(WINPE, ctx()).outcome == NOT_APPLICABLE


@pytest.mark.parametrize("edition, path, outcome, message", [
    ("Enterprise", "oobe", PASS, "edition Enterprise is supported"),
    ("CloudEdition", "oobe", FAIL, "edition CloudEdition (SKU 203) is not supported"),
    ("ServerRdsh", "oobe", FAIL, "edition ServerRdsh is Enterprise multi-session: a shared device: no OOBE restore"),
    ("ServerRdsh", "first-sign-in", WARN, "edition ServerRdsh is Enterprise multi-session: a shared device"),
    (None, "oobe", NOT_EVALUATED, "EDITIONID missing (see IMG001)"),
])
def test_img005_edition(edition, path, outcome, message):
    verdict = img005.check(replace(ENTERPRISE, edition_id=edition), ctx(path))
    assert (verdict.outcome, verdict.message) == (outcome, message)
    assert verdict.evidence == (ev("WINDOWS/EDITIONID", "a supported edition", edition),)


def test_img009_boot_images():
    assert (img009.check(ENTERPRISE, ctx()).outcome, img009.check(ENTERPRISE, ctx()).message) == \
        (NOT_APPLICABLE, "install image")
    verdict = img009.check(WINPE, ctx())
    assert (verdict.outcome, verdict.message) == (PASS, "Setup boot image, build 26100.1742: restore rules not "
                                                  "applicable")
    assert verdict.evidence == (ev("WINDOWS/INSTALLATIONTYPE", "WindowsPE", "WindowsPE"),)
    recovery = replace(WINPE, name="Microsoft Windows Recovery Environment (x64)")
    assert img009.check(recovery, ctx()).message.startswith("WinRE boot image")
