"""Rule helpers in-process, at their boundaries (issue 15: tests that catch mutations)."""

from __future__ import annotations

import pytest

from toolkit.rules import ca_scope
from toolkit.rules.base import FAIL, NOT_EVALUATED, PASS
from toolkit.rules.esp import is_default
from toolkit.rules.tenant import BACKUP_SETTING, RESTORE_SETTING, _oma_value, _restore_state
from toolkit.sources.intune import ExportObject


def esp(**data) -> ExportObject:
    return ExportObject("esp", "/x/e.json", "", data)


@pytest.mark.parametrize("data, default", [
    ({"deviceEnrollmentConfigurationType": "defaultWindows10EnrollmentCompletionPageConfiguration"}, True),
    ({"deviceEnrollmentConfigurationType": "DEFAULTWINDOWS10ENROLLMENTCOMPLETIONPAGECONFIGURATION"}, True),
    ({"id": "t_DefaultWindows10EnrollmentCompletionPageConfiguration"}, True),
    ({"id": "t_defaultwindows10enrollmentcompletionpageconfiguration"}, False),  # Graph ids keep their case
    ({"deviceEnrollmentConfigurationType": "windows10EnrollmentCompletionPageConfiguration", "id": "x"}, False),
    ({}, False),
])
def test_is_default(data, default):
    assert is_default(esp(**data)) is default


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
    ("notConfigured", FAIL, "'Show restore page' is off (state 'notConfigured')"),
    ("disabled", FAIL, "(state 'disabled')"),
    (None, NOT_EVALUATED, "exported without its state"),
])
def test_restore_state(state, outcome, phrase):
    setting = ExportObject("restore", "/x/r.json", "", {"state": state} if state else {})
    verdict = _restore_state(setting, "GET it")
    assert verdict.outcome == outcome and phrase in verdict.message
    assert verdict.evidence[0].locator == "/state" and verdict.evidence[0].actual == state
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
    ({"builtInControls": ["compliantDevice"]}, "requires compliantDevice"),
    ({"operator": "OR", "builtInControls": ["compliantDevice", "domainJoinedDevice"]},
     "requires compliantDevice or domainJoinedDevice"),
    ({"operator": "and", "builtInControls": ["mfa", "compliantDevice"]}, "requires compliantDevice"),
    ({"operator": "AND", "builtInControls": ["compliantDevice", "domainJoinedDevice"]},
     "requires compliantDevice and domainJoinedDevice"),
    ({"builtInControls": ["compliantDevice"], "authenticationStrength": {"id": "x"}}, None),
    ({"builtInControls": ["compliantDevice"], "termsOfUse": ["t"]}, None),
    ({"builtInControls": ["approvedApplication", "compliantApplication"]},
     "requires approvedApplication or compliantApplication"),
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
