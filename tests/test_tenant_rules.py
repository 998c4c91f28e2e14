"""Tenant rules in-process, every outcome with its exact message and evidence (issue 15: tests that
catch mutations). Objects mirror Graph beta shapes; the CLI-level cases live in test_check_rules."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from toolkit.facts.intune import ExportObject, IntuneFacts
from toolkit.rules.base import FAIL, NOT_APPLICABLE, NOT_EVALUATED, PASS, SKIPPED, WARN, Evidence
from toolkit.rules.tenant import (
    ACTIVITY_FEED,
    BACKUP_SETTING,
    PHISHING_RESISTANT,
    RESTORE_SETTING,
    ten001,
    ten002,
    ten004,
    ten005,
    ten006,
    ten007,
)

BASELINE = {"id": "wbfo-2026-09", "tenant": {"restore_policy_routes": ["first-sign-in"], "gcc": "warn"}}


def ctx(**changes) -> SimpleNamespace:
    return SimpleNamespace(**{"path": "oobe", "baseline": BASELINE, "tenant_id": None, "extras": {},
                              "cloud": None, **changes})


def obj(kind: str, data: dict, file: str = "/x/a.json", pointer: str = "") -> ExportObject:
    return ExportObject(kind, file, pointer, data)


def tenant(*objects: ExportObject, hosts: set[str] = frozenset()) -> IntuneFacts:
    facts = IntuneFacts()
    for o in objects:
        facts.objects.setdefault(o.kind, []).append(o)
    facts.context_hosts = set(hosts)
    return facts


def catalog(name: str, setting: str, value: str, **data) -> ExportObject:
    return obj("settings", {"name": name, **data, "settings": [{"settingInstance": {
        "settingDefinitionId": setting, "choiceSettingValue": {"value": value}}}]}, file=f"/x/{name}.json")


LOC = "/settings/0/settingInstance/choiceSettingValue/value"


# TEN001 --------------------------------------------------------------------------------------------

def test_ten001_judges_each_restore_setting():
    found = ten001.check(tenant(obj("restore", {"id": "t_WindowsRestore", "state": "enabled"})), ctx())
    assert [(s, v.outcome, v.message) for s, v in found] == [
        ("/x/a.json#/ (t_WindowsRestore)", PASS, "'Show restore page' is on")]


def test_ten001_without_the_setting_names_the_graph_call_with_the_tenant():
    found = ten001.check(tenant(obj("esp", {"id": "e"})), ctx(tenant_id="T1"))
    assert (found.outcome, found.message) == (
        NOT_EVALUATED, "the exports hold enrollment configurations but not the tenant restore setting "
                       "(windowsRestoreDeviceEnrollmentConfiguration)")
    assert found.remediation[0].startswith("Export the restore setting from Graph beta: GET https://graph.microsoft"
                                           ".com/beta/deviceManagement/deviceEnrollmentConfigurations/T1_WindowsRestore")
    missing = ten001.check(tenant(obj("restore", {"id": "r"})), ctx())[0][1]
    assert "deviceEnrollmentConfigurations/<tenantId>_WindowsRestore" in missing.remediation[0]
    skipped = ten001.check(tenant(), ctx())
    assert (skipped.outcome, skipped.message) == (SKIPPED, "input not supplied: no Windows restore setting "
                                                  "(windowsRestoreDeviceEnrollmentConfiguration) in the exports")


@pytest.mark.parametrize("path, value, assignments, routed", [
    ("first-sign-in", f"{RESTORE_SETTING}_true", [{"target": {}}], True),
    ("first-sign-in", f"{RESTORE_SETTING}_true", None, True),    # assignments not exported: not "unassigned"
    ("first-sign-in", f"{RESTORE_SETTING}_true", [], False),     # exported and empty: assigned to no one
    ("first-sign-in", f"{RESTORE_SETTING}_false", None, False),
    ("oobe", f"{RESTORE_SETTING}_true", None, False),             # the policy route exists on first sign-in only
])
def test_ten001_first_sign_in_restore_policy_route(path, value, assignments, routed):
    extra = {} if assignments is None else {"assignments": assignments}
    policy = catalog("Restore", RESTORE_SETTING, value, **extra)
    found = ten001.check(tenant(policy, obj("restore", {"id": "r", "state": "notConfigured"})), ctx(path=path))
    subject, verdict = found[0]
    if routed:
        assert (subject, verdict.outcome) == (policy.subject, PASS)
        assert verdict.message == ("restore is turned on by the assigned Enable Windows Restore policy 'Restore' "
                                   "(first sign-in route, wbfo-2026-09)")
        assert verdict.evidence == (Evidence("/x/Restore.json", LOC, f"{RESTORE_SETTING}_true",
                                             f"{RESTORE_SETTING}_true"),)
    else:
        assert verdict.outcome == FAIL and verdict.message == ("'Show restore page' is not configured, not on "
                                                                  "(Graph state = notConfigured)")


# TEN002 --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, extra, outcome, message", [
    ("_1", {}, PASS, "policy 'P' enables Windows Backup"),
    ("_1", {"assignments": []}, WARN, "policy 'P' enables Windows Backup but is not assigned"),
    ("_1", {"assignments": [{"target": {}}]}, PASS, "policy 'P' enables Windows Backup"),
    ("_0", {}, FAIL, "policy 'P' disables Windows Backup, which wins over any policy that enables it"),
    ("_2", {}, NOT_EVALUATED, f"policy 'P' sets Enable Windows Backup to an unknown value '{BACKUP_SETTING}_2'"),
])
def test_ten002_one_finding_per_policy(value, extra, outcome, message):
    policy = catalog("P", BACKUP_SETTING, BACKUP_SETTING + value, **extra)
    found = ten002.check(tenant(policy), ctx())
    mine = [(v.outcome, v.message, v.evidence) for s, v in found if s == policy.subject]
    assert mine == [(outcome, message, (Evidence("/x/P.json", LOC, f"{BACKUP_SETTING}_1", BACKUP_SETTING + value),))]
    tenant_wide = [v for s, v in found if s == "tenant"]
    assert bool(tenant_wide) is (value != "_1")  # no policy enables it: one more finding for the tenant


def test_ten002_tenant_finding_when_nothing_enables_backup():
    off = catalog("Off", BACKUP_SETTING, f"{BACKUP_SETTING}_0")
    other = obj("settings", {"displayName": "Unrelated", "settings": []})
    verdict = dict(ten002.check(tenant(off, other), ctx()))["tenant"]
    assert (verdict.outcome, verdict.message) == (FAIL, "none of the 2 settings catalog policies enables Windows "
                                                  "Backup")
    assert verdict.evidence == (Evidence("/x/Off.json", LOC, f"{BACKUP_SETTING}_1", f"{BACKUP_SETTING}_0"),)
    on_26h2 = dict(ten002.check(tenant(other), ctx(extras={"backup_on_by_default": "26H2"})))["tenant"]
    assert (on_26h2.outcome, on_26h2.message) == (PASS, "no policy enables Windows Backup, but 26H2 backs up by "
                                                  "default (wbfo-2026-09)")


def test_ten002_names_a_policy_by_name_then_display_name_then_id():
    for data, name in (({"name": "N", "displayName": "D", "id": "I"}, "N"), ({"displayName": "D", "id": "I"}, "D"),
                       ({"id": "I"}, "I")):
        policy = obj("settings", {**data, "settings": [{"settingDefinitionId": BACKUP_SETTING,
                                                        "choiceSettingValue": {"value": f"{BACKUP_SETTING}_1"}}]})
        messages = [v.message for _, v in ten002.check(tenant(policy), ctx())]
        assert messages == [f"policy '{name}' enables Windows Backup"]


# TEN004 --------------------------------------------------------------------------------------------

def test_ten004_service_principal():
    sp = obj("sp", {"appId": ACTIVITY_FEED}, pointer="/value/1")
    found = ten004.check(tenant(obj("sp", {"appId": "other"}), sp), ctx())
    assert (found.outcome, found.message) == (PASS, "the Microsoft Activity Feed Service principal exists")
    assert found.evidence == (Evidence("/x/a.json", "/value/1/appId", ACTIVITY_FEED, ACTIVITY_FEED),)
    missing = ten004.check(tenant(obj("sp", {"appId": "other"}), obj("sp", {})), ctx())
    assert (missing.outcome, missing.message) == (FAIL, f"no service principal for {ACTIVITY_FEED} in the 2 exported")


# TEN005 --------------------------------------------------------------------------------------------

VM = obj("profile", {"displayName": "VMs", "deviceType": "virtualMachine"})


def strict_ca(strength: dict, state: str = "enabled", name: str = "PR") -> ExportObject:
    return obj("ca", {"displayName": name, "state": state, "grantControls": {"authenticationStrength": strength}},
               pointer="/value/0")


@pytest.mark.parametrize("strength, state, outcome", [
    ({"id": PHISHING_RESISTANT}, "enabled", FAIL),
    ({"id": PHISHING_RESISTANT}, "enabledForReportingButNotEnforced", FAIL),
    ({"id": PHISHING_RESISTANT}, "disabled", PASS),
    ({"id": "custom", "allowedCombinations": ["fido2", "windowsHelloForBusiness"]}, "enabled", FAIL),
    ({"id": "custom", "allowedCombinations": ["fido2", "password,microsoftAuthenticatorPush"]}, "enabled", PASS),
    ({"id": "custom", "allowedCombinations": []}, "enabled", PASS),
    ({"id": "00000000-0000-0000-0000-000000000002"}, "enabled", PASS),  # built-in MFA strength
])
def test_ten005_phishing_resistant_strengths(strength, state, outcome):
    found = ten005.check(tenant(VM, obj("profile", {"id": "p2", "deviceType": "windowsPc"}),
                                strict_ca(strength, state)), ctx())
    assert found.outcome == outcome
    if outcome == FAIL:
        assert found.message == ("phishing-resistant MFA applies at sign-in while Autopilot profile(s) VMs for "
                                 "virtual machines: virtual machines cannot pass security keys or smart cards through")
        assert found.evidence == (Evidence("/x/a.json", "/value/0/grantControls/authenticationStrength",
                                           "no phishing-resistant-only strength", "PR"),)
    else:
        assert found.message == "no enabled policy requires a phishing-resistant-only authentication strength"


def test_ten005_needs_a_virtual_machine_target():
    strict = strict_ca({"id": PHISHING_RESISTANT})
    found = ten005.check(tenant(strict), ctx())
    assert (found.outcome, found.message) == (NOT_APPLICABLE, "neither an Autopilot profile nor an image targets "
                                              "virtual machines")
    both = ten005.check(tenant(VM, strict), ctx(extras={"vm_images": "a Hyper-V image"}))
    assert both.message.startswith("phishing-resistant MFA applies at sign-in while Autopilot profile(s) VMs for "
                                   "virtual machines and a Hyper-V image:")


# TEN006 --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("cloud, baseline, outcome, message", [
    ("public", BASELINE, PASS, "tenant is in the public cloud (--cloud)"),
    ("gcc", BASELINE, WARN, "GCC: Microsoft's Windows doc is silent on GCC and the Intune doc excludes government "
                            "clouds (wbfo-2026-09); confirm with Microsoft before relying on restore"),
    ("gcc", {"id": "old", "tenant": {}}, PASS, "GCC (moderate) runs on the public Graph endpoint"),
    ("gcch", BASELINE, FAIL, "tenant is in the gcch cloud, where the feature is not offered"),
])
def test_ten006_cloud_option(cloud, baseline, outcome, message):
    found = ten006.check(tenant(hosts={"graph.microsoft.us"}), ctx(cloud=cloud, baseline=baseline))
    assert (found.outcome, found.message) == (outcome, message)
    assert found.evidence == (Evidence("--cloud", "--cloud", "public", cloud),)


@pytest.mark.parametrize("hosts, outcome, message, actual", [
    ({"graph.microsoft.com"}, PASS, "exports come from graph.microsoft.com (public cloud)", "graph.microsoft.com"),
    ({"graph.microsoft.com", "dod-graph.microsoft.us"}, FAIL,
     "exports come from dod-graph.microsoft.us: a sovereign cloud", "dod-graph.microsoft.us, graph.microsoft.com"),
    ({"graph.microsoft.com", "example.org"}, WARN, "unrecognised Graph host(s) example.org, graph.microsoft.com",
     "example.org, graph.microsoft.com"),
    ({""}, SKIPPED, "input not supplied: no --cloud and no @odata.context in the exports", None),
])
def test_ten006_export_hosts(hosts, outcome, message, actual):
    found = ten006.check(tenant(hosts=hosts), ctx())
    assert (found.outcome, found.message) == (outcome, message)
    if outcome != SKIPPED:
        assert found.evidence == (Evidence("@odata.context", "/@odata.context", "graph.microsoft.com", actual),)


# TEN007 --------------------------------------------------------------------------------------------

def probe(checked: object, *newest: object) -> IntuneFacts:
    users = [{"id": f"u{n}", "newestBackup": when} for n, when in enumerate(newest)]
    return tenant(obj("backups", {"@odata.type": "#oobe-ready.pilotGroupBackups", "id": "g", "groupId": "g",
                                  "checkedAt": checked, "users": users}, file="/s/PilotBackups/g.json"))


@pytest.mark.parametrize("checked, newest, outcome", [
    ("2026-11-09T00:00:00Z", "2026-11-01T00:00:00Z", PASS),           # 8 days: still recent
    ("2026-11-09T00:00:01Z", "2026-11-01T00:00:00Z", FAIL),           # a second past
    ("2026-11-09T00:00:00+00:00", "2026-11-01T01:00:00+01:00", PASS),  # offsets compared as instants
    ("2026-11-09T00:00:00Z", "2026-11-01T00:00:00", NOT_EVALUATED),   # no offset: which instant is unknown
    ("2026-11-09T00:00:00", "2026-11-01T00:00:00Z", NOT_EVALUATED),
    ("yesterday", "2026-11-01T00:00:00Z", NOT_EVALUATED),
])
def test_ten007_backup_age_and_dates_it_cannot_place(checked, newest, outcome):
    ((subject, verdict),) = ten007.check(probe(checked, newest), ctx())
    assert subject == "/s/PilotBackups/g.json#/ (g)" and verdict.outcome == outcome
    if outcome == NOT_EVALUATED:
        assert verdict.message == "the probe's dates are not ISO 8601 date-times with a UTC offset"
