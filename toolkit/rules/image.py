"""Image rules: what the WIM XML says about each index, judged against the baseline."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import cache

from toolkit.catalog import Branch, newest_patch_tuesday
from toolkit.facts import CURRENT_VERSION_KEY, ImageFacts
from toolkit.facts.release import os_type, release_of
from toolkit.facts.servicing import LEVEL_NAMES, Level, hive_build, lowest
from toolkit.paths import manifests_dir
from toolkit.rules.base import (
    PASS,
    RESTORE_PATHS,
    Context,
    Evidence,
    Verdict,
    failed,
    not_applicable,
    not_evaluated,
    passed,
    rule,
    warned,
)

DOCS = "https://learn.microsoft.com/intune/device-enrollment/windows/enable-backup-restore"
REQUIRED = ("WINDOWS/EDITIONID", "WINDOWS/ARCH", "WINDOWS/VERSION/BUILD", "WINDOWS/VERSION/SPBUILD",
            "WINDOWS/INSTALLATIONTYPE", "WINDOWS/LANGUAGES/LANGUAGE")


def _ev(image: ImageFacts, element: str, expected: object, actual: object) -> Evidence:
    return Evidence(image.source, image.where(element), expected, actual)


def _release_ev(image: ImageFacts, expected: object, actual: object) -> Evidence:
    """Evidence for the feature release: the hive's CurrentBuild when deep inspection read it."""
    if hive_build(image) is not None:
        return Evidence(image.deep.where("software"), f"{CURRENT_VERSION_KEY}\\CurrentBuild", expected, actual)
    return _ev(image, "WINDOWS/VERSION/BUILD", expected, actual)


def _boot(image: ImageFacts) -> Verdict | None:
    if image.boot_image:
        return not_applicable(f"boot image ({image.boot_image}): restore rules do not apply")
    return None


def per_candidate(image: ImageFacts, ctx: Context, judge: Callable[[Branch], Verdict]) -> Verdict:
    """Judge every feature release the image can be. All pass: pass; all fail: fail;
    mixed: not-evaluated, because the WIM XML cannot tell which one it is."""
    match = release_of(image, ctx.catalog)
    if match is None:
        return not_evaluated("image has no build number (see IMG001)")
    if not match.branches:
        ev = _ev(image, "WINDOWS/VERSION/BUILD", "a build in the catalog", match.build)
        newest = ctx.catalog.newest_build(os_type(image))
        if match.build > newest:
            return warned(f"build {match.build} is newer than every release in the catalog (as of "
                          f"{ctx.catalog.as_of}, newest {newest}); cannot judge it: run `oobe-ready catalog update`",
                          ev)
        return failed(f"build {match.build} is no release the catalog knows among those up to {newest}: an old "
                      "or pre-release build, out of servicing", ev)
    verdicts = [(b, judge(b)) for b in match.branches]
    outcomes = {v.outcome for _, v in verdicts}
    if len(outcomes) == 1:
        if len(verdicts) == 1:
            return verdicts[0][1]
        first = verdicts[0][1]
        return Verdict(first.outcome, f"{first.message} (holds for every candidate: {match.label})",
                       first.evidence, first.remediation)
    detail = "; ".join(f"{b.version}: {v.outcome} ({v.message})" for b, v in verdicts)
    return not_evaluated(f"the WIM XML cannot tell {match.label} apart and they disagree: {detail}. "
                         "Deep inspection of the SOFTWARE hive decides",
                         *[e for _, v in verdicts for e in v.evidence])


@rule(id="IMG001", title="Image metadata complete", severity="blocker", kind="image",
      rationale="Edition, architecture, build, UBR, installation type and languages drive every other "
                "image rule. Third-party tools can strip them from the WIM XML; a gate must not guess.",
      remediation=("Re-export the image with DISM (`Export-WindowsImage`) or wimlib so the XML is regenerated.",
                   "Or set the missing elements: `wimlib-imagex info IMAGE.wim INDEX --image-property "
                   "WINDOWS/EDITIONID=Enterprise` (on a copy; never on the release artifact)."),
      docs="https://github.com/ChrisTitusTech/winutil/issues/4443")
