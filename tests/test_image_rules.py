"""Image rules in-process on ImageFacts as the WIM XML reader fills them: every outcome with its
exact message and evidence (issue 15: tests that catch mutations). Release-dependent rules are
covered on real media metadata in test_releases; these tables pin the rest."""

from __future__ import annotations

from datetime import date

import pytest

from toolkit.baselines import load_baseline
from toolkit.catalog_store import shipped_catalog
from toolkit.facts import DeepFacts, ImageFacts, WindowsVersion
from toolkit.facts.inside import SoftwareFacts
from toolkit.records import replace
from toolkit.rules.base import FAIL, NOT_APPLICABLE, NOT_EVALUATED, PASS, WARN, Context, Evidence
from toolkit.rules.image import edition_family, img001, img002, img003, img004, img005, img006, img007, img009

W = "/x/install.wim"
LOC = "/WIM/IMAGE[@INDEX='1']"
ENTERPRISE = ImageFacts(W, 1, LOC, name="Windows 11 Enterprise", edition_id="Enterprise",
                        installation_type="Client", arch_code=9, languages=("en-US",),
                        version=WindowsVersion(10, 0, 26100, 1742))
WINPE = replace(ENTERPRISE, name="Microsoft Windows Setup (amd64)", edition_id="WindowsPE",
                installation_type="WindowsPE")


XML_SPBUILD = (W, f"{LOC}/WINDOWS/VERSION/SPBUILD")


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
    branch = shipped_catalog().branch(build)
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


# --- IMG004: the baseline minimum per release, through every candidate ----------------------------------

def deep_image(build: int, ubr: int, xml_ubr: int | None = None, xml_build: int = 26100, **image) -> ImageFacts:
    """An index whose SOFTWARE hive was read: the release is exact (CurrentBuild), the UBR the lowest level."""
    facts = DeepFacts(f"{W}#1", software=SoftwareFacts(current_version={"CurrentBuild": str(build), "UBR": ubr}))
    return replace(ENTERPRISE, version=WindowsVersion(10, 0, xml_build, ubr if xml_ubr is None else xml_ubr),
                   deep=facts, **image)


HIVE_UBR = (f"{W}#1:software", "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\UBR")
APPLY_24H2 = ("Apply KB5121003 (26100.9168, 2026-08-11) offline: `Add-WindowsPackage -Path <mount> -PackagePath "
              "<KB5121003.msu>` (or `DISM /Image:<mount> /Add-Package`), then `Dismount-WindowsImage -Save` so "
              "SPBUILD is updated.")


@pytest.mark.parametrize("ubr, outcome", [(4945, FAIL), (4946, PASS), (4947, PASS)])
def test_img004_minimum_boundary_on_an_exact_release(ubr, outcome):
    verdict = img004.check(deep_image(26100, ubr), ctx())
    assert verdict.outcome == outcome
    expected = {PASS: f"26100.{ubr} meets the minimum 26100.4946",
                FAIL: f"26100.{ubr} is below the wbfo-2026-09 minimum 26100.4946 for 24H2"}[outcome]
    assert verdict.message == expected
    assert verdict.evidence == (Evidence(*XML_SPBUILD, ">= 26100.4946", f"26100.{ubr}"),)
    if outcome == FAIL:
        assert verdict.remediation[0] == APPLY_24H2


def test_img004_the_esp_softens_a_stale_image_to_a_warning():
    installs = Evidence("/x/esp.json", "/installQualityUpdates", True, True)
    context = replace(ctx(), extras={"esp_installs_quality_updates": installs})
    verdict = img004.check(deep_image(26100, 4945), context)
    assert (verdict.outcome, verdict.message) == (WARN, "26100.4945 is below the wbfo-2026-09 minimum 26100.4946 "
                                                  "for 24H2; the effective ESP installs quality updates, so devices "
                                                  "are patched at OOBE (20-40 min each, rebuilding the image "
                                                  "removes that)")
    assert verdict.evidence[1] == installs and verdict.remediation[0] == APPLY_24H2


def test_img004_names_the_lower_servicing_evidence():
    verdict = img004.check(deep_image(26100, 4900, xml_ubr=5000), ctx())  # the XML says more than the hive
    note = " (lowest servicing evidence: SOFTWARE hive UBR)"
    assert (verdict.outcome, verdict.message) == (FAIL, f"26100.4900{note} is below the wbfo-2026-09 minimum "
                                                  "26100.4946 for 24H2")
    assert verdict.evidence == (Evidence(*HIVE_UBR, ">= 26100.4946", f"26100.4900{note}"),)


def test_img004_hotpatch_counts_as_its_baseline_month():
    verdict = img004.check(deep_image(26100, 9106), ctx("first-sign-in"))  # KB5120994 on the .8875 baseline
    assert (verdict.outcome, verdict.message) == (PASS, "26100.9106 (hotpatch KB5120994 sits on the .8875 "
                                                  "baseline) meets the minimum 26100.7922")


