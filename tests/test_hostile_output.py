"""No text from an input acts on the CI runner or the terminal, in any format or stream.

A payload matrix: each payload is planted in every kind of field an attacker controls (a Conditional
Access policy's displayName, an export's file name, a WIM XML value) and the tool's output in
every format, plus stderr, is read the way the GitHub runner (a line starting with `::`, or `##[`
anywhere) and the Azure agent (`##vso[` anywhere in a line) read a log. The only commands allowed
are the tool's own annotation lines in the `github` / `azure` formats, one command each; no
output holds an escape sequence, C0/C1 control or bidi override; JSON formats keep the data exact.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

import pytest
from conftest import GOLDEN

PAYLOADS = [
    "::set-output name=verdict::ready", "::add-mask::hunter2", "::stop-commands::pwned", "::error::forged",
    "  ::warning::indented", "##[error]legacy", "##[group]g", "##vso[task.setvariable variable=VERDICT]ready",
    "##vso[task.complete result=Succeeded;]done", "x ##vso[task.uploadfile]/etc/passwd", "a\n::notice::b",
    "a\r\n##vso[task.logissue type=error]b", "a\r::error::b", "\x0b::error::vt", "\x0c##vso[ff]",
    "\x85::error::nel", "\u2028::error::ls", "\u2029##vso[ps]", "\x1b[2J\x1b[Hcleared", "\x1b]0;title\x07",
    "\x1b]8;;https://evil.example\x07link\x1b]8;;\x07", "\x9b31mcsi", "\x9d0;osc\x9c", "\u202eevil.exe",
    "\u2066isolate\u2069", "\u200fRLM", "nul\x00byte", "bell\x07", "del\x7f", "\ud800lone",
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[click](javascript:alert(1))",
    "![img](https://evil.example/x.png)", "| a | b |", "`code`", "[red]markup[/]", ":smile: :+1:",
    "%0A::error::encoded", "::", "##", ":::::", "#####vso[x]", "${{ secrets.TOKEN }}",
]
FORMATS = ("json", "sarif", "junit", "markdown", "html", "github", "azure")
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
                     "\ud800-\udfff]")
OWN_GITHUB = re.compile(r"::(error|warning|notice)( [^:\s][^:]*)?::")
OWN_AZURE = re.compile(r"##vso\[task\.(logissue|complete) ")


@pytest.fixture(autouse=True)
def fixed_day(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795219200")
    monkeypatch.setenv("OOBE_READY_AS_OF", "2026-11-21")


def lines(text: str) -> list[str]:
    return text.splitlines()  # stricter than the runners: also splits on VT, FF, NEL, LS, PS


def assert_inert(text: str, fmt: str, where: str) -> None:
    assert not CONTROL.search(text), (where, fmt, CONTROL.search(text))
    for line in lines(text):
        if line.lstrip().startswith("::") or "##[" in line:
            assert fmt == "github" and OWN_GITHUB.match(line) and line.count("::") == 2, (where, fmt, line)
        if "##vso[" in line:
            assert fmt == "azure" and OWN_AZURE.match(line) and line.count("##vso[") == 1, (where, fmt, line)


def ca_policy(name: str) -> dict:
    return {"@odata.type": "#microsoft.graph.conditionalAccessPolicy", "id": "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b",
            "displayName": name, "state": "enabled",
            "conditions": {"applications": {"includeApplications": ["All"]}, "users": {"includeUsers": ["All"]},
                           "clientAppTypes": ["all"]},
            "grantControls": {"operator": "OR", "builtInControls": ["compliantDevice"]}}


def safe_name(payload: str) -> str:
    """The payload as a file name: '/' and NUL cannot be in one; surrogates cannot be encoded."""
    name = payload.replace("/", "_").replace("\x00", "_").encode("utf-8", "replace").decode("utf-8")
    return (name or "_") + ".json"


def hive_value(tree: Path, payload: str) -> None:
    """Set CurrentVersion\\DisplayVersion in the tree's SOFTWARE hive with the real hivexregedit, as a
    REG_SZ of the payload's exact UTF-16LE bytes."""
    import subprocess

    from conftest import require_tool

    data = (payload.encode("utf-16-le", "surrogatepass") + b"\0\0").hex(",")
    reg = tree.parent / "value.reg"
    reg.write_text('Windows Registry Editor Version 5.00\n\n[\\Microsoft\\Windows NT\\CurrentVersion]\n'
                   f'"DisplayVersion"=hex(1):{data}\n', encoding="utf-8")
    subprocess.run([require_tool("hivexregedit"), "--merge", "--prefix", "HKEY_LOCAL_MACHINE\\SOFTWARE",
                    str(tree / "Windows/System32/config/SOFTWARE"), str(reg)], check=True, capture_output=True)


