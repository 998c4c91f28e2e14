"""Issue 18 (distribution, part 5): an sdist and a wheel that install into a fresh virtualenv and run
with their data (baselines, catalog, schemas); a composite GitHub Action and an Azure Pipelines step
template that are valid for their CI systems and whose gate scripts run as written."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import GOLDEN, ROOT


def yaml(path: Path) -> dict:
    from ruamel.yaml import YAML

    return YAML(typ="safe").load(path.read_text())


@pytest.mark.parametrize("name, schema", [("action.yml", "vendor.github-actions"),
                                          ("templates/oobe-ready.yml", "vendor.azure-pipelines")])
def test_action_and_template_are_valid(name, schema):
    done = subprocess.run([sys.executable, "-m", "check_jsonschema", "--regex-variant", "python",
                           "--builtin-schema", schema, str(ROOT / name)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture
def checkout(tmp_path):
    (tmp_path / "images").mkdir()
    shutil.copy(GOLDEN / "win11_24h2_multi.wim", tmp_path / "images" / "install.wim")
    shutil.copytree(GOLDEN / "intune" / "ready", tmp_path / "intune-export")
    return tmp_path


def gate_env(checkout: Path, **extra: str) -> dict[str, str]:
    bin_dir = Path(sys.executable).parent  # where this environment's oobe-ready script lives
    return {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "OOBE_READY_AS_OF": "2026-11-21",
            "SOURCES": "images/install.wim", "INTUNE": "intune-export", "BASELINE": "wbfo-2026-09",
            "RESTORE_PATH": "oobe", "FAIL_ON": "blocker", "ARGS": "--index 1", **extra}


def test_the_actions_gate_step_runs_and_sets_its_outputs(deep_tools, checkout):
    step = next(s for s in yaml(ROOT / "action.yml")["runs"]["steps"] if s.get("id") == "gate")
    assert set(step["env"]) == {"SOURCES", "INTUNE", "BASELINE", "RESTORE_PATH", "FAIL_ON", "ARGS"}
    outputs, summary = checkout / "outputs.txt", checkout / "summary.md"
    env = gate_env(checkout, GITHUB_OUTPUT=str(outputs), GITHUB_STEP_SUMMARY=str(summary))
    done = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=checkout, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    said = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
    assert said == {"exit-code": "0", "report": "oobe-ready.json", "verdict": "ready"}
    assert "oobe-ready: READY" in summary.read_text()
    assert json.loads((checkout / "oobe-ready.sarif").read_text())["version"] == "2.1.0"
    blocked = gate_env(checkout, GITHUB_OUTPUT=str(outputs), GITHUB_STEP_SUMMARY=str(summary),
                       INTUNE="intune-blocked", ARGS="")
    shutil.copytree(GOLDEN / "intune" / "blocked", checkout / "intune-blocked")
    outputs.unlink()
    assert subprocess.run(["bash", "-e", "-c", step["run"]], cwd=checkout, env=blocked, capture_output=True,
                          timeout=300).returncode == 0  # the step records the verdict; a later step fails the job
    assert "exit-code=1" in outputs.read_text() and "verdict=blocked" in outputs.read_text()


def test_the_templates_gate_step_runs(deep_tools, checkout):
    step = next(s for s in yaml(ROOT / "templates" / "oobe-ready.yml")["steps"] if "bash" in s)
    staging = checkout / "staging"
    (staging / "CodeAnalysisLogs").mkdir(parents=True)
    script = step["bash"].replace("$(Build.ArtifactStagingDirectory)", str(staging))
    done = subprocess.run(["bash", "-c", script], cwd=checkout, env=gate_env(checkout), capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads((staging / "oobe-ready.json").read_text())["summary"]["verdict"] == "ready"
    assert (staging / "CodeAnalysisLogs" / "oobe-ready.sarif").is_file()


def test_sdist_and_wheel_install_into_a_fresh_venv(tmp_path):
    """`python -m build`, then the wheel into a new virtualenv (dependencies from the package index), run
    from outside the checkout: the shipped data must come from the wheel, not from the source tree."""
    dist = tmp_path / "dist"
    built = subprocess.run([sys.executable, "-m", "build", "--outdir", str(dist), str(ROOT)], capture_output=True,
                           text=True, timeout=600)
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    wheel = next(dist.glob("oobe_ready-*.whl"))
    assert next(dist.glob("oobe_ready-*.tar.gz"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(wheel)], capture_output=True, text=True,
                         timeout=600)
    assert pip.returncode == 0, pip.stderr[-3000:]
    tool = str(venv / "bin" / "oobe-ready")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    version = subprocess.run([tool, "--version"], cwd=elsewhere, capture_output=True, text=True, timeout=120)
    assert version.returncode == 0 and version.stdout.startswith("oobe-ready "), version.stderr
    manifest = elsewhere / "m.json"
    check = subprocess.run([tool, "check", str(GOLDEN / "win11_24h2_multi.xml"), "-o", f"json={manifest}"],
                           cwd=elsewhere, capture_output=True, text=True, timeout=120)
    assert check.returncode == 3, check.stderr  # IMG006: WIM XML alone cannot tell 24H2 from 25H2
    rendered = subprocess.run([tool, "render", str(manifest), "-o", "markdown"], cwd=elsewhere, capture_output=True,
                              text=True, timeout=120)  # render validates against the shipped schema
    assert rendered.returncode == check.returncode and "oobe-ready:" in rendered.stdout, rendered.stderr
