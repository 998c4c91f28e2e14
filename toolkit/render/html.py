"""A self-contained HTML report for release reviews: one file, inline CSS and one inline script
allowed by its hash in a strict Content-Security-Policy, nothing loaded from anywhere.

Verdict banner and summary tiles, a matrix of rules by image indexes (edition names as headers, plus
one column for the Autopilot, ESP and tenant subjects) whose cells link to their findings, a filter
by outcome, rule and subject, each finding once with every subject it holds for, its evidence and
remediation, what was not checked, waivers, and the inputs with their digests and the baseline.
"""

from __future__ import annotations

import base64
import hashlib
import re
from html import escape

from toolkit.render.check_table import catalog_note, grouped, subjects_text
from toolkit.render.findings import waiver_notices, waiver_text
from toolkit.render.terminal import words

SETTINGS_COLUMN = "Autopilot · ESP · tenant"
# worst first: the matrix cell for several subjects shows the worst outcome
RANK = ("not-evaluated", "fail", "warn", "waived", "pass", "not-applicable", "skipped")
CSS = """
:root{--fail:#c62828;--warn:#b26a00;--ne:#6a1b9a;--pass:#2e7d32;--muted:#6b7280;--bg:#fff;--fg:#111827;
--line:#e5e7eb;--card:#f9fafb}
@media (prefers-color-scheme:dark){:root{--bg:#111827;--fg:#e5e7eb;--line:#374151;--card:#1f2937;--muted:#9ca3af}}
*{box-sizing:border-box}body{margin:0;font:14px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;
background:var(--bg);color:var(--fg)}main{max-width:1200px;margin:0 auto;padding:24px}
h1{margin:0;font-size:28px}h2{margin:32px 0 8px;font-size:20px;border-bottom:1px solid var(--line);padding-bottom:4px}
.banner{border-radius:8px;padding:16px 20px;color:#fff}.banner p{margin:4px 0 0}
.v-ready{background:var(--pass)}.v-blocked{background:var(--fail)}.v-incomplete{background:var(--ne)}
.meta{color:var(--muted);margin-top:8px}table{border-collapse:collapse;width:100%;margin:8px 0}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:var(--card)}code{font:12px ui-monospace,Menlo,Consolas,monospace;word-break:break-all}
.o{display:inline-block;border-radius:4px;padding:0 6px;font-weight:600;font-size:12px;white-space:nowrap}
.o-fail{background:var(--fail);color:#fff}.o-warn{background:var(--warn);color:#fff}
.o-not-evaluated{background:var(--ne);color:#fff}.o-pass{background:var(--pass);color:#fff}
.o-waived{background:#455a64;color:#fff}.o-skipped,.o-not-applicable{background:var(--line);color:var(--fg)}
.finding{border:1px solid var(--line);border-left:6px solid var(--muted);border-radius:6px;padding:8px 16px;
margin:12px 0;background:var(--card)}.f-fail{border-left-color:var(--fail)}.f-warn{border-left-color:var(--warn)}
.f-not-evaluated{border-left-color:var(--ne)}.f-waived{border-left-color:#455a64}
.finding h3{margin:4px 0;font-size:16px}
.matrix td{text-align:center}.matrix td:first-child{text-align:left}.small{font-size:12px;color:var(--muted)}
.matrix a{text-decoration:none}.matrix th{font-weight:600;font-size:12px}
.tiles{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}.tile{flex:1 1 140px;border:1px solid var(--line);
border-radius:8px;padding:8px 12px;background:var(--card)}.tile b{display:block;font-size:24px}
.ev{table-layout:fixed}.ev td,.ev th{overflow-wrap:anywhere}.ev col.c1,.ev col.c2{width:32%}
.ev col.c3,.ev col.c4{width:18%}.finding{overflow-wrap:anywhere}
.filter{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0}.filter label{font-size:12px;color:var(--muted)}
.filter select,.filter input{font:inherit;padding:2px 4px}.hidden{display:none}.scroll{overflow-x:auto}
@media print{.filter{display:none}.finding{break-inside:avoid}.banner{print-color-adjust:exact;
-webkit-print-color-adjust:exact}a{color:inherit}main{max-width:none}}
"""
# The filter: findings shown by outcome, rule and subject text; no network, no other script runs.
SCRIPT = """
(function(){document.documentElement.classList.add('js');var f=document.getElementById('filter');if(!f)return;
function apply(){var o=f.outcome.value,r=f.rule.value,s=f.subject.value.toLowerCase(),n=0;
document.querySelectorAll('article.finding').forEach(function(a){var show=(!o||a.dataset.outcome===o)&&
(!r||a.dataset.rule===r)&&(!s||a.dataset.subjects.toLowerCase().indexOf(s)>=0);a.classList.toggle('hidden',!show);
if(show)n++;});document.getElementById('shown').textContent=n;}
f.addEventListener('input',apply);f.addEventListener('change',apply);
f.addEventListener('submit',function(e){e.preventDefault();});apply();})();
"""
SCRIPT_HASH = base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()
CSP = (f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{SCRIPT_HASH}'; base-uri 'none'; "
       "form-action 'none'")
