"""Tenant rules: the restore setting, backup policy, Conditional Access, and the cloud."""

from __future__ import annotations

from toolkit.facts.clouds import CLOUDS, graph_host
from toolkit.facts.intune import ExportObject, IntuneFacts
from toolkit.rules.base import (
    SKIPPED,
    Context,
    Evidence,
    Findings,
    Verdict,
    failed,
    not_applicable,
    not_evaluated,
    passed,
    rule,
    warned,
)
from toolkit.rules.ca_scope import ACTIVITY_FEED, blocks, grant_words, scope

DOCS = "https://learn.microsoft.com/intune/device-enrollment/windows/enable-backup-restore"
BACKUP_SETTING = "device_vendor_msft_policy_config_settingssync_enablewindowsbackup"
BACKUP_ON, BACKUP_OFF = f"{BACKUP_SETTING}_1", f"{BACKUP_SETTING}_0"  # the setting's two choices
RESTORE_SETTING = "device_vendor_msft_windowsbackupandrestore_enablewindowsrestore"
# custom OMA-URI profiles (windows10CustomConfiguration) setting the same policies
OMA_URIS = {BACKUP_SETTING: "./Device/Vendor/MSFT/Policy/Config/SettingsSync/EnableWindowsBackup",
            RESTORE_SETTING: "./Device/Vendor/MSFT/WindowsBackupAndRestore/EnableWindowsRestore"}


def _oma_value(setting: str, value: object) -> str:
    """An OMA-URI value as the settings catalog writes it: ADMX `<enabled/>` / `<disabled/>`, or a bool."""
    text = str(value).strip().lower()
    if setting == BACKUP_SETTING:
        return f"{setting}_1" if text.startswith("<enabled") else f"{setting}_0" if text.startswith("<disabled") \
            else text
    return f"{setting}_{'true' if text in ('true', '1') else 'false'}" if text in ("true", "false", "1", "0") else text
PHISHING_RESISTANT = "00000000-0000-0000-0000-000000000004"  # built-in authentication strength
PHISHING_RESISTANT_METHODS = {"windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor"}
PUBLIC_HOSTS = {graph_host("public")}  # GCC's too
SOVEREIGN_HOSTS = {graph_host(cloud): cloud for cloud in CLOUDS if graph_host(cloud) not in PUBLIC_HOSTS}


RESTORE_GET = ("Export the restore setting from Graph beta: GET https://graph.microsoft.com/beta/deviceManagement/"
               "deviceEnrollmentConfigurations/{tenant}_WindowsRestore (DeviceManagementServiceConfig.Read.All); "
               "IntuneManagement does not export it and Graph v1.0 drops its state")


@rule(id="TEN001", title="Tenant shows the restore page", severity="blocker", kind="tenant", needs="restore",
      judges_absence=True,
      rationale="The restore page is offered at OOBE only when the tenant-wide 'Show restore page' is on; "
                "notConfigured (the default) means off.",
      remediation=("Intune admin center > Devices > Enrollment > Windows > Windows Backup and Restore > "
                   "Show restore page = On (needs Intune Service Administrator).",
                   "Graph: PATCH /beta/deviceManagement/deviceEnrollmentConfigurations/<tenantId>_WindowsRestore "
                   "{\"@odata.type\": \"#microsoft.graph.windowsRestoreDeviceEnrollmentConfiguration\", "
                   "\"state\": \"enabled\"}"),
      docs=DOCS)
def ten001(tenant: IntuneFacts, ctx: Context) -> Verdict | Findings:
    fetch = RESTORE_GET.format(tenant=ctx.tenant_id or "<tenantId>")
    if ctx.path in ctx.baseline.get("tenant", {}).get("restore_policy_routes", []):
        # first sign-in restore is also turned on by an assigned Enable Windows Restore policy
        routes = [(p, loc) for p, value, loc in backup_settings(tenant, RESTORE_SETTING)
                  if value == f"{RESTORE_SETTING}_true" and p.data.get("assignments") != []]
        if routes:
            return [(p.subject, passed(f"restore is turned on by the assigned Enable Windows Restore policy "
                                       f"'{p.data.get('name') or p.data.get('id')}' (first sign-in route, "
                                       f"{ctx.baseline['id']})",
                                       Evidence(p.file, loc, f"{RESTORE_SETTING}_true", f"{RESTORE_SETTING}_true")))
                    for p, loc in routes]
    settings = tenant.of("restore")
    if settings:
        return [(s.subject, _restore_state(s, fetch)) for s in settings]
    if tenant.of("esp"):  # enrollment configurations were exported, the tenant-wide restore setting was not
        return not_evaluated("the exports hold enrollment configurations but not the tenant restore setting "
                             "(windowsRestoreDeviceEnrollmentConfiguration)").fix(fetch)
    return Verdict(SKIPPED, "input not supplied: no Windows restore setting (windowsRestoreDeviceEnrollment"
                            "Configuration) in the exports")