def test_img004_candidates_that_disagree_are_not_evaluated():
    only_24h2 = img004.check(replace(ENTERPRISE, version=WindowsVersion(10, 0, 26100, 4946)), ctx())
    assert only_24h2.message == "26100.4946 meets the minimum 26100.4946"  # 25H2 starts at 26200.6899
    both = img004.check(replace(ENTERPRISE, version=WindowsVersion(10, 0, 26100, 9168)), ctx())
    assert (both.outcome, both.message) == (PASS, "26100.9168 meets the minimum 26100.4946 (holds for every "
                                            "candidate: 24H2 or 25H2)")
    assert both.evidence == (Evidence(*XML_SPBUILD, ">= 26100.4946", "26100.9168"),)
    # Pro: 24H2 left servicing on 2026-10-13, 25H2 is serviced until 2027-10-12; only the hive can tell
    pro = replace(ENTERPRISE, edition_id="Professional", version=WindowsVersion(10, 0, 26100, 9168))
    mixed = img006.check(pro, ctx())
    assert (mixed.outcome, mixed.message) == (NOT_EVALUATED, (
        "the WIM XML cannot tell 24H2 or 25H2 apart and they disagree: 24H2: fail (Windows 11 24H2 (home_pro) left "
        "servicing on 2026-10-13); 25H2: pass (Windows 11 25H2 (home_pro) is serviced until 2027-10-12). Deep "
        "inspection of the SOFTWARE hive decides"))
    assert mixed.evidence == (ev("WINDOWS/VERSION/BUILD", "serviced on 2026-11-21", "24H2 home_pro ends 2026-10-13"),
                              ev("WINDOWS/VERSION/BUILD", "serviced on 2026-11-21", "25H2 home_pro ends 2027-10-12"))
    assert mixed.remediation == ()
    decided = img006.check(replace(pro, deep=deep_image(26200, 9168).deep), ctx())
    assert (decided.outcome, decided.message) == (PASS, "Windows 11 25H2 (home_pro) is serviced until 2027-10-12")


def test_img004_release_not_on_the_path_and_enablement_releases():
    verdict = img004.check(deep_image(22621, 6060, xml_build=22621), ctx("first-sign-in"))
    assert (verdict.outcome, verdict.message) == (FAIL, "Windows 11 22H2 is not supported on the first-sign-in "
                                                  "path by wbfo-2026-09")
    assert verdict.evidence == (Evidence(*XML_SPBUILD, "26100.7922, 26200.7922, 26300.0, 28000.1643", "22621.6060"),)
    context = ctx()  # a baseline that does not name 25H2 yet: its servicing branch's (24H2's) minimum applies
    minimum = {k: v for k, v in context.baseline["paths"]["oobe"]["minimum"].items() if k != "26200"}
    context = replace(context, baseline={**context.baseline, "paths": {
        **context.baseline["paths"], "oobe": {**context.baseline["paths"]["oobe"], "minimum": minimum}}})
    verdict = img004.check(deep_image(26200, 4945), context)
    assert (verdict.outcome, verdict.message) == (FAIL, "26200.4945 is below the wbfo-2026-09 minimum 26200.4946 "
                                                  "for 25H2")


def test_img004_without_a_level_or_on_a_boot_image():
    missing = img004.check(replace(ENTERPRISE, version=WindowsVersion(10, 0, 26100, None)), ctx())
    assert (missing.outcome, missing.message) == (NOT_EVALUATED, "SPBUILD (UBR) missing (see IMG001)")
    assert img004.check(WINPE, ctx()).message == "boot image (Setup): restore rules do not apply"
    no_build = img004.check(replace(ENTERPRISE, version=WindowsVersion(10, 0, None, 4946)), ctx())
    assert (no_build.outcome, no_build.message) == (NOT_EVALUATED, "image has no build number (see IMG001)")


# --- IMG003 on a path whose baseline lists its releases (first sign-in) ----------------------------------

@pytest.mark.parametrize("build, ubr, outcome, message", [
    (26100, 9168, PASS, "24H2 or 25H2 is listed for first-sign-in restore by wbfo-2026-09"),
    (26100, 1, PASS, "24H2 is listed for first-sign-in restore by wbfo-2026-09"),
    (28000, 1, WARN, "26H1 is not listed by Microsoft for first-sign-in restore (wbfo-2026-09)"),
    (22621, 4169, FAIL, "22H2 or 23H2 is not a release wbfo-2026-09 supports for first-sign-in restore (listed: "
                        "26100, 26200, 26300)"),
    (22631, 1, FAIL, "23H2 is not a release wbfo-2026-09 supports for first-sign-in restore (listed: 26100, 26200, "
                     "26300)"),
    (29999, 1, FAIL, "29999 is not a release wbfo-2026-09 supports for first-sign-in restore (listed: 26100, 26200, "
                     "26300)"),
])
def test_img003_listed_releases(build, ubr, outcome, message):
    verdict = img003.check(replace(ENTERPRISE, version=WindowsVersion(10, 0, build, ubr)), ctx("first-sign-in"))
    assert (verdict.outcome, verdict.message) == (outcome, message)
    assert verdict.evidence == (ev("WINDOWS/VERSION/BUILD", ">= 22621", build),)


