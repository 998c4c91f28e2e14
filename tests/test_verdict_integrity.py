"""Nothing judged is never ready; unknown is not absent; a waiver covers only what it names.

Each test is one false green found on real inputs (issue 11): before the fix every one of them
gave READY (exit 0) or passed a rule on evidence it never saw. Export fixtures mirror Graph's own
shapes (beta objects, v1.0 list responses without @odata.type, IntuneBackupAndRestore sidecars),
built from golden_images/intune/build.py.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from conftest import GOLDEN, exports

V1_LIST = "https://graph.microsoft.com/v1.0/$metadata#deviceManagement/deviceEnrollmentConfigurations"
BETA_LIST = "https://graph.microsoft.com/beta/$metadata#deviceManagement/deviceEnrollmentConfigurations"
USERS = {"@odata.type": "#microsoft.graph.allLicensedUsersAssignmentTarget"}


@pytest.fixture(autouse=True)
def fixed_day(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795219200")
    monkeypatch.setenv("OOBE_READY_AS_OF", "2026-11-21")  # the evaluation date


def write(path: Path, doc: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return path


def results(manifest: dict, rule: str) -> list[dict]:
    return [r for r in manifest["results"] if r["rule"] == rule]


def one(manifest: dict, rule: str) -> dict:
    found = results(manifest, rule)
    assert len(found) == 1, found
    return found[0]


def listing(context: str, *objects: dict) -> dict:
    """A Graph list response: the collection's context once, objects without their own context."""
    return {"@odata.context": context, "value": [{k: v for k, v in o.items() if k != "@odata.context"}
                                                for o in objects]}


# -- 1. nothing judged -------------------------------------------------------------------------

def test_folder_without_any_intune_object_is_an_input_error_naming_what_it_ignored(cli, tmp_path):
    folder = tmp_path / "node-project"
    write(folder / "package.json", {"name": "intune-scripts", "version": "1.0.0"})
    (folder / "docs").mkdir()
    (folder / "docs" / "README.md").write_text("# how we export\n")
    result = cli("check", "--intune", folder)
    assert result.code == 2 and result.out == ""
    assert result.err.count("\n") == 1 and str(folder) in result.err
    assert "no Intune/Entra object recognised (2 file(s) ignored: README.md, package.json)" in result.err


def test_single_file_without_an_intune_object_is_an_input_error(cli, tmp_path):
    # a CIPP standards template: JSON, but not a Graph object of any kind the rules judge
    doc = write(tmp_path / "CIPPStandardsTemplate.json",
                {"templateName": "Baseline", "standards": {"AuditLog": True, "DisableBasicAuth": True}})
    result = cli("check", "--intune", doc)
    assert result.code == 2 and "CIPPStandardsTemplate.json: no Intune/Entra object recognised" in result.err


def test_folder_with_some_objects_names_the_files_it_ignored(check_json, cli, tmp_path):
    folder = tmp_path / "export"
    write(folder / "Windows Restore.json", exports.restore("enabled"))
    write(folder / "package.json", {"name": "x"})
    manifest = check_json("--intune", folder)
    assert manifest["ignored_export_files"] == [str(folder / "package.json")]
    assert "1 export file(s) held no recognised Intune/Entra object" in " ".join(manifest["not_checked"])
    assert "1 export file(s) held no recognised" in cli("check", "--intune", folder).out


def test_boot_images_alone_are_incomplete(cli):
    result = cli("check", GOLDEN / "boot.wim", "--no-deep")
    assert result.code == 3 and "INCOMPLETE" in result.out
    assert "no install image among the sources" in result.out


def test_boot_image_beside_an_install_image_stays_info(check_json):
    manifest = check_json(GOLDEN / "boot.wim", GOLDEN / "win11_25h2_enterprise.wim", "--no-deep")
    assert manifest["summary"]["gaps"] == []
    assert {r["outcome"] for r in results(manifest, "IMG009")} >= {"pass"}


# -- 2. unknown is not absent: ESP --------------------------------------------------------------

def esp_objects(**custom_changes) -> list[dict]:
    default = exports.esp(default=True, quality_updates=True)
    custom = exports.esp(default=False, quality_updates=False)
    for key, value in custom_changes.items():
        if value is None:
            custom.pop(key)
        else:
            custom[key] = value
    return [default, custom]


def test_custom_esp_exported_without_assignments_may_be_effective(check_json, tmp_path):
    # a plain Graph list: no $expand=assignments, so no "assignments" key on any object
    objects = [{k: v for k, v in o.items() if k != "assignments"} for o in esp_objects()]
    doc = write(tmp_path / "deviceEnrollmentConfigurations.json", listing(BETA_LIST, *objects))
    esp001 = one(check_json("--intune", doc), "ESP001")
    assert esp001["outcome"] == "fail"  # before: the default ESP (installs updates) was judged alone
    assert "candidate ESP 'Restore-ready ESP' (exported without assignment data" in esp001["message"]