def _restore_state(setting: ExportObject, fetch: str) -> Verdict:
    state = setting.data.get("state")
    ev = Evidence(setting.file, setting.locator("state"), "enabled", state)
    if state is None:
        return not_evaluated("the restore setting was exported without its state (Graph v1.0 and list "
                             "exports leave it out)", ev).fix(fetch)
    if state == "enabled":
        return passed("'Show restore page' is on", ev)
    shown = {"notConfigured": "not configured", "disabled": "off"}.get(str(state), str(state))
    return failed(f"'Show restore page' is {shown}, not on (Graph state = {state})", ev)


def backup_settings(tenant: IntuneFacts, setting: str = BACKUP_SETTING) -> list[tuple[ExportObject, str, str]]:
    """(policy, value, locator) for every instance of a settings catalog setting (Enable Windows Backup),
    and of its custom OMA-URI equivalent (the value given as the settings catalog would)."""
    found = []
    uri = OMA_URIS.get(setting)
    for policy in tenant.of("settings"):
        for n, oma in enumerate(policy.data.get("omaSettings") or []):
            if uri and isinstance(oma, dict) and str(oma.get("omaUri", "")).lower() == uri.lower():
                found.append((policy, _oma_value(setting, oma.get("value")), f"{policy.pointer}/omaSettings/{n}/value"))
        for pointer, node in policy.setting_instances.get(setting, ()):
            choice = node.get("choiceSettingValue")
            value = choice.get("value") if isinstance(choice, dict) else None
            found.append((policy, str(value), pointer + "/choiceSettingValue/value"))
    return found


@rule(id="TEN002", title="Windows Backup enabled by policy", severity="blocker", kind="tenant",
      needs="settings",
      rationale="Users' old devices must back up before anything can be restored; a policy that disables it "
                "wins over one that enables it.",
      remediation=("Intune admin center > Devices > Configuration > Create > Settings catalog > Sync your "
                   "settings > Enable Windows Backup = Enabled; assign it to the users' devices.",
                   "Remove or change any policy that sets Enable Windows Backup = Disabled."),
      docs=DOCS)
def ten002(tenant: IntuneFacts, ctx: Context) -> Verdict | Findings:
    """One finding per policy that sets Enable Windows Backup, so a waiver names the policy it covers."""
    settings = backup_settings(tenant)
    if not any(value == BACKUP_ON for _, value, _ in settings):
        evidence = [Evidence(p.file, loc, BACKUP_ON, value) for p, value, loc in settings]
        default_on = ctx.extras.get("backup_on_by_default")
        if default_on:  # 26H2 and later back up unless a policy disables it
            found = passed(f"no policy enables Windows Backup, but {default_on} backs up by default "
                           f"({ctx.baseline['id']})", *evidence)
        else:
            found = failed(f"none of the {len(tenant.of('settings'))} settings catalog policies enables Windows "
                           "Backup", *evidence)
        findings = [("tenant", found)]
    else:
        findings = []
    for policy, value, loc in settings:
        ev = Evidence(policy.file, loc, BACKUP_ON, value)
        name = policy.data.get("name") or policy.data.get("displayName") or policy.data.get("id")
        if value == BACKUP_OFF:
            findings.append((policy.subject, failed(f"policy '{name}' disables Windows Backup, which wins over "
                                                    "any policy that enables it", ev)))
        elif value != BACKUP_ON:
            findings.append((policy.subject, not_evaluated(f"policy '{name}' sets Enable Windows Backup to an "
                                                           f"unknown value {value!r}", ev)))
        elif policy.data.get("assignments") == []:
            findings.append((policy.subject, warned(f"policy '{name}' enables Windows Backup but is not "
                                                    "assigned", ev)))
        else:
            findings.append((policy.subject, passed(f"policy '{name}' enables Windows Backup", ev)))
    return findings


@rule(id="TEN003", title="Conditional Access lets the Activity Feed Service through", severity="blocker",
      kind="tenant", needs="ca",
      rationale="Restore fetches the user's backup with a token for the Microsoft Activity Feed Service; at "
                "OOBE the device is not yet compliant, so a policy requiring a compliant or hybrid device "
                "(without an MFA alternative) or blocking access stops the restore.",
      remediation=(f"Add {ACTIVITY_FEED} (Microsoft Activity Feed Service) to the policy's excluded cloud apps: "
                   "Entra admin center > Protection > Conditional Access > <policy> > Target resources > Exclude.",
                   "If the app cannot be picked, create its service principal first: "
                   f"POST /v1.0/servicePrincipals {{\"appId\": \"{ACTIVITY_FEED}\"}}.",
                   "Confirm with What If: user, cloud app Microsoft Activity Feed Service, platform Windows, "
                   "device not compliant."),
      docs=DOCS)
