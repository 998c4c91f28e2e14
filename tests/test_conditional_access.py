"""TEN003 decides each Conditional Access policy the way Entra decides whether it applies to the
restore token; a published community baseline gets the outcomes a CA reviewer would give (issue 14)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from conftest import SAMPLES

from toolkit.sources.intune import decode_text

AFS = "d32c68ad-72d2-4acb-a0c7-46bb2cf93873"
J0EYV = SAMPLES / "intune" / "conditional_access" / "j0eyv"
WARN = {"CA001", "CA205", "CA301"}


@pytest.fixture(autouse=True)
def fixed_day(monkeypatch):
    monkeypatch.setenv("OOBE_READY_AS_OF", "2026-11-21")


def ten003(cli, *paths: Path) -> dict[str, dict]:
    args = [x for p in paths for x in ("--intune", p)]
    manifest = json.loads(cli("check", *args, "-o", "json").out)
    return {r["subject"].rsplit("(", 1)[-1].split("-")[0]: r for r in manifest["results"] if r["rule"] == "TEN003"}


def test_community_baseline_outcomes(cli):
    results = ten003(cli, J0EYV)  # with the baseline's own export of its internal users' group
    assert len(results) == 36
    assert "('APP_Microsoft365_E5')" in results["CA205"]["message"]
    for policy, result in results.items():
        expected = "warn" if policy in WARN else "pass"
        assert result["outcome"] == expected, (policy, result["message"])
    assert "membership of 1 named group(s)" in results["CA205"]["message"]
    assert "requires a compliant device or a Microsoft Entra hybrid joined device" in results["CA205"]["message"]
    reasons = {p: r["message"] for p, r in results.items()}
    assert "authenticationTransfer flows" in reasons["CA004"]
    assert "directory role(s)" in reasons["CA101"]
    assert "high user risk" in reasons["CA201"]
    assert "guests or external users" in reasons["CA400"]
    assert "does not apply to Windows devices" in reasons["CA204"]
    assert "exchangeActiveSync, other clients" in reasons["CA002"]


def test_community_baseline_after_the_documented_exclusion_passes(cli, tmp_path):
    folder = tmp_path / "ConditionalAccess"
    folder.mkdir()
    for path in sorted(J0EYV.glob("CA*.json")):
        doc = json.loads(decode_text(path.read_bytes(), path))
        if path.name.split("-")[0] in WARN:
            doc["conditions"]["applications"]["excludeApplications"].append(AFS)
        (folder / path.name).write_text(json.dumps(doc), encoding="utf-8")
    results = ten003(cli, folder)
    assert {r["outcome"] for r in results.values()} == {"pass"}
    assert "excludes the Activity Feed Service" in results["CA205"]["message"]


BASE = {"@odata.type": "#microsoft.graph.conditionalAccessPolicy", "id": "p", "displayName": "P", "state": "enabled",
        "conditions": {"users": {"includeUsers": ["All"]}, "applications": {"includeApplications": ["All"]},
                       "clientAppTypes": ["all"]},
        "grantControls": {"operator": "OR", "builtInControls": ["compliantDevice"]}}


def variant(path: str, value: object) -> dict:
    doc = copy.deepcopy(BASE)
    node = doc
    keys = path.split("/")
    for key in keys[:-1]:
        node = node.setdefault(key, {})
    node[keys[-1]] = value
    return doc


# (a change to the blocking base policy, expected outcome, a phrase of the reason)
CONDITIONS = [
    ("conditions/users/includeUsers", ["None"], "pass", "applies to no user"),
    ("conditions/users", {"includeRoles": ["62e90394-69f5-4237-9190-012177145e10"]}, "pass", "directory role"),
    ("conditions/users", {"includeGuestsOrExternalUsers": {"guestOrExternalUserTypes": "b2bCollaborationGuest"}},
     "pass", "guests or external users"),
    ("conditions/users", {"includeGroups": ["0f3c9a2e-1b2c-4d5e-8f90-123456789abc"]}, "warn", "named group"),
    ("conditions/users", {"includeUsers": ["4b1c2d3e-0000-4000-8000-000000000001"]}, "warn", "named user"),
    ("conditions/users/excludeGroups", ["0f3c9a2e-1b2c-4d5e-8f90-123456789abc"], "fail", "requires a compliant device"),
    ("conditions/applications/excludeApplications", [AFS], "pass", "excludes the Activity Feed Service"),
    ("conditions/applications/includeApplications", ["Office365"], "pass", "targets Office365"),
    ("conditions/applications/includeApplications", ["MicrosoftAdminPortals"], "pass", "MicrosoftAdminPortals"),
    ("conditions/applications/includeApplications", [AFS], "fail", "requires a compliant device"),
    ("conditions/applications", {"includeApplications": [], "includeUserActions": ["urn:user:registersecurityinfo"]},
     "pass", "user actions"),
    ("conditions/applications", {"includeApplications": [], "includeAuthenticationContextClassReferences": ["c1"]},
     "pass", "authentication contexts"),
    ("conditions/applications/applicationFilter", {"mode": "include", "rule": "CustomSecurityAttribute.x -eq \"y\""},
     "warn", "application filter"),
    ("conditions/clientAppTypes", ["exchangeActiveSync", "other"], "pass", "not to a browser"),
    ("conditions/clientAppTypes", ["mobileAppsAndDesktopClients"], "fail", "requires"),
    ("conditions/platforms", {"includePlatforms": ["iOS", "android"]}, "pass", "does not apply to Windows"),
    ("conditions/platforms", {"includePlatforms": ["all"], "excludePlatforms": ["windows"]}, "pass", "Windows"),
    ("conditions/platforms", {"includePlatforms": ["windows"]}, "fail", "requires"),
    ("conditions/userRiskLevels", ["high"], "pass", "high user risk"),
    ("conditions/signInRiskLevels", ["medium", "high"], "pass", "sign-in risk"),
    ("conditions/insiderRiskLevels", "elevated", "pass", "insider risk"),
    ("conditions/authenticationFlows", {"transferMethods": "deviceCodeFlow"}, "pass", "deviceCodeFlow flows"),
    ("conditions/clientApplications", {"includeServicePrincipals": ["All"]}, "pass", "workload"),
    ("conditions/locations", {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]}, "warn", "location"),
    ("conditions/devices", {"deviceFilter": {"mode": "exclude", "rule": "device.isCompliant -eq True"}}, "warn",
     "device filter"),
    ("grantControls", {"operator": "OR", "builtInControls": ["mfa", "compliantDevice"]}, "pass", "can satisfy"),
    ("grantControls", {"operator": "AND", "builtInControls": ["mfa", "compliantDevice"]}, "fail", "requires"),
    ("grantControls", {"operator": "OR", "builtInControls": ["block"]}, "fail", "blocks access"),
    ("grantControls", {"operator": "OR", "builtInControls": ["compliantDevice"],
                       "authenticationStrength": {"id": "00000000-0000-0000-0000-000000000002"}},
     "pass", "can satisfy"),
    ("grantControls", {"operator": "OR", "builtInControls": ["domainJoinedDevice"], "termsOfUse": ["t"]}, "pass",
     "can satisfy"),
    ("grantControls", None, "pass", "only session controls"),
    ("state", "enabledForReportingButNotEnforced", "warn", "report-only"),
    ("state", "disabled", "pass", "is disabled"),
]


@pytest.mark.parametrize("path, value, outcome, reason", CONDITIONS,
                         ids=[f"{p.rsplit('/', 1)[-1]}-{o}-{n}" for n, (p, _, o, _) in enumerate(CONDITIONS)])
def test_each_condition_decides_scope(cli, tmp_path, path, value, outcome, reason):
    export = tmp_path / "policy.json"
    export.write_text(json.dumps(variant(path, value)), encoding="utf-8")
    (result,) = ten003(cli, export).values()
    assert result["outcome"] == outcome and reason in result["message"], result["message"]


def vm_tenant(tmp_path: Path, strength: dict, image_edition: str | None = None) -> list[str]:
    policy = copy.deepcopy(BASE)
    policy["grantControls"] = {"operator": "OR", "builtInControls": [], "authenticationStrength": strength}
    (tmp_path / "ca.json").write_text(json.dumps(policy), encoding="utf-8")
    return ["--intune", str(tmp_path / "ca.json")]


@pytest.mark.parametrize("methods, outcome", [
    (["windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor"], "fail"),  # phishing-resistant only
    (["fido2", "password,microsoftAuthenticatorPush"], "pass"),                      # an alternative VMs can use
])
def test_ten005_custom_strengths_and_virtual_desktop_images(cli, tmp_path, methods, outcome):
    """A custom authentication strength allowing only phishing-resistant methods, while the image is an
    Enterprise multi-session (AVD / Windows 365) image: a real XML of the golden multi-session WIM."""
    from conftest import GOLDEN

    args = vm_tenant(tmp_path, {"id": "5b1a2c3d-0000-4000-8000-000000000777", "displayName": "Custom PR",
                                "allowedCombinations": methods})
    manifest = json.loads(cli("check", GOLDEN / "win11_multisession.wim", "--no-deep", *args, "-o", "json").out)
    ten005 = next(r for r in manifest["results"] if r["rule"] == "TEN005")
    assert ten005["outcome"] == outcome, ten005["message"]
    if outcome == "fail":
        assert "multi-session (virtual desktops)" in ten005["message"]