def test_img003_a_hive_release_decides_between_candidates():
    listed = img003.check(deep_image(26200, 9168), ctx("first-sign-in"))
    assert (listed.outcome, listed.message) == (PASS, "25H2 is listed for first-sign-in restore by wbfo-2026-09")
    verdict = img003.check(deep_image(22631, 4169, xml_build=22621), ctx("first-sign-in"))
    assert (verdict.outcome, verdict.message) == (FAIL, "23H2 is not a release wbfo-2026-09 supports for "
                                                  "first-sign-in restore (listed: 26100, 26200, 26300)")


# --- IMG006: lifecycle family by edition prefix, evidence from the hive when read ------------------------

@pytest.mark.parametrize("edition, family", [
    ("EnterpriseS", "ltsc"), ("EnterpriseSN", "ltsc"), ("IoTEnterpriseSK", "ltsc"),
    ("EnterpriseN", "enterprise_education"), ("IoTEnterprise", "enterprise_education"),
    ("ProfessionalWorkstation", "home_pro"), ("CoreSingleLanguage", "home_pro"),
    ("ServerStandard", "server"), ("Unknown", None), (None, None),
])
def test_edition_families_longest_prefix_first(edition, family):
    assert edition_family(edition) == family


def test_img006_unknown_family_and_hive_evidence():
    unknown = img006.check(replace(ENTERPRISE, edition_id="Foo"), ctx())
    assert (unknown.outcome, unknown.message) == (NOT_EVALUATED, "edition 'Foo' has no known lifecycle family")
    missing = img006.check(replace(ENTERPRISE, edition_id=None), ctx())
    assert (missing.outcome, missing.message) == (NOT_EVALUATED, "EDITIONID missing: the lifecycle family cannot be "
                                                  "told (see IMG001)")
    verdict = img006.check(deep_image(26100, 4946), ctx())
    assert (verdict.outcome, verdict.message) == (PASS, "Windows 11 24H2 (enterprise_education) is serviced until "
                                                  "2027-10-12")
    assert verdict.evidence == (Evidence(f"{W}#1:software", "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion"
                                         "\\CurrentBuild", "serviced on 2026-11-21",
                                         "24H2 enterprise_education ends 2027-10-12"),)


# --- IMG007: Patch Tuesdays the catalog does not list yet, builds it does not know -----------------------

def at(today: str) -> Context:
    return replace(ctx(), today=date.fromisoformat(today))


NOV = "the November 2026 security update (Patch Tuesday 2026-11-10)"
BOTH = " (holds for every candidate: 24H2 or 25H2)"


@pytest.mark.parametrize("ubr, today, outcome, message", [
    (9168, "2026-11-21", FAIL, f"image update KB5121003 (2026-08-11) is 91 days older than {NOV}"),
    (9168, "2026-09-24", PASS, "image update KB5121003 (2026-08-11) is 28 days behind the September 2026 security "
                               "update (Patch Tuesday 2026-09-08)"),
    (9200, "2026-11-21", WARN, f"26100.9200 is newer than every update the catalog lists (as of 2026-08-12); whether "
                               f"it includes {NOV} cannot be told"),
    (9200, "2026-08-20", PASS, "26100.9200 is newer than KB5121003, within 45 days of KB5121003 (26100.9168, "
                               "2026-08-11)"),
    (9000, "2026-08-20", FAIL, "26100.9000 is not a released update and older than KB5121003 (26100.9168, "
                               "2026-08-11)"),
    (8894, "2026-07-20", PASS, "image update KB5121767 (2026-07-18) is 0 days behind KB5101650 (26100.8875, "
                               "2026-07-14)"),  # an out-of-band update after the newest Patch Tuesday
    (9106, "2026-08-20", PASS, "image update KB5101650 (2026-07-14) is 28 days behind KB5121003 (26100.9168, "
                               "2026-08-11)"),  # a hotpatch counts as its baseline month
])
def test_img007_currency(ubr, today, outcome, message):
    verdict = img007.check(replace(ENTERPRISE, version=WindowsVersion(10, 0, 26100, ubr)), at(today))
    assert (verdict.outcome, verdict.message) == (outcome, message + BOTH)


