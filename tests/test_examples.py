"""The CI examples work: schema-valid pipelines whose oobe-ready commands run as written."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys

import pytest
from conftest import GOLDEN, ROOT
from lxml import etree

EXAMPLES = ROOT / "examples"
SCHEMA = {"github-actions.yml": "vendor.github-workflows", "azure-pipelines.yml": "vendor.azure-pipelines"}


@pytest.mark.parametrize("name", sorted(SCHEMA))
def test_pipeline_is_valid_for_its_ci_system(name):
    done = subprocess.run([sys.executable, "-m", "check_jsonschema", "--regex-variant", "python",
                           "--builtin-schema", SCHEMA[name], str(EXAMPLES / name)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def commands(name: str) -> list[str]:
    from ruamel.yaml import YAML

    doc = YAML(typ="safe").load((EXAMPLES / name).read_text())
    steps = doc["jobs"]["gate"]["steps"] if "jobs" in doc else doc["steps"]
    scripts = [s.get("run") or s.get("script") or "" for s in steps]  # folded (>-) scripts are one line
    return [line for script in scripts for line in script.splitlines() if line.startswith("oobe-ready ")]


@pytest.fixture
def checkout(tmp_path, monkeypatch):
    """A repository laid out as the examples expect, holding a golden image and a tenant export."""
    (tmp_path / "images").mkdir()
    shutil.copy(GOLDEN / "win11_24h2_multi.wim", tmp_path / "images" / "install.wim")
    shutil.copytree(GOLDEN / "intune" / "ready", tmp_path / "intune-export")
    shutil.copy(EXAMPLES / "waivers.toml", tmp_path / "waivers.toml")
    (tmp_path / "staging" / "CodeAnalysisLogs").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795219200")
    monkeypatch.setenv("OOBE_READY_AS_OF", "2026-11-21")  # the evaluation date
    return tmp_path


@pytest.mark.parametrize("name", sorted(SCHEMA))
def test_example_commands_run_as_written(cli, deep_tools, checkout, name):
    found = commands(name)
    assert any(c.startswith("oobe-ready check ") for c in found), found
    for command in found:
        args = shlex.split(command.replace("$(Build.ArtifactStagingDirectory)", str(checkout / "staging")))[1:]
        result = cli(*args)
        assert result.code == 0, (command, result.err)
    outputs = checkout / "staging" if name.startswith("azure") else checkout
    sarif = next(outputs.rglob("oobe-ready.sarif"))
    assert json.loads(sarif.read_text())["runs"][0]["invocations"][0]["exitCode"] == 0
    assert etree.parse(str(outputs / "oobe-ready.junit.xml")).getroot().tag == "testsuites"
    manifest = json.loads((outputs / "oobe-ready.json").read_text())
    # the example ledger is checked like any other: the image's August update is three Patch Tuesdays
    # old on 2026-11-21, which the IMG007 entry waives; the other entry matches nothing here
    assert [w["ticket"] for w in manifest["waivers"]["applied"]] == ["CHG-20431"]
    assert [w["ticket"] for w in manifest["waivers"]["unused"]] == ["IAM-881"]
    if name.startswith("github"):
        assert json.loads((checkout / "oobe-ready.intoto.json").read_text())["predicate"]["result"] == "WARNED"
    assert re.search(r"oobe-ready: READY", (outputs / "oobe-ready.md").read_text())
