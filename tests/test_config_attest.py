"""Configuration files (found upward, flags win, `config` shows origins) and `attest`."""

from __future__ import annotations

import hashlib
import json
import os

import pytest
from conftest import GOLDEN

WARN_ONLY = GOLDEN / "win11_24h2_not_generalized.wim"  # SVC005 (warning) is its only finding


@pytest.fixture(autouse=True)
def fixed_day(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795219200")
    monkeypatch.setenv("OOBE_READY_AS_OF", "2026-11-21")  # the evaluation date


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project directory with a nested working directory, as a pipeline checkout has."""
    work = tmp_path / "repo" / "images" / "nightly"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    return tmp_path / "repo"


def test_oobe_ready_toml_is_found_upward_and_flags_win(cli, deep_tools, project):
    assert cli("check", WARN_ONLY, "-o", "json").code == 0
    (project / "oobe-ready.toml").write_text('fail-on = "warning"\n')
    assert cli("check", WARN_ONLY, "-o", "json").code == 1
    assert cli("check", WARN_ONLY, "-o", "json", "--fail-on", "blocker").code == 0


def test_pyproject_table_and_relative_paths(cli, deep_tools, project, monkeypatch):
    monkeypatch.delenv("OOBE_READY_AS_OF")  # the file's as-of decides
    (project / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.oobe-ready]\nfail-on = "warning"\nwaivers = "policy/waivers.toml"\n'
        'as-of = 2026-08-25\n'
        'output = ["json=out/manifest.json"]\nrequire = ["image"]\n')
    (project / "policy").mkdir()
    (project / "out").mkdir()
    (project / "policy" / "waivers.toml").write_text(
        '[[waiver]]\nrule = "SVC005"\nscope = { build = ">=26100" }\njustification = "sysprep runs at deploy"\n'
        'owner = "ops"\nticket = "OPS-7"\nexpires = 2027-01-31\n')
    result = cli("check", WARN_ONLY)
    assert result.code == 0, result.err  # fail-on warning, but the only warning is waived
    manifest = json.loads((project / "out" / "manifest.json").read_text())
    assert manifest["options"]["fail_on"] == "warning"
    assert [w["ticket"] for w in manifest["waivers"]["applied"]] == ["OPS-7"]
    shown = cli("config").out
    assert f"config file: {project / 'pyproject.toml'}" in shown
    assert any(line.split()[:2] == ["fail-on", "warning"] and line.endswith(str(project / "pyproject.toml"))
               for line in shown.splitlines())
    assert any(line.startswith("baseline") and line.endswith("default") for line in shown.splitlines())
    assert os.path.join(str(project), "policy", "waivers.toml") in shown
    flagged = cli("config", "--fail-on", "blocker", "--no-waivers").out.splitlines()
    assert any(line.split()[:2] == ["fail-on", "blocker"] and line.endswith("command line") for line in flagged)
    assert any(line.startswith("waivers") and line.endswith("command line (--no-waivers)") for line in flagged)


def test_a_pyproject_without_the_table_is_skipped(cli, project):
    (project / "images" / "pyproject.toml").write_text('[project]\nname = "x"\n')
    (project / "oobe-ready.toml").write_text('path = "first-sign-in"\n')
    shown = cli("config").out.splitlines()
    assert shown[0] == f"config file: {project / 'oobe-ready.toml'}"
    assert any(line.split()[:2] == ["path", "first-sign-in"] for line in shown)


def test_explicit_config_and_no_config(cli, project, tmp_path):
    assert cli("config").out.startswith("config file: none found")
    other = tmp_path / "elsewhere.toml"
    other.write_text('cloud = "gcch"\n')
    shown = cli("config", "--config", other).out
    assert any(line.split()[:2] == ["cloud", "gcch"] for line in shown.splitlines())


@pytest.mark.parametrize("text, fragment", [
    ('fail_on = "warning"\n', "unknown setting(s) fail_on"),
    ('fail-on = "sometimes"\n', "fail-on: 'sometimes' is not one of"),
    ("as-of = 5\n", "as-of: 5 is not a valid value"),
    ('as-of = "someday"\n', "as-of: 'someday' does not match the format"),
    ("fail-on = \n", "not valid TOML"),
])
def test_a_bad_config_is_exit_2_naming_the_file(cli, project, monkeypatch, text, fragment):
    monkeypatch.delenv("OOBE_READY_AS_OF")  # the environment would win over the file's as-of
    (project / "oobe-ready.toml").write_text(text)
    result = cli("check", GOLDEN / "win11_24h2_multi.xml")
    assert result.code == 2
    assert result.err.count("\n") == 1 and "oobe-ready.toml" in result.err and fragment in result.err


def test_attest_statement_names_the_image_digest_and_the_configuration(cli, deep_tools, tmp_path):
    image = GOLDEN / "win11_23h2_enterprise.wim"
    waivers = tmp_path / "w.toml"
    waivers.write_text('[[waiver]]\nrule = "IMG007"\nscope = { build = ">=22631" }\njustification = "j"\n'
                       'owner = "o"\nticket = "T-1"\nexpires = 2027-01-01\n')
    manifest = tmp_path / "m.json"
    assert cli("check", image, "--waivers", waivers, "-o", f"json={manifest}").code == 1
    assert json.loads(manifest.read_text())["inputs"][0]["sha256"] is None  # not hashed by check
    out = tmp_path / "statement.json"
    result = cli("attest", manifest, "-o", out)
    assert result.code == 0, result.err
    statement = json.loads(out.read_text())
    assert statement["_type"] == "https://in-toto.io/Statement/v1"
    assert statement["predicateType"] == "https://in-toto.io/attestation/test-result/v0.1"
    assert statement["subject"] == [{"name": str(image),
                                     "digest": {"sha256": hashlib.sha256(image.read_bytes()).hexdigest()}}]
    predicate = statement["predicate"]
    assert predicate["result"] == "FAILED"
    assert f"IMG004 {image}#1" in predicate["failedTests"] and f"IMG007 {image}#1" in predicate["warnedTests"]
    assert f"IMG001 {image}#1" in predicate["passedTests"]
    names = {c["name"].split()[0]: c["digest"]["sha256"] for c in predicate["configuration"]}
    doc = json.loads(manifest.read_text())
    assert names["baseline"] == doc["baseline"]["sha256"] and names["release"] == doc["catalog"]["sha256"]
    assert names["waivers"] == hashlib.sha256(waivers.read_bytes()).hexdigest()
    assert names["manifest"] == hashlib.sha256(manifest.read_bytes()).hexdigest()
    # for `cosign attest-blob --predicate FILE --type <predicateType> IMAGE`, which computes the subject
    assert json.loads(cli("attest", manifest, "--predicate-only").out) == predicate


def test_attest_refuses_an_image_that_changed(cli, tmp_path):
    image = tmp_path / "copy.wim"
    image.write_bytes((GOLDEN / "win11_24h2_multi.wim").read_bytes())
    manifest = tmp_path / "m.json"
    cli("check", image, "--no-deep", "-o", f"json={manifest}")
    with image.open("ab") as fh:
        fh.write(b"tampered")
    result = cli("attest", manifest)
    assert result.code == 2 and "changed since the manifest was written" in result.err and result.out == ""


def test_attest_refuses_another_image_of_the_same_size(cli, tmp_path):
    # two golden images of different editions, padded to one size: attest must not vouch for the other
    checked, other = GOLDEN / "win11_24h2_not_generalized.wim", GOLDEN / "win11_24h2_policy_blocked.wim"
    size = max(checked.stat().st_size, other.stat().st_size)
    image = tmp_path / "install.wim"
    image.write_bytes(checked.read_bytes().ljust(size, b"\0"))
    manifest = tmp_path / "m.json"
    assert cli("check", image, "--no-deep", "-o", f"json={manifest}").code in (0, 1)
    image.write_bytes(other.read_bytes().ljust(size, b"\0"))
    result = cli("attest", manifest)
    assert result.code == 2 and result.out == ""
    assert "changed since the manifest was written (WIM header GUID" in result.err and "XML sha256" in result.err
    assert "size" not in result.err.split("(", 1)[1].split(")")[0]  # the size alone would have passed


def test_attest_of_a_ready_tenant_only_check_uses_the_exports(cli, tmp_path):
    manifest = tmp_path / "m.json"
    cli("check", "--intune", GOLDEN / "intune" / "ready", "-o", f"json={manifest}")
    statement = json.loads(cli("attest", manifest).out)
    assert statement["subject"] and all(s["name"].endswith(".json") for s in statement["subject"])
    assert statement["predicate"]["result"] in ("PASSED", "WARNED")
