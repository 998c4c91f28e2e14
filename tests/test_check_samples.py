"""Real exports from public sources (tests/samples/intune, see its README) get their expected verdicts."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import SAMPLES

S = SAMPLES / "intune"

# sample file -> (rule, expected outcome) as the samples' README states
EXPECTED = {
    "graph_autopilot_profiles/IntuneHydrationKit_Windows-Autopilot-Profile.json": ("AP003", "fail"),  # warning
    "graph_autopilot_profiles/IntuneHydrationKit_Windows-Self-Deploy-Autopilot-Profile.json": ("AP002", "fail"),
    "graph_autopilot_profiles/terraform-provider-microsoft365_mock_hybrid_post_02.json": ("AP001", "fail"),
    "graph_enrollment_configurations/Pacers31Colts18_default_windowsRestore.json": ("TEN001", "fail"),
    "graph_enrollment_configurations/IntuneHydrationKit_Windows-ESP-Profile.json": ("ESP001", "not-evaluated"),
    # unassigned ("assignments": []) and no default ESP exported: the default applies and is unseen
    "graph_enrollment_configurations/terraform-provider-microsoft365_mock_get_esp.json": ("ESP001", "not-evaluated"),
    "settings_catalog/OpenIntuneBaseline_Win-OIB-SC-WindowsUserExperience-D-SettingsSync-v3.7.json": ("TEN002", "pass"),
    "conditional_access/j0eyv_CA203-Internals-AppProtection-MicrosoftIntuneEnrollment-AnyPlatform-MFA.utf16le-bom.json":
        ("TEN003", "pass"),
    "conditional_access/IntuneHydrationKit_CA_template_require_compliant_device_all_users.json": ("TEN003", "fail"),
    "conditional_access/IntuneHydrationKit_CA_template_compliant_or_hybrid_or_mfa_all_users.json": ("TEN003", "pass"),
}
# Each sample holds one object, so its verdict follows from that rule alone. A failed warning-severity
# rule (AP003) does not block under the default --fail-on blocker.
VERDICT = {("pass", "blocker"): ("ready", 0), ("fail", "blocker"): ("blocked", 1),
           ("fail", "warning"): ("ready", 0), ("not-evaluated", "blocker"): ("incomplete", 3),
           ("pass", "warning"): ("ready", 0)}


def results(cli, *args):
    out = cli("check", *args, "-o", "json")
    manifest = json.loads(out.out)
    return out.code, manifest


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_export_verdict(cli, name):
    rule, expected = EXPECTED[name]
    code, manifest = results(cli, "--intune", S / name)
    assert [r["outcome"] for r in manifest["results"] if r["rule"] == rule] == [expected]
    severity = next(r["severity"] for r in manifest["results"] if r["rule"] == rule)
    assert (manifest["summary"]["verdict"], code) == VERDICT[(expected, severity)]


def test_whole_sample_folder_is_read_with_every_encoding(cli):
    code, manifest = results(cli, "--intune", S)
    kinds = {i["kind"] for i in manifest["inputs"]}
    assert kinds == {"intune-export"}
    assert not [i for i in manifest["inputs"] if i.get("error")]
    assert code == 1


@pytest.mark.parametrize("name", sorted(p.name for p in (S / "autopilot_offline_json").iterdir()))
def test_offline_autopilot_samples_pass_under_their_real_name(cli, tmp_path, name):
    target = tmp_path / "AutopilotConfigurationFile.json"
    shutil.copyfile(S / "autopilot_offline_json" / name, target)
    code, manifest = results(cli, "--autopilot-file", target)
    assert {r["rule"]: r["outcome"] for r in manifest["results"] if r["rule"].startswith("APF")} == \
           dict.fromkeys(("APF001", "APF002", "APF003", "APF004", "APF005"), "pass")
    assert code == 0