def img001(image: ImageFacts, ctx: Context) -> Verdict:
    present = {
        "WINDOWS/EDITIONID": image.edition_id, "WINDOWS/ARCH": image.arch_code,
        "WINDOWS/VERSION/BUILD": image.version.build, "WINDOWS/VERSION/SPBUILD": image.version.spbuild,
        "WINDOWS/INSTALLATIONTYPE": image.installation_type,
        "WINDOWS/LANGUAGES/LANGUAGE": image.languages or None,
    }
    missing = [k for k in REQUIRED if present[k] is None and k not in image.malformed]
    broken = [k for k in REQUIRED if k in image.malformed]
    if not missing and not broken:
        return passed("EDITIONID, ARCH, BUILD, SPBUILD, INSTALLATIONTYPE and LANGUAGES are present")
    evidence = [_ev(image, k, "present", "missing") for k in missing]
    evidence += [_ev(image, k, "well-formed", image.malformed[k]) for k in broken]
    parts = ([f"missing {', '.join(k.split('/')[-1] for k in missing)}"] if missing else []) + \
            ([f"malformed {', '.join(k.split('/')[-1] for k in broken)}"] if broken else [])
    return failed("image metadata incomplete: " + "; ".join(parts), *evidence)


@rule(id="IMG002", title="Client operating system", severity="blocker", kind="image",
      rationale="Windows Backup for Organizations is a Windows client feature; Server images cannot restore.",
      remediation=("Gate a Windows 11 client image (INSTALLATIONTYPE Client) instead.",),
      docs=DOCS)
def img002(image: ImageFacts, ctx: Context) -> Verdict:
    kind = image.installation_type
    ev = _ev(image, "WINDOWS/INSTALLATIONTYPE", "Client", kind)
    if image.boot_image:
        return not_applicable("boot image: see IMG009", ev)
    if kind is None:
        return not_evaluated("INSTALLATIONTYPE missing (see IMG001)", ev)
    if kind == "Client":
        return passed("installation type Client", ev)
    return failed(f"installation type {kind}: not a Windows client", ev)


@rule(id="IMG003", title="Windows 11 22H2 or later", severity="blocker", kind="image",
      paths=RESTORE_PATHS,
      rationale="Restore is offered only on Windows 11 22H2 (build 22621) and later; Windows 10 can back up "
                "but never restores.",
      remediation=("Build the image from Windows 11 24H2 or 25H2 media.",),
      docs=DOCS)
def img003(image: ImageFacts, ctx: Context) -> Verdict:
    if (boot := _boot(image)) is not None:
        return boot
    build = image.version.build
    minimum = ctx.baseline["image"]["min_client_build"]
    ev = _ev(image, "WINDOWS/VERSION/BUILD", f">= {minimum}", build)
    if build is None:
        return not_evaluated("BUILD missing (see IMG001)", ev)
    if image.installation_type in ("Server", "Server Core"):
        return failed(f"build {build} is Windows Server ({image.installation_type}): no restore (see IMG002)", ev)
    if image.installation_type is None:
        return not_evaluated("INSTALLATIONTYPE missing: client or Server cannot be told (see IMG001)", ev)
    listed = ctx.baseline.get("paths", {}).get(ctx.path, {})
    if build >= minimum and "releases" in listed:
        return _listed_release(image, ctx, listed, ev)
    if build >= minimum:
        return passed(f"build {build} is {_release_name(ctx, minimum)} or later", ev)
    return failed(f"build {build} is older than {_release_name(ctx, minimum)} ({minimum}): no restore", ev)


def _release_name(ctx: Context, build: int) -> str:
    """"Windows 11 22H2" for the baseline's minimum build, from the release catalog."""
    branch = ctx.catalog.branch(build)
    return f"{branch.product} {branch.version}" if branch else f"build {build}"