def test_assigned_custom_esp_outranks_the_default(check_json, tmp_path):
    doc = write(tmp_path / "esp.json", listing(BETA_LIST, *esp_objects()))
    esp001 = one(check_json("--intune", doc), "ESP001")
    assert esp001["outcome"] == "fail" and "effective ESP 'Restore-ready ESP'" in esp001["message"]


def test_no_default_esp_and_no_assigned_custom_is_not_evaluated(check_json, tmp_path):
    _, custom = esp_objects(assignments=[{"id": "u", "target": USERS}], installQualityUpdates=True)
    esp001 = one(check_json("--intune", write(tmp_path / "esp.json", custom)), "ESP001")
    assert esp001["outcome"] == "not-evaluated"
    assert "the default ESP applies, and it is not in the export" in esp001["message"]


@pytest.mark.parametrize("priority, why", [(1, "share the lowest priority value 1"),
                                           ("1", "/priority is a string, expected a number"),
                                           (None, "priority is not an integer")])
def test_priority_ties_and_odd_priorities_are_not_evaluated(check_json, tmp_path, priority, why):
    default, custom = esp_objects(installQualityUpdates=True)
    other = copy.deepcopy(custom)
    other.update(id="7c1d2e3f-0000-4000-8000-000000000001", displayName="Second ESP", installQualityUpdates=True)
    if priority is None:
        other.pop("priority")
    else:
        other["priority"] = priority
    manifest = check_json("--intune", write(tmp_path / "esp.json", listing(BETA_LIST, default, custom, other)))
    assert any(r["outcome"] == "not-evaluated" and why in r["message"] for r in results(manifest, "ESP001"))
    assert manifest["summary"]["verdict"] == "incomplete"


def test_v1_list_without_odata_type_is_recognised_and_missing_properties_say_re_export(check_json, tmp_path):
    # Graph v1.0 drops installQualityUpdates and the restore state; objects carry no @odata.type
    default = {k: v for k, v in exports.esp(default=True, quality_updates=True).items()
               if k not in ("@odata.type", "@odata.context", "installQualityUpdates", "assignments")}
    restore = {k: v for k, v in exports.restore("enabled").items()
               if k not in ("@odata.type", "@odata.context", "state", "deviceEnrollmentConfigurationType")}
    default.pop("deviceEnrollmentConfigurationType")
    manifest = check_json("--intune", write(tmp_path / "v1.json", {"@odata.context": V1_LIST,
                                                                   "value": [default, restore]}))
    esp001, ten001 = one(manifest, "ESP001"), one(manifest, "TEN001")
    assert esp001["outcome"] == ten001["outcome"] == "not-evaluated"
    assert esp001["remediation"] == [
        "Re-export the ESP from Graph beta: GET https://graph.microsoft.com/beta/deviceManagement/"
        f"deviceEnrollmentConfigurations/{exports.TENANT}_DefaultWindows10EnrollmentCompletionPageConfiguration"]
    assert "GET https://graph.microsoft.com/beta/deviceManagement/deviceEnrollmentConfigurations/" \
           "<tenantId>_WindowsRestore" in ten001["remediation"][0]
    assert not any("= Yes" in step or "= On" in step for step in esp001["remediation"] + ten001["remediation"])
    assert manifest["summary"]["verdict"] == "incomplete"


def test_enrollment_configurations_without_the_restore_setting_leave_ten001_not_evaluated(check_json, tmp_path):
    # IntuneManagement exports ESPs but never the tenant restore setting
    folder = tmp_path / "IntuneManagement" / "EnrollmentStatusPage"
    write(folder / "All users and all devices.json", exports.esp(default=True, quality_updates=True))
    ten001 = one(check_json("--intune", tmp_path / "IntuneManagement"), "TEN001")
    assert ten001["outcome"] == "not-evaluated" and "not the tenant restore setting" in ten001["message"]
    assert "IntuneManagement does not export it" in ten001["remediation"][0]


def test_one_page_of_a_paged_collection_is_incomplete(check_json, tmp_path):
    page = listing("https://graph.microsoft.com/v1.0/$metadata#identity/conditionalAccess/policies",
                   exports.ca_policy(excludes_activity_feed=True))
    page["@odata.nextLink"] = "https://graph.microsoft.com/v1.0/identity/conditionalAccess/policies?$skiptoken=X"
    manifest = check_json("--intune", write(tmp_path / "policies.json", page))
    assert manifest["summary"]["verdict"] == "incomplete"
    unseen = [r for r in results(manifest, "TEN003") if r["outcome"] == "not-evaluated"]
    assert unseen and "@odata.nextLink" in unseen[0]["message"]
    assert any(i.get("error", "").startswith("one page of a paged Graph collection") for i in manifest["inputs"])


