"""Deep rules (SVC): evidence from files inside each image index (hives, kernel, packages,
unattend, State.ini). They need deep inspection; `--no-deep` skips them."""

from __future__ import annotations

import re
from datetime import date

from toolkit.facts import CURRENT_VERSION_KEY, SETUP_COMPLETE, STATE_INI, DeepFacts, ImageFacts
from toolkit.facts import UNATTEND_LOCATIONS as UNATTEND
from toolkit.facts.servicing import hive_build, hive_value, levels, lowest
from toolkit.registry_checks import PolicyValue, registry_checks
from toolkit.rules.base import (
    SKIPPED,
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

DOCS = "https://learn.microsoft.com/windows/configuration/windows-backup/"
OOBE_STATE = "IMAGE_STATE_GENERALIZE_RESEAL_TO_OOBE"
PACKAGES = "/Windows/servicing/Packages"


def _gate(image: ImageFacts, *needs: str, boot: bool = False) -> Verdict | None:
    """The verdict when the deep evidence a rule needs is not there, else None."""
    deep = image.deep
    if deep is None:
        return Verdict(SKIPPED, "raw WIM XML: the image's files are not available to inspect")
    if deep.unavailable:
        return not_evaluated(f"deep inspection failed: {deep.unavailable}")
    if image.boot_image and not boot:
        return not_applicable(f"boot image ({image.boot_image}): restore rules do not apply")
    if (problem := _problem(deep, *needs)) is not None:
        return problem
    return None


def _problem(deep: DeepFacts, *needs: str) -> Verdict | None:
    """Not-evaluated when a file a rule reads (a role such as "software", or an in-image path or folder)
    is missing, unreadable, a link, ambiguous or behind a cut listing: unknown is never absent."""
    wanted = [n.lower() for n in needs]
    for key, why in deep.problems.items():
        k = key.lower()
        if any(k == w or (w.startswith("/") and (k.startswith(w + "/") or w.startswith(k + "/"))) for w in wanted):
            message = f"{key}: {why}" if key.startswith("/") else why  # a role's problem names its file
            return not_evaluated(message, Evidence(deep.where(key), "(file)"))
    return None


def _hive_ev(image: ImageFacts, locator: str, expected: object, actual: object) -> Evidence:
    return Evidence(image.deep.where("software"), locator, expected, actual)


@rule(id="SVC001", title="Feature release identified from the SOFTWARE hive", severity="blocker", kind="image",
      needs="deep",
      rationale="23H2 and 25H2 are enablement packages: their media carry the base build (22621, 26100) in the "
                "WIM XML and in every binary. Only the SOFTWARE hive's CurrentBuild and DisplayVersion say which "
                "release the image really is; an XML that contradicts the hive was rewritten or is stale.",
      remediation=("Regenerate the WIM XML from the image itself: export the index with DISM "
                   "(`Export-WindowsImage -SourceImagePath install.wim -SourceIndex N -DestinationImagePath new.wim`).",
                   "If the hive is the one that is wrong, rebuild the image from Microsoft media."),
      docs="https://learn.microsoft.com/windows/release-health/windows11-release-information")
def svc001(image: ImageFacts, ctx: Context) -> Verdict:
    if (gate := _gate(image, "software")) is not None:
        return gate
    build, display = hive_build(image), hive_value(image, "DisplayVersion")
    ev = [_hive_ev(image, f"{CURRENT_VERSION_KEY}\\CurrentBuild", "a Windows build", hive_value(image, "CurrentBuild")),
          _hive_ev(image, f"{CURRENT_VERSION_KEY}\\DisplayVersion", "the release name", display)]
    if build is None:
        return not_evaluated("the SOFTWARE hive has no numeric CurrentBuild", *ev)
    match = ctx.catalog.match(build, None, "server" if image.installation_type in ("Server", "Server Core")
                              else "client", exact=True)
    if not match.branches:
        return warned(f"hive CurrentBuild {build} is not in the release catalog (as of {ctx.catalog.as_of})", *ev)
    branch = match.branches[0]
    xml_build = image.version.build
    ev.append(Evidence(image.source, image.where("WINDOWS/VERSION/BUILD"), f"{build} or {branch.base_build}",
                       xml_build))
    if xml_build is not None and xml_build not in (build, branch.base_build):
        return failed(f"the WIM XML says build {xml_build} but the SOFTWARE hive says {build} "
                      f"({branch.product} {branch.version}): the XML misdescribes the image", *ev)
    if isinstance(display, str) and re.fullmatch(r"\d\dH\d", branch.version) and display != branch.version:
        return failed(f"hive DisplayVersion {display!r} does not match CurrentBuild {build} "
                      f"({branch.version}): the hive was edited", *ev)
    note = ""
    if xml_build is not None and xml_build != build:
        note = f"; the WIM XML carries the {xml_build} base build, as enablement-package media do"
    kb = branch.enablement_kb if branch.build != branch.base_build else None  # the release catalog's data
    if kb and (problem := _problem(image.deep, PACKAGES)) is not None:
        return problem
    if kb and not image.deep.packages:
        return not_evaluated(f"hive says {branch.product} {branch.version} ({build}); no servicing package manifest "
                             f"(Windows/servicing/Packages/Package_for_*.mum) in the image to confirm its enablement "
                             f"package {kb}", *ev)
    if kb and not any(p.kb == kb for p in image.deep.packages):
        return warned(f"hive says {branch.product} {branch.version} ({build}) but its enablement package {kb} "
                      "is not in Windows/servicing/Packages", *ev)
    return passed(f"{branch.product} {branch.version} (hive CurrentBuild {build}, DisplayVersion {display}){note}", *ev)


@rule(id="SVC002", title="Servicing evidence agrees", severity="warning", kind="image", needs="deep",
      rationale="WIM XML SPBUILD, the hive's UBR, the newest installed Package_for_RollupFix and the ntoskrnl.exe "
                "file version all record the servicing level. When they disagree the XML was left stale or a "
                "package did not finish installing; the gate trusts the lowest (IMG004 uses it). WinPE/WinRE hives "
                "keep UBR = 1 by design.",
      remediation=("Mount the image, check `Get-WindowsPackage -Path <mount>` for a pending or superseded "
                   "cumulative update, finish servicing with `DISM /Image:<mount> /Cleanup-Image "
                   "/StartComponentCleanup`, then `Dismount-WindowsImage -Save` and re-export the index.",),
      docs="https://learn.microsoft.com/windows/deployment/update/media-dynamic-update")
def svc002(image: ImageFacts, ctx: Context) -> Verdict:
    if (gate := _gate(image, "software", "kernel", PACKAGES, boot=True)) is not None:
        return gate
    found = levels(image)
    ev = [Evidence(level.source, level.locator, "the same UBR everywhere", level.shown) for level in found]
    note = ""
    if image.boot_image:
        note = f" (the {image.boot_image} hive's UBR {hive_value(image, 'UBR')} is expected and not compared)"
    if not found:  # a hostile XML without SPBUILD, a hive without UBR or LCUVer, no RollupFix, no kernel
        return not_evaluated("no servicing level recorded (WIM XML SPBUILD, hive UBR or LCUVer, installed "
                             "RollupFix, ntoskrnl.exe file version)")
    ubrs = {level.ubr for level in found}
    if len(ubrs) == 1:
        return passed(f"{', '.join(level.label for level in found)} agree on UBR {min(ubrs)}{note}", *ev)
    low = min(found, key=lambda level: level.ubr)
    detail = ", ".join(f"{level.label} {level.ubr}" for level in found)
    return failed(f"servicing evidence disagrees ({detail}); the lowest, {low.ubr} from {low.label}, is what "
                  f"the build rules use{note}", *ev)


def _policy_rule(image: ImageFacts, policies: tuple[PolicyValue, ...], failure: str, success: str) -> Verdict:
    """Fail when any of `policies` is set in the image's SOFTWARE hive to its finding value."""
    if (gate := _gate(image, "software")) is not None:
        return gate
    hits, ev = _set_values(image, policies)
    if not hits:
        return passed(success)
    return failed(f"{failure}: {', '.join(dict.fromkeys(p.setting for p in hits))}", *ev) \
        .fix(*(f"{p.setting}: {p.via} (HKLM\\SOFTWARE\\{p.key})" for p in hits))


def _set_values(image: ImageFacts, policies: tuple[PolicyValue, ...]) -> tuple[list, list]:
    """The policy values set in the image to the data that makes a finding, with evidence."""
    software = image.deep.software
    hits, ev = [], []
    for p in policies:
        data = software.values.get((p.key, p.value))
        if data is not None and data == p.when:
            hits.append(p)
            ev.append(_hive_ev(image, p.locator, f"not {p.when}", data))
    return hits, ev


@rule(id="SVC003", title="No backup-blocking policy baked in", severity="blocker", kind="image", needs="deep",
      rationale="Windows backup stops when EnableActivityFeed, PublishUserActivities, UploadUserActivities, "
                "EnableCdp or AllowConnectedDevices is disabled (or Windows backup itself is). A value left in the "
                "reference machine's registry travels with the image and silently disables backup on every device.",
      remediation=("Remove the policy from the reference machine before capture (set the Group Policy to Not "
                   "configured, or delete the value under HKLM\\SOFTWARE\\Policies / PolicyManager), then "
                   "re-capture the image.",
                   "Configure these settings from Intune instead, set to Enabled or Not configured."),
      docs=DOCS)
def svc003(image: ImageFacts, ctx: Context) -> Verdict:
    checks = registry_checks().backup_blocking
    return _policy_rule(image, checks, "backup disabled by policy baked into the image",
                        f"none of the {len(checks)} backup-blocking policy values is set in the image")


@rule(id="SVC004", title="Image does not domain-join", severity="blocker", kind="image", needs="deep",
      rationale="An unattend file with UnattendedJoin/Identification/JoinDomain joins the device to Active "
                "Directory during setup; hybrid and GPO paths are not supported for restore at OOBE.",
      remediation=("Remove the Microsoft-Windows-UnattendedJoin component from the unattend file (or the file), "
                   "keep the image in a workgroup and let Autopilot join the device to Entra ID.",),
      docs=DOCS)
def svc004(image: ImageFacts, ctx: Context) -> Verdict:
    if (gate := _gate(image)) is not None:
        return gate
    deep = image.deep
    ev = [Evidence(deep.where(path), join.locator, "no JoinDomain", join.domain)
          for path, facts in deep.unattend for join in facts.joins]
    if ev:
        domains = ", ".join(sorted({e.actual for e in ev}))
        return ctx.hybrid_verdict(f"the unattend file joins the domain {domains}", *ev)
    if (problem := _problem(deep, *UNATTEND)) is not None:
        return problem
    if not deep.unattend:
        return passed("no unattend file in the image")
    return passed(f"{len(deep.unattend)} unattend file(s), none joins a domain",
                  *(Evidence(deep.where(p), "/unattend", "no JoinDomain", "none") for p, _ in deep.unattend))


@rule(id="SVC005", title="Image generalized to OOBE", severity="warning", kind="image", needs="deep",
      rationale="An image not sealed with `sysprep /generalize /oobe` either skips OOBE (no Autopilot, no restore "
                "page) or carries the reference machine's identity.",
      remediation=("Seal the reference machine with `sysprep /generalize /oobe /shutdown` before capture.",),
      docs="https://learn.microsoft.com/windows-hardware/manufacture/desktop/sysprep--generalize--a-windows-installation")
def svc005(image: ImageFacts, ctx: Context) -> Verdict:
    if (gate := _gate(image, STATE_INI, "software")) is not None:
        return gate
    deep = image.deep
    sources = []
    if deep.state_ini is not None:
        sources.append((deep.where("state_ini"), "[State]/ImageState", deep.state_ini))
    if deep.software is not None and deep.software.image_state is not None:
        sources.append((deep.where("software"), "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Setup\\State"
                        "\\ImageState", deep.software.image_state))
    if image.image_state is not None:
        sources.append((image.source, image.where("WINDOWS/SERVICINGDATA/IMAGESTATE"), image.image_state))
    if not sources:
        return not_evaluated("no image state recorded (no State.ini, Setup\\State key or SERVICINGDATA/IMAGESTATE)")
    ev = [Evidence(src, loc, OOBE_STATE, state) for src, loc, state in sources]
    state = sources[0][2]  # the files inside outrank the XML
    if state == OOBE_STATE:
        return passed(f"image state {state}", *ev)
    return failed(f"image state is {state}, not {OOBE_STATE}: the image was not sealed for OOBE", *ev)


@rule(id="SVC006", title="No Group Policy MDM auto-enrollment baked in", severity="blocker", kind="image",
      needs="deep",
      rationale="Enrollment through the Group Policy 'Enable automatic MDM enrollment' is not a supported path "
                "for restore; devices must enroll through Autopilot.",
      remediation=("Remove HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\CurrentVersion\\MDM (set the GPO to Not "
                   "configured on the reference machine) and re-capture.",),
      docs=DOCS)
def svc006(image: ImageFacts, ctx: Context) -> Verdict:
    return _policy_rule(image, registry_checks().gpo_enrollment,
                        "Group Policy MDM auto-enrollment is baked into the image",
                        "no Group Policy MDM auto-enrollment in the image")


# patterns as text: re compiles (and caches) each the first time an image's command lines need it
CCMSETUP = r"(?:^|[\s\"'\\/=(&|])ccmsetup(?:\.exe)?(?=$|[\s\"'&|)])"
COMMENT = r"^\s*@?\s*(?:rem(?:\s|$)|::)"
# a command line that names ccmsetup without running the installer: removal, a process check, a registry
# delete, a message
NOT_AN_INSTALL = (r"/uninstall\b|\b(?:tasklist|taskkill|findstr|find|echo|del|erase|rd|rmdir)\b"
                  r"|\breg(?:\.exe)?\s+delete\b|\bsc(?:\.exe)?\s+(?:stop|delete)\b")
CHAINED = r"&&?|\|\|"  # cmd runs each of `a & b`, `a && b`, `a || b` as its own command


def installs_configmgr(line: str) -> bool:
    """True for a command line that runs ccmsetup to install the Configuration Manager client (a `rem`
    line is a comment to its end, `&` included)."""
    return not re.match(COMMENT, line, re.IGNORECASE) and any(
        re.search(CCMSETUP, command, re.IGNORECASE) and not re.search(NOT_AN_INSTALL, command, re.IGNORECASE)
        for command in re.split(CHAINED, line))


@rule(id="SVC007", title="No Configuration Manager client staged", severity="warning", kind="image", needs="deep",
      rationale="A Configuration Manager client in the image enrolls the device through co-management, which is "
                "not supported for restore.",
      remediation=("Deploy the Configuration Manager client after Autopilot (Intune app or co-management "
                   "settings), not in the image; remove ccmsetup from SetupComplete.cmd and the unattend file.",),
      docs=DOCS)
def svc007(image: ImageFacts, ctx: Context) -> Verdict:
    if (gate := _gate(image, "software")) is not None:
        return gate
    deep = image.deep
    ev = [_hive_ev(image, f"HKLM\\SOFTWARE\\{key}", "absent", "present")
          for key in registry_checks().configmgr_keys if key in deep.software.keys]
    ev += [Evidence(deep.where("setup_complete"), f"line {n}", "no ccmsetup install", line)
           for n, line in enumerate((deep.setup_complete or "").splitlines(), 1) if installs_configmgr(line)]
    ev += [Evidence(deep.where(path), "/unattend//(Path|CommandLine)", "no ccmsetup install", cmd)
           for path, facts in deep.unattend for cmd in facts.commands if installs_configmgr(cmd)]
    if ev:
        return failed("a Configuration Manager client is installed or staged in the image", *ev)
    if (problem := _problem(deep, SETUP_COMPLETE, *UNATTEND)) is not None:
        return problem
    return passed("no Configuration Manager client in the registry, SetupComplete.cmd or unattend commands")


@rule(id="SVC008", title="No shared PC mode baked in", severity="blocker", kind="image", needs="deep",
      rationale="Shared and userless devices get no restore; shared PC mode set in the reference machine makes "
                "every device built from the image a shared device.",
      remediation=("Turn shared PC mode off on the reference machine (SharedPC CSP / provisioning package) and "
                   "re-capture; target shared PC settings from Intune only to devices that really are shared.",),
      docs=DOCS)
def svc008(image: ImageFacts, ctx: Context) -> Verdict:
    return _policy_rule(image, registry_checks().shared_pc, "shared PC mode is on in the image",
                        "shared PC mode is not configured in the image")


@rule(id="SVC009", title="WinRE serviced with the image", severity="warning", kind="image", needs="deep",
      rationale="Setup puts the image's Windows/System32/Recovery/Winre.wim on the recovery partition. A WinRE "
                "left months behind the image it ships in keeps the older recovery environment, and the fixes "
                "Microsoft ships for WinRE each month (BitLocker and recovery bypasses among them), on every "
                "device built from it.",
      remediation=("Service WinRE with the same month's Safe OS dynamic update and cumulative update: mount "
                   "Windows/System32/Recovery/Winre.wim from the mounted image, `Add-WindowsPackage` both, "
                   "`DISM /Image:<winre> /Cleanup-Image /StartComponentCleanup /ResetBase`, unmount with `-Save`, "
                   "export it to a new Winre.wim and copy it back before re-capturing the image.",),
      docs="https://learn.microsoft.com/windows/deployment/update/media-dynamic-update")
def svc009(image: ImageFacts, ctx: Context) -> Verdict:
    if (gate := _gate(image, "winre")) is not None:
        return gate
    winre, level = image.deep.winre, lowest(image)
    if winre is None:
        return not_applicable("no Windows/System32/Recovery/Winre.wim in the image")
    build, ubr = winre.version.build, winre.version.spbuild
    ev = Evidence(image.deep.where("winre"), f"{winre.locator}/WINDOWS/VERSION/SPBUILD",
                  f"within {ctx.baseline['image']['update_currency_days']} days of the image's "
                  f"{level.build}.{level.ubr}" if level else "the image's level", winre.version.build_ubr)
    if build is None or ubr is None or level is None:
        return not_evaluated("the servicing level of WinRE or of the image is not recorded", ev)
    if build != level.build:
        return failed(f"WinRE is build {build}.{ubr}, the image {level.build}.{level.ubr}: another release", ev)
    if ubr >= level.ubr:
        return passed(f"WinRE {build}.{ubr} is at the image's level ({level.build}.{level.ubr})", ev)
    branch = ctx.catalog.branch(build)
    mine, theirs = (branch.updates.get(ubr), branch.updates.get(level.ubr)) if branch else (None, None)
    if mine is None or theirs is None:
        return not_evaluated(f"WinRE {build}.{ubr} is older than the image's {level.build}.{level.ubr}, and the "
                             f"release catalog (as of {ctx.catalog.as_of}) does not date both", ev)
    days = ctx.baseline["image"]["update_currency_days"]
    lag = (date.fromisoformat(theirs.date) - date.fromisoformat(mine.date)).days
    said = f"WinRE {build}.{ubr} ({mine.kb}, {mine.date}) is {lag} days behind the image's {level.build}." \
           f"{level.ubr} ({theirs.kb}, {theirs.date})"
    return passed(said, ev) if lag <= days else failed(said, ev)


RULES = (svc001, svc002, svc003, svc004, svc005, svc006, svc007, svc008, svc009)
