"""Issue 17 (one grammar): every command that prints a document takes -o FORMAT[=FILE] and has json;
global options stand before or after the command; report folders are created; a typo in a documented
environment variable is a usage error naming the allowed values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from toolkit.cli import split_global_options

GOLDEN = Path(__file__).resolve().parent.parent / "golden_images"
WIM = str(GOLDEN / "win11_24h2_multi.wim")


@pytest.mark.parametrize("args, schema", [
    (("inspect", WIM, "--index", "1", "-o", "json"), "oobe-ready/inspect/v1"),
    (("inspect", WIM, "--index", "1", "--format", "json"), "oobe-ready/inspect/v1"),
    (("rules", "-o", "json"), "oobe-ready/rules/v1"),
    (("explain", "APF001", "-o", "json"), "oobe-ready/rule/v1"),
    (("baselines", "-o", "json"), "oobe-ready/baselines/v1"),
    (("baselines", "--diff", "wbfo-2025-08", "wbfo-2026-09", "-o", "json"), "oobe-ready/baseline-diff/v1"),
    (("config", "-o", "json"), "oobe-ready/config/v1"),
    (("catalog", "show", "-o", "json"), "oobe-ready/catalog/v1"),
])
def test_every_document_command_has_json(cli, args, schema):
    result = cli(*args)
    assert result.code == 0, result.err
    assert json.loads(result.out)["schema"] == schema


def test_json_documents_say_what_the_text_says(cli):
    rules = json.loads(cli("rules", "-o", "json").out)["rules"]
    assert [r["id"] for r in rules] == [line.split()[0] for line in cli("rules").out.splitlines()
                                        if not line.startswith(" ")]  # titles wrap under the width
    explained = json.loads(cli("explain", "IMG004", "-o", "json").out)
    assert explained["severity"] == "blocker" and explained["remediation"] and explained["docs"].startswith("https")
    listed = json.loads(cli("baselines", "-o", "json").out)["baselines"]
    assert [b["id"] for b in listed if b["default"]] == ["wbfo-2026-09"]
    changes = json.loads(cli("baselines", "--diff", "wbfo-2025-08", "wbfo-2026-09", "-o", "json").out)["changes"]
    assert any(c["key"] == "hybrid_allowed_on" for c in changes)


def test_documents_to_files_and_created_folders(cli, tmp_path):
    target = tmp_path / "new" / "folder" / "inspect.json"
    result = cli("inspect", WIM, "-o", f"json={target}", "-o", f"table={tmp_path / 'inspect.txt'}")
    assert result.code == 0 and result.out == ""
    assert json.loads(target.read_text())["schema"] == "oobe-ready/inspect/v1"
    assert "win11_24h2_multi.wim" in (tmp_path / "inspect.txt").read_text()


def test_two_documents_to_one_stream_are_refused(cli):
    for args in (("rules", "-o", "table", "-o", "json"), ("inspect", WIM, "-o", "json", "--format", "table")):
        result = cli(*args)
        assert result.code == 2 and "would all go to stdout" in result.err


def test_unknown_formats_name_the_known_ones(cli):
    result = cli("explain", "IMG004", "-o", "sarif")
    assert result.code == 2 and "known: table, json" in result.err


@pytest.mark.parametrize("argv, globals_, rest", [
    (["check", "x.wim", "--debug"], ["--debug"], ["check", "x.wim"]),
    (["-q", "rules", "--color", "never"], ["-q", "--color", "never"], ["rules"]),
    (["rules", "--color=always", "--quiet"], ["--color=always", "--quiet"], ["rules"]),
    (["check", "--", "--debug"], [], ["check", "--", "--debug"]),  # after --: a file named --debug
])
def test_global_options_anywhere(argv, globals_, rest):
    assert split_global_options(argv) == (globals_, rest)


def test_global_options_after_the_command(cli):
    assert cli("rules", "--debug", "--color", "never", "-q").code == 0
    assert cli("rules", "--color", "sometimes").code == 2


def test_verbose_and_quiet(cli, tmp_path):
    args = ("check", GOLDEN / "win11_24h2_multi.xml", "-o", f"json={tmp_path / 'm.json'}")
    said = cli(*args, "-v").err
    assert said.startswith("oobe-ready: read 1 input(s) (xml), judged ") and " s\n" in said
    assert cli(*args).err == "" and cli("-q", *args, "-v").err == ""  # -q wins


@pytest.mark.parametrize("name, value", [("OOBE_READY_EXTRACTOR", "wimlb"), ("OOBE_READY_WORKERS", "0"),
                                         ("OOBE_READY_WORKERS", "two")])
def test_environment_typos_are_usage_errors(cli, monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    result = cli("rules")
    assert result.code == 2 and f"{name}={value!r} is not one of the allowed values" in result.err


def test_attest_takes_the_same_output_grammar(cli, tmp_path):
    manifest = tmp_path / "m.json"
    assert cli("check", GOLDEN / "win11_24h2_multi.xml", "-o", f"json={manifest}").code in (0, 1, 3)
    for value, written in ((f"json={tmp_path / 'a.json'}", tmp_path / "a.json"), (str(tmp_path / "b.json"),
                                                                                  tmp_path / "b.json")):
        assert cli("attest", manifest, "-o", value).code == 0
        assert json.loads(written.read_text())["_type"] == "https://in-toto.io/Statement/v1"
    assert not list(tmp_path.glob("json=*"))
    to_stdout = cli("attest", manifest, "-o", "json")
    assert json.loads(to_stdout.out)["_type"] == "https://in-toto.io/Statement/v1"
    assert cli("attest", manifest, "-o", "sarif=x.sarif").code == 2
