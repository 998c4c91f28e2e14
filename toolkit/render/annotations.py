"""CI log annotations: GitHub Actions workflow commands and Azure Pipelines logging commands.

A blocking finding or a rule that could not be evaluated is an error, a finding that does not
block is a warning, a waived one a notice (GitHub) / warning (Azure, which has no notice level).
Waivers that expired, expire within 14 days or matched nothing are warnings. On Azure a run that
is ready but has non-blocking findings ends with `task.complete result=SucceededWithIssues`.
"""

from __future__ import annotations

from toolkit.render.findings import findings, input_file, original, waiver_notices, waiver_text


def _level(result: dict) -> str:
    if result["outcome"] == "waived":
        return "notice"
    if result["blocking"] or result["outcome"] == "not-evaluated":
        return "error"
    return "warning"


def _text(result: dict) -> str:
    if result["outcome"] == "waived":
        return f"{result['message']} ({result['subject']}); {waiver_text(result)}"
    if original(result) == "not-evaluated":
        return f"could not be evaluated: {result['message']} ({result['subject']})"
    fix = f" Fix: {result['remediation'][0]}" if result["remediation"] else ""
    return f"{result['message']} ({result['subject']}).{fix} Docs: {result['docs']}"


def _verdict_line(manifest: dict) -> str:
    summary = manifest["summary"]
    counts = ", ".join(f"{n} {o}" for o, n in summary["counts"].items() if n)
    catalog = manifest["catalog"]
    behind = catalog.get("missing_patch_tuesdays") or []
    stale = f", {len(behind)} Patch Tuesday(s) behind: run oobe-ready catalog update" if behind else ""
    return (f"oobe-ready: {summary['verdict'].upper()} (exit {summary['exit_code']}; {counts}; release catalog as of "
            f"{catalog['as_of']}{stale})")


def render_github(manifest: dict) -> str:
    def data(text: str) -> str:
        return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    def prop(text: str) -> str:
        return data(text).replace(":", "%3A").replace(",", "%2C")

    lines = []
    for r in findings(manifest):
        path = input_file(manifest, r)
        where = f"file={prop(path)},line=1," if path else ""
        title = prop(f"{r['rule']} {r['title']}")
        lines.append(f"::{_level(r)} {where}title={title}::{data(_text(r))}")
    lines += [f"::warning title=oobe-ready waiver::{data(n)}" for n in waiver_notices(manifest)]
    lines.append(f"::notice title=oobe-ready::{data(_verdict_line(manifest))}")
    return "\n".join(lines) + "\n"


def render_azure(manifest: dict) -> str:
    def data(text: str) -> str:
        return text.replace("%", "%AZP25").replace("\r", "%0D").replace("\n", "%0A")

    def prop(text: str) -> str:
        return data(text).replace(";", "%3B").replace("]", "%5D")

    lines = []
    for r in findings(manifest):
        level = "error" if _level(r) == "error" else "warning"
        path = input_file(manifest, r)
        where = f"sourcepath={prop(path)};linenumber=1;" if path else ""
        lines.append(f"##vso[task.logissue type={level};{where}code={prop(r['rule'])}]"
                     f"{data(r['rule'] + ' ' + _text(r))}")
    lines += [f"##vso[task.logissue type=warning;code=waiver]{data(n)}" for n in waiver_notices(manifest)]
    lines.append(data(_verdict_line(manifest)))
    summary = manifest["summary"]
    if summary["verdict"] == "ready" and any(r["outcome"] in ("fail", "warn") for r in manifest["results"]):
        lines.append("##vso[task.complete result=SucceededWithIssues;]non-blocking findings; see the warnings above")
    return "\n".join(lines) + "\n"
