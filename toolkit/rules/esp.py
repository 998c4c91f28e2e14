"""Enrollment Status Page rules, judged on the effective device-targeted ESP."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from toolkit.rules.base import Context, Evidence, Verdict, failed, not_evaluated, passed, rule
from toolkit.sources.intune import ExportObject

DOCS = "https://learn.microsoft.com/intune/device-enrollment/windows/setup-status-page"
PORTAL = ("Intune admin center > Devices > Enrollment > Windows > Enrollment Status Page > {name} > "
          "Properties > Settings")
DEVICE_TARGETS = ("#microsoft.graph.alldevicesassignmenttarget", "#microsoft.graph.groupassignmenttarget",
                  "#microsoft.graph.configurationmanagercollectionassignmenttarget")


@dataclass(frozen=True)
class EffectiveEsp:
    esp: ExportObject
    why: str

    @property
    def name(self) -> str:
        return str(self.esp.data.get("displayName") or self.esp.data.get("id") or "ESP")


def is_default(esp: ExportObject) -> bool:
    kind = str(esp.data.get("deviceEnrollmentConfigurationType", "")).lower()
    return kind == "defaultwindows10enrollmentcompletionpageconfiguration" or \
        str(esp.data.get("id", "")).endswith("_DefaultWindows10EnrollmentCompletionPageConfiguration")


def device_targeted(esp: ExportObject) -> bool:
    for assignment in esp.data.get("assignments") or []:
        target = (assignment or {}).get("target") or {}
        if str(target.get("@odata.type", "")).lower() in DEVICE_TARGETS:
            return True
    return False


def effective_esp(esps: list[ExportObject]) -> EffectiveEsp | None:
    """The device-targeted custom ESP with the lowest priority value, else the default ESP. User-targeted
    ESPs never apply to quality updates. Exports without assignment data fall back to the lowest priority."""
    def priority(e: ExportObject) -> int:
        value = e.data.get("priority")
        return value if isinstance(value, int) else 1 << 30

    custom = sorted((e for e in esps if not is_default(e) and device_targeted(e)), key=priority)
    if custom:
        return EffectiveEsp(custom[0], f"device-targeted custom ESP with the lowest priority value "
                                       f"({custom[0].data.get('priority')})")
    defaults = [e for e in esps if is_default(e)]
    if defaults:
        return EffectiveEsp(defaults[0], "the default ESP (no device-targeted custom ESP is assigned)")
    unknown = sorted((e for e in esps if "assignments" not in e.data or not e.data["assignments"]), key=priority)
    if unknown:
        return EffectiveEsp(unknown[0], "no default ESP and no device-targeted assignment in the export: "
                                        "judged as the effective ESP")
    return None


def _setting(subject: EffectiveEsp, key: str, expected: object, label: str,
             good: Callable[[object], bool] | None = None) -> Verdict:
    """Judge one ESP property: absent is not-evaluated, never a pass. `good` defaults to
    'is exactly the expected boolean'."""
    value = subject.esp.data.get(key)
    ev = Evidence(subject.esp.file, subject.esp.locator(key), expected, value)
    where = f"effective ESP '{subject.name}' ({subject.why})"
    if value is None:
        return not_evaluated(f"{where} does not set {key}", ev)
    if (good or (lambda v: v is expected))(value):
        return passed(f"{where}: {label}", ev)
    return failed(f"{where}: {label} is off ({key} = {value})", ev)


@rule(id="ESP001", title="ESP installs Windows quality updates", severity="blocker", kind="esp", needs="esp",
      rationale="Images older than the restore minimum are patched at OOBE only when the effective device ESP "
                "installs quality updates; existing ESP profiles default to No.",
      remediation=(PORTAL.format(name="<effective ESP>") + " > Install Windows quality updates = Yes "
                   "(Graph: PATCH deviceEnrollmentConfigurations/{id} {\"installQualityUpdates\": true}).",),
      docs=DOCS)
def esp001(subject: EffectiveEsp, ctx: Context) -> Verdict:
    return _setting(subject, "installQualityUpdates", True, "installs quality updates")


@rule(id="ESP002", title="ESP is shown", severity="blocker", kind="esp", needs="esp",
      rationale="A hidden ESP installs no quality updates and the device can leave setup early.",
      remediation=(PORTAL.format(name="<effective ESP>") + " > Show app and profile configuration progress = Yes.",),
      docs=DOCS)
def esp002(subject: EffectiveEsp, ctx: Context) -> Verdict:
    return _setting(subject, "showInstallationProgress", True, "page is shown")


@rule(id="ESP003", title="Block device use until setup completes", severity="blocker", kind="esp",
      needs="esp",
      rationale="Quality updates need 'Block device use until all apps and profiles are installed' = Yes, "
                "which Graph stores inverted as blockDeviceSetupRetryByUser = false.",
      remediation=(PORTAL.format(name="<effective ESP>") + " > Block device use until all apps and profiles "
                   "are installed = Yes (Graph: blockDeviceSetupRetryByUser = false).",),
      docs=DOCS)
def esp003(subject: EffectiveEsp, ctx: Context) -> Verdict:
    return _setting(subject, "blockDeviceSetupRetryByUser", False, "blocks device use until setup completes")


@rule(id="ESP004", title="ESP timeout leaves room for updates", severity="warning", kind="esp", needs="esp",
      rationale="Quality updates add 20-40 minutes and restarts; a short timeout fails setup.",
      remediation=(PORTAL.format(name="<effective ESP>") + " > Show an error when installation takes longer "
                   "than specified number of minutes = 60 or more.",),
      docs=DOCS)
def esp004(subject: EffectiveEsp, ctx: Context) -> Verdict:
    minimum = ctx.baseline["esp"]["min_timeout_minutes"]
    return _setting(subject, "installProgressTimeoutInMinutes", f">= {minimum}", f"timeout of {minimum}+ minutes",
                    lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= minimum)


RULES = (esp001, esp002, esp003, esp004)