def ten003(tenant: IntuneFacts, ctx: Context) -> Findings:
    """One finding per Conditional Access policy, so a waiver names the policy it covers."""
    names = {str(g.data.get("id", "")).lower(): str(g.data.get("displayName")) for g in tenant.of("group")}
    return [(policy.subject, _ca_policy(policy, names)) for policy in tenant.of("ca")]


def _ca_policy(policy: ExportObject, group_names: dict[str, str]) -> Verdict:
    data = policy.data
    name = data.get("displayName") or data.get("id")
    state = data.get("state")  # templates carry none: judged as if deployed enabled
    if state == "disabled":
        return passed(f"policy '{name}' is disabled")
    found = scope(data, group_names)
    if found.out:
        return passed(f"policy '{name}' {found.out}: out of scope for the restore")
    grant = data.get("grantControls") or {}
    how = blocks(grant)
    if how is None:
        kind = "only session controls, which never block" if not grant else "a control a new device can satisfy"
        return passed(f"policy '{name}' applies to the restore sign-in but has {kind}")
    ev = Evidence(policy.file, policy.locator("grantControls"), "an MFA alternative, or the app excluded",
                  grant_words(grant))
    message = f"policy '{name}' {how} for the Activity Feed Service on a not-yet-compliant device"
    if state == "enabledForReportingButNotEnforced":
        return warned(f"report-only {message} once enforced", ev)
    if found.unknown:
        return warned(f"{message}, depending on {' and '.join(found.unknown)}: check with What If (user, cloud "
                      f"app {ACTIVITY_FEED}, Windows, device not compliant)", ev)
    return failed(message, ev)


@rule(id="TEN004", title="Activity Feed service principal exists", severity="warning", kind="tenant",
      needs="sp",
      rationale="Without its service principal the Activity Feed Service cannot be excluded from Conditional "
                "Access in the portal.",
      remediation=(f"POST /v1.0/servicePrincipals {{\"appId\": \"{ACTIVITY_FEED}\"}} (Application Administrator).",),
      docs=DOCS)
def ten004(tenant: IntuneFacts, ctx: Context) -> Verdict:
    for sp in tenant.of("sp"):
        if sp.data.get("appId") == ACTIVITY_FEED:
            return passed("the Microsoft Activity Feed Service principal exists",
                          Evidence(sp.file, sp.locator("appId"), ACTIVITY_FEED, ACTIVITY_FEED))
    return failed(f"no service principal for {ACTIVITY_FEED} in the {len(tenant.of('sp'))} exported")


@rule(id="TEN005", title="No phishing-resistant MFA for virtual machines", severity="warning", kind="tenant",
      needs="ca",
      rationale="Restore may prompt for phishing-resistant MFA at OOBE; Hyper-V virtual machines cannot pass "
                "security keys or smart cards through.",
      remediation=("Use a Temporary Access Pass for virtual machines, or exclude them from the "
                   "authentication-strength policy.",),
      docs=DOCS)
def ten005(tenant: IntuneFacts, ctx: Context) -> Verdict:
    vms = [p.data.get("displayName") or p.data.get("id") for p in tenant.of("profile")
           if p.data.get("deviceType") == "virtualMachine"]
    targets = ([f"Autopilot profile(s) {', '.join(map(str, vms))} for virtual machines"] if vms else []) + \
        ([ctx.extras["vm_images"]] if ctx.extras.get("vm_images") else [])
    if not targets:
        return not_applicable("neither an Autopilot profile nor an image targets virtual machines")
    # any enabled policy counts: the OOBE sign-in that precedes restore meets it too
    strict = [p for p in tenant.of("ca") if p.data.get("state") != "disabled"
              and _phishing_resistant_only((p.data.get("grantControls") or {}).get("authenticationStrength"))]
    if strict:
        return failed(f"phishing-resistant MFA applies at sign-in while {' and '.join(targets)}: "
                      "virtual machines cannot pass security keys or smart cards through",
                      *[Evidence(p.file, p.locator("grantControls", "authenticationStrength"),
                                 "no phishing-resistant-only strength", p.data.get("displayName")) for p in strict])
    return passed("no enabled policy requires a phishing-resistant-only authentication strength")


def _phishing_resistant_only(strength: object) -> bool:
    """The built-in phishing-resistant strength, or a custom one allowing only phishing-resistant methods."""
    if not isinstance(strength, dict):
        return False
    if strength.get("id") == PHISHING_RESISTANT:
        return True
    allowed = strength.get("allowedCombinations")
    return isinstance(allowed, list) and bool(allowed) and all(str(a) in PHISHING_RESISTANT_METHODS for a in allowed)