CODE = re.compile(r"`([^`]+)`")


def e(value: object) -> str:
    return escape(str(value), quote=True)


def shade(outcome: str, blocking: bool = True) -> str:
    """The colour of an outcome: a failure that does not block at --fail-on is drawn as a warning."""
    return "warn" if outcome == "fail" and not blocking else outcome


def badge(outcome: str, blocking: bool = True) -> str:
    return f'<span class="o o-{e(shade(outcome, blocking))}">{e(outcome)}</span>'


def link(url: str) -> str:
    return f'<a href="{e(url)}">{e(url)}</a>' if url.startswith("https://") else e(url)


def inline(text: object) -> str:
    """Escaped text with `code` spans drawn as code."""
    return CODE.sub(lambda m: f"<code>{m.group(1)}</code>", e(text))


def render(manifest: dict) -> str:
    summary = manifest["summary"]
    counts = " · ".join(f"{n} {o}" for o, n in summary["counts"].items() if n)
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta http-equiv="Content-Security-Policy" content="{e(CSP)}">',
        f"<title>oobe-ready: {e(summary['verdict'].upper())}</title><style>{CSS}</style></head><body><main>",
        f'<section class="banner v-{e(summary["verdict"])}" id="verdict"><h1>{e(summary["verdict"].upper())}</h1>',
        "<p>Windows Backup for Organizations restore readiness · "
        f"exit code {e(summary['exit_code'])} · {e(counts)}</p>",
        "</section>",
        f'<p class="meta">Baseline <b>{e(manifest["baseline"]["id"])}</b> '
        f'({e(manifest["baseline"].get("title", ""))}) · path <b>{e(manifest["path"])}</b> · '
        f"fail on <b>{e(manifest['options']['fail_on'])}</b> · "
        f"catalog as of {e(manifest['catalog']['as_of'])} ({e(manifest['catalog'].get('source', 'shipped'))})"
        f"{' · ' + e(catalog_note(manifest)) if catalog_note(manifest) else ''} · checked {e(manifest['as_of'])} · "
        f"generated {e(manifest['generated_at'])} by {e(manifest['tool']['name'])} "
        f"{e(manifest['tool']['version'])}</p>",
    ]
    groups = grouped(manifest["results"])
    anchors = {id(r): f"f{n}" for n, group in enumerate(groups, 1) for r in group}
    parts += _tiles(manifest)
    parts += _matrix(manifest, anchors)
    parts += _findings(manifest, groups)
    parts += _not_checked(manifest)
    parts += _waivers(manifest)
    parts += _inputs(manifest)
    parts.append(f"</main><script>{SCRIPT}</script></body></html>\n")
    return "\n".join(parts)


def _tiles(manifest: dict) -> list[str]:
    summary, counts = manifest["summary"], manifest["summary"]["counts"]
    blocking = len({r["rule"] for r in manifest["results"] if r["blocking"]})
    tiles = [("Verdict", summary["verdict"].upper()), ("Blocking rules", blocking),
             ("Warnings", counts.get("warn", 0) + sum(r["outcome"] == "fail" and not r["blocking"]
                                                     for r in manifest["results"])),
             ("Not evaluated", counts.get("not-evaluated", 0)), ("Waived", counts.get("waived", 0))]
    return ['<section class="tiles" id="summary">',
            *(f'<div class="tile">{e(label)}<b>{e(value)}</b></div>' for label, value in tiles), "</section>"]


