"""Autopilot deployment profile rules (Graph beta windowsAutopilotDeploymentProfile)."""

from __future__ import annotations

from typing import NamedTuple

from toolkit.facts.intune import ExportObject
from toolkit.rules.base import (
    RESTORE_PATHS,
    Context,
    Evidence,
    Verdict,
    failed,
    passed,
    rule,
)

DOCS = "https://learn.microsoft.com/intune/device-enrollment/windows/enable-backup-restore"
PORTAL = "Intune admin center > Devices > Enrollment > Windows > Deployment profiles > {name} > Properties"
HYBRID = "#microsoft.graph.activedirectorywindowsautopilotdeploymentprofile"
# (current object, current key, deprecated object, deprecated key); "" = top level
PAIRS = (
    ("outOfBoxExperienceSetting", "deviceUsageType", "outOfBoxExperienceSettings", "deviceUsageType"),
    ("outOfBoxExperienceSetting", "userType", "outOfBoxExperienceSettings", "userType"),
    ("outOfBoxExperienceSetting", "privacySettingsHidden", "outOfBoxExperienceSettings", "hidePrivacySettings"),
    ("outOfBoxExperienceSetting", "eulaHidden", "outOfBoxExperienceSettings", "hideEULA"),
    ("outOfBoxExperienceSetting", "keyboardSelectionPageSkipped", "outOfBoxExperienceSettings",
     "skipKeyboardSelectionPage"),
    ("outOfBoxExperienceSetting", "escapeLinkHidden", "outOfBoxExperienceSettings", "hideEscapeLink"),
    ("", "preprovisioningAllowed", "", "enableWhiteGlove"),
    ("", "hardwareHashExtractionEnabled", "", "extractHardwareHash"),
    ("", "locale", "", "language"),
)


class Found(NamedTuple):
    """A property's value and where it is; the JSON Pointer is built only when evidence needs it."""

    value: object
    profile: ExportObject
    keys: tuple[str, ...]

    @property
    def locator(self) -> str:
        return self.profile.locator(*self.keys)


def _value(profile: ExportObject, parent: str, key: str) -> object:
    """A property's value; None when it is absent or null."""
    holder = profile.data.get(parent) if parent else profile.data
    return holder.get(key) if isinstance(holder, dict) else None


def _get(profile: ExportObject, parent: str, key: str) -> Found | None:
    value = _value(profile, parent, key)
    return None if value is None else Found(value, profile, (parent, key) if parent else (key,))


def both(profile: ExportObject, new_parent: str, new: str, old_parent: str, old: str):
    """Values of the current and the deprecated property (each None when absent)."""
    return _get(profile, new_parent, new), _get(profile, old_parent, old)


def _name(profile: ExportObject) -> str:
    return str(profile.data.get("displayName") or profile.data.get("id") or "profile")


@rule(id="AP001", title="Entra join, not hybrid", severity="blocker", kind="autopilot", needs="profile",
      rationale="OOBE restore needs an Entra joined device; hybrid join is supported only by first sign-in "
                "restore (wbfo-2026-02) and for backup.",
      remediation=("Create a user-driven 'Microsoft Entra joined' deployment profile and assign it to these "
                   "devices; remove the hybrid profile's assignment (Intune admin center > Devices > Enrollment > "
                   "Windows > Deployment profiles > Create profile > Windows PC).",),
      docs=DOCS)
def ap001(profile: ExportObject, ctx: Context) -> Verdict:
    odata = str(profile.data.get("@odata.type", ""))
    ev = Evidence(profile.file, profile.locator("@odata.type"),
                  "#microsoft.graph.azureADWindowsAutopilotDeploymentProfile", odata or None)
    if odata.lower() != HYBRID:
        return passed(f"profile '{_name(profile)}' joins devices to Microsoft Entra ID", ev)
    return ctx.hybrid_verdict(f"profile '{_name(profile)}' is hybrid Entra join", ev)


