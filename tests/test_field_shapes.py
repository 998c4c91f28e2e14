"""Export shapes seen in the field (issue 14): Microsoft Graph PowerShell SDK objects written with
ConvertTo-Json (PascalCase, derived properties in AdditionalProperties; Windows PowerShell 5.1
`Out-File` writes UTF-16 LE with BOM), CIPP templates (the Graph object as a JSON string), custom
OMA-URI profiles, and separate `/assignments` responses. Fixtures mirror those tools' real output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import exports

BACKUP_URI = "./Device/Vendor/MSFT/Policy/Config/SettingsSync/EnableWindowsBackup"


@pytest.fixture(autouse=True)
def fixed_day(monkeypatch):
    monkeypatch.setenv("OOBE_READY_AS_OF", "2026-11-21")


def results(cli, *paths: Path, rule: str) -> list[dict]:
    manifest = json.loads(cli("check", *[x for p in paths for x in ("--intune", p)], "-o", "json").out)
    return [r for r in manifest["results"] if r["rule"] == rule]


def sdk(doc: dict) -> dict:
    """What `Get-MgBetaDeviceManagementDeviceEnrollmentConfiguration -ExpandProperty assignments |
    ConvertTo-Json -Depth 10` gives: base properties PascalCase, the derived type's in AdditionalProperties."""
    base = {"Id", "DisplayName", "Description", "Priority", "CreatedDateTime", "LastModifiedDateTime", "Version",
            "RoleScopeTagIds", "DeviceEnrollmentConfigurationType"}
    out, extra = {}, {}
    for key, value in doc.items():
        pascal = key[:1].upper() + key[1:]
        if key == "assignments":
            out["Assignments"] = [{"Id": a["id"], "Source": "direct", "SourceId": None,
                                   "Target": {"DeviceAndAppManagementAssignmentFilterId": None,
                                              "AdditionalProperties": a["target"]}} for a in value]
        elif pascal in base:
            out[pascal] = value
        elif not key.startswith("@odata.context"):
            extra[key] = value
    out["AdditionalProperties"] = extra
    return out


def test_graph_powershell_sdk_output_is_read(cli, tmp_path):
    esp = exports.esp(default=False, quality_updates=False)
    path = tmp_path / "esp.json"
    path.write_bytes(b"\xff\xfe" + json.dumps(sdk(esp), indent=4).replace("\n", "\r\n").encode("utf-16-le"))
    (esp001,) = results(cli, path, rule="ESP001")
    assert esp001["outcome"] == "fail" and "Restore-ready ESP" in esp001["message"]


def test_cipp_template_is_unwrapped(cli, tmp_path):
    ca = exports.ca_policy(excludes_activity_feed=False)
    template = {"Displayname": ca["displayName"], "Description": "", "RAWJson": json.dumps(ca), "Type": "CA",
                "GUID": "0b7a3c9e-1111-4222-8333-444455556666"}
    path = tmp_path / "CIPP template.json"
    path.write_text(json.dumps(template), encoding="utf-8")
    (ten003,) = results(cli, path, rule="TEN003")
    assert ten003["outcome"] == "fail" and "CA100" in ten003["message"]


@pytest.mark.parametrize("value, outcome", [("<enabled/>", "pass"), ("<disabled/>", "fail")])
def test_custom_oma_uri_profile_sets_windows_backup(cli, tmp_path, value, outcome):
    profile = {"@odata.type": "#microsoft.graph.windows10CustomConfiguration",
               "id": "6f5e4d3c-2b1a-4098-8765-43210fedcba9", "displayName": "Windows Backup (OMA-URI)",
               "omaSettings": [{"@odata.type": "#microsoft.graph.omaSettingString", "displayName": "Enable backup",
                                "omaUri": BACKUP_URI, "value": value}],
               "assignments": [{"id": "a", "target": {"@odata.type": "#microsoft.graph.allDevicesAssignmentTarget"}}]}
    path = tmp_path / "custom.json"
    path.write_text(json.dumps(profile), encoding="utf-8")
    found = results(cli, path, rule="TEN002")
    assert any(r["outcome"] == outcome and "Windows Backup (OMA-URI)" in r["message"] for r in found), found


def test_a_separate_assignments_response_is_attached(cli, tmp_path):
    default = exports.esp(default=True, quality_updates=True)
    custom = {k: v for k, v in exports.esp(default=False, quality_updates=False).items() if k != "assignments"}
    (tmp_path / "default.json").write_text(json.dumps(default))
    (tmp_path / "custom.json").write_text(json.dumps(custom))
    # without its assignments the custom ESP may apply: a candidate
    (esp001,) = results(cli, tmp_path / "default.json", tmp_path / "custom.json", rule="ESP001")
    assert "exported without assignment data" in esp001["message"]
    response = {"@odata.context": "https://graph.microsoft.com/beta/$metadata#deviceManagement/"
                f"deviceEnrollmentConfigurations('{custom['id']}')/assignments",
                "value": [{"id": "x", "target": {"@odata.type": "#microsoft.graph.allDevicesAssignmentTarget"}}]}
    (tmp_path / "custom-assignments.json").write_text(json.dumps(response))
    (esp001,) = results(cli, tmp_path / "default.json", tmp_path / "custom.json",
                        tmp_path / "custom-assignments.json", rule="ESP001")
    assert esp001["outcome"] == "fail" and "device-targeted custom ESP" in esp001["message"]


@pytest.mark.parametrize("kind, obj, problem", [
    ("ca", {"conditions": {"users": {"includeUsers": ["All"]}}}, None),
    ("ca", {"conditions": {"users": {"includeUsers": "All"}}}, "/conditions/users/includeUsers is a string, "
                                                                 "expected an array"),
    ("ca", {"conditions": {"users": {"includeUsers": ["All", 7]}}}, "/conditions/users/includeUsers/1 is int, "
                                                                       "expected a string"),
    ("ca", {"conditions": {"users": {"includeUsers": [None]}}}, "/conditions/users/includeUsers/0 is null, "
                                                                  "expected a value"),
    ("esp", {"priority": True}, "/priority is true or false, expected a number"),
    ("esp", {"priority": "1"}, "/priority is a string, expected a number"),
    ("esp", {"priority": 1.5, "displayName": None}, None),
    ("profile", {"outOfBoxExperienceSetting": "x"}, "/outOfBoxExperienceSetting is a string, expected an object"),
    ("profile", {"assignments": [{"target": {"groupId": "g"}}, {"target": {"groupId": 5}}]},
     "/assignments/1/target/groupId is int, expected a string"),
    ("settings", {"settings": [{}, []]}, "/settings/1 is an array, expected an object"),
])
def test_a_misfit_is_named_by_its_path_and_types(kind, obj, problem):
    """Unknown evidence names the property: the JSON path of the first misfit, what it is, what Graph has."""
    from toolkit.sources.shapes import shape_error

    assert shape_error(kind, obj) == problem


def test_leaf_types_and_unknown_kinds():
    """A bool is never a number, a union names each type once, and a kind without a spec has no shape."""
    from toolkit.sources.shapes import _check, shape_error

    assert _check(True, bool) is None and _check(True, (str, bool)) is None and _check(1, (int, float)) is None
    assert _check(True, (int, float)) == ([], True, "a number")
    assert _check(5, (str, dict)) == ([], 5, "a string or an object")
    assert shape_error("not-a-kind", {"id": 5}) is None
