#!/usr/bin/env python3
"""Write the example tenant exports in the layouts real tools produce.

ready/   IntuneManagement layout (one folder per object type, one JSON file per object, Graph
         property names and @odata annotations); the ESP and CA files are UTF-16 LE with BOM and
         CRLF, as Windows PowerShell 5.1 `Out-File` writes them.
blocked/ IntuneBackupAndRestore layout (assignments in an `Assignments/` sub-folder).
Usage: python golden_images/intune/build.py
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
TENANT = "2f9d6e5a-6c1b-4c8e-9a47-5d3c1b2a0f11"
CTX = "https://graph.microsoft.com/beta/$metadata#deviceManagement/"
ACTIVITY_FEED = "d32c68ad-72d2-4acb-a0c7-46bb2cf93873"
ALL_DEVICES = {"@odata.type": "#microsoft.graph.allDevicesAssignmentTarget"}


def profile(hybrid: bool, preprovisioning: bool, usage: str = "singleUser") -> dict:
    kind = "activeDirectory" if hybrid else "azureAD"
    return {
        "@odata.context": CTX + "windowsAutopilotDeploymentProfiles/$entity",
        "@odata.type": f"#microsoft.graph.{kind}WindowsAutopilotDeploymentProfile",
        "id": "7c2b9f0e-3d41-4b8a-9e6f-0a1b2c3d4e5f",
        "displayName": "Hybrid join - pre-provisioned" if hybrid else "User-driven Entra join",
        "description": "", "language": "os-default", "locale": "os-default",
        "deviceNameTemplate": "CORP-%SERIAL%", "deviceType": "windowsPc",
        "enableWhiteGlove": preprovisioning, "preprovisioningAllowed": preprovisioning,
        "extractHardwareHash": True, "hardwareHashExtractionEnabled": True,
        "roleScopeTagIds": ["0"], "managementServiceAppId": None,
        "outOfBoxExperienceSettings": {"hidePrivacySettings": True, "hideEULA": True, "userType": "standard",
                                       "deviceUsageType": usage, "skipKeyboardSelectionPage": True,
                                       "hideEscapeLink": True},
        "outOfBoxExperienceSetting": {"privacySettingsHidden": True, "eulaHidden": True, "userType": "standard",
                                      "deviceUsageType": usage, "keyboardSelectionPageSkipped": True,
                                      "escapeLinkHidden": True},
        "enrollmentStatusScreenSettings": None,
    }


def esp(default: bool, quality_updates: bool, shown: bool = True, block: bool = True,
        timeout: int = 90, assigned: bool = True) -> dict:
    return {
        "@odata.context": CTX + "deviceEnrollmentConfigurations/$entity",
        "@odata.type": "#microsoft.graph.windows10EnrollmentCompletionPageConfiguration",
        "id": f"{TENANT}_DefaultWindows10EnrollmentCompletionPageConfiguration" if default
        else "5b0e8c2d-9f4a-4e1b-8c3d-2a1f0e9d8c7b",
        "displayName": "All users and all devices" if default else "Restore-ready ESP",
        "priority": 0 if default else 1,
        "deviceEnrollmentConfigurationType": "defaultWindows10EnrollmentCompletionPageConfiguration" if default
        else "windows10EnrollmentCompletionPageConfiguration",
        "showInstallationProgress": shown, "blockDeviceSetupRetryByUser": not block,
        "allowDeviceResetOnInstallFailure": False, "allowLogCollectionOnInstallFailure": True,
        "customErrorMessage": None, "installProgressTimeoutInMinutes": timeout,
        "allowDeviceUseOnInstallFailure": False, "selectedMobileAppIds": [],
        "allowNonBlockingAppInstallation": False, "installQualityUpdates": quality_updates,
        "trackInstallProgressForAutopilotOnly": True, "disableUserStatusTrackingAfterFirstUser": True,
        "roleScopeTagIds": ["0"],
        "assignments": [] if default or not assigned else [{"id": "a1", "target": ALL_DEVICES}],
    }


def restore(state: str) -> dict:
    return {
        "@odata.context": CTX + "deviceEnrollmentConfigurations/$entity",
        "@odata.type": "#microsoft.graph.windowsRestoreDeviceEnrollmentConfiguration",
        "id": f"{TENANT}_WindowsRestore", "displayName": "All users and all devices", "priority": 0,
        "deviceEnrollmentConfigurationType": "windowsRestore", "state": state, "version": 0,
        "roleScopeTagIds": [],
    }


def backup_policy(enabled: bool) -> dict:
    setting = "device_vendor_msft_policy_config_settingssync_enablewindowsbackup"
    return {
        "@odata.context": CTX + "configurationPolicies/$entity",
        "@odata.type": "#microsoft.graph.deviceManagementConfigurationPolicy",
        "id": "0d6c2f3a-8b7e-4c1d-9a2f-6e5d4c3b2a19", "name": "Windows Backup - " + ("On" if enabled else "Off"),
        "platforms": "windows10", "technologies": "mdm", "settingCount": 1,
        "settings": [{"id": "0", "settingInstance": {
            "@odata.type": "#microsoft.graph.deviceManagementConfigurationChoiceSettingInstance",
            "settingDefinitionId": setting,
            "choiceSettingValue": {"value": f"{setting}_{1 if enabled else 0}", "children": []}}}],
        "assignments": [{"id": "b1", "target": {"@odata.type": "#microsoft.graph.allLicensedUsersAssignmentTarget"}}],
    }


def ca_policy(excludes_activity_feed: bool) -> dict:
    return {
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#identity/conditionalAccess/policies/$entity",
        "id": "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b",
        "displayName": "CA100 - Require compliant device - All apps",
        "state": "enabled",
        "conditions": {
            "clientAppTypes": ["all"],
            "applications": {"includeApplications": ["All"],
                             "excludeApplications": [ACTIVITY_FEED] if excludes_activity_feed else []},
            "users": {"includeUsers": ["All"], "excludeUsers": [], "includeGroups": [], "excludeGroups": []},
            "platforms": None, "locations": None, "devices": None,
        },
        "grantControls": {"operator": "OR", "builtInControls": ["compliantDevice"],
                          "customAuthenticationFactors": [], "termsOfUse": [], "authenticationStrength": None},
        "sessionControls": None,
    }


SERVICE_PRINCIPAL = {
    "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals/$entity",
    "id": "4a3b2c1d-0e9f-4a8b-b7c6-d5e4f3a2b1c0", "appId": ACTIVITY_FEED,
    "displayName": "Microsoft Activity Feed Service", "servicePrincipalType": "Application",
}


def write(path: Path, doc: object, utf16: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(doc, indent=4)
    if utf16:  # Windows PowerShell 5.1: Out-File -> UTF-16 LE with BOM, CRLF
        path.write_bytes(b"\xff\xfe" + text.replace("\n", "\r\n").encode("utf-16-le"))
    else:
        path.write_text(text + "\n", encoding="utf-8")


def main() -> None:
    for name in ("ready", "blocked"):
        shutil.rmtree(HERE / name, ignore_errors=True)
    ready = HERE / "ready"
    write(ready / "AutoPilot/User-driven Entra join.json", profile(hybrid=False, preprovisioning=False))
    write(ready / "EnrollmentStatusPage/Restore-ready ESP.json", esp(False, True), utf16=True)
    write(ready / "EnrollmentStatusPage/All users and all devices.json", esp(True, False), utf16=True)
    write(ready / "EnrollmentRestrictions/Windows Restore.json", restore("enabled"))
    write(ready / "SettingsCatalog/Windows Backup - On.json", backup_policy(True))
    write(ready / "ConditionalAccess/CA100 - Require compliant device - All apps.json", ca_policy(True),
          utf16=True)
    write(ready / "ServicePrincipals/Microsoft Activity Feed Service.json", SERVICE_PRINCIPAL)
    (ready / "README.txt").write_text("Example IntuneManagement export of a restore-ready tenant.\n")

    blocked = HERE / "blocked"
    hybrid = profile(hybrid=True, preprovisioning=True)
    hybrid.pop("@odata.context")
    write(blocked / "Autopilot Deployment Profiles/Hybrid join - pre-provisioned.json", hybrid)
    write(blocked / "Autopilot Deployment Profiles/Assignments/Hybrid join - pre-provisioned.json",
          [{"id": "c1", "target": ALL_DEVICES}])
    write(blocked / "Device Enrollment Configurations/All users and all devices.json",
          esp(True, False, shown=False, block=False, timeout=30))
    write(blocked / "Device Enrollment Configurations/Windows Restore.json", restore("notConfigured"))
    write(blocked / "Settings Catalog/Windows Backup - Off.json", backup_policy(False))
    write(blocked / "Conditional Access/CA100 - Require compliant device - All apps.json", ca_policy(False))


if __name__ == "__main__":
    main()
