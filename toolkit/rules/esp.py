"""Enrollment Status Page rules, judged on the effective device-targeted ESP."""

from __future__ import annotations

from collections.abc import Callable

from toolkit.facts.intune import ExportObject
from toolkit.records import record
from toolkit.rules.base import (
    FAIL,
    NOT_EVALUATED,
    PASS,
    WARN,
    Context,
    Evidence,
    Verdict,
    failed,
    not_evaluated,
    passed,
    rule,
)

DOCS = "https://learn.microsoft.com/intune/device-enrollment/windows/setup-status-page"
PORTAL = ("Intune admin center > Devices > Enrollment > Windows > Enrollment Status Page > {name} > "
          "Properties > Settings")
DEVICE_TARGETS = ("#microsoft.graph.alldevicesassignmenttarget", "#microsoft.graph.groupassignmenttarget",
                  "#microsoft.graph.configurationmanagercollectionassignmenttarget")


@record
class EffectiveEsp:
    """The ESP that reaches the devices. When the export cannot decide it (a custom ESP exported without
    assignment data may be assigned to devices), every ESP that may be the effective one is a candidate
    and the worst of them is judged; `undecided` says why the effective ESP may be none of them."""

    candidates: tuple[tuple[ExportObject, str], ...]  # (ESP, why it may be the effective one)
    undecided: str | None = None

    @property
    def subject(self) -> str:
        if len(self.candidates) == 1:
            return self.candidates[0][0].subject
        return f"effective ESP ({len(self.candidates)} candidates)"


def name_of(esp: ExportObject) -> str:
    return str(esp.data.get("displayName") or esp.data.get("id") or "ESP")


def is_default(esp: ExportObject) -> bool:
    kind = str(esp.data.get("deviceEnrollmentConfigurationType", "")).lower()
    return kind == "defaultwindows10enrollmentcompletionpageconfiguration" or \
        str(esp.data.get("id", "")).endswith("_DefaultWindows10EnrollmentCompletionPageConfiguration")


def device_targeted(esp: ExportObject, users: frozenset[str] = frozenset()) -> bool:
    """Assigned to devices: All devices, or a group that is not known to be a group of users."""
    for assignment in esp.data.get("assignments") or []:
        target = (assignment or {}).get("target") or {}
        if str(target.get("@odata.type", "")).lower() in DEVICE_TARGETS and \
                str(target.get("groupId", "")).lower() not in users:
            return True
    return False


def user_groups(groups: list[ExportObject]) -> frozenset[str]:
    """Exported groups whose dynamic membership rule selects users, not devices."""
    found = set()
    for group in groups:
        rule = str(group.data.get("membershipRule") or "").lower()
        if "user." in rule and "device." not in rule:
            found.add(str(group.data.get("id", "")).lower())
    return frozenset(found)


def _priority(esp: ExportObject) -> int | None:
    value = esp.data.get("priority")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def effective_esp(esps: list[ExportObject], targets: frozenset[str] | None = None,
                  groups: list[ExportObject] = ()) -> EffectiveEsp | None:
    """The device-targeted custom ESP with the lowest priority value, else the default ESP. User-targeted
    ESPs never apply to quality updates. With --target-group, only ESPs assigned to those groups (or All
    devices, and not excluding them) count. Assignment data that is absent is unknown, never "unassigned"."""
    from toolkit.facts.targets import reaches

    if not esps:
        return None
    custom = [e for e in esps if not is_default(e)]
    users = user_groups(list(groups))
    assigned = [e for e in custom if (reaches(e, targets) if targets is not None else device_targeted(e, users))]
    unknown = [e for e in custom if not isinstance(e.data.get("assignments"), list)]
    odd = [e for e in assigned + unknown if _priority(e) is None]
    if odd:
        names = ", ".join(f"'{name_of(e)}' ({_priority_text(e.data.get('priority'))})" for e in odd)
        return EffectiveEsp((), f"custom ESP priority is not an integer: {names}; the effective ESP cannot be "
                                "decided")
    assigned.sort(key=_priority)
    if len(assigned) > 1 and _priority(assigned[0]) == _priority(assigned[1]):
        return EffectiveEsp((), f"device-targeted custom ESPs '{name_of(assigned[0])}' and '{name_of(assigned[1])}' "
                                f"share the lowest priority value {_priority(assigned[0])}: which applies is "
                                "undefined; give each ESP its own priority")
    best = _priority(assigned[0]) if assigned else None
    # an unassigned-looking ESP at the same priority is a candidate too: which applies would be undefined
    maybe = [(e, f"exported without assignment data, so it may be assigned to the devices (priority "
                 f"{_priority(e)})") for e in sorted(unknown, key=_priority) if best is None or _priority(e) <= best]
    if assigned:
        return EffectiveEsp((*maybe, (assigned[0], f"device-targeted custom ESP with the lowest priority value "
                                                   f"({best})")))
    defaults = [e for e in esps if is_default(e)]
    if defaults:
        why = "the default ESP (no device-targeted custom ESP is assigned)" if not maybe else \
            "the default ESP, effective unless a custom ESP exported without assignments is assigned to devices"
        return EffectiveEsp((*maybe, (defaults[0], why)))
    return EffectiveEsp(tuple(maybe), "no custom ESP is known to be assigned to devices, so the default ESP "
                                      "applies, and it is not in the export: export "
                                      "GET /beta/deviceManagement/deviceEnrollmentConfigurations too")


