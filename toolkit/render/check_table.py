"""`check` for a terminal: the verdict first, then each finding with evidence and the fix."""

from __future__ import annotations

from typing import IO

from toolkit.render.findings import waiver_notices, waiver_text
from toolkit.render.terminal import NBSP, Line, print_lines, styled, width, words

STYLE = {"fail": "red", "warn": "yellow", "not-evaluated": "magenta", "pass": "green",
         "not-applicable": "dim", "skipped": "dim", "waived": "blue"}
VERDICT_STYLE = {"ready": "bold green", "blocked": "bold red", "incomplete": "bold magenta"}
SHOWN = ("fail", "warn", "not-evaluated", "waived")
MAX_EVIDENCE = 2  # per finding on a terminal; every piece is in the manifest


def catalog_note(manifest: dict) -> str | None:
    """Said plainly when the release catalog predates Patch Tuesdays before the evaluation date."""
    behind = manifest["catalog"].get("missing_patch_tuesdays") or []
    if not behind:
        return None
    return (f"the release catalog (as of {manifest['catalog']['as_of']}) predates {len(behind)} Patch Tuesday(s) "
            f"({', '.join(behind)}): it cannot name their updates; run `oobe-ready catalog update`")


def settings_line(manifest: dict) -> str:
    """Every setting that shaped the verdict, and the config file that supplied any of them."""
    options = manifest["options"]
    catalog = manifest["catalog"]
    fail_on = f"fail on {options['fail_on']}"
    if options["fail_on"] == "never":
        fail_on += " (report only: findings exit 0)"
    parts = [f"baseline {manifest['baseline']['id']}", f"path {manifest['path']}", fail_on,
             f"as of {manifest['as_of']}", "deep on" if options.get("deep", True) else "deep off",
             f"catalog {catalog['as_of']} ({catalog.get('source', 'shipped')})"]
    parts += [f"{label} {value}" for label, key in (("require", "require"), ("index", "index"),
                                                    ("tenant", "tenant_id"), ("cloud", "cloud"),
                                                    ("waivers", "waivers"))
              if (value := options.get(key)) and (value := ",".join(value) if isinstance(value, list) else value)]
    if manifest.get("config"):
        parts.append(f"config {manifest['config']['path']} (sha256 {manifest['config']['sha256'][:12]})")
    return " · ".join(part.replace(" ", NBSP) for part in parts)  # each setting kept on one line


def render_check_table(manifest: dict, stream: IO[str] | None = None) -> None:
    from rich.console import Console

    console = Console(file=stream, highlight=False, emoji=False, soft_wrap=True)
    print_lines(console, check_lines(manifest, width(console)))


def check_lines(manifest: dict, columns: int) -> list[Line]:
    """The check report as lines of at most `columns` (bar single words longer than that): the verdict
    first, each finding once with every subject it holds for, a one-line summary last."""
    out: list[Line] = []

    def add(text: str, indent: str = "", hang: str | None = None, style: str | None = None,
            lead: tuple[int, str] | None = None) -> None:
        out.extend(styled(text, columns, indent, hang, style, lead))

    summary = manifest["summary"]
    verdict = summary["verdict"].upper()
    add(f"{verdict}  {settings_line(manifest)}", hang="  ", lead=(len(verdict), VERDICT_STYLE[summary["verdict"]]))
    add(" · ".join(f"{n} {o}" for o, n in summary["counts"].items() if n), "  ")
    if stale := catalog_note(manifest):
        add(stale, "  ", style="yellow")
    fail_on = manifest["options"]["fail_on"]
    for group in grouped(manifest["results"]):
        first = group[0]
        out.append(("", []))
        outcome = first["outcome"].upper() + (f" ({first['original_outcome']})" if first["outcome"] == "waived" else "")
        add(f"{outcome} {first['rule']} {first['title']} · {blocking_text(first, fail_on)}", hang="    ",
            lead=(len(outcome), STYLE[first["outcome"]]))
        add("on " + subjects_text([r["subject"] for r in group]), "  ", "     ")
        if first["outcome"] == "waived":
            add(waiver_text(first), "  ", "    ", style="blue")
        add(first["message"], "  ", "    ")
        note = f" (first of {len(group)})" if len(group) > 1 else ""
        for ev in first["evidence"][:MAX_EVIDENCE]:
            add(f"evidence{note}: {_where(ev['source'], first['subject'])}{ev['locator']}: expected "
                f"{words(ev['expected'])}, actual {words(ev['actual'])}", "  ", "    ", lead=(8, "dim"))
            note = ""
        if len(first["evidence"]) > MAX_EVIDENCE:
            add(f"(and {len(first['evidence']) - MAX_EVIDENCE} more evidence in the json report)", "  ", "    ",
                style="dim")
        for n, step in enumerate(first["remediation"], 1):
            add(f"fix {n}. {step}", "  ", "         ", lead=(len(f"fix {n}."), "cyan"))
        add(f"docs: {first['docs']}", "  ", "    ", style="dim")
    if manifest["not_checked"] or summary["missing_required"] or summary.get("gaps"):
        out.append(("", []))
        add("Not checked", style="bold")
        for reason in manifest["not_checked"]:
            add(f"- {reason}", "  ", "    ")
        for kind in summary["missing_required"]:
            add(f"- required input kind '{kind}' was not supplied", "  ", "    ", style="magenta")
        for gap in summary.get("gaps", []):
            add(f"- {gap}", "  ", "    ", style="magenta")
    notices = waiver_notices(manifest)
    if notices:
        out.append(("", []))
        add("Waivers needing attention", style="bold")
        for line in notices:
            add(f"- {line}", "  ", "    ", style="yellow")
    passed = sorted({r["rule"] for r in manifest["results"] if r["outcome"] == "pass"})
    if passed:
        out.append(("", []))
        add(f"passed: {', '.join(passed)}", hang="  ", lead=(6, "green"))
    out.append(("", []))
    add(closing_line(manifest, columns), lead=(len(verdict), VERDICT_STYLE[summary["verdict"]]))
    return out