def test_img007_fixes_and_evidence():
    stale = img007.check(deep_image(26100, 9168), at("2026-11-21"))
    assert stale.evidence == (Evidence(*XML_SPBUILD, f"within 45 days of {NOV}", "26100.9168 (KB5121003, "
                                       "2026-08-11)"),)
    assert stale.remediation[0] == ("Apply the November 2026 cumulative update for Windows 11 24H2 offline "
                                    "(`Add-WindowsPackage`), then `Dismount-WindowsImage -Save`; run `oobe-ready "
                                    "catalog update` so the catalog names its KB")
    listed = img007.check(deep_image(26100, 8875), at("2026-10-01"))
    assert listed.outcome == FAIL and listed.remediation[0] == (
        "Apply the September 2026 cumulative update for Windows 11 24H2 offline (`Add-WindowsPackage`), then "
        "`Dismount-WindowsImage -Save`; run `oobe-ready catalog update` so the catalog names its KB")
    behind = img007.check(deep_image(26100, 8655), at("2026-09-01"))  # August is listed: its KB is named
    assert behind.remediation[0] == APPLY_24H2
    unreleased = img007.check(deep_image(26100, 9000), at("2026-08-20"))
    assert unreleased.evidence[0].actual == "26100.9000"  # no KB: not a released update
    retired = img007.check(deep_image(22621, 6060, xml_build=22621), at("2026-11-21"))
    assert (retired.outcome, retired.message) == (PASS, "image update KB5066793 (2025-10-14) is 0 days behind "
                                                  "KB5066793 (22621.6060, 2025-10-14)")  # serviced until 2025-10-14
    assert img007.check(WINPE, ctx()).outcome == NOT_APPLICABLE
    missing = img007.check(replace(ENTERPRISE, version=WindowsVersion(10, 0, 26100, None)), ctx())
    assert (missing.outcome, missing.message) == (NOT_EVALUATED, "SPBUILD (UBR) missing (see IMG001)")


def test_img007_evidence_and_fixes_of_builds_the_catalog_does_not_list():
    newer = img007.check(deep_image(26100, 9200), at("2026-11-21"))
    assert newer.outcome == WARN and newer.evidence == (Evidence(*XML_SPBUILD, f"within 45 days of {NOV}",
                                                                 "26100.9200"),)
    assert newer.remediation[0].startswith("Apply the November 2026 cumulative update for Windows 11 24H2")
    assert img007.check(deep_image(26100, 9200), at("2026-08-20")).evidence[0].actual == "26100.9200"
    unreleased = img007.check(deep_image(26100, 9000), at("2026-08-20"))
    assert unreleased.remediation[0] == APPLY_24H2
    stale_both = img007.check(replace(ENTERPRISE, version=WindowsVersion(10, 0, 26100, 8655)), at("2026-09-01"))
    assert stale_both.outcome == FAIL and stale_both.message.endswith(BOTH)
    assert stale_both.remediation[0] == APPLY_24H2  # the fix travels with a verdict every candidate shares


@pytest.mark.parametrize("slack, outcome", [(0, PASS), (-1, WARN)])
def test_img007_newer_than_the_catalog_boundary(slack, outcome):
    """A build newer than the catalog's newest passes while the newest Patch Tuesday is within the
    currency window of the newest listed update: 91 days from 2026-08-11 to 2026-11-10."""
    context = at("2026-11-21")
    context = replace(context, baseline={**context.baseline, "image": {**context.baseline["image"],
                                                                       "update_currency_days": 91 + slack}})
    assert img007.check(deep_image(26100, 9200), context).outcome == outcome
    exact = img007.check(deep_image(26100, 9168), context)  # the newest listed itself is a listed update
    assert exact.message.startswith("image update KB5121003 (2026-08-11) is 91 days")


def test_img006_esu_boundary_and_img005_boot_and_img003_server():
    image = replace(ENTERPRISE, version=WindowsVersion(10, 0, 19045, 6456))
    esu = img006.check(image, replace(ctx("backup"), today=date(2028, 10, 10)))  # the last day of ESU
    assert esu.outcome == WARN and esu.evidence == (ev("WINDOWS/VERSION/BUILD", "serviced on 2028-10-10",
                                                       "22H2 enterprise_education ends 2025-10-14"),)
    assert img006.check(image, replace(ctx("backup"), today=date(2028, 10, 11))).outcome == FAIL
    boot = img005.check(WINPE, ctx())
    assert (boot.outcome, boot.message) == (NOT_APPLICABLE, "boot image")
    assert boot.evidence == (ev("WINDOWS/EDITIONID", "a supported edition", "WindowsPE"),)
    server = img003.check(replace(ENTERPRISE, installation_type="Server"), ctx())
    assert (server.outcome, server.message) == (FAIL, "build 26100 is Windows Server (Server): no restore (see IMG002)")