def _listed_release(image: ImageFacts, ctx: Context, listed: dict, ev: Evidence) -> Verdict:
    """On a path whose baseline lists the releases it supports (first sign-in restore), every release
    the image can be must be listed; one Microsoft does not list warns."""
    match = release_of(image, ctx.catalog)
    builds = [b.build for b in match.branches] if match and match.branches else [image.version.build]
    label = match.label if match and match.branches else str(image.version.build)
    releases, warn = set(listed["releases"]), set(listed.get("warn_releases", []))
    if all(b in releases for b in builds):
        return passed(f"{label} is listed for {ctx.path} restore by {ctx.baseline['id']}", ev)
    if all(b in releases | warn for b in builds):
        return warned(f"{label} is not listed by Microsoft for {ctx.path} restore ({ctx.baseline['id']})", ev)
    return failed(f"{label} is not a release {ctx.baseline['id']} supports for {ctx.path} restore (listed: "
                  f"{', '.join(map(str, sorted(releases)))})", ev)


def _level_note(level: Level) -> str:
    """Say where the UBR came from when it is not the WIM XML (deep inspection found it lower)."""
    return "" if level.label == "wim-xml" else f" (lowest servicing evidence: {LEVEL_NAMES[level.label]})"


def _effective_ubr(branch: Branch, ubr: int) -> tuple[int, str]:
    update = branch.updates.get(ubr)
    if update and update.baseline_ubr is not None:
        return update.baseline_ubr, f" (hotpatch {update.kb} sits on the .{update.baseline_ubr} baseline)"
    return ubr, ""


def _latest_security(branch: Branch):
    security = [u for u in branch.updates.values() if u.type == "security"]
    return max(security, key=lambda u: u.date) if security else None


def _apply_step(branch: Branch, latest=None) -> str:
    latest = latest or _latest_security(branch)
    if latest is None:
        return "Apply the newest cumulative update for this release."
    return (f"Apply {latest.kb} ({branch.build}.{latest.ubr}, {latest.date}) offline: `Add-WindowsPackage "
            f"-Path <mount> -PackagePath <{latest.kb}.msu>` (or `DISM /Image:<mount> /Add-Package`), then "
            "`Dismount-WindowsImage -Save` so SPBUILD is updated.")


@rule(id="IMG004", title="Build meets the baseline minimum", severity="blocker", kind="image",
      rationale="Backup and restore need a minimum cumulative update per release; the baseline records "
                "Microsoft's documented minimums. Hotpatch builds count as their baseline month.",
      remediation=("Service the image with the latest cumulative update and re-capture it.",
                   "Until then, Intune > Devices > Enrollment > Windows > Enrollment Status Page > (device-targeted "
                   "profile) > Install Windows quality updates = Yes patches devices at OOBE (20-40 min)."),
      docs=DOCS)
def img004(image: ImageFacts, ctx: Context) -> Verdict:
    if (boot := _boot(image)) is not None:
        return boot
    level = lowest(image)
    if level is None:
        return not_evaluated("SPBUILD (UBR) missing (see IMG001)")
    ubr, source = level.ubr, _level_note(level)
    minimums = ctx.minimums()
    esp_installs = ctx.extras.get("esp_installs_quality_updates")

    def judge(branch: Branch) -> Verdict:
        effective, note = _effective_ubr(branch, ubr)
        shown = f"{branch.build}.{ubr}"
        table = minimums
        if branch.build not in table and branch.base_build in table:
            # a newer enablement release on a listed servicing branch (26H2 on 24H2/25H2's) ships the
            # same cumulative updates: the branch's minimum applies until a baseline names the release
            table = {**table, branch.build: table[branch.base_build]}
        if branch.build not in table:
            return failed(f"{branch.product} {branch.version} is not supported on the {ctx.path} path "
                          f"by {ctx.baseline['id']}",
                          Evidence(level.source, level.locator,
                                   ", ".join(f"{b}.{u}" for b, u in sorted(table.items())), shown))
        need = table[branch.build]
        note += source
        ev = Evidence(level.source, level.locator, f">= {branch.build}.{need}", shown + note)
        if effective >= need:
            return passed(f"{shown}{note} meets the minimum {branch.build}.{need}", ev)
        below = f"{shown}{note} is below the {ctx.baseline['id']} minimum {branch.build}.{need} for {branch.version}"
        if esp_installs is not None:  # the seed's mitigation: the device is patched at OOBE
            return warned(below + "; the effective ESP installs quality updates, so devices are patched at OOBE "
                          "(20-40 min each, rebuilding the image removes that)", ev, esp_installs) \
                .fix(_apply_step(branch))
        return failed(below, ev).fix(_apply_step(branch))

    return per_candidate(image, ctx, judge)


