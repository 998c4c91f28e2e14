"""Markdown for a job summary ($GITHUB_STEP_SUMMARY, Azure task.uploadsummary) or a review comment.

The verdict and the findings table come first, a finding on several image indexes once (as the
terminal groups them); the details fold into one <details> block per rule. GitHub caps a
step summary at 1 MiB of UTF-8, so the table rows, then the details, stop (with a note) before the
whole text, the tail of inputs included, reaches LIMIT bytes. Text from the inputs is escaped: no
HTML, link or image syntax in it renders.
"""

from __future__ import annotations

from toolkit.render.check_table import catalog_note, grouped, subjects_text
from toolkit.render.findings import waiver_notices, waiver_text
from toolkit.render.terminal import words

LIMIT = 900_000  # UTF-8 bytes; below GitHub's 1 MiB step-summary cap, leaving room for other steps
MARK = {"ready": "✅", "blocked": "❌", "incomplete": "⚠️"}
OUTCOME = {"fail": "❌ fail", "warn": "⚠️ warn", "not-evaluated": "❔ not evaluated", "waived": "🏷️ waived"}


_MARKUP = str.maketrans({"\\": "\\\\", "|": "\\|", "[": "\\[", "]": "\\]", "!": "\\!", "*": "\\*",
                         "_": "\\_", "`": "\\`", "<": "&lt;", ">": "&gt;", "&": "&amp;", "\n": " ", "\r": " "})


def cell(text: object) -> str:
    """Text from the inputs inside Markdown (a table cell or a paragraph): rendered as written."""
    return str(text).translate(_MARKUP)


def code(text: object) -> str:
    """A code span; `|` still ends a table cell in GitHub Markdown unless escaped."""
    return "`" + str(text).replace("`", "'").replace("|", "\\|") + "`"


def size(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def render(manifest: dict) -> str:
    summary = manifest["summary"]
    counts = " · ".join(f"{n} {o}" for o, n in summary["counts"].items() if n)
    out = [f"## {MARK[summary['verdict']]} oobe-ready: {summary['verdict'].upper()}", "",
           f"Exit code {summary['exit_code']} · baseline {code(manifest['baseline']['id'])} · path "
           f"{code(manifest['path'])} · fail on {code(manifest['options']['fail_on'])} · catalog as of "
           f"{manifest['catalog']['as_of']} ({manifest['catalog'].get('source', 'shipped')}) · checked "
           f"{manifest['as_of']}", "", counts, ""]
    if stale := catalog_note(manifest):
        out += [f"> ⚠️ {cell(stale)}", ""]
    found = grouped(manifest["results"])
    tail = _tail(manifest)
    budget = LIMIT - size(tail) - 200  # the notes about what was left out
    if found:
        out += ["| Outcome | Rule | Severity | Blocks | Subject | Finding |", "|---|---|---|---|---|---|"]
        used = size("\n".join(out))
        for shown, group in enumerate(found):
            r = group[0]
            row = (f"| {OUTCOME[r['outcome']]} | {r['rule']} | {r['severity']} | "
                   f"{'yes' if r['blocking'] else 'no'} | {cell(subjects_text([g['subject'] for g in group]))} | "
                   f"{cell(r['message'])} |")
            if used + size(row) + 1 > budget:
                out += ["", f"_{len(found) - shown} more findings left out to fit the summary; see the full report._"]
                break
            out.append(row)
            used += size(row) + 1
        out.append("")
    else:
        out += ["No findings.", ""]
    body = "\n".join(out)
    used = size(body)
    by_rule: dict[str, list[list[dict]]] = {}
    for group in found:
        by_rule.setdefault(group[0]["rule"], []).append(group)
    for shown, groups in enumerate(by_rule.values()):
        block = _details(groups)
        if used + size(block) > budget:
            left = len(by_rule) - shown
            body += f"\n_{left} more rules' details left out to fit the summary; see the full report._\n"
            break
        body += block
        used += size(block)
    return body + tail


def _tail(manifest: dict) -> str:
    summary = manifest["summary"]
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
    return "\n".join(tail)


def _details(groups: list[list[dict]]) -> str:
    """One rule's findings, folded: each with its subjects, message, evidence, fix and docs."""
    first = groups[0][0]
    count = sum(map(len, groups))
    lines = ["", f"<details><summary>{first['rule']}: {cell(first['title'])} ({count} finding(s))</summary>"]
    for group in groups:
        r = group[0]
        lines += ["", f"**{OUTCOME[r['outcome']]}** on {cell(subjects_text([g['subject'] for g in group]))}", ""]
        if r["outcome"] == "waived":
            lines += [f"**Waived:** {cell(waiver_text(r))}", ""]
        lines += [cell(r["message"]), ""]
        for e in r["evidence"]:
            lines.append(f"- evidence: {code(e['source'])} {code(e['locator'])}: expected "
                         f"{code(words(e['expected']))}, actual {code(words(e['actual']))}")
        if r["remediation"]:
            lines += ["", "**How to fix**", ""] + [f"{n}. {cell(s)}" for n, s in enumerate(r["remediation"], 1)]
    lines += ["", f"[Documentation]({first['docs']})", "", "</details>"]
    return "\n".join(lines) + "\n"
