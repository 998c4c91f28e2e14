"""Rule helpers in-process, at their boundaries (issue 15: tests that catch mutations)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from toolkit.facts.intune import ExportObject, IntuneFacts
from toolkit.rules import ca_scope
from toolkit.rules.base import FAIL, NOT_EVALUATED, PASS, WARN, Evidence, Verdict
from toolkit.rules.esp import (
    EffectiveEsp,
    device_targeted,
    effective_esp,
    esp001,
    esp002,
    esp003,
    esp004,
    is_default,
    name_of,
    user_groups,
    worst,
)
from toolkit.rules.tenant import (
    ACTIVITY_FEED,
    BACKUP_SETTING,
    OMA_URIS,
    RESTORE_SETTING,
    _ca_policy,
    _oma_value,
    _restore_state,
    backup_settings,
)


@pytest.mark.parametrize("data, default", [
    ({"deviceEnrollmentConfigurationType": "defaultWindows10EnrollmentCompletionPageConfiguration"}, True),
    ({"deviceEnrollmentConfigurationType": "DEFAULTWINDOWS10ENROLLMENTCOMPLETIONPAGECONFIGURATION"}, True),
    ({"id": "t_DefaultWindows10EnrollmentCompletionPageConfiguration"}, True),
    ({"id": "t_defaultwindows10enrollmentcompletionpageconfiguration"}, False),  # Graph ids keep their case
    ({"deviceEnrollmentConfigurationType": "windows10EnrollmentCompletionPageConfiguration", "id": "x"}, False),
    ({}, False),
])
def test_is_default(data, default):
    assert is_default(esps(data)[0]) is default


@pytest.mark.parametrize("setting, value, expected", [
    (BACKUP_SETTING, "<enabled/>", f"{BACKUP_SETTING}_1"),
    (BACKUP_SETTING, " <Enabled/> ", f"{BACKUP_SETTING}_1"),
    (BACKUP_SETTING, "<disabled/>", f"{BACKUP_SETTING}_0"),
    (BACKUP_SETTING, "yes", "yes"),
    (RESTORE_SETTING, "true", f"{RESTORE_SETTING}_true"),
    (RESTORE_SETTING, "1", f"{RESTORE_SETTING}_true"),
    (RESTORE_SETTING, "False", f"{RESTORE_SETTING}_false"),
    (RESTORE_SETTING, "0", f"{RESTORE_SETTING}_false"),
    (RESTORE_SETTING, "on", "on"),
])
def test_oma_values_read_as_the_settings_catalog_writes_them(setting, value, expected):
    assert _oma_value(setting, value) == expected


@pytest.mark.parametrize("state, outcome, phrase", [
    ("enabled", PASS, "'Show restore page' is on"),
    ("notConfigured", FAIL, "'Show restore page' is not configured, not on (Graph state = notConfigured)"),
    ("disabled", FAIL, "'Show restore page' is off, not on (Graph state = disabled)"),
    (None, NOT_EVALUATED, "the restore setting was exported without its state (Graph v1.0 and list exports "
                          "leave it out)"),
])
def test_restore_state(state, outcome, phrase):
    setting = ExportObject("restore", "/x/r.json", "", {"state": state} if state else {})
    verdict = _restore_state(setting, "GET it")
    assert (verdict.outcome, verdict.message) == (outcome, phrase)
    assert verdict.evidence == (Evidence("/x/r.json", "/state", "enabled", state),)
    assert verdict.remediation == (("GET it",) if state is None else ())


@pytest.mark.parametrize("key, value, out", [
    ("userRiskLevels", ["high"], "applies only at high user risk"),
    ("signInRiskLevels", ["low", "medium"], "applies only at low/medium sign-in risk"),
    ("insiderRiskLevels", "elevated", "applies only at elevated insider risk"),
    ("servicePrincipalRiskLevels", ["high"], "service principal risk"),
    ("agentIdRiskLevels", "high", "agent risk"),
    ("userRiskLevels", ["none"], None),
    ("userRiskLevels", [], None),
])
def test_risk_levels(key, value, out):
    message = ca_scope._risk({key: value}).out
    if out is None:
        assert message is None
    else:
        assert message is not None and out in message


@pytest.mark.parametrize("users, out, unknown", [
    ({"includeUsers": ["All"], "includeRoles": ["r"]}, None, []),
    ({"includeRoles": ["r1", "r2"]}, "applies only to holders of 2 directory role(s)", []),
    ({"includeUsers": ["GuestsOrExternalUsers"]}, "applies only to guests or external users", []),
    ({"includeGuestsOrExternalUsers": {"guestOrExternalUserTypes": "b2bCollaborationGuest"}},
     "applies only to guests or external users", []),
    ({"includeUsers": ["None"]}, "applies to no user (agent identities or none)", []),
    ({}, "applies to no user (agent identities or none)", []),
    ({"includeGroups": ["G1"]}, None, ["membership of 1 named group(s) ('Staff')"]),
    ({"includeGroups": ["G2"]}, None, ["membership of 1 named group(s)"]),
    ({"includeUsers": ["u1", "u2"], "includeGroups": ["G1"]}, None,
     ["membership of 1 named group(s) ('Staff')", "2 named user(s)"]),
])
def test_user_scope(users, out, unknown):
    found = ca_scope._users({"users": users}, {"g1": "Staff"})
    assert found.unknown == unknown
    if out is None:
        assert found.out is None
    else:
        assert found.out is not None and found.out.startswith(out)


@pytest.mark.parametrize("grant, how", [
    ({}, None),
    (None, None),
    ({"builtInControls": ["mfa"]}, None),
    ({"builtInControls": ["block"]}, "blocks access"),
    ({"builtInControls": ["compliantDevice"]}, "requires a compliant device"),
    ({"operator": "OR", "builtInControls": ["compliantDevice", "domainJoinedDevice"]},
     "requires a compliant device or a Microsoft Entra hybrid joined device"),
    ({"operator": "and", "builtInControls": ["mfa", "compliantDevice"]}, "requires a compliant device"),
    ({"operator": "AND", "builtInControls": ["compliantDevice", "domainJoinedDevice"]},
     "requires a compliant device and a Microsoft Entra hybrid joined device"),
    ({"builtInControls": ["compliantDevice"], "authenticationStrength": {"id": "x"}}, None),
    ({"builtInControls": ["compliantDevice"], "termsOfUse": ["t"]}, None),
    ({"builtInControls": ["approvedApplication", "compliantApplication"]},
     "requires an approved client app or an app protection policy"),
])
def test_grant_controls(grant, how):
    assert ca_scope.blocks(grant) == how


@pytest.mark.parametrize("platforms, out", [
    (None, False), ({}, False), ({"includePlatforms": ["all"]}, False), ({"includePlatforms": ["Windows"]}, False),
    ({"includePlatforms": ["iOS"]}, True), ({"includePlatforms": ["all"], "excludePlatforms": ["windows"]}, True),
    ({"includePlatforms": ["windows"], "excludePlatforms": ["all"]}, True), ({"excludePlatforms": ["macOS"]}, False),
])
def test_platform_scope(platforms, out):
    assert (ca_scope._platforms({"platforms": platforms}).out is not None) is out


@pytest.mark.parametrize("value, listed", [("a, b", ["a", "b"]), (["a", 1], ["a", "1"]), (None, []), (5, []), ("", [])])
def test_graph_collections_and_enum_strings(value, listed):
    assert ca_scope._list(value) == listed


ALL_USERS_ALL_APPS = {"users": {"includeUsers": ["All"]}, "applications": {"includeApplications": ["All"]},
                      "clientAppTypes": ["all"]}


def ca(**data) -> ExportObject:
    return ExportObject("ca", "/x/ca.json", "/value/0", {"conditions": ALL_USERS_ALL_APPS, **data})


COMPLIANT = {"operator": "OR", "builtInControls": ["compliantDevice"]}
BLOCKS = "requires a compliant device for the Activity Feed Service on a not-yet-compliant device"


@pytest.mark.parametrize("data, outcome, message", [
    ({"displayName": "P", "state": "disabled", "grantControls": COMPLIANT}, PASS, "policy 'P' is disabled"),
    ({"id": "i1", "state": "disabled"}, PASS, "policy 'i1' is disabled"),  # no displayName: the id names it
    ({"displayName": "P", "state": "enabled", "sessionControls": {"signInFrequency": {}}}, PASS,
     "policy 'P' applies to the restore sign-in but has only session controls, which never block"),
    ({"displayName": "P", "state": "enabled", "grantControls": {"builtInControls": ["mfa"]}}, PASS,
     "policy 'P' applies to the restore sign-in but has a control a new device can satisfy"),
    ({"displayName": "P", "state": "enabled", "grantControls": COMPLIANT}, FAIL, f"policy 'P' {BLOCKS}"),
    ({"displayName": "P", "grantControls": COMPLIANT}, FAIL, f"policy 'P' {BLOCKS}"),  # templates: no state
    ({"displayName": "P", "state": "enabledForReportingButNotEnforced", "grantControls": COMPLIANT}, WARN,
     f"report-only policy 'P' {BLOCKS} once enforced"),
])
def test_ca_policy_outcomes(data, outcome, message):
    verdict = _ca_policy(ca(**data), {})
    assert (verdict.outcome, verdict.message) == (outcome, message)
    if outcome == PASS:
        assert verdict.evidence == ()
    else:  # the evidence points at the policy's grant controls and says what would fix it
        assert verdict.evidence == (Evidence("/x/ca.json", "/value/0/grantControls",
                                             "an MFA alternative, or the app excluded",
                                             "requires a compliant device"),)


def test_ca_policy_evidence_defaults_the_operator():
    verdict = _ca_policy(ca(grantControls={"builtInControls": ["block"]}, state="enabled", id="i"), {})
    assert verdict.outcome == FAIL and verdict.message.startswith("policy 'i' blocks access")
    assert verdict.evidence[0].actual == "blocks access"


def test_ca_policy_depending_on_unresolved_conditions_warns():
    conditions = {**ALL_USERS_ALL_APPS, "users": {"includeGroups": ["g1", "g2"]},
                  "locations": {"includeLocations": ["l1"]}}
    policy = ExportObject("ca", "/x/ca.json", "", {"displayName": "P", "conditions": conditions,
                                                   "grantControls": COMPLIANT})
    verdict = _ca_policy(policy, {})
    assert verdict.outcome == WARN
    assert verdict.message == (
        f"policy 'P' {BLOCKS}, depending on membership of 2 named group(s) and a location condition (where the "
        f"device signs in from): check with What If (user, cloud app {ACTIVITY_FEED}, Windows, device not compliant)")
    assert verdict.evidence[0].locator == "/grantControls"


def test_ca_policy_out_of_scope_passes_with_the_reason():
    conditions = {**ALL_USERS_ALL_APPS, "platforms": {"includePlatforms": ["iOS"]}}
    verdict = _ca_policy(ca(displayName="P", conditions=conditions, grantControls=COMPLIANT), {})
    assert verdict.outcome == PASS
    assert verdict.message.startswith("policy 'P' does not apply to Windows devices")
    assert verdict.message.endswith(": out of scope for the restore")


ALL_DEVICES = [{"target": {"@odata.type": "#microsoft.graph.allDevicesAssignmentTarget"}}]
USERS = [{"target": {"@odata.type": "#microsoft.graph.allLicensedUsersAssignmentTarget"}}]
DEFAULT = {"id": "t_DefaultWindows10EnrollmentCompletionPageConfiguration", "priority": 0, "assignments": ALL_DEVICES}


def esps(*specs: dict) -> list[ExportObject]:
    return [ExportObject("esp", f"/x/{i}.json", "", spec) for i, spec in enumerate(specs)]


def chosen(found) -> list[tuple[str, str]]:
    return [(name_of(e), why) for e, why in found.candidates]


def test_effective_esp_is_the_lowest_priority_device_targeted_custom_esp():
    found = effective_esp(esps(DEFAULT, {"displayName": "B", "priority": 2, "assignments": ALL_DEVICES},
                               {"displayName": "A", "priority": 1, "assignments": ALL_DEVICES},
                               {"displayName": "U", "priority": 0, "assignments": USERS}))
    assert chosen(found) == [("A", "device-targeted custom ESP with the lowest priority value (1)")]
    assert found.undecided is None and found.subject == "/x/2.json#/ (A)"


def test_effective_esp_falls_back_to_the_default():
    found = effective_esp(esps({"displayName": "U", "priority": 1, "assignments": USERS}, DEFAULT))
    assert chosen(found) == [(DEFAULT["id"], "the default ESP (no device-targeted custom ESP is assigned)")]


def test_effective_esp_without_assignment_data_keeps_every_possible_candidate():
    found = effective_esp(esps({"displayName": "N3", "priority": 3}, {"displayName": "N1", "priority": 1},
                               {"displayName": "A", "priority": 2, "assignments": ALL_DEVICES},
                               {"displayName": "N2", "priority": 2}))
    why = "exported without assignment data, so it may be assigned to the devices (priority {})"
    assert chosen(found) == [("N1", why.format(1)), ("N2", why.format(2)),
                             ("A", "device-targeted custom ESP with the lowest priority value (2)")]
    assert found.subject == "effective ESP (3 candidates)"
    alone = effective_esp(esps({"displayName": "N", "priority": 1}, DEFAULT))
    assert chosen(alone) == [("N", why.format(1)), (DEFAULT["id"], "the default ESP, effective unless a custom "
                                                   "ESP exported without assignments is assigned to devices")]


@pytest.mark.parametrize("specs, undecided", [
    (({"displayName": "A", "priority": 1, "assignments": ALL_DEVICES},
      {"displayName": "B", "priority": 1, "assignments": ALL_DEVICES}),
     "device-targeted custom ESPs 'A' and 'B' share the lowest priority value 1: which applies is undefined; "
     "give each ESP its own priority"),
    (({"displayName": "A", "priority": True, "assignments": ALL_DEVICES}, {"id": "n", "priority": "1"}),
     "custom ESP priority is not an integer: 'A' (priority true), 'n' (priority '1', text); the effective ESP "
     "cannot be decided"),
    (({"priority": 1, "assignments": USERS},),
     "no custom ESP is known to be assigned to devices, so the default ESP applies, and it is not in the export: "
     "export GET /beta/deviceManagement/deviceEnrollmentConfigurations too"),
])
def test_effective_esp_undecided(specs, undecided):
    assert effective_esp(esps(*specs)).undecided == undecided
    assert effective_esp([]) is None


def test_user_groups_are_dynamic_user_rules_only():
    groups = [ExportObject("group", "/g.json", "", data) for data in (
        {"id": "U1", "membershipRule": '(user.department -eq "Sales")'},
        {"id": "D1", "membershipRule": '(device.deviceOSType -eq "Windows")'},
        {"id": "M1", "membershipRule": '(user.x -eq "a") or (device.y -eq "b")'},
        {"id": "S1", "membershipRule": None},
    )]
    assert user_groups(groups) == frozenset({"u1"})
    esp_to = ExportObject("esp", "/e.json", "", {"assignments": [
        {"target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": "U1"}}]})
    assert device_targeted(esp_to, user_groups(groups)) is False
    assert device_targeted(esp_to) is True  # a group not known to hold users may hold devices
    assert device_targeted(ExportObject("esp", "/e.json", "", {"assignments": USERS})) is False


def test_worst_keeps_the_worst_messages_and_all_evidence():
    a, b = Evidence("/a", "/x"), Evidence("/b", "/y")
    verdict = worst([Verdict(PASS, "fine", (a,)), Verdict(WARN, "w1", (), ("s1",)),
                     Verdict(WARN, "w2", (b,), ("s1", "s2"))])
    assert (verdict.outcome, verdict.message, verdict.evidence, verdict.remediation) == \
        (WARN, "w1; w2", (a, b), ("s1", "s2"))
    assert worst([Verdict(PASS, "p"), Verdict(NOT_EVALUATED, "n")]).outcome == NOT_EVALUATED


def test_backup_settings_finds_catalog_and_oma_uri_instances_with_their_locators():
    catalog = {"settings": [{"settingInstance": {"settingDefinitionId": BACKUP_SETTING,
                                                 "choiceSettingValue": {"value": f"{BACKUP_SETTING}_0"}}},
                            {"settingInstance": {"settingDefinitionId": BACKUP_SETTING, "choiceSettingValue": "x"}},
                            {"settingInstance": {"settingDefinitionId": "other", "choiceSettingValue": {"value": 1}}}]}
    custom = {"omaSettings": ["junk", {"omaUri": "./Device/Vendor/MSFT/Policy/Config/Other", "value": "<enabled/>"},
                              {"omaUri": OMA_URIS[BACKUP_SETTING].upper(), "value": "<enabled/>"},
                              {"value": "<enabled/>"}]}
    policies = [ExportObject("settings", "/x/p.json", "/value/3", catalog),
                ExportObject("settings", "/x/q.json", "", custom)]
    found = [(p.file, value, loc) for p, value, loc in backup_settings(IntuneFacts({"settings": policies}))]
    assert found == [
        ("/x/p.json", f"{BACKUP_SETTING}_0", "/value/3/settings/0/settingInstance/choiceSettingValue/value"),
        ("/x/p.json", "None", "/value/3/settings/1/settingInstance/choiceSettingValue/value"),
        ("/x/q.json", f"{BACKUP_SETTING}_1", "/omaSettings/2/value"),
    ]
    assert backup_settings(IntuneFacts({"settings": policies}), "no-such-setting") == []


APPS_ALL = {"includeApplications": ["All"]}


@pytest.mark.parametrize("conditions, out, unknown", [
    ({"applications": {"includeUserActions": ["urn:user:registersecurityinfo"]}},
     "applies to user actions (registering security info or devices), not to app tokens", []),
    ({"applications": {"includeAuthenticationContextClassReferences": ["c1"]}},
     "applies to authentication contexts, not to the Activity Feed Service", []),
    ({"applications": {**APPS_ALL, "includeAuthenticationContextClassReferences": ["c1"]}}, None, []),
    ({"applications": {"includeApplications": ["Office365"]}}, "targets Office365, not the Activity Feed Service", []),
    ({"applications": {"includeApplications": ["a", "b"]}}, "targets 2 other app(s), not the Activity Feed Service",
     []),
    ({"applications": {**APPS_ALL, "applicationFilter": {"mode": "include"}}}, None,
     ["an application filter (custom security attributes)"]),
    ({"applications": APPS_ALL, "clientAppTypes": []}, None, []),
    ({"applications": APPS_ALL, "clientAppTypes": ["exchangeActiveSync"]},
     "applies only to exchangeActiveSync clients, not to a browser or desktop sign-in", []),
    ({"applications": APPS_ALL, "platforms": {"excludePlatforms": ["windows"]}},
     "does not apply to Windows devices", []),
    ({"applications": APPS_ALL, "platforms": {"includePlatforms": [], "excludePlatforms": ["iOS"]}}, None, []),
    ({"applications": APPS_ALL, "authenticationFlows": {"transferMethods": "deviceCodeFlow,authenticationTransfer"}},
     "applies only to deviceCodeFlow, authenticationTransfer flows, not to an interactive sign-in", []),
    ({"applications": APPS_ALL, "authenticationFlows": {"transferMethods": "none"}}, None, []),
    ({"applications": APPS_ALL, "clientApplications": {"includeAgentIdServicePrincipals": ["All"]}},
     "applies to workload or agent identities, not to a user", []),
    ({"applications": APPS_ALL, "locations": {"includeLocations": ["All"]}, "devices": {"deviceFilter": {"rule": "x"}}},
     None, ["a location condition (where the device signs in from)", "a device filter"]),
])
def test_policy_scope(conditions, out, unknown):
    found = ca_scope.scope({"conditions": {"users": {"includeUsers": ["All"]}, **conditions}})
    assert (found.out, found.unknown) == (out, unknown)


def test_named_groups_are_listed_by_name():
    users = {"includeGroups": ["G1", "g2", "g3"]}
    found = ca_scope._users({"users": users}, {"g1": "Staff", "g2": "Sales"})
    assert "'Staff', 'Sales'" in found.unknown[0]


def test_esp_settings_are_judged_on_every_candidate_with_their_evidence():
    ctx = SimpleNamespace(baseline={"esp": {"min_timeout_minutes": 60}})
    good = {"displayName": "G", "installQualityUpdates": True, "installProgressTimeoutInMinutes": 60}
    short = {"id": "S", "installQualityUpdates": False, "installProgressTimeoutInMinutes": 59}
    one, two = esps(good, short)
    single = EffectiveEsp(((one, "why"),))
    verdict = esp001.check(single, ctx)
    assert (verdict.outcome, verdict.message) == (PASS, "effective ESP 'G' (why): 'Install Windows quality updates' "
                                                        "is Yes")
    assert verdict.evidence == (Evidence("/x/0.json", "/installQualityUpdates", True, True),)
    both = EffectiveEsp(((one, "a"), (two, "b")))
    verdict = esp004.check(both, ctx)
    assert (verdict.outcome, verdict.message) == (
        FAIL, "candidate ESP 'S' (b): 'Show an error when installation takes longer than specified number of "
              "minutes' is 59, not 60 or more (Graph installProgressTimeoutInMinutes = 59)")
    assert verdict.evidence[1] == Evidence("/x/1.json", "/installProgressTimeoutInMinutes", ">= 60", 59)
    missing = esp002.check(EffectiveEsp(((two, "b"),), "undecided because"), ctx)
    assert missing.outcome == NOT_EVALUATED
    assert missing.message == ("effective ESP 'S' (b) does not carry showInstallationProgress: Graph v1.0 and list "
                               "exports leave it out; undecided because")
    assert missing.remediation == ("Re-export the ESP from Graph beta: GET https://graph.microsoft.com/beta/"
                                   "deviceManagement/deviceEnrollmentConfigurations/S",)
    assert esp004.check(EffectiveEsp(((esps({"installProgressTimeoutInMinutes": True})[0], "w"),)), ctx).outcome == FAIL


def test_esp_labels_name_what_each_rule_checks():
    ok = esps({"displayName": "E", "showInstallationProgress": True, "blockDeviceSetupRetryByUser": False})[0]
    subject = EffectiveEsp(((ok, "w"),))
    assert esp002.check(subject, None).message == ("effective ESP 'E' (w): 'Show app and profile configuration "
                                                   "progress' is Yes")
    assert esp003.check(subject, None).message == ("effective ESP 'E' (w): 'Block device use until all apps and "
                                                   "profiles are installed' is Yes")  # Graph false, shown inverted
    off = EffectiveEsp(((esps({"displayName": "O", "blockDeviceSetupRetryByUser": True,
                                "showInstallationProgress": False})[0], "w"),))
    assert esp002.check(off, None).message == ("effective ESP 'O' (w): 'Show app and profile configuration "
                                               "progress' is No, not Yes (Graph showInstallationProgress = false)")
    assert esp003.check(off, None).message == ("effective ESP 'O' (w): 'Block device use until all apps and "
                                               "profiles are installed' is No, not Yes (Graph "
                                               "blockDeviceSetupRetryByUser = true)")
    retry = EffectiveEsp(((esps({"displayName": "R", "blockDeviceSetupRetryByUser": 0})[0], "w"),))
    assert esp003.check(retry, None).outcome == FAIL  # only the boolean false means "block device use"