@pytest.mark.parametrize("passed", ["folder", "file"])
def test_unreadable_assignment_sidecar_is_incomplete(check_json, tmp_path, passed):
    kind = tmp_path / "backup" / "Device Enrollment Configurations"
    esp = {k: v for k, v in exports.esp(default=False, quality_updates=True).items() if k != "assignments"}
    obj = write(kind / "Restore-ready ESP.json", esp)
    write(kind / "All users and all devices.json", exports.esp(default=True, quality_updates=True))
    (kind / "Assignments").mkdir()
    (kind / "Assignments" / "Restore-ready ESP.json").write_text("[{\"id\": ", encoding="utf-8")
    manifest = check_json("--intune", tmp_path / "backup" if passed == "folder" else obj)
    assert manifest["summary"]["verdict"] == "incomplete"
    assert any("assignment file unreadable" in r["message"] for r in results(manifest, "ESP001"))


def test_readable_assignment_sidecar_is_listed_as_an_input(check_json):
    manifest = check_json("--intune", GOLDEN / "intune" / "blocked")
    sidecars = [i for i in manifest["inputs"] if i["kind"] == "intune-assignments"]
    assert [Path(i["path"]).parent.name for i in sidecars] == ["Assignments"] and sidecars[0]["sha256"]
    assert not any("Assignments" in p for p in manifest["ignored_export_files"])


# -- 3. waivers cover only what they name -----------------------------------------------------

def two_blocking_policies(tmp_path: Path) -> Path:
    first = exports.ca_policy(excludes_activity_feed=False)
    second = dict(first, id="11111111-2222-4333-8444-555555555555", displayName="CA200 - Block legacy")
    return write(tmp_path / "policies.json",
                 listing("https://graph.microsoft.com/v1.0/$metadata#identity/conditionalAccess/policies",
                         first, second))


def test_waiver_for_one_ca_policy_does_not_cover_another(cli, tmp_path):
    export = two_blocking_policies(tmp_path)
    ledger = tmp_path / "waivers.toml"
    ledger.write_text('[[waiver]]\nrule = "TEN003"\nscope = { export = "policies.json", object_id = '
                      '"9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b" }\njustification = "exclusion pending"\n'
                      'owner = "iam@contoso.com"\nticket = "CHG-9"\nexpires = 2027-01-31\n', encoding="utf-8")
    result = cli("check", "--intune", export, "--waivers", ledger, "-o", "json")
    manifest = json.loads(result.out)
    ten003 = {r["subject"].rsplit("(", 1)[-1]: r["outcome"] for r in results(manifest, "TEN003")}
    assert ten003 == {"CA100 - Require compliant device - All apps)": "waived", "CA200 - Block legacy)": "fail"}
    assert result.code == 1


def test_tenant_wide_finding_is_not_waived_by_one_of_its_exports(cli, tmp_path):
    # TEN002 "no policy enables backup" rests on two exports; a waiver naming one does not cover it
    first = exports.backup_policy(enabled=False)
    second = dict(first, id="22222222-3333-4444-8555-666666666666", name="Windows Backup - Off too")
    write(tmp_path / "a.json", first)
    write(tmp_path / "b.json", second)
    ledger = tmp_path / "waivers.toml"
    ledger.write_text('[[waiver]]\nrule = "TEN002"\nscope = { export = "a.json" }\njustification = "x"\n'
                      'owner = "o@contoso.com"\nticket = "CHG-2"\nexpires = 2027-01-31\n', encoding="utf-8")
    manifest = json.loads(cli("check", "--intune", tmp_path / "a.json", "--intune", tmp_path / "b.json",
                              "--waivers", ledger, "-o", "json").out)
    outcomes = {r["subject"]: r["outcome"] for r in results(manifest, "TEN002")}
    assert outcomes["tenant"] == "fail"
    assert outcomes[next(s for s in outcomes if s.startswith(str(tmp_path / "a.json")))] == "waived"
    assert outcomes[next(s for s in outcomes if s.startswith(str(tmp_path / "b.json")))] == "fail"


# -- 2. unknown is not absent: split sets --------------------------------------------------------

def copy_set(folder: Path, base: str, parts=(1, 2, 3)) -> Path:
    """The golden split set (made by `wimlib-imagex split`) under another base name, as DISM names parts."""
    import shutil

    folder.mkdir(exist_ok=True)
    for n in parts:
        source = GOLDEN / f"win11_24h2_split{'' if n == 1 else n}.swm"
        shutil.copyfile(source, folder / f"{base}{'' if n == 1 else n}.swm")
    return folder / f"{base}.swm"