def _header(subject: dict) -> str:
    facts = subject["facts"]
    name = facts.get("edition_id") or facts.get("name") or subject["id"]
    return f'<th title="{e(subject["id"])}">#{e(facts.get("index", ""))} {e(name)}</th>'


def _matrix(manifest: dict, anchors: dict[int, str]) -> list[str]:
    images = [s["id"] for s in manifest["subjects"]]
    columns = [*images, SETTINGS_COLUMN]
    image_rules = {rule["id"] for rule in manifest["rules"] if rule["kind"] == "image"}
    cells: dict[tuple[str, str], list[dict]] = {}
    for r in manifest["results"]:
        if r["subject"] != "-":
            targets = [r["subject"] if r["subject"] in images else SETTINGS_COLUMN]
        else:  # a rule-wide skip fills the columns of the rule's input kind
            targets = (images or [SETTINGS_COLUMN]) if r["rule"] in image_rules else [SETTINGS_COLUMN]
        for c in targets:
            cells.setdefault((r["rule"], c), []).append(r)
    sources = sorted({s["source"] for s in manifest["subjects"]})
    rows = ['<h2 id="matrix">Rules &times; images</h2>',
            *(f"<p class=small>Image <code>{e(source)}</code></p>" for source in sources),
            '<div class="scroll"><table class="matrix"><tr><th>Rule</th>'
            + "".join(_header(s) for s in manifest["subjects"]) + f"<th>{e(SETTINGS_COLUMN)}</th></tr>"]
    for rule in manifest["rules"]:
        row = [f"<td><b>{e(rule['id'])}</b> {e(rule['title'])} <span class=small>{e(rule['severity'])}</span></td>"]
        for c in columns:
            results = cells.get((rule["id"], c), [])
            if not results:
                row.append("<td></td>")
                continue
            worst = min(results, key=lambda r: RANK.index(r["outcome"]))
            tip = "; ".join(f"{r['subject']}: {r['outcome']}" for r in results)
            cell = badge(worst["outcome"], worst["blocking"])
            if id(worst) in anchors:  # a finding: the cell links to it
                cell = f'<a href="#{anchors[id(worst)]}">{cell}</a>'
            row.append(f'<td title="{e(tip)}">{cell}</td>')
        rows.append("<tr>" + "".join(row) + "</tr>")
    return [*rows, "</table></div>"]


def _findings(manifest: dict, groups: list[list[dict]]) -> list[str]:
    total = sum(map(len, groups))
    out = [f'<h2 id="findings">Findings ({total} on {len(groups)} entries)</h2>']
    if not groups:
        return [*out, "<p>No findings.</p>"]
    outcomes = sorted({g[0]["outcome"] for g in groups})
    rules = sorted({g[0]["rule"] for g in groups})
    out.append('<form class="filter" id="filter"><label>Outcome <select name="outcome">'
               '<option value="">any</option>' + "".join(f'<option>{e(o)}</option>' for o in outcomes)
               + '</select></label><label>Rule <select name="rule"><option value="">any</option>'
               + "".join(f"<option>{e(r)}</option>" for r in rules) + '</select></label><label>Subject '
               '<input name="subject" type="search" placeholder="path or #index"></label>'
               f'<span class=small><span id="shown">{len(groups)}</span> of {len(groups)} shown</span></form>')
    for n, group in enumerate(groups, 1):
        r = group[0]
        blocks = "blocks the release" if r["blocking"] else "does not block"
        style = shade(r["outcome"], r["blocking"])
        subjects = [g["subject"] for g in group]
        out.append(f'<article class="finding f-{e(style)}" id="f{n}" data-outcome="{e(r["outcome"])}" '
                   f'data-rule="{e(r["rule"])}" data-subjects="{e(" ".join(subjects))}">'
                   f'<h3>{badge(r["outcome"], r["blocking"])} {e(r["rule"])} {e(r["title"])} '
                   f'<span class=small>{e(r["severity"])} · {e(blocks)}</span></h3>')
        out.append(f"<p><b>On:</b> <code>{e(subjects_text(subjects))}</code><br>{inline(r['message'])}</p>")
        if r["outcome"] == "waived":
            out.append(f"<p><b>Waiver:</b> {inline(waiver_text(r))}</p>")
        if r["evidence"]:
            note = f" (of {e(subjects[0])}; the others alike)" if len(group) > 1 else ""
            out.append(f'<table class="ev"><colgroup><col class="c1"><col class="c2"><col class="c3"><col class="c4">'
                       f"</colgroup><tr><th>Evidence{note}</th><th>Locator</th><th>Expected</th><th>Actual</th></tr>")
            out += [f"<tr><td><code>{e(v['source'])}</code></td><td><code>{e(v['locator'])}</code></td>"
                    f"<td>{e(words(v['expected']))}</td><td>{e(words(v['actual']))}</td></tr>" for v in r["evidence"]]
            out.append("</table>")
        if r["remediation"]:
            out.append("<p><b>How to fix</b></p><ol>" + "".join(f"<li>{inline(s)}</li>" for s in r["remediation"])
                       + "</ol>")
        out.append(f"<p class=small>Docs: {link(r['docs'])}</p></article>")
    return out