@rule(id="IMG005", title="Edition supported", severity="blocker", kind="image",
      rationale="Windows 11 SE, IoT Core, Holographic and Team editions are excluded; multi-session hosts are "
                "shared devices, which get no restore at OOBE.",
      remediation=("Use a Pro, Enterprise or Education edition index.",),
      docs=DOCS)
def img005(image: ImageFacts, ctx: Context) -> Verdict:
    edition = image.edition_id
    ev = _ev(image, "WINDOWS/EDITIONID", "a supported edition", edition)
    if image.boot_image:
        return not_applicable("boot image", ev)
    if edition is None:
        return not_evaluated("EDITIONID missing (see IMG001)", ev)
    unsupported = ctx.baseline["image"]["unsupported_editions"]
    if edition in unsupported:
        return failed(f"edition {edition} (SKU {unsupported[edition]}) is not supported", ev)
    if edition in ctx.baseline["image"]["multi_session_editions"]:
        message = f"edition {edition} is Enterprise multi-session: a shared device"
        return failed(message + ": no OOBE restore", ev) if ctx.path == "oobe" else warned(message, ev)
    return passed(f"edition {edition} is supported", ev)


@cache
def _families() -> dict[str, str]:
    from toolkit.baselines import tomllib

    with (manifests_dir() / "catalog" / "editions.toml").open("rb") as fh:
        return tomllib.load(fh)["families"]


def edition_family(edition: str | None) -> str | None:
    if edition is None:
        return None
    for prefix in sorted(_families(), key=len, reverse=True):
        if edition.startswith(prefix):
            return _families()[prefix]
    return None


@rule(id="IMG006", title="Feature release in servicing", severity="blocker", kind="image",
      rationale="An image of a release past its end of servicing gets no security updates; lifecycle differs "
                "between Home/Pro, Enterprise/Education and LTSC.",
      remediation=("Rebuild the image from a release that is still serviced (Windows 11 24H2 or 25H2).",),
      docs="https://learn.microsoft.com/windows/release-health/windows11-release-information")
def img006(image: ImageFacts, ctx: Context) -> Verdict:
    if (boot := _boot(image)) is not None:
        return boot
    family = edition_family(image.edition_id)
    if family is None:
        if image.edition_id is None:
            return not_evaluated("EDITIONID missing: the lifecycle family cannot be told (see IMG001)")
        return not_evaluated(f"edition {image.edition_id!r} has no known lifecycle family")
    today = ctx.today.isoformat()

    def judge(branch: Branch) -> Verdict:
        end = branch.lifecycle.get(family) or branch.lifecycle.get("enterprise_education")
        ev = _release_ev(image, f"serviced on {today}", f"{branch.version} {family} ends {end}")
        if end is None:
            return not_evaluated(f"no {family} lifecycle for {branch.version}", ev)
        if end >= today:
            return passed(f"{branch.product} {branch.version} ({family}) is serviced until {end}", ev)
        esu = branch.lifecycle.get("esu")
        if ctx.path == "backup" and esu and esu >= today:
            return warned(f"{branch.product} {branch.version} ended on {end}; serviced only through "
                          f"Extended Security Updates until {esu}", ev)
        return failed(f"{branch.product} {branch.version} ({family}) left servicing on {end}", ev)

    return per_candidate(image, ctx, judge)


