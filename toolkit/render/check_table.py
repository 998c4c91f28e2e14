"""`check` for a terminal: the verdict first, then each finding with evidence and the fix."""

from __future__ import annotations

from typing import IO

from toolkit.render.findings import waiver_notices, waiver_text

STYLE = {"fail": "red", "warn": "yellow", "not-evaluated": "magenta", "pass": "green",
         "not-applicable": "dim", "skipped": "dim", "waived": "blue"}
VERDICT = {"ready": "[bold green]READY[/]", "blocked": "[bold red]BLOCKED[/]",
           "incomplete": "[bold magenta]INCOMPLETE[/]"}
SHOWN = ("fail", "warn", "not-evaluated", "waived")


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
    return " · ".join(parts)


def render_check_table(manifest: dict, stream: IO[str] | None = None) -> None:
    from rich.console import Console
    from rich.markup import escape

    console = Console(file=stream, highlight=False, emoji=False)
    if not console.is_terminal:
        console.width = 160
    summary = manifest["summary"]
    counts = summary["counts"]
    console.print(f"{VERDICT[summary['verdict']]}  {escape(settings_line(manifest))}", soft_wrap=True)
    console.print("  " + " · ".join(f"{n} {o}" for o, n in counts.items() if n))
    if stale := catalog_note(manifest):
        console.print(f"  [yellow]{escape(stale)}[/]")
    for result in manifest["results"]:
        if result["outcome"] not in SHOWN:
            continue
        style = STYLE[result["outcome"]]
        console.print()
        outcome = result["outcome"].upper()
        if result["outcome"] == "waived":
            outcome += f" ({result['original_outcome']})"
        console.print(f"[{style}]{outcome}[/] [bold]{result['rule']}[/] "
                      f"[dim]({result['severity']})[/] {escape(result['title'])}")
        console.print(f"  subject: {escape(result['subject'])}")
        if result["outcome"] == "waived":
            console.print(f"  [blue]{escape(waiver_text(result))}[/]")
        console.print(f"  {escape(result['message'])}")
        for ev in result["evidence"]:
            console.print(f"  [dim]evidence:[/] {escape(str(ev['source']))} {escape(str(ev['locator']))}: "
                          f"expected {escape(str(ev['expected']))}, actual {escape(str(ev['actual']))}")
        for n, step in enumerate(result["remediation"], 1):
            console.print(f"  [cyan]fix {n}.[/] {escape(step)}")
        console.print(f"  [dim]docs: {result['docs']}[/]")
    if manifest["not_checked"] or summary["missing_required"] or summary.get("gaps"):
        console.print()
        console.print("[bold]Not checked[/]")
        for reason in manifest["not_checked"]:
            console.print(f"  - {escape(reason)}")
        for kind in summary["missing_required"]:
            console.print(f"  - [magenta]required input kind '{kind}' was not supplied[/]")
        for gap in summary.get("gaps", []):
            console.print(f"  - [magenta]{escape(gap)}[/]")
    notices = waiver_notices(manifest)
    if notices:
        console.print()
        console.print("[bold]Waivers needing attention[/]")
        for line in notices:
            console.print(f"  - [yellow]{escape(line)}[/]")
    passed = [r["rule"] for r in manifest["results"] if r["outcome"] == "pass"]
    if passed:
        console.print()
        console.print(f"[green]passed[/]: {', '.join(sorted(set(passed)))}")