def _not_checked(manifest: dict) -> list[str]:
    reasons = [e(x) for x in manifest["not_checked"]]
    reasons += [f"required input kind <b>{e(k)}</b> was not supplied" for k in manifest["summary"]["missing_required"]]
    reasons += [e(gap) for gap in manifest["summary"].get("gaps", [])]
    if not reasons:
        return ['<h2 id="not-checked">Not checked</h2><p>Every rule had its input.</p>']
    return ['<h2 id="not-checked">Not checked</h2><ul>', *(f"<li>{r}</li>" for r in reasons), "</ul>"]


def _waivers(manifest: dict) -> list[str]:
    waivers = manifest["waivers"]
    if not waivers.get("file"):
        return ['<h2 id="waivers">Waivers</h2><p>No waiver file was used.</p>']
    out = [f'<h2 id="waivers">Waivers</h2><p><code>{e(waivers["file"])}</code> '
           f'sha256 <code>{e(waivers["sha256"])}</code></p>']
    notices = waiver_notices(manifest)
    if notices:
        out.append("<ul>" + "".join(f"<li>{e(n)}</li>" for n in notices) + "</ul>")
    rows = [(state, w) for state in ("applied", "expired", "unused") for w in waivers[state]]
    if rows:
        out.append("<table><tr><th>State</th><th>Ticket</th><th>Rule</th><th>Owner</th><th>Expires</th>"
                   "<th>Justification</th><th>Covers</th></tr>")
        out += [f"<tr><td>{e(state)}</td><td>{e(w['ticket'])}</td><td>{e(w['rule'])}</td><td>{e(w['owner'])}</td>"
                f"<td>{e(w['expires'])}</td><td>{e(w['justification'])}</td>"
                f"<td>{'<br>'.join(f'<code>{e(s)}</code>' for s in w['subjects'])}</td></tr>" for state, w in rows]
        out.append("</table>")
    return out


def _inputs(manifest: dict) -> list[str]:
    out = ['<h2 id="inputs">Inputs</h2><table><tr><th>Path</th><th>Kind</th><th>sha256</th><th>Details</th></tr>']
    for i in manifest["inputs"]:
        extra = [f"{k} {i[k]}" for k in ("size", "guid", "xml_sha256", "error") if i.get(k) is not None]
        out.append(f"<tr><td><code>{e(i['path'])}</code></td><td>{e(i['kind'])}</td>"
                   f"<td><code>{e(i.get('sha256') or 'not hashed')}</code></td>"
                   f"<td class=small>{e(', '.join(extra))}</td></tr>")
    out.append("</table>")
    base, cat = manifest["baseline"], manifest["catalog"]
    out.append(f"<p class=small>Baseline {e(base['id'])} sha256 <code>{e(base['sha256'])}</code> · release catalog "
               f"as of {e(cat['as_of'])} sha256 <code>{e(cat['sha256'])}</code></p>")
    return out