def _where(source: str, subject: str) -> str:
    """An evidence source as far as the subject line does not already say it: nothing for the subject's
    own image file, the path inside the image for a file in it."""
    image = subject.rpartition("#")[0] if "#" in subject else subject
    if str(source) in (image, subject):
        return ""
    if str(source).startswith(subject + ":"):
        return str(source)[len(subject) + 1:] + " "
    return f"{source} "


def blocking_text(result: dict, fail_on: str) -> str:
    if result["blocking"]:
        return f"{result['severity']}, blocks"
    if result["outcome"] in ("fail", "warn"):
        return f"{result['severity']}, does not block at --fail-on {fail_on}"
    return result["severity"]


def grouped(results: list[dict]) -> list[list[dict]]:
    """Findings, identical ones (same rule, outcome, message, fix, waiver) across subjects as one."""
    groups: dict[tuple, list[dict]] = {}
    for r in results:
        if r["outcome"] in SHOWN:
            key = (r["rule"], r["outcome"], r.get("original_outcome"), r["message"], tuple(r["remediation"]),
                   (r.get("waiver") or {}).get("ticket"), r["blocking"])
            groups.setdefault(key, []).append(r)
    return list(groups.values())


def subjects_text(subjects: list[str]) -> str:
    """Subjects as few words as they allow: `IMAGE#1, #2, #3` for indexes of one image."""
    parts: list[str] = []
    last = None
    for subject in subjects:
        base, sep, index = subject.rpartition("#")
        if sep and index.isdigit() and base == last:
            parts.append(f"#{index}")
        else:
            parts.append(subject)
        last = base if sep and index.isdigit() else None
    return ", ".join(parts)


def closing_line(manifest: dict, columns: int) -> str:
    """One line that ends the report: the verdict, what blocks, what was not checked, the catalog (the
    blocking rules named when they fit, else counted)."""
    summary = manifest["summary"]
    blocking = sorted({r["rule"] for r in manifest["results"] if r["blocking"]})
    counts = summary["counts"]
    unchecked = len(manifest["not_checked"]) + len(summary["missing_required"]) + len(summary.get("gaps", []))
    rest = [f"{counts[o]} {o}" for o in ("fail", "warn", "not-evaluated", "waived", "pass") if counts.get(o)]
    rest += [f"{unchecked} not checked"] if unchecked else []
    rest.append(f"catalog {manifest['catalog']['as_of']}")
    verdict = summary["verdict"].upper()
    named = f"blocks: {', '.join(blocking)}" if blocking else "nothing blocks"
    counted = f"{len(blocking)} rules block" if blocking else "nothing blocks"
    candidates = [[verdict, named, *rest], [verdict, counted, *rest],
                  [verdict, counted, *(p for p in rest if not p.endswith(" pass"))]]  # shorter, as the width asks
    lines = [" · ".join(parts) for parts in candidates]
    return next((line for line in lines if len(line) <= columns), lines[-1])
