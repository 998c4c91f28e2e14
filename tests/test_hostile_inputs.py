"""Bad and hostile inputs end in exit 2 (a file the user named) or not-evaluated (a file inside a
folder or image): never a crash (exit 4), a hang, or a file read outside the input (issue 12)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from conftest import GOLDEN
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

RESTORE = {"@odata.type": "#microsoft.graph.windowsRestoreDeviceEnrollmentConfiguration",
           "id": "t_WindowsRestore", "state": "enabled"}


@pytest.fixture(autouse=True)
def fixed_day(monkeypatch):
    monkeypatch.setenv("OOBE_READY_AS_OF", "2026-11-21")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("text, problem", [
    ('{"id": "x_WindowsRestore", "state": "enabled", "n": ' + "9" * 5000 + "}", "Exceeds the limit (4300 digits)"),
    ("[" * 200_000 + "]" * 200_000, "JSON nested deeper than"),
    ('{"id": "x", "a": "\\ud800', "not valid JSON"),
])
def test_unusable_json_the_user_named_is_exit_2(cli, tmp_path, text, problem):
    result = cli("check", "--intune", write(tmp_path / "export.json", text))
    assert result.code == 2 and problem in result.err and result.err.count("\n") == 1


@pytest.mark.parametrize("doc", [
    {**RESTORE, "n": float("nan"), "i": float("inf")},
    {**RESTORE, "id": "\ud800\u0000\u001b", "state": "enabled\u0007"},
    {"@odata.context": "http://[::1", **RESTORE},
    {"value": [1, "x", None, [], RESTORE], "@odata.nextLink": 5},
    {"@odata.type": 5, "id": "x_WindowsRestore", "state": "enabled"},
])
def test_odd_but_parseable_exports_are_judged_and_every_format_stays_valid(cli, tmp_path, doc):
    path = tmp_path / "export.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    outputs = {fmt: tmp_path / f"out.{fmt}" for fmt in ("json", "sarif", "junit", "html", "markdown")}
    result = cli("check", "--intune", path, *[x for f, p in outputs.items() for x in ("-o", f"{f}={p}")])
    assert result.code in (0, 1, 3), result.err
    json.loads(outputs["json"].read_text(encoding="utf-8"))
    json.loads(outputs["sarif"].read_text(encoding="utf-8"))
    from lxml import etree

    etree.fromstring(outputs["junit"].read_bytes())


def test_export_folder_nested_past_the_recursion_limit(cli, tmp_path):
    folder = tmp_path / "export"
    here = os.getcwd()
    folder.mkdir()
    os.chdir(folder)
    try:
        for _ in range(1100):  # deeper than Python's recursion limit
            os.mkdir("d")
            os.chdir("d")
        Path("restore.json").write_text(json.dumps(RESTORE))
    finally:
        os.chdir(here)
    try:
        result = cli("check", "--intune", folder, "-o", "json")
        assert result.code == 0, result.err
        assert json.loads(result.out)["results"][0]["rule"]
    finally:  # shutil.rmtree and os.walk recurse: pytest could not clean this tree up
        os.chdir(folder)
        depth = 0
        while os.path.isdir("d"):
            os.chdir("d")
            depth += 1
        os.unlink("restore.json")
        for _ in range(depth):
            os.chdir("..")
            os.rmdir("d")
        os.chdir(here)


def test_links_and_fifos_in_an_export_folder_are_ignored_by_name(cli, tmp_path):
    outside = write(tmp_path / "elsewhere" / "secret.json", json.dumps({**RESTORE, "state": "disabled"}))
    folder = tmp_path / "export"
    write(folder / "restore.json", json.dumps(RESTORE))
    (folder / "leaves.json").symlink_to(outside)
    (folder / "dir-link").symlink_to(outside.parent)
    os.mkfifo(folder / "pipe.json")
    started = time.monotonic()
    result = cli("check", "--intune", folder, "-o", "json")
    assert time.monotonic() - started < 10 and result.code == 0, result.err
    manifest = json.loads(result.out)
    assert sorted(Path(p).name for p in manifest["ignored_export_files"]) == ["dir-link", "leaves.json", "pipe.json"]
    assert "secret" not in result.out.replace("ignored", "")


@pytest.mark.parametrize("option", ["--intune", "--waivers", "--config", "--autopilot-file"])
def test_a_fifo_the_user_names_is_refused_at_once(cli, tmp_path, option):
    fifo = tmp_path / "named.fifo"
    os.mkfifo(fifo)
    started = time.monotonic()
    args = ["check", str(GOLDEN / "win11_24h2_multi.xml"), option, fifo]
    result = cli(*args)
    assert time.monotonic() - started < 10
    assert result.code == 2 and "is not a regular file (a FIFO)" in result.err


REGRESSIONS = Path(__file__).parent / "fuzz" / "whole-check"  # replayed through `check`, not one reader


@pytest.mark.parametrize("case", sorted(REGRESSIONS.iterdir()), ids=lambda p: p.name)
def test_regression_exports_through_the_whole_check(cli, case):
    """Shapes that once crashed a rule (exit 4): now not-evaluated, or exit 2 when unusable as JSON."""
    result = cli("check", "--intune", case, "-o", "json")
    assert result.code in (0, 1, 2, 3), result.err
    if result.code == 3:
        assert any(r["outcome"] == "not-evaluated" for r in json.loads(result.out)["results"])


# Structure-aware fuzzing: Graph-shaped objects whose every property may take a wrong type.
ANY = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
                   lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
                   max_leaves=6)
STRINGS = st.lists(st.sampled_from(["All", "None", "d32c68ad-72d2-4acb-a0c7-46bb2cf93873", "windows", "all"]),
                   max_size=3)


def maybe(strategy):
    return st.one_of(strategy, ANY)


CA = st.fixed_dictionaries({
    "@odata.type": st.just("#microsoft.graph.conditionalAccessPolicy"), "id": maybe(st.just("c")),
    "displayName": maybe(st.text(max_size=10)), "state": maybe(st.sampled_from(["enabled", "disabled"])),
    "conditions": maybe(st.fixed_dictionaries({
        "applications": maybe(st.fixed_dictionaries({"includeApplications": maybe(STRINGS),
                                                     "excludeApplications": maybe(STRINGS)})),
        "users": maybe(st.fixed_dictionaries({"includeUsers": maybe(STRINGS)})),
        "platforms": maybe(st.fixed_dictionaries({"includePlatforms": maybe(STRINGS)})),
        "clientAppTypes": maybe(STRINGS), "locations": ANY, "devices": ANY})),
    "grantControls": maybe(st.fixed_dictionaries({"operator": maybe(st.sampled_from(["OR", "AND"])),
                                                  "builtInControls": maybe(STRINGS),
                                                  "authenticationStrength": ANY})),
})
ESP = st.fixed_dictionaries({
    "@odata.type": st.just("#microsoft.graph.windows10EnrollmentCompletionPageConfiguration"),
    "id": maybe(st.just("e")), "priority": maybe(st.integers(-2, 3)), "installQualityUpdates": ANY,
    "showInstallationProgress": ANY, "blockDeviceSetupRetryByUser": ANY, "installProgressTimeoutInMinutes": ANY,
    "assignments": maybe(st.lists(maybe(st.fixed_dictionaries({"target": maybe(st.fixed_dictionaries({
        "@odata.type": maybe(st.just("#microsoft.graph.allDevicesAssignmentTarget"))}))})), max_size=2)),
})
PROFILE = st.fixed_dictionaries({
    "@odata.type": st.just("#microsoft.graph.azureADWindowsAutopilotDeploymentProfile"), "id": maybe(st.just("p")),
    "deviceType": ANY, "outOfBoxExperienceSetting": maybe(st.fixed_dictionaries({"deviceUsageType": ANY})),
    "outOfBoxExperienceSettings": ANY, "preprovisioningAllowed": ANY, "enableWhiteGlove": ANY, "assignments": ANY,
})
SETTINGS = st.fixed_dictionaries({
    "@odata.type": st.just("#microsoft.graph.deviceManagementConfigurationPolicy"), "id": st.just("s"),
    "platforms": st.just("windows10"), "technologies": st.just("mdm"), "assignments": ANY,
    "settings": maybe(st.lists(maybe(st.fixed_dictionaries({"settingInstance": maybe(st.fixed_dictionaries({
        "settingDefinitionId": st.just("device_vendor_msft_policy_config_settingssync_enablewindowsbackup"),
        "choiceSettingValue": maybe(st.fixed_dictionaries({"value": ANY}))}))})), max_size=2)),
})
OBJECTS = st.lists(st.one_of(CA, ESP, PROFILE, SETTINGS, st.just(RESTORE)), min_size=1, max_size=4)


@settings(max_examples=int(os.environ.get("OOBE_READY_FUZZ_EXAMPLES", "200")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(objects=OBJECTS)
def test_graph_shaped_objects_with_wrong_types_never_crash(cli, tmp_path, objects):
    path = tmp_path / "fuzz.json"
    path.write_text(json.dumps({"value": objects}), encoding="utf-8")
    result = cli("check", "--intune", path, "-o", f"sarif={tmp_path / 'o.sarif'}", "-o", "json")
    assert result.code in (0, 1, 3), result.err