@rule(id="TEN006", title="Public cloud tenant", severity="blocker", kind="tenant", needs="",
      rationale="Windows Backup for Organizations is not offered in GCC High, DoD or 21Vianet clouds.",
      remediation=("None in a sovereign cloud: the feature is not available there.",),
      docs=DOCS)
def ten006(tenant: IntuneFacts, ctx: Context) -> Verdict:
    if ctx.cloud:
        ev = Evidence("--cloud", "--cloud", "public", ctx.cloud)
        if ctx.cloud == "public":
            return passed("tenant is in the public cloud (--cloud)", ev)
        if ctx.cloud == "gcc":
            if ctx.baseline.get("tenant", {}).get("gcc") == "warn":
                return warned("GCC: Microsoft's Windows doc is silent on GCC and the Intune doc excludes "
                              f"government clouds ({ctx.baseline['id']}); confirm with Microsoft before relying on "
                              "restore", ev)
            return passed("GCC (moderate) runs on the public Graph endpoint", ev)
        return failed(f"tenant is in the {ctx.cloud} cloud, where the feature is not offered", ev)
    hosts = sorted(tenant.context_hosts - {""})
    ev = Evidence("@odata.context", "/@odata.context", "graph.microsoft.com", ", ".join(hosts) or None)
    sovereign = [h for h in hosts if h in SOVEREIGN_HOSTS]
    if sovereign:
        return failed(f"exports come from {', '.join(sovereign)}: a sovereign cloud", ev)
    if hosts and set(hosts) <= PUBLIC_HOSTS:
        return passed("exports come from graph.microsoft.com (public cloud)", ev)
    if hosts:
        return warned(f"unrecognised Graph host(s) {', '.join(hosts)}", ev)
    return Verdict(SKIPPED, "input not supplied: no --cloud and no @odata.context in the exports")


BACKUP_WINDOW_DAYS = 8  # a backup older than this is not a current one to restore (issue 19)


@rule(id="TEN007", title="Pilot users have a recent Windows backup", severity="warning", kind="tenant",
      needs="backups",
      rationale="Restore at OOBE offers the user's Windows backups: a pilot user whose newest backup is older than "
                f"{BACKUP_WINDOW_DAYS} days, or who has none, has nothing current to restore, so the pilot proves "
                "little.",
      remediation=("Have each pilot user sign in on a device with Windows Backup on (Settings > Accounts > Windows "
                   "backup, or the Enable Windows Backup policy) and let it back up before the pilot.",
                   "Read the probe again: oobe-ready snapshot --pilot-group GROUP-ID (delegated "
                   "UserWindowsSettings.Read.All, Microsoft 365 Backup Administrator role)."),
      docs="https://learn.microsoft.com/windows/configuration/windows-backup/")
def ten007(tenant: IntuneFacts, ctx: Context) -> Findings:
    return [(probe.subject, _pilot_backups(probe)) for probe in tenant.of("backups")]


def _pilot_backups(probe: ExportObject) -> Verdict:
    from datetime import datetime, timedelta

    users = [u for u in probe.data.get("users") or [] if isinstance(u, dict)]
    ev = Evidence(probe.file, probe.locator("users"), f"a backup newer than {BACKUP_WINDOW_DAYS} days",
                  f"{len(users)} user(s)")
    def moment(text: object) -> datetime:
        when = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
        if when.tzinfo is None:  # a time without its offset is a different instant in every zone
            raise ValueError(text)
        return when

    try:
        checked = moment(probe.data.get("checkedAt"))
        newest = [moment(u["newestBackup"]) if u.get("newestBackup") else None for u in users]
    except (ValueError, TypeError):
        return not_evaluated("the probe's dates are not ISO 8601 date-times with a UTC offset", ev)
    if not users:
        return failed(f"pilot group {probe.data.get('groupId')} has no users: the pilot restores nothing", ev)
    stale = [str(u.get("id")) for u, when in zip(users, newest, strict=True)
             if when is None or checked - when > timedelta(days=BACKUP_WINDOW_DAYS)]
    if stale:
        shown = ", ".join(stale[:10]) + (", ..." if len(stale) > 10 else "")
        return failed(f"{len(stale)} of {len(users)} pilot user(s) have no Windows backup newer than "
                      f"{BACKUP_WINDOW_DAYS} days ({shown})", ev)
    return passed(f"all {len(users)} pilot user(s) have a Windows backup newer than {BACKUP_WINDOW_DAYS} days", ev)


RULES = (ten001, ten002, ten003, ten004, ten005, ten006, ten007)
