"""Does a Conditional Access policy stop the restore token? Decided the way Entra decides whether a
policy applies, for the one sign-in restore makes: a member user's ordinary interactive sign-in
(browser or desktop client) on a Windows device that is not yet compliant or hybrid joined, to the
Microsoft Activity Feed Service (`d32c68ad-72d2-4acb-a0c7-46bb2cf93873`).

Every condition of `conditionalAccessConditionSet` that decides scope is read; a condition the policy
sets narrows it (all must match). What cannot be decided offline (a location, a device filter, named
groups or users, an application filter) is reported, never guessed. Grant controls decide whether a
policy in scope blocks; session controls never do.
"""

from __future__ import annotations

from toolkit.records import field, record

ACTIVITY_FEED = "d32c68ad-72d2-4acb-a0c7-46bb2cf93873"
# Grant controls a device that is not yet compliant or hybrid joined cannot satisfy at OOBE; app
# protection controls (approved / compliant client app) are met only by mobile apps.
DEVICE_STATE = {"compliantDevice", "domainJoinedDevice", "approvedApplication", "compliantApplication"}
RESTORE_CLIENTS = {"all", "browser", "mobileAppsAndDesktopClients"}
# App groups that do not contain the Activity Feed Service
OTHER_APP_GROUPS = {"Office365", "MicrosoftAdminPortals", "AllAgentIdResources", "None"}


@record(frozen=False)
class Scope:
    out: str | None = None                                  # why the policy never applies to the restore
    unknown: list[str] = field(default_factory=list)        # what cannot be decided offline


def _list(value: object) -> list[str]:
    """A Graph collection, or the comma-separated enum string some properties use."""
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [str(v) for v in value] if isinstance(value, list) else []


def scope(policy: dict, group_names: dict[str, str] | None = None) -> Scope:
    """`group_names`: id -> displayName of the groups in the exports, to name them in what to check."""
    conditions = policy.get("conditions") or {}
    found = [_users(conditions, group_names or {})]
    found += [check(conditions) for check in (_applications, _client_apps, _platforms, _risk, _flows, _workloads)]
    out = next((s for s in found if s.out), None)
    if out is not None:
        return out
    unknown = [u for s in found for u in s.unknown]
    if conditions.get("locations"):
        unknown.append("a location condition (where the device signs in from)")
    if (conditions.get("devices") or {}).get("deviceFilter"):
        unknown.append("a device filter")
    return Scope(None, unknown)


def _users(conditions: dict, names: dict[str, str]) -> Scope:
    users = conditions.get("users") or {}
    include = _list(users.get("includeUsers"))
    groups, roles = _list(users.get("includeGroups")), _list(users.get("includeRoles"))
    guests = users.get("includeGuestsOrExternalUsers")
    if "All" in include:
        return Scope()
    people = [u for u in include if u not in ("None", "GuestsOrExternalUsers")]
    if not people and not groups:
        if roles:
            return Scope(f"applies only to holders of {len(roles)} directory role(s); the users who restore "
                         "their settings are ordinary members")
        if guests or "GuestsOrExternalUsers" in include:
            return Scope("applies only to guests or external users")
        return Scope("applies to no user (agent identities or none)")
    unknown = []
    if groups:
        shown = ", ".join(f"'{names[g.lower()]}'" for g in groups if g.lower() in names)
        unknown.append(f"membership of {len(groups)} named group(s)" + (f" ({shown})" if shown else ""))
    if people:
        unknown.append(f"{len(people)} named user(s)")
    return Scope(None, unknown)


