"""--target-group: the Autopilot profile and ESP rules judge what the devices being imaged get, not
every object in the tenant (issue 14). Exports in Graph beta shapes, built from golden_images/intune."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import GOLDEN, exports

LAPTOPS = "3f1e6c2a-7b9d-4e8f-a1c2-0d9e8f7a6b5c"
KIOSKS = "8a7b6c5d-4e3f-4a2b-9c1d-0e1f2a3b4c5d"
IMAGE = GOLDEN / "win11_24h2_multi.wim"


@pytest.fixture(autouse=True)
def fixed_day(monkeypatch):
    monkeypatch.setenv("OOBE_READY_AS_OF", "2026-08-25")  # the image's August update is current


def group(gid: str, name: str, rule: str) -> dict:
    return {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#groups/$entity", "id": gid,
            "displayName": name, "groupTypes": ["DynamicMembership"], "securityEnabled": True,
            "mailEnabled": False, "membershipRule": rule, "membershipRuleProcessingState": "On"}


def assigned(doc: dict, gid: str, created: str) -> dict:
    doc = dict(doc, createdDateTime=created)
    doc["assignments"] = [{"id": f"{doc['id']}_{gid}", "target": {
        "@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": gid}}]
    return doc


@pytest.fixture
def tenant(tmp_path) -> Path:
    """A ready tenant with a user-driven profile for Laptops and a self-deploying one for Kiosks."""
    folder = tmp_path / "export"
    folder.mkdir()
    laptop = assigned(exports.profile(hybrid=False, preprovisioning=False), LAPTOPS, "2025-01-10T09:00:00Z")
    kiosk = assigned(exports.profile(hybrid=False, preprovisioning=False, usage="shared"), KIOSKS,
                     "2025-03-02T09:00:00Z")
    kiosk.update(id="b7c6d5e4-0000-4000-8000-00000000kiosk"[:36], displayName="Kiosk self-deploying")
    docs = {"laptop-profile.json": laptop, "kiosk-profile.json": kiosk,
            "default-esp.json": exports.esp(default=True, quality_updates=True),
            "restore.json": exports.restore("enabled"), "backup.json": exports.backup_policy(enabled=True),
            "ca.json": exports.ca_policy(excludes_activity_feed=True), "sp.json": exports.SERVICE_PRINCIPAL,
            "laptops.json": group(LAPTOPS, "Laptops", '(device.devicePhysicalIds -any (_ -eq "[OrderID]:LAPTOP"))'),
            "kiosks.json": group(KIOSKS, "Kiosks", '(device.devicePhysicalIds -any (_ -eq "[OrderID]:KIOSK"))')}
    for name, doc in docs.items():
        (folder / name).write_text(json.dumps(doc), encoding="utf-8")
    return folder


def check(cli, tenant: Path, *targets: str):
    args = [x for t in targets for x in ("--target-group", t)]
    result = cli("check", IMAGE, "--index", "1", "--intune", tenant, *args, "-o", "json")
    return result.code, json.loads(result.out) if result.out else None


def test_laptops_get_the_user_driven_profile_and_are_ready(cli, tenant):
    code, manifest = check(cli, tenant, "Laptops")
    assert code == 0, [r["message"] for r in manifest["results"] if r["outcome"] == "fail"]
    ap002 = {r["subject"].rsplit("(", 1)[-1]: r for r in manifest["results"] if r["rule"] == "AP002"}
    assert ap002["Kiosk self-deploying)"]["outcome"] == "not-applicable"
    assert "assigned to no target group" in ap002["Kiosk self-deploying)"]["message"]
    assert manifest["options"]["target_groups"] == ["Laptops"]


def test_kiosks_get_the_self_deploying_profile_and_are_blocked(cli, tenant):
    code, manifest = check(cli, tenant, KIOSKS)  # by id too
    failing = {r["rule"] for r in manifest["results"] if r["outcome"] == "fail"}
    assert code == 1 and "AP002" in failing


def test_without_targets_every_assigned_profile_is_judged(cli, tenant):
    code, manifest = check(cli, tenant)
    assert code == 1 and any(r["rule"] == "AP002" and r["outcome"] == "fail" for r in manifest["results"])


def test_both_groups_the_oldest_created_group_profile_wins(cli, tenant):
    code, manifest = check(cli, tenant, "Laptops", "Kiosks")
    assert code == 0  # the laptop profile was created first
    kiosk = next(r for r in manifest["results"] if r["rule"] == "AP002" and "Kiosk" in r["subject"])
    assert kiosk["outcome"] == "not-applicable" and "another profile wins" in kiosk["message"]


def test_an_exclusion_keeps_a_profile_from_the_target(cli, tenant):
    doc = json.loads((tenant / "kiosk-profile.json").read_text())
    doc["assignments"].append({"id": "x", "target": {"@odata.type": "#microsoft.graph.exclusionGroupAssignmentTarget",
                                                     "groupId": KIOSKS}})
    doc["assignments"][0]["target"] = {"@odata.type": "#microsoft.graph.allDevicesAssignmentTarget"}
    (tenant / "kiosk-profile.json").write_text(json.dumps(doc))
    code, _ = check(cli, tenant, "Kiosks")
    assert code == 0


def test_an_unknown_group_name_is_an_input_error(cli, tenant):
    result = cli("check", IMAGE, "--index", "1", "--intune", tenant, "--target-group", "Desktops")
    assert result.code == 2 and "--target-group 'Desktops' is not a group in the exports" in result.err
    assert "Kiosks, Laptops" in result.err


def test_the_esp_assigned_to_the_target_group_is_the_effective_one(cli, tenant):
    bad = exports.esp(default=False, quality_updates=False)
    bad = assigned(bad, KIOSKS, "2025-01-01T00:00:00Z")
    (tenant / "kiosk-esp.json").write_text(json.dumps(bad))
    _, laptops = check(cli, tenant, "Laptops")
    _, kiosks = check(cli, tenant, "Kiosks")
    esp001 = {name: next(r for r in m["results"] if r["rule"] == "ESP001")
              for name, m in (("laptops", laptops), ("kiosks", kiosks))}
    assert esp001["laptops"]["outcome"] == "pass" and "default ESP" in esp001["laptops"]["message"]
    assert esp001["kiosks"]["outcome"] == "fail" and "Restore-ready ESP" in esp001["kiosks"]["message"]


def test_devices_of_a_device_preparation_policy_have_no_esp(cli, tenant):
    """An Autopilot device preparation policy (a settings catalog policy of its template) whose device
    group is the target: its devices show no ESP, so the ESP rules are not applicable to them."""
    setting = {"@odata.type": "#microsoft.graph.deviceManagementConfigurationSetting", "settingInstance": {
        "@odata.type": "#microsoft.graph.deviceManagementConfigurationSimpleSettingCollectionInstance",
        "settingDefinitionId": "enrollment_autopilot_dpp_devicesecuritygroupids",
        "simpleSettingCollectionValue": [
            {"@odata.type": "#microsoft.graph.deviceManagementConfigurationStringSettingValue", "value": KIOSKS}]}}
    mode = {"@odata.type": "#microsoft.graph.deviceManagementConfigurationSetting", "settingInstance": {
        "@odata.type": "#microsoft.graph.deviceManagementConfigurationChoiceSettingInstance",
        "settingDefinitionId": "enrollment_autopilot_dpp_deploymentmode",
        "choiceSettingValue": {"value": "enrollment_autopilot_dpp_deploymentmode_0", "children": []}}}
    policy = {"@odata.type": "#microsoft.graph.deviceManagementConfigurationPolicy",
              "id": "d1d2d3d4-0000-4000-8000-00000000d0d0",
              "name": "Device preparation - kiosks", "platforms": "windows10", "technologies": "enrollment",
              "templateReference": {"templateId": "80d33118-b7b4-40d8-b15f-81be745e053f_1"},
              "settings": [mode, setting]}
    (tenant / "dpp.json").write_text(json.dumps(policy))
    _, manifest = check(cli, tenant, "Kiosks")
    esp001 = next(r for r in manifest["results"] if r["rule"] == "ESP001")
    assert esp001["outcome"] == "not-applicable" and "Device preparation - kiosks" in esp001["message"]
    _, laptops = check(cli, tenant, "Laptops")
    assert next(r for r in laptops["results"] if r["rule"] == "ESP001")["outcome"] == "pass"


def test_an_esp_assigned_to_a_user_group_is_not_device_targeted(cli, tenant):
    """Without targets: an ESP assigned to a dynamic group of users never installs quality updates
    for a device; the default ESP stays the effective one."""
    users = "5e6f7a8b-1111-4222-8333-999999999999"
    (tenant / "staff.json").write_text(json.dumps(group(users, "Staff", '(user.userType -eq "Member")')))
    esp = assigned(exports.esp(default=False, quality_updates=False), users, "2025-01-01T00:00:00Z")
    (tenant / "staff-esp.json").write_text(json.dumps(esp))
    _, manifest = check(cli, tenant)
    esp001 = next(r for r in manifest["results"] if r["rule"] == "ESP001")
    assert esp001["outcome"] == "pass" and "the default ESP" in esp001["message"]
