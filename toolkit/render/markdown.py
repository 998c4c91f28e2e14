"""Markdown for a job summary ($GITHUB_STEP_SUMMARY, Azure task.uploadsummary) or a review comment.

The verdict and the findings table come first; details fold into <details> blocks. GitHub caps a
step summary at 1 MiB, so the details stop (with a note) before the text reaches LIMIT.
"""

from __future__ import annotations

from toolkit.render.findings import findings, waiver_notices, waiver_text

LIMIT = 900_000  # characters; below GitHub's 1 MiB step-summary cap, leaving room for other steps
MARK = {"ready": "✅", "blocked": "❌", "incomplete": "⚠️"}
OUTCOME = {"fail": "❌ fail", "warn": "⚠️ warn", "not-evaluated": "❔ not evaluated", "waived": "🏷️ waived"}


def cell(text: object) -> str:
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("\r", " ")


def code(text: object) -> str:
    return "`" + str(text).replace("`", "'") + "`"


def render(manifest: dict) -> str:
    summary = manifest["summary"]
    counts = " · ".join(f"{n} {o}" for o, n in summary["counts"].items() if n)
    out = [f"## {MARK[summary['verdict']]} oobe-ready: {summary['verdict'].upper()}", "",
           f"Exit code {summary['exit_code']} · baseline {code(manifest['baseline']['id'])} · path "
           f"{code(manifest['path'])} · fail on {code(manifest['options']['fail_on'])} · catalog as of "
           f"{manifest['catalog']['as_of']} · checked {manifest['as_of']}", "", counts, ""]
    found = findings(manifest)
    if found:
        out += ["| Outcome | Rule | Severity | Blocks | Subject | Finding |", "|---|---|---|---|---|---|"]
        for r in found:
            out.append(f"| {OUTCOME[r['outcome']]} | {r['rule']} | {r['severity']} | "
                       f"{'yes' if r['blocking'] else 'no'} | {cell(r['subject'])} | {cell(r['message'])} |")
        out.append("")
    else:
        out += ["No findings.", ""]
    details = [_details(r) for r in found]
    body = "\n".join(out)
    for shown, block in enumerate(details):
        if len(body) + len(block) > LIMIT:
            left = len(details) - shown
            body += f"\n_{left} more finding details left out to fit the summary; see the full report._\n"
            break
        body += block
    tail = []
    if manifest["not_checked"] or summary["missing_required"] or summary.get("gaps"):
        tail += ["", "### Not checked", ""]
        tail += [f"- {cell(reason)}" for reason in manifest["not_checked"]]
        tail += [f"- required input kind {code(kind)} was not supplied" for kind in summary["missing_required"]]
        tail += [f"- {cell(gap)}" for gap in summary.get("gaps", [])]
    notices = waiver_notices(manifest)
    if notices:
        tail += ["", "### Waivers needing attention", ""] + [f"- {cell(n)}" for n in notices]
    tail += ["", "### Inputs", "", "| Input | Kind | sha256 |", "|---|---|---|"]
    tail += [f"| {cell(i['path'])} | {i['kind']} | {code(i['sha256']) if i.get('sha256') else '—'} |"
             for i in manifest["inputs"]]
    tail += ["", f"<sub>{manifest['tool']['name']} {manifest['tool']['version']} · baseline sha256 "
             f"{manifest['baseline']['sha256'][:12]} · generated {manifest['generated_at']}</sub>", ""]
    return body + "\n".join(tail)


def _details(r: dict) -> str:
    lines = ["", f"<details><summary>{r['rule']} on {cell(r['subject'])}: {cell(r['title'])}</summary>", ""]
    if r["outcome"] == "waived":
        lines += [f"**Waived:** {cell(waiver_text(r))}", ""]
    lines += [cell(r["message"]), ""]
    for e in r["evidence"]:
        lines.append(f"- evidence: {code(e['source'])} {code(e['locator'])}: expected {code(e['expected'])}, "
                     f"actual {code(e['actual'])}")
    if r["remediation"]:
        lines += ["", "**How to fix**", ""] + [f"{n}. {cell(s)}" for n, s in enumerate(r["remediation"], 1)]
    lines += ["", f"[Documentation]({r['docs']})", "", "</details>"]
    return "\n".join(lines) + "\n"