def plant(tmp_path: Path, carrier: str, payload: str) -> list[str]:
    """Arguments for `check` that carry the payload in one field kind."""
    if carrier == "hive string":
        import shutil

        tree = tmp_path / "offline"
        shutil.copytree(GOLDEN / "offline_win11_25h2", tree)
        hive_value(tree, payload)
        return [str(tree)]
    if carrier == "displayName":
        path = tmp_path / "policies.json"
        path.write_text(json.dumps(ca_policy(payload)), encoding="utf-8")
        return ["--intune", str(path)]
    if carrier == "file name":
        path = tmp_path / safe_name(payload)
        path.write_text(json.dumps(ca_policy("CA100")), encoding="utf-8")
        return ["--intune", str(path)]
    xml = (GOLDEN / "win11_24h2_multi.xml").read_bytes().decode("utf-16")
    value = xml_escape(payload).encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    xml = xml.replace("<EDITIONID>Enterprise</EDITIONID>", f"<EDITIONID>{value}</EDITIONID>", 1)
    xml = xml.replace("<NAME>Windows 11 Enterprise</NAME>", f"<NAME>{value}</NAME>", 1)
    path = tmp_path / "media.xml"
    path.write_bytes(b"\xff\xfe" + xml.encode("utf-16-le"))
    return [str(path), "--index", "1"]


@pytest.mark.parametrize("carrier", ["displayName", "file name", "WIM XML", "hive string"])
@pytest.mark.parametrize("payload", PAYLOADS, ids=[f"p{n}" for n in range(len(PAYLOADS))])
def test_payload_is_inert_in_every_format_and_stream(cli, tmp_path, carrier, payload):
    args = plant(tmp_path, carrier, payload)
    outputs = [f"{fmt}={tmp_path / ('out.' + fmt)}" for fmt in FORMATS]
    deep = () if carrier == "hive string" else ("--no-deep",)
    result = cli("check", *args, *deep, *[x for o in outputs for x in ("-o", o)], "-o", "table")
    assert result.code in (0, 1, 2, 3), result.err
    assert_inert(result.out, "table", carrier)
    assert_inert(result.err, "stderr", carrier)
    if result.code == 2:  # an input the reader refuses (XML cannot hold a control character): one inert line
        assert result.err.count("\n") == 1
        return
    for fmt in FORMATS:
        text = (tmp_path / f"out.{fmt}").read_text(encoding="utf-8")
        assert_inert(text, fmt, carrier)
    manifest = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    json.loads((tmp_path / "out.sarif").read_text(encoding="utf-8"))
    if carrier == "displayName":  # the machine format keeps the data exact
        assert any(payload in r["message"] for r in manifest["results"] if r["rule"] == "TEN003")
    html = (tmp_path / "out.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "<img src=x" not in html
    markdown = (tmp_path / "out.markdown").read_text(encoding="utf-8")
    markdown = re.sub(r"`[^`]*`", "``", markdown)  # code spans render their text literally
    assert "<script" not in markdown and "<img" not in markdown
    assert not re.search(r"(?<!\\)\]\(", markdown.replace("](https://learn.microsoft.com", ""))
    if carrier == "hive string":  # the hive's DisplayVersion contradicts its build: SVC001 quotes it
        svc001 = next(r for r in manifest["results"] if r["rule"] == "SVC001")
        assert svc001["outcome"] == "fail" and repr(payload) in svc001["message"]
    if carrier in ("WIM XML", "hive string"):
        shown = cli("inspect", args[0], *(("--deep",) if carrier == "hive string" else ()))
        assert_inert(shown.out, "table", "inspect")
        assert_inert(cli("inspect", args[0], "--deep", "--format", "json").out, "json", "inspect json")


def test_the_sanitiser_keeps_ordinary_text_and_marks_what_it_changed():
    from toolkit.render.safe import text

    assert text("Windows 11 Enterprise — Contoso® (ÄÖÜ) 日本語") == "Windows 11 Enterprise — Contoso® (ÄÖÜ) 日本語"
    assert text("a\nb\x1b[31m") == "a\\x0ab\\x1b[31m"
    assert text("\u202eexe") == "\\u202eexe"
    assert text("::set-env::x") == ":\u2060:set-env:\u2060:x" and text("##vso[") == "#\u2060#vso["
    assert text(":::") == ":\u2060:\u2060:"


def test_json_output_escapes_commands_but_parses_back_exactly():
    from toolkit.render.jsondoc import render_json

    doc = {"m": "::error::x ##vso[y] \x9b \u202e \ud800", "n": float("nan"), "i": float("inf")}
    text = render_json(doc)
    assert "::" not in text and "##" not in text and not CONTROL.search(text)
    back = json.loads(text)
    assert back == {"m": doc["m"], "n": "nan", "i": "inf"}
