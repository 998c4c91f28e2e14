"""Autopilot profile rules in-process: every outcome with its exact message and evidence, on Graph
beta shapes (current and deprecated property sets), for mutation testing (issue 15)."""

from __future__ import annotations

from datetime import date

import pytest

from toolkit.facts.intune import ExportObject
from toolkit.rules.autopilot import HYBRID, ap001, ap002, ap003, ap004, ap005
from toolkit.rules.base import FAIL, PASS, WARN, Context, Evidence

F = "/x/p.json"
BASELINE = {"id": "wbfo-2026-02", "hybrid_allowed_on": ["backup", "first-sign-in"]}


def ctx(path: str = "oobe") -> Context:
    return Context(baseline=BASELINE, path=path, today=date(2026, 11, 21), catalog=None)


def profile(**data) -> ExportObject:
    return ExportObject("profile", F, "/value/2", {"displayName": "P", **data})


@pytest.mark.parametrize("odata, path, outcome, message", [
    ("#microsoft.graph.azureADWindowsAutopilotDeploymentProfile", "oobe", PASS,
     "profile 'P' joins devices to Microsoft Entra ID"),
    (HYBRID, "oobe", FAIL, "profile 'P' is hybrid Entra join: no restore for a hybrid joined device on the oobe path "
                           "(wbfo-2026-02)"),
    ("#microsoft.graph.activeDirectoryWindowsAutopilotDeploymentProfile", "first-sign-in", WARN,
     "profile 'P' is hybrid Entra join: only first sign-in restore applies, never the OOBE restore page "
     "(wbfo-2026-02)"),
    (HYBRID, "backup", PASS, "profile 'P' is hybrid Entra join: hybrid join is supported on the backup path"),
])
def test_ap001_join_type(odata, path, outcome, message):
    verdict = ap001.check(profile(**{"@odata.type": odata}), ctx(path))
    assert (verdict.outcome, verdict.message) == (outcome, message)
    assert verdict.evidence == (Evidence(F, "/value/2/@odata.type",
                                         "#microsoft.graph.azureADWindowsAutopilotDeploymentProfile", odata),)
    assert ap001.check(ExportObject("profile", F, "", {"id": "i"}), ctx()).evidence[0].actual is None


@pytest.mark.parametrize("data, outcome, message, locator, actual", [
    ({}, PASS, "profile 'P' sets no deviceUsageType (default singleUser)",
     "/value/2/outOfBoxExperienceSetting/deviceUsageType", None),
    ({"outOfBoxExperienceSetting": {"deviceUsageType": "singleUser"}}, PASS, "profile 'P' is user-driven",
     "/value/2/outOfBoxExperienceSetting/deviceUsageType", "singleUser"),
    ({"outOfBoxExperienceSettings": {"deviceUsageType": "singleUser"}}, PASS, "profile 'P' is user-driven",
     "/value/2/outOfBoxExperienceSettings/deviceUsageType", "singleUser"),
    ({"outOfBoxExperienceSetting": {"deviceUsageType": "Shared"}}, FAIL,
     "profile 'P' is self-deploying (deviceUsageType shared)",
     "/value/2/outOfBoxExperienceSetting/deviceUsageType", "Shared"),
    ({"outOfBoxExperienceSetting": {"deviceUsageType": "singleUser"},
      "outOfBoxExperienceSettings": {"deviceUsageType": "shared"}}, FAIL,
     "profile 'P' is self-deploying (deviceUsageType shared)",
     "/value/2/outOfBoxExperienceSettings/deviceUsageType", "shared"),
    ({"outOfBoxExperienceSetting": {"deviceUsageType": None}}, PASS,
     "profile 'P' sets no deviceUsageType (default singleUser)",
     "/value/2/outOfBoxExperienceSetting/deviceUsageType", None),
])
def test_ap002_deployment_mode(data, outcome, message, locator, actual):
    verdict = ap002.check(profile(**data), ctx())
    assert (verdict.outcome, verdict.message) == (outcome, message)
    assert verdict.evidence == (Evidence(F, locator, "singleUser", actual),)


@pytest.mark.parametrize("data, locator", [
    ({"preprovisioningAllowed": True}, "/value/2/preprovisioningAllowed"),
    ({"preprovisioningAllowed": False, "enableWhiteGlove": True}, "/value/2/enableWhiteGlove"),
    ({"preprovisioningAllowed": "true"}, None),  # only the boolean true allows it
    ({"preprovisioningAllowed": False}, None),
    ({}, None),
])
def test_ap003_pre_provisioning(data, locator):
    verdict = ap003.check(profile(**data), ctx())
    if locator:
        assert (verdict.outcome, verdict.message) == (FAIL, "profile 'P' allows pre-provisioning")
        assert verdict.evidence == (Evidence(F, locator, False, True),)
    else:
        assert (verdict.outcome, verdict.message) == (PASS, "profile 'P' does not allow pre-provisioning")


@pytest.mark.parametrize("device_type, outcome, message", [
    (None, PASS, "profile 'P' targets Windows PCs"),
    ("windowsPc", PASS, "profile 'P' targets Windows PCs"),
    ("holoLens", FAIL, "profile 'P' targets holoLens"),
    ("surfaceHub2", FAIL, "profile 'P' targets surfaceHub2"),
])
def test_ap004_device_type(device_type, outcome, message):
    verdict = ap004.check(profile(deviceType=device_type), ctx())
    assert (verdict.outcome, verdict.message) == (outcome, message)
    assert verdict.evidence == (Evidence(F, "/value/2/deviceType", "windowsPc", device_type),)


def test_ap005_reports_each_disagreeing_pair():
    data = {"outOfBoxExperienceSetting": {"privacySettingsHidden": True, "eulaHidden": True, "userType": "standard"},
            "outOfBoxExperienceSettings": {"hidePrivacySettings": False, "hideEULA": True, "userType": None},
            "locale": "en-US", "language": "os-default"}
    verdict = ap005.check(profile(**data), ctx())
    assert (verdict.outcome, verdict.message) == (FAIL, "profile 'P': current and deprecated values disagree "
                                                  "(privacySettingsHidden, locale); the current value is used")
    assert verdict.evidence == (
        Evidence(F, "/value/2/outOfBoxExperienceSetting/privacySettingsHidden", False, True),
        Evidence(F, "/value/2/locale", "os-default", "en-US"))
    agree = ap005.check(profile(locale="en-US", language="en-US"), ctx())
    assert (agree.outcome, agree.message) == (PASS, "profile 'P': no disagreement between property sets")


def test_profile_is_named_by_display_name_then_id():
    assert ap004.check(ExportObject("profile", F, "", {"id": "I"}), ctx()).message == "profile 'I' targets Windows PCs"
    assert ap004.check(ExportObject("profile", F, "", {}), ctx()).message == "profile 'profile' targets Windows PCs"
