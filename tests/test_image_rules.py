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
from toolkit.rules.image import img001, img002, img003, img005, img006, img007, img009

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
    install = img009.check(ENTERPRISE, ctx())
    assert (install.outcome, install.message) == (NOT_APPLICABLE, "install image")
    verdict = img009.check(WINPE, ctx())
    assert (verdict.outcome, verdict.message) == (PASS, "Setup boot image, build 26100.1742: restore rules not "
                                                  "applicable")
    assert verdict.evidence == (ev("WINDOWS/INSTALLATIONTYPE", "WindowsPE", "WindowsPE"),)
    recovery = replace(WINPE, name="Microsoft Windows Recovery Environment (x64)")
    assert img009.check(recovery, ctx()).message.startswith("WinRE boot image")


def _security_updates(build: int) -> list:
    branch = next(b for b in shipped_catalog().branches if b.build == build and b.os_type == "client")
    return sorted((u for u in branch.updates.values() if u.type == "security"), key=lambda u: u.date)


@pytest.mark.parametrize("slack, outcome", [(1, PASS), (0, PASS), (-1, FAIL)])
def test_img007_currency_boundary(slack, outcome):
    """The image carries one security update and the next one is out: lag = days between them; the
    rule passes up to `update_currency_days` and fails one day past it."""
    updates = _security_updates(26100)
    mine, latest = updates[-3], updates[-2]
    lag = (date.fromisoformat(latest.date) - date.fromisoformat(mine.date)).days
    context = ctx()
    context = replace(context, today=date.fromisoformat(latest.date),
                      baseline={**context.baseline, "image": {**context.baseline["image"],
                                                               "update_currency_days": lag + slack}})
    image = replace(ENTERPRISE, version=WindowsVersion(10, 0, 26100, mine.ubr))
    verdict = img007.check(image, context)
    reference = f"{latest.kb} (26100.{latest.ubr}, {latest.date})"
    both = " (holds for every candidate: 24H2 or 25H2)"  # 25H2 is 24H2 plus an enablement package
    assert verdict.outcome == outcome
    if outcome == PASS:
        assert verdict.message == f"image update {mine.kb} ({mine.date}) is {lag} days behind {reference}{both}"
    else:
        assert verdict.message == f"image update {mine.kb} ({mine.date}) is {lag} days older than {reference}{both}"
    assert verdict.evidence[0].expected == f"within {lag + slack} days of {reference}"
    assert verdict.evidence[0].actual == f"26100.{mine.ubr} ({mine.kb}, {mine.date})"


def test_builds_outside_the_catalog():
    newest = shipped_catalog().newest_build("client")
    newer = img007.check(replace(ENTERPRISE, version=WindowsVersion(10, 0, newest + 1, 1)), ctx())
    assert newer.outcome == WARN
    assert newer.message.startswith(f"build {newest + 1} is newer than every release in the catalog (as of ")
    older = img007.check(replace(ENTERPRISE, version=WindowsVersion(10, 0, 22000 - 1, 1)), ctx())
    assert (older.outcome, older.message) == (FAIL, f"build 21999 is no release the catalog knows among those up "
                                              f"to {newest}: an old or pre-release build, out of servicing")
    assert older.evidence == (ev("WINDOWS/VERSION/BUILD", "a build in the catalog", 21999),)


@pytest.mark.parametrize("edition, today, path, outcome, message", [
    ("Enterprise", "2026-11-10", "oobe", PASS,
     "Windows 11 23H2 (enterprise_education) is serviced until 2026-11-10"),
    ("Enterprise", "2026-11-11", "oobe", FAIL,
     "Windows 11 23H2 (enterprise_education) left servicing on 2026-11-10"),
    ("Professional", "2025-11-11", "oobe", PASS, "Windows 11 23H2 (home_pro) is serviced until 2025-11-11"),
    ("Professional", "2025-11-12", "oobe", FAIL, "Windows 11 23H2 (home_pro) left servicing on 2025-11-11"),
    ("EnterpriseS", "2026-01-01", "oobe", PASS,  # no LTSC of 23H2: the Enterprise dates stand in
     "Windows 11 23H2 (ltsc) is serviced until 2026-11-10"),
])
def test_img006_lifecycle_boundaries(edition, today, path, outcome, message):
    image = replace(ENTERPRISE, edition_id=edition, version=WindowsVersion(10, 0, 22631, 4169))
    verdict = img006.check(image, replace(ctx(path), today=date.fromisoformat(today)))
    assert (verdict.outcome, verdict.message) == (outcome, message)


def test_img006_windows10_esu_on_the_backup_path():
    image = replace(ENTERPRISE, version=WindowsVersion(10, 0, 19045, 6456))
    backup = img006.check(image, ctx("backup"))
    assert (backup.outcome, backup.message) == (WARN, "Windows 10 22H2 ended on 2025-10-14; serviced only through "
                                                "Extended Security Updates until 2028-10-10")
    assert img006.check(image, ctx("oobe")).outcome == FAIL
    unknown = img006.check(replace(ENTERPRISE, edition_id="Mystery"), ctx())
    assert (unknown.outcome, unknown.message) == (NOT_EVALUATED, "edition 'Mystery' has no known lifecycle family")