@rule(id="IMG007", title="Update currency", severity="warning", kind="image",
      rationale="An image further behind the newest security update than the baseline's update-currency window "
                "(`update_currency_days`) reaches devices unpatched "
                "and costs update time at OOBE. A serviced release gets a security update every Patch Tuesday "
                "(the second Tuesday of the month), so those count even before the release catalog lists them.",
      remediation=("Refresh the image monthly with the latest security (B) update.",),
      docs="https://learn.microsoft.com/windows/deployment/update/release-cycle")
def img007(image: ImageFacts, ctx: Context) -> Verdict:
    if (boot := _boot(image)) is not None:
        return boot
    level = lowest(image)
    if level is None:
        return not_evaluated("SPBUILD (UBR) missing (see IMG001)")
    ubr = level.ubr
    days = ctx.baseline["image"]["update_currency_days"]
    today = ctx.today.isoformat()

    def judge(branch: Branch) -> Verdict:
        released = [u for u in branch.updates.values() if u.type == "security" and u.date <= today]
        latest = max(released, key=lambda u: u.date) if released else None
        effective, _ = _effective_ubr(branch, ubr)
        mine = branch.updates.get(effective)
        # The newest Patch Tuesday this release was serviced on: its security update exists even when
        # the catalog (collected earlier) does not list it yet.
        due = newest_patch_tuesday(min(ctx.today, date.fromisoformat(branch.serviced_until)))
        unlisted = latest is None or date.fromisoformat(latest.date) < due
        reference = f"the {due:%B %Y} security update (Patch Tuesday {due})" if unlisted else \
            f"{latest.kb} ({branch.build}.{latest.ubr}, {latest.date})"
        ev = Evidence(level.source, level.locator, f"within {days} days of {reference}",
                      f"{branch.build}.{ubr}" + (f" ({mine.kb}, {mine.date})" if mine else ""))
        fix = (f"Apply the {due:%B %Y} cumulative update for {branch.product} {branch.version} offline "
               "(`Add-WindowsPackage`), then `Dismount-WindowsImage -Save`; run `oobe-ready catalog update` "
               "so the catalog names its KB") if unlisted else _apply_step(branch, latest)
        due_date = due if unlisted else date.fromisoformat(latest.date)
        if mine is None:
            if latest is not None and effective > latest.ubr:  # newer than the catalog: its date is unknown
                most = (due_date - date.fromisoformat(latest.date)).days
                if most <= days:
                    return passed(f"{branch.build}.{ubr} is newer than {latest.kb}, within {days} days of "
                                  f"{reference}", ev)
                return warned(f"{branch.build}.{ubr} is newer than every update the catalog lists (as of "
                              f"{ctx.catalog.as_of}); whether it includes {reference} cannot be told", ev).fix(fix)
            return failed(f"{branch.build}.{ubr} is not a released update and older than {reference}", ev).fix(fix)
        lag = (due_date - date.fromisoformat(mine.date)).days
        if lag <= days:
            return passed(f"image update {mine.kb} ({mine.date}) is {max(lag, 0)} days behind {reference}", ev)
        return failed(f"image update {mine.kb} ({mine.date}) is {lag} days older than {reference}", ev).fix(fix)

    return per_candidate(image, ctx, judge)


@rule(id="IMG009", title="Boot image", severity="info", kind="image",
      rationale="WinPE, WinRE and Setup images boot the deployment; they never restore a user's settings.",
      remediation=("Nothing to do: keep the boot image's ADK/build in step with the install image.",),
      docs="https://learn.microsoft.com/windows-hardware/manufacture/desktop/winpe-intro")
def img009(image: ImageFacts, ctx: Context) -> Verdict:
    if not image.boot_image:
        return not_applicable("install image")
    return Verdict(PASS, f"{image.boot_image} boot image, build {image.version.build_ubr}: restore rules "
                   "not applicable",
                   (_ev(image, "WINDOWS/INSTALLATIONTYPE", "WindowsPE", image.installation_type),))


RULES = (img001, img002, img003, img004, img005, img006, img007, img009)
