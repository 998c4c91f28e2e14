"""Nothing lost, nothing touched: every command and option leaves every input's bytes and
modification time as they were, and leaves nothing in the temporary directory."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from conftest import GOLDEN, SAMPLES


def snapshot(root: Path) -> dict[str, tuple[str, int, int]]:
    return {str(p.relative_to(root)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns,
                                       p.stat().st_mode)
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def inputs(tmp_path, monkeypatch):
    root = tmp_path / "inputs"
    root.mkdir()
    for name in ("win11_24h2_multi.wim", "win11_24h2.esd", "win11_24h2_multi.xml", "win11_23h2_enterprise.wim",
                 "win11_24h2_split.swm", "win11_24h2_split2.swm", "win11_24h2_split3.swm"):
        shutil.copy2(GOLDEN / name, root / name)
    shutil.copytree(GOLDEN / "offline_win11_25h2", root / "offline", symlinks=True)
    shutil.copytree(GOLDEN / "intune" / "blocked", root / "intune")
    apf = root / "apf"
    apf.mkdir()
    sample = next((SAMPLES / "intune" / "autopilot_offline_json").iterdir())
    shutil.copy2(sample, apf / "AutopilotConfigurationFile.json")
    (root / "waivers.toml").write_text('[[waiver]]\nrule = "IMG007"\nscope = { build = ">=1" }\n'
                                       'justification = "j"\nowner = "o"\nticket = "T"\nexpires = 2099-01-01\n')
    (root / "oobe-ready.toml").write_text('fail-on = "warning"\n')
    for path in root.rglob("*"):  # an old, distinctive mtime: any write or touch would change it
        os.utime(path, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000), follow_symlinks=False)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795219200")
    monkeypatch.setenv("OOBE_READY_AS_OF", "2026-11-21")  # the evaluation date
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.chdir(out)  # outputs land here, never beside the inputs
    return root


FORMATS = ("table", "json", "sarif", "junit", "markdown", "html", "github", "azure")


def commands(i: Path) -> list[list[str]]:
    images = [str(i / n) for n in ("win11_24h2_multi.wim", "win11_24h2.esd", "win11_24h2_multi.xml",
                                   "win11_24h2_split2.swm", "offline")]
    every_format = [a for f in FORMATS for a in ("-o", f"{f}=report.{f}")]
    return [
        ["inspect", *images],
        ["inspect", "--deep", "--format", "json", *images],
        ["inspect", "--deep", "--index", "2", str(i / "win11_24h2_multi.wim")],
        ["check", *images, "--intune", str(i / "intune"),
         "--autopilot-file", str(i / "apf" / "AutopilotConfigurationFile.json"), "--waivers", str(i / "waivers.toml"),
         "--config", str(i / "oobe-ready.toml"), "--hash-images", *every_format],
        ["check", str(i / "win11_23h2_enterprise.wim"), "--no-deep", "--no-waivers", "--path", "first-sign-in",
         "--fail-on", "warning", "--require", "image,esp", "--tenant-id", "d78aee32-8f91-4f9e-90ea-fb72965d9d7c",
         "--cloud", "public", "--baseline", "wbfo-2025-11", "--index", "1", "-o", "json=manifest.json"],
        ["render", "manifest.json", *every_format],
        ["attest", "manifest.json", "-o", "statement.json"],
        ["attest", "manifest.json", "--predicate-only"],
        ["config", "--config", str(i / "oobe-ready.toml"), "--waivers", str(i / "waivers.toml")],
        ["rules", "--format", "markdown"], ["explain", "IMG004"], ["baselines"],
    ]


def test_every_command_leaves_its_inputs_untouched(cli, inputs, tmp_path):
    before = snapshot(inputs)
    assert len(before) > 20
    for args in commands(inputs):
        result = cli(*args)
        assert result.code in (0, 1, 3), (args, result.err)
        assert snapshot(inputs) == before, f"`oobe-ready {' '.join(args[:2])}` changed an input"
        assert list((tmp_path / "scratch").iterdir()) == [], f"`{args[0]}` left temporary files"
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if p.name.startswith("report.")) == \
        sorted(f"report.{f}" for f in FORMATS)