def test_split_set_never_borrows_a_part_from_another_set_with_the_same_guid(check_json, deep_tools, tmp_path):
    named = copy_set(tmp_path / "media", "new", parts=(1, 2))   # part 3 of this set is missing
    copy_set(tmp_path / "media", "old")                          # an older copy of the set, same GUID
    manifest = check_json(named)
    svc = results(manifest, "SVC003")[0]
    assert svc["outcome"] == "not-evaluated" and "part(s) 3 of 3 not found" in svc["message"]
    assert sorted(Path(i["path"]).name for i in manifest["inputs"]) == ["new.swm", "new2.swm"]


def test_every_part_read_is_an_input(check_json, tmp_path):
    named = copy_set(tmp_path / "media", "install")
    manifest = check_json(named.with_name("install2.swm"), "--no-deep")
    parts = [(i["part"], Path(i["path"]).name, i["guid"]) for i in manifest["inputs"]]
    guid = parts[0][2]
    assert parts == [(2, "install2.swm", guid), (1, "install.swm", guid), (3, "install3.swm", guid)]


def test_two_files_claiming_one_part_is_an_input_error(cli, tmp_path):
    named = copy_set(tmp_path / "media", "install")
    (tmp_path / "media" / "INSTALL2.SWM").write_bytes((tmp_path / "media" / "install2.swm").read_bytes())
    result = cli("check", named, "--no-deep")
    assert result.code == 2
    assert "2 files claim part 2 of this split set (INSTALL2.SWM, install2.swm)" in result.err


# -- 4. configuration cannot change a verdict unseen -------------------------------------------

READY_IMAGE = GOLDEN / "win11_24h2_policy_blocked.wim"  # SVC003 blocks it: only deep inspection sees that


def test_config_planted_in_a_shared_parent_is_never_used(cli, deep_tools, tmp_path, monkeypatch):
    shared = tmp_path / "shared"                   # like /tmp: anyone may write here
    work = shared / "me" / "checkout"
    work.mkdir(parents=True)
    shared.chmod(0o1777)
    (shared / "oobe-ready.toml").write_text("deep = false\n")
    monkeypatch.chdir(work)
    result = cli("check", READY_IMAGE, "-o", "json")
    manifest = json.loads(result.out)
    assert manifest["config"] is None and manifest["options"]["deep"] is True
    assert result.code == 1  # the baked-in policy is still seen


def test_config_search_stops_at_the_repository_root(cli, deep_tools, tmp_path, monkeypatch):
    (tmp_path / "oobe-ready.toml").write_text("deep = false\n")  # above the repository
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "images").mkdir()
    monkeypatch.chdir(repo / "images")
    assert json.loads(cli("check", READY_IMAGE, "-o", "json").out)["config"] is None


def test_config_used_is_in_the_manifest_and_on_the_first_line(cli, deep_tools, tmp_path, monkeypatch):
    import hashlib

    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    config = repo / "oobe-ready.toml"
    config.write_text('fail-on = "warning"\n')
    monkeypatch.chdir(repo)
    manifest = json.loads(cli("check", READY_IMAGE, "--no-deep", "-o", "json").out)
    sha = hashlib.sha256(config.read_bytes()).hexdigest()
    assert manifest["config"] == {"path": str(config), "sha256": sha}
    assert manifest["options"]["fail_on"] == "warning" and manifest["options"]["deep"] is False
    monkeypatch.setenv("COLUMNS", "400")  # the settings wrap at the width; wide enough, they are one line
    first = cli("check", READY_IMAGE, "--no-deep").out.splitlines()[0]
    assert "fail on warning" in first and "deep off" in first and f"config {config} (sha256 {sha[:12]})" in first


def test_source_date_epoch_fixes_the_timestamp_not_the_evaluation_date(cli, tmp_path, monkeypatch):
    monkeypatch.delenv("OOBE_READY_AS_OF")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01: before the waiver expired
    ledger = tmp_path / "waivers.toml"
    ledger.write_text('[[waiver]]\nrule = "TEN001"\nscope = { export = "restore.json" }\njustification = "x"\n'
                      'owner = "o@contoso.com"\nticket = "CHG-1"\nexpires = 2026-02-01\n', encoding="utf-8")
    export = write(tmp_path / "restore.json", exports.restore("notConfigured"))
    today = json.loads(cli("check", "--intune", export, "--waivers", ledger, "-o", "json").out)
    assert today["generated_at"] == "2026-01-01T00:00:00Z"
    assert today["as_of"] > "2026-02-01" and one(today, "TEN001")["outcome"] == "fail"  # expired stays expired
    then = json.loads(cli("check", "--intune", export, "--waivers", ledger, "--as-of", "2026-01-15",
                          "-o", "json").out)
    assert then["as_of"] == then["options"]["as_of"] == "2026-01-15" and one(then, "TEN001")["outcome"] == "waived"
