"""`oobe-ready inspect` as a user sees it: JSON contract, table, options, start-up cost."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import GOLDEN


def inspect_json(cli, *args):
    result = cli("inspect", *args, "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_json_describes_container_and_every_index(cli):
    doc = inspect_json(cli, GOLDEN / "win11_24h2_multi.wim")
    assert doc["schema"] == "oobe-ready/inspect/v1"
    assert doc["catalog"]["as_of"] == "2026-08-12"
    source = doc["sources"][0]
    assert source["kind"] == "wim" and source["wim"]["compression"] == "LZX"
    assert source["wim"]["image_count"] == 3 and len(source["images"]) == 3
    pro = source["images"][2]
    assert pro["edition_id"] == "Professional" and pro["arch"] == "x64"
    assert pro["build_ubr"] == "26100.9168"
    assert pro["feature_release"]["label"] == "24H2 or 25H2"
    assert pro["feature_release"]["ambiguous"] is True
    assert pro["feature_release"]["candidates"] == ["win11-24h2", "win11-25h2"]
    assert pro["update"] == {"kb": "KB5121003", "date": "2026-08-11", "type": "security",
                             "baseline_ubr": None}
    assert pro["languages"] == ["en-US", "de-DE"] and pro["default_language"] == "en-US"
    assert pro["boot_image"] is None and pro["installation_type"] == "Client"


def test_json_is_stable_between_runs(cli):
    args = [GOLDEN / "boot.wim", GOLDEN / "win11_24h2.esd"]
    assert cli("inspect", *args, "--format", "json").out == cli("inspect", *args, "--format", "json").out


def test_index_narrows_to_one_image(cli):
    doc = inspect_json(cli, GOLDEN / "boot.wim", "--index", "2")
    images = doc["sources"][0]["images"]
    assert [i["index"] for i in images] == [2]
    assert images[0]["boot_image"] == "Setup"


def test_23h2_media_is_flagged_as_undecidable_from_xml(cli):
    image = inspect_json(cli, GOLDEN / "win11_23h2_enterprise.wim")["sources"][0]["images"][0]
    assert image["feature_release"]["label"] == "22H2 or 23H2"
    assert image["update"]["kb"] == "KB5033375"


def test_catalog_notes_for_unknown_updates(cli):
    image = inspect_json(cli, GOLDEN / "win11_24h2_broken_xml.wim")["sources"][0]["images"][0]
    assert image["update"] is None
    assert image["catalog_note"] == "UBR 7920 is not a released update in the catalog"
    assert image["edition_id"] is None and image["languages"] == []


def test_table_shows_the_facts(cli):
    result = cli("inspect", GOLDEN / "win11_24h2_multi.wim", GOLDEN / "win11_24h2_split2.swm")
    assert result.code == 0
    for text in ("26100.9168", "Windows 11 24H2 or 25H2", "KB5121003 2026-08-11 (security)",
                 "Professional", "part 2/3", "SWM", "LZX compression"):
        assert text in result.out
    broken = cli("inspect", GOLDEN / "win11_24h2_broken_xml.wim")
    assert "missing" in broken.out


def test_version_and_help_on_every_command(cli):
    assert cli("--version").out.startswith("oobe-ready 0.1.0 (release catalog as of 2026-08-12, shipped")
    for args in (["--help"], ["inspect", "--help"]):
        result = cli(*args)
        assert result.code == 0 and "Usage:" in result.out


def test_usage_errors_exit_2(cli):
    assert cli("inspect").code == 2
    assert cli("inspect", "--format", "yaml", GOLDEN / "boot.wim").code == 2
    assert cli("nosuchcommand").code == 2


def test_python_dash_m_works_like_the_console_script():
    run = subprocess.run([sys.executable, "-m", "toolkit", "inspect", str(GOLDEN / "boot.wim"),
                          "--format", "json"], capture_output=True, text=True, check=True)
    assert json.loads(run.stdout)["sources"][0]["wim"]["boot_index"] == 2


def test_startup_does_not_import_heavy_modules():
    code = ("import sys, toolkit.cli; "
            "print(sorted(m for m in ('lxml', 'rich', 'toolkit.catalog', 'pefile', 'regipy') "
            "if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"
