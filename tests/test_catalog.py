"""The release catalog: lookups by table, enablement-package families, hotpatch baselines."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import ROOT

from toolkit.catalog_store import shipped_catalog

CATALOG = shipped_catalog()


def versions(build, ubr, os_type="client"):
    return [b.version for b in CATALOG.match(build, ubr, os_type).branches]


def test_xml_base_build_is_ambiguous_only_while_both_releases_shipped_that_ubr():
    assert versions(22621, 2861) == ["22H2", "23H2"]       # 23H2 media of Dec 2023
    assert versions(22621, 525) == ["22H2"]                # before 23H2 existed
    assert versions(22621, 6199) == ["23H2"]               # after 22H2's last update (.6060)
    assert versions(26100, 9168) == ["24H2", "25H2"]
    assert versions(26100, 4946) == ["24H2"]               # 25H2 went GA at .6584
    assert versions(19041, 2965) == ["20H2", "21H2", "22H2"]


def test_exact_enablement_builds_name_one_release():
    assert versions(22631, 2861) == ["23H2"]
    assert versions(26200, 7922) == ["25H2"]
    assert versions(28000, 1643) == ["26H1"]
    assert versions(19045, 6216) == ["22H2"]


def test_update_kb_date_and_type():
    u = CATALOG.match(26100, 4946, "client").update
    assert (u.kb, u.date, u.type) == ("KB5063878", "2025-08-12", "security")
    u = CATALOG.match(26100, 4202, "client").update
    assert (u.kb, u.type) == ("KB5058499", "preview")
    u = CATALOG.match(22621, 5768, "client").update
    assert (u.kb, u.date) == ("KB5063875", "2025-08-12")


def test_hotpatch_builds_sit_on_their_baseline_month():
    june = CATALOG.match(26100, 4270, "client").update
    assert (june.type, june.baseline_ubr) == ("hotpatch", 3775)   # April 2025 B, not above .4202
    march = CATALOG.match(26100, 7979, "client").update
    assert (march.type, march.baseline_ubr) == ("hotpatch", 7623)  # January 2026 B


def test_server_2025_is_not_client_24h2():
    server = CATALOG.match(26100, 32230, "server")
    assert [b.id for b in server.branches] == ["server-2025"]
    assert server.update.kb == "KB5073379"
    # Without an installation type the client table is tried first, then the server table.
    assert [b.id for b in CATALOG.match(20348, 4052, None).branches] == ["server-2022"]


def test_unknown_build_matches_nothing():
    assert CATALOG.match(99999, 1, "client").branches == ()
    assert CATALOG.match(26100, 12, "client").update is None


def test_lifecycle_per_edition_family():
    by_id = {b.id: b for b in CATALOG.branches}
    assert by_id["win11-23h2"].lifecycle == {"home_pro": "2025-11-11",
                                             "enterprise_education": "2026-11-10"}
    assert by_id["win11-24h2"].lifecycle["ltsc"] == "2029-10-09"
    assert by_id["win10-22h2"].lifecycle["esu"] == "2028-10-10"
    assert by_id["win10-22h2"].lifecycle["enterprise_education"] == "2025-10-14"


def test_catalog_records_as_of_sources_and_notices():
    doc = json.loads((ROOT / "manifests/catalog/windows-releases.json").read_text())
    assert doc["as_of"] == "2026-08-12"
    assert {s["license"] for s in doc["sources"]} == {"MIT"}
    notices = (ROOT / "manifests/catalog/LICENSES.md").read_text()
    assert "Jacob Thornberry" in notices and "endoflife.date contributors" in notices


def test_catalog_is_what_the_generator_makes(tmp_path):
    data = ROOT.parent / "shared" / "data" / "builds"
    if not data.is_dir():
        pytest.skip("source tables (../shared/data/builds) are not beside this checkout")
    committed = (ROOT / "manifests/catalog/windows-releases.json").read_bytes()
    subprocess.run([sys.executable, str(ROOT / "scripts/build_catalog.py"), str(data)],
                   check=True, capture_output=True)
    assert (ROOT / "manifests/catalog/windows-releases.json").read_bytes() == committed
