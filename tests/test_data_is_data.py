"""Data is data (issue 15): baselines validated with defaults, one hybrid-join policy for every rule
that judges it, enablement packages from the release catalog, rule ID redirects."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from conftest import GOLDEN, ROOT, exports

from toolkit.baselines import baseline_files

SCHEMA = json.loads((ROOT / "manifests" / "schema" / "baseline-v1.schema.json").read_text())


@pytest.fixture(autouse=True)
def fixed_day(monkeypatch):
    monkeypatch.setenv("OOBE_READY_AS_OF", "2026-11-21")


@pytest.mark.parametrize("name", sorted(baseline_files()))
def test_every_shipped_baseline_is_valid(name):
    from toolkit.baselines import tomllib

    jsonschema.validate(tomllib.loads(Path(baseline_files()[name]).read_text()), SCHEMA)


def own_baseline(tmp_path: Path, drop: str | None = None) -> Path:
    text = (ROOT / "manifests" / "baselines" / "wbfo-2025-11.toml").read_text()
    if drop:
        text = text.replace(drop, "")
    path = tmp_path / "contoso-2026.toml"
    path.write_text(text)
    return path


def test_a_baseline_file_of_ones_own_is_used_and_an_incomplete_one_is_exit_2(cli, tmp_path):
    good = own_baseline(tmp_path)
    manifest = json.loads(cli("check", GOLDEN / "win11_24h2_multi.xml", "--baseline", good, "-o", "json").out)
    assert manifest["baseline"]["id"] == "wbfo-2025-11"
    bad = own_baseline(tmp_path, "[esp]\nmin_timeout_minutes = 60\n")
    result = cli("check", GOLDEN / "win11_24h2_multi.xml", "--baseline", bad)
    assert result.code == 2 and result.err.count("\n") == 1
    assert "contoso-2026.toml: not a valid baseline at (top level): 'esp' is a required property" in result.err


def apfile(tmp_path: Path, method: int) -> Path:
    doc = {"CloudAssignedTenantId": "2f9d6e5a-6c1b-4c8e-9a47-5d3c1b2a0f11",
           "CloudAssignedTenantDomain": "contoso.onmicrosoft.com", "CloudAssignedDomainJoinMethod": method,
           "CloudAssignedOobeConfig": 1310, "CloudAssignedForcedEnrollment": 1,
           "CloudAssignedAadServerData": json.dumps({"ZeroTouchConfig": {"ForcedEnrollment": 1}}),
           "ZtdCorrelationId": "7c2b9f0e-3d41-4b8a-9e6f-0a1b2c3d4e5f"}
    folder = tmp_path / "ap"
    folder.mkdir(exist_ok=True)
    path = folder / "AutopilotConfigurationFile.json"
    path.write_bytes(json.dumps(doc).encode("ascii"))
    return path


# (baseline, path) -> what every hybrid-join rule says
HYBRID = {("wbfo-2025-08", "oobe"): "fail", ("wbfo-2025-08", "first-sign-in"): "fail",
          ("wbfo-2025-08", "backup"): "pass", ("wbfo-2026-02", "oobe"): "fail",
          ("wbfo-2026-02", "first-sign-in"): "warn", ("wbfo-2026-02", "backup"): "pass",
          ("wbfo-2026-09", "first-sign-in"): "warn"}


@pytest.mark.parametrize("baseline, path", sorted(HYBRID))
def test_one_hybrid_join_policy_for_profile_offline_file_and_unattend(cli, deep_tools, tmp_path, baseline, path):
    profile = tmp_path / "hybrid.json"
    profile.write_text(json.dumps(exports.profile(hybrid=True, preprovisioning=False)))
    manifest = json.loads(cli("check", GOLDEN / "win11_24h2_domain_join.wim", "--intune", profile,
                              "--autopilot-file", apfile(tmp_path, 1), "--baseline", baseline, "--path", path,
                              "-o", "json").out)
    found = {r["rule"]: r for r in manifest["results"] if r["rule"] in ("AP001", "APF003", "SVC004")}
    expected = HYBRID[(baseline, path)]
    assert {r["outcome"] for r in found.values()} == {expected}, {k: r["message"] for k, r in found.items()}
    if expected == "fail":
        assert all(f"on the {path} path" in r["message"] for r in found.values())


def test_enablement_package_comes_from_the_release_catalog(monkeypatch, check_json, deep_tools):
    """SVC001 checks the enablement package the catalog names for the release (23H2: KB5027397)."""
    from toolkit.catalog_store import current_catalog

    catalog = current_catalog(None)  # the instance a run uses
    branch = next(b for b in catalog.branches if b.id == "win11-23h2")
    from toolkit.records import replace

    changed = replace(branch, enablement_kb="KB9999999")
    monkeypatch.setattr(catalog, "branches", tuple(changed if b is branch else b for b in catalog.branches))
    monkeypatch.setattr(catalog, "_matches", {})
    svc001 = next(r for r in check_json(GOLDEN / "win11_23h2_enterprise.wim")["results"] if r["rule"] == "SVC001")
    assert svc001["outcome"] == "warn" and "KB9999999" in svc001["message"]


def test_a_renamed_rule_id_keeps_working(cli, monkeypatch, tmp_path):
    monkeypatch.setitem(__import__("toolkit.rules.registry", fromlist=["REDIRECTS"]).REDIRECTS, "IMG008", "IMG007")
    assert "IMG007: Update currency" in cli("explain", "IMG008").out
    ledger = tmp_path / "w.toml"
    ledger.write_text('[[waiver]]\nrule = "IMG008"\nscope = { build = ">=26100" }\njustification = "j"\n'
                      'owner = "o"\nticket = "T"\nexpires = 2027-01-01\n')
    manifest = json.loads(cli("check", GOLDEN / "win11_24h2_multi.xml", "--index", "1", "--waivers", ledger,
                              "-o", "json").out)
    assert next(r for r in manifest["results"] if r["rule"] == "IMG007")["outcome"] == "waived"