def _applications(conditions: dict) -> Scope:
    apps = conditions.get("applications") or {}
    include, exclude = _list(apps.get("includeApplications")), _list(apps.get("excludeApplications"))
    if _list(apps.get("includeUserActions")) and not include:
        return Scope("applies to user actions (registering security info or devices), not to app tokens")
    if _list(apps.get("includeAuthenticationContextClassReferences")) and not include:
        return Scope("applies to authentication contexts, not to the Activity Feed Service")
    if ACTIVITY_FEED in exclude:
        return Scope(f"excludes the Activity Feed Service ({ACTIVITY_FEED})")
    if "All" not in include and ACTIVITY_FEED not in include:
        named = ", ".join(a for a in include if a in OTHER_APP_GROUPS) or f"{len(include)} other app(s)"
        return Scope(f"targets {named}, not the Activity Feed Service")
    if apps.get("applicationFilter"):
        return Scope(None, ["an application filter (custom security attributes)"])
    return Scope()


def _client_apps(conditions: dict) -> Scope:
    types = _list(conditions.get("clientAppTypes")) or ["all"]
    if not RESTORE_CLIENTS & set(types):
        return Scope(f"applies only to {', '.join(types)} clients, not to a browser or desktop sign-in")
    return Scope()


def _platforms(conditions: dict) -> Scope:
    platforms = conditions.get("platforms") or {}
    if not platforms:
        return Scope()
    include = {p.lower() for p in _list(platforms.get("includePlatforms")) or ["all"]}
    exclude = {p.lower() for p in _list(platforms.get("excludePlatforms"))}
    if "windows" in exclude or "all" in exclude or not ({"all", "windows"} & include):
        return Scope("does not apply to Windows devices")
    return Scope()


def _risk(conditions: dict) -> Scope:
    for key, what in (("userRiskLevels", "user risk"), ("signInRiskLevels", "sign-in risk"),
                      ("insiderRiskLevels", "insider risk"), ("servicePrincipalRiskLevels", "service principal risk"),
                      ("agentIdRiskLevels", "agent risk")):
        levels = [v for v in _list(conditions.get(key)) if v != "none"]
        if levels:
            return Scope(f"applies only at {'/'.join(levels)} {what}; an ordinary restore carries none")
    return Scope()


def _flows(conditions: dict) -> Scope:
    methods = _list((conditions.get("authenticationFlows") or {}).get("transferMethods"))
    if methods and methods != ["none"]:
        return Scope(f"applies only to {', '.join(methods)} flows, not to an interactive sign-in")
    return Scope()


def _workloads(conditions: dict) -> Scope:
    clients = conditions.get("clientApplications") or {}
    if _list(clients.get("includeServicePrincipals")) or _list(clients.get("includeAgentIdServicePrincipals")):
        return Scope("applies to workload or agent identities, not to a user")
    return Scope()


def blocks(grant: dict | None) -> str | None:
    """How the grant controls stop a new device, or None when the device can satisfy them."""
    grant = grant or {}
    controls = set(_list(grant.get("builtInControls")))
    if "block" in controls:
        return "blocks access"
    device = sorted(controls & DEVICE_STATE)
    if not device:
        return None
    if str(grant.get("operator", "OR")).upper() == "AND":
        return f"requires {' and '.join(map(control_words, device))}"
    alternative = controls - DEVICE_STATE or grant.get("authenticationStrength") or _list(grant.get("termsOfUse"))
    return None if alternative else f"requires {' or '.join(map(control_words, device))}"


# Grant controls as the Entra admin center words them
CONTROL_WORDS = {"block": "block access", "mfa": "multifactor authentication", "compliantDevice": "a compliant device",
                 "domainJoinedDevice": "a Microsoft Entra hybrid joined device",
                 "approvedApplication": "an approved client app", "compliantApplication": "an app protection policy",
                 "passwordChange": "a password change"}


def control_words(control: str) -> str:
    return CONTROL_WORDS.get(control, control)


def grant_words(grant: dict) -> str:
    """A policy's grant controls in words: 'blocks access', 'requires a compliant device or ...'."""
    controls = _list(grant.get("builtInControls"))
    if "block" in controls:
        return "blocks access"
    if not controls:
        return "grants with no built-in control"
    joiner = " and " if str(grant.get("operator", "OR")).upper() == "AND" else " or "
    return "requires " + joiner.join(map(control_words, controls))