RANK = {FAIL: 0, NOT_EVALUATED: 1, WARN: 2, PASS: 3}


def worst(verdicts: list[Verdict]) -> Verdict:
    """The worst outcome wins; its messages and all evidence are kept, so the finding says why."""
    low = min(verdicts, key=lambda v: RANK.get(v.outcome, 4)).outcome
    chosen = [v for v in verdicts if v.outcome == low]
    return Verdict(low, "; ".join(v.message for v in chosen), tuple(e for v in verdicts for e in v.evidence),
                   tuple(dict.fromkeys(step for v in chosen for step in v.remediation)))


def _priority_text(value: object) -> str:
    if value is None:
        return "no priority"
    if isinstance(value, str):
        return f"priority {value!r}, text"
    return f"priority {_json(value)}"


def _yes(value: object) -> str:
    return {True: "Yes", False: "No"}.get(value, str(value)) if isinstance(value, bool) else str(value)


def _setting(subject: EffectiveEsp, key: str, expected: object, setting: str, wanted: str,
             good: Callable[[object], bool] | None = None, shown: Callable[[object], str] = _yes) -> Verdict:
    """Judge one ESP property on every candidate: absent is not-evaluated, never a pass. `setting` is
    its name in the Intune admin center, `wanted` the value that passes there, `shown` a Graph value as
    the admin center shows it; `good` defaults to 'is exactly the expected boolean'."""
    several = len(subject.candidates) > 1

    def judge(esp: ExportObject, why: str) -> Verdict:
        value = esp.data.get(key)
        ev = Evidence(esp.file, esp.locator(key), expected, value)
        where = f"{'candidate' if several else 'effective'} ESP '{name_of(esp)}' ({why})"
        if value is None:
            ident = esp.data.get("id") or "{id}"
            return not_evaluated(f"{where} does not carry {key}: Graph v1.0 and list exports leave it out", ev).fix(
                f"Re-export the ESP from Graph beta: GET https://graph.microsoft.com/beta/deviceManagement/"
                f"deviceEnrollmentConfigurations/{ident}")
        if (good or (lambda v: v is expected))(value):
            return passed(f"{where}: '{setting}' is {shown(value)}", ev)
        return failed(f"{where}: '{setting}' is {shown(value)}, not {wanted} (Graph {key} = {_json(value)})", ev)

    verdicts = [judge(esp, why) for esp, why in subject.candidates]
    if subject.undecided:
        verdicts.append(not_evaluated(subject.undecided))
    return worst(verdicts)


def _json(value: object) -> str:
    return "true" if value is True else "false" if value is False else str(value)


@rule(id="ESP001", title="ESP installs Windows quality updates", severity="blocker", kind="esp", needs="esp",
      rationale="Images older than the restore minimum are patched at OOBE only when the effective device ESP "
                "installs quality updates; existing ESP profiles default to No.",
      remediation=(PORTAL.format(name="<effective ESP>") + " > Install Windows quality updates = Yes "
                   "(Graph: PATCH deviceEnrollmentConfigurations/{id} {\"installQualityUpdates\": true}).",),
      docs=DOCS)
def esp001(subject: EffectiveEsp, ctx: Context) -> Verdict:
    return _setting(subject, "installQualityUpdates", True, "Install Windows quality updates", "Yes")


@rule(id="ESP002", title="ESP is shown", severity="blocker", kind="esp", needs="esp",
      rationale="A hidden ESP installs no quality updates and the device can leave setup early.",
      remediation=(PORTAL.format(name="<effective ESP>") + " > Show app and profile configuration progress = Yes.",),
      docs=DOCS)
def esp002(subject: EffectiveEsp, ctx: Context) -> Verdict:
    return _setting(subject, "showInstallationProgress", True, "Show app and profile configuration progress", "Yes")


@rule(id="ESP003", title="Block device use until setup completes", severity="blocker", kind="esp",
      needs="esp",
      rationale="Quality updates need 'Block device use until all apps and profiles are installed' = Yes, "
                "which Graph stores inverted as blockDeviceSetupRetryByUser = false.",
      remediation=(PORTAL.format(name="<effective ESP>") + " > Block device use until all apps and profiles "
                   "are installed = Yes (Graph: blockDeviceSetupRetryByUser = false).",),
      docs=DOCS)
def esp003(subject: EffectiveEsp, ctx: Context) -> Verdict:
    return _setting(subject, "blockDeviceSetupRetryByUser", False,
                    "Block device use until all apps and profiles are installed", "Yes",
                    shown=lambda v: _yes(not v) if isinstance(v, bool) else str(v))  # Graph stores it inverted


@rule(id="ESP004", title="ESP timeout leaves room for updates", severity="warning", kind="esp", needs="esp",
      rationale="Quality updates add 20-40 minutes and restarts; a short timeout fails setup.",
      remediation=(PORTAL.format(name="<effective ESP>") + " > Show an error when installation takes longer "
                   "than specified number of minutes = 60 or more.",),
      docs=DOCS)
def esp004(subject: EffectiveEsp, ctx: Context) -> Verdict:
    minimum = ctx.baseline["esp"]["min_timeout_minutes"]
    return _setting(subject, "installProgressTimeoutInMinutes", f">= {minimum}", "Show an error when installation "
                    "takes longer than specified number of minutes", f"{minimum} or more",
                    lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= minimum)


RULES = (esp001, esp002, esp003, esp004)