@rule(id="AP002", title="User-driven, not self-deploying", severity="blocker", kind="autopilot",
      needs="profile", paths=RESTORE_PATHS,
      rationale="Self-deploying (shared) profiles have no user at OOBE, so there is nobody to restore for.",
      remediation=(PORTAL.format(name="<profile>") + " > Deployment mode = User-Driven "
                   "(Graph: outOfBoxExperienceSetting.deviceUsageType = singleUser).",),
      docs=DOCS)
def ap002(profile: ExportObject, ctx: Context) -> Verdict:
    current, old = both(profile, *PAIRS[0])
    found = [v for v in (current, old) if v is not None]
    shared = [v for v in found if str(v.value).lower() == "shared"]
    if shared:
        return failed(f"profile '{_name(profile)}' is self-deploying (deviceUsageType shared)",
                      Evidence(profile.file, shared[0].locator, "singleUser", shared[0].value))
    if not found:
        return passed(f"profile '{_name(profile)}' sets no deviceUsageType (default singleUser)",
                      Evidence(profile.file, profile.locator("outOfBoxExperienceSetting", "deviceUsageType"),
                               "singleUser", None))
    return passed(f"profile '{_name(profile)}' is user-driven",
                  Evidence(profile.file, found[0].locator, "singleUser", found[0].value))


@rule(id="AP003", title="Pre-provisioning not allowed", severity="warning", kind="autopilot", needs="profile",
      paths=RESTORE_PATHS,
      rationale="The pre-provisioning technician flow (Windows key x5) gets no restore page.",
      remediation=(PORTAL.format(name="<profile>") + " > Allow pre-provisioned deployment = No, or never use "
                   "the technician flow on devices that must restore.",),
      docs=DOCS)
def ap003(profile: ExportObject, ctx: Context) -> Verdict:
    for value in both(profile, *PAIRS[6]):
        if value is not None and value.value is True:
            return failed(f"profile '{_name(profile)}' allows pre-provisioning",
                          Evidence(profile.file, value.locator, False, True))
    return passed(f"profile '{_name(profile)}' does not allow pre-provisioning")


@rule(id="AP004", title="Profile is for Windows PCs", severity="blocker", kind="autopilot", needs="profile",
      rationale="HoloLens and Surface Hub devices run editions without restore.",
      remediation=("Assign a profile whose device type is Windows PC.",),
      docs=DOCS)
def ap004(profile: ExportObject, ctx: Context) -> Verdict:
    device_type = profile.data.get("deviceType")
    ev = Evidence(profile.file, profile.locator("deviceType"), "windowsPc", device_type)
    if device_type in (None, "windowsPc"):
        return passed(f"profile '{_name(profile)}' targets Windows PCs", ev)
    return failed(f"profile '{_name(profile)}' targets {device_type}", ev)


@rule(id="AP005", title="Current and deprecated properties agree", severity="warning", kind="autopilot",
      needs="profile",
      rationale="Graph returns both property sets; tools that read the other set would judge a different profile.",
      remediation=("Re-save the profile in the Intune admin center so both property sets are rewritten, "
                   "or PATCH it with the current names (outOfBoxExperienceSetting, preprovisioningAllowed, locale).",),
      docs="https://learn.microsoft.com/graph/api/resources/intune-enrollment-azureadwindowsautopilotdeploymentprofile")
def ap005(profile: ExportObject, ctx: Context) -> Verdict:
    disagreements = []
    for new_parent, new, old_parent, old in PAIRS:  # values first: most profiles agree, no locator needed
        current, previous = _value(profile, new_parent, new), _value(profile, old_parent, old)
        if current is not None and previous is not None and current != previous:
            locator = profile.locator(new_parent, new) if new_parent else profile.locator(new)
            disagreements.append(Evidence(profile.file, locator, previous, current))
    if disagreements:
        names = ", ".join(e.locator.rsplit("/", 1)[-1] for e in disagreements)
        return failed(f"profile '{_name(profile)}': current and deprecated values disagree ({names}); "
                      "the current value is used", *disagreements)
    return passed(f"profile '{_name(profile)}': no disagreement between property sets")


RULES = (ap001, ap002, ap003, ap004, ap005)
