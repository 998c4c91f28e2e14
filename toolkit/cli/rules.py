"""`oobe-ready rules`, `explain` and `baselines`: what the tool judges against."""

from __future__ import annotations

import click

from toolkit.cli import EXIT_OK
from toolkit.cli.outputs import check_document_targets, parse_outputs, write_documents


@click.command("rules")
@click.option("-o", "--output", "--format", "outputs", multiple=True, metavar="FORMAT[=FILE]",
              help="table (default), markdown (docs/rules.md) or json; =FILE writes a file. --format is an alias.")
def rules_cmd(outputs: tuple[str, ...]) -> int:
    """List every rule: ID, severity, input kind, paths and title."""
    from toolkit.rules.registry import RULES

    targets = parse_outputs(outputs, ("table", "markdown", "json"))
    check_document_targets(targets)

    def draw(fmt: str) -> str:
        if fmt == "markdown":
            from toolkit.render.rules_doc import render_rules

            return render_rules(RULES)
        from toolkit.render.terminal import width, wrap

        columns = width()
        return "".join(line + "\n" for r in RULES for line in wrap(
            f"{r.id}  {r.severity:<8} {r.kind:<15} {','.join(r.paths):<27} {r.title}", columns, "", " " * 8))

    write_documents(targets, {"schema": "oobe-ready/rules/v1", "rules": [r.document() for r in RULES]}, draw)
    return EXIT_OK


@click.command("explain")
@click.argument("rule_id")
@click.option("-o", "--output", "outputs", multiple=True, metavar="FORMAT[=FILE]",
              help="table (default) or json; =FILE writes a file.")
def explain_cmd(rule_id: str, outputs: tuple[str, ...]) -> int:
    """Show a rule's rationale, remediation steps and documentation link."""
    from toolkit.errors import InputError
    from toolkit.rules.registry import BY_ID, current_id

    targets = parse_outputs(outputs, ("table", "json"))
    check_document_targets(targets)
    r = BY_ID.get(current_id(rule_id))
    if r is None:
        raise InputError(None, f"unknown rule {rule_id!r}; `oobe-ready rules` lists them")

    def draw(fmt: str) -> str:
        from toolkit.render.terminal import width, wrap

        columns = width()
        lines = [*wrap(f"{r.id}: {r.title}", columns, "", "  "),
                 *wrap(f"severity: {r.severity}   input: {r.kind}   paths: {', '.join(r.paths)}", columns, "", "  "),
                 "", *wrap(f"why: {r.rationale}", columns, "", "  "), "", "how to fix:"]
        for n, step in enumerate(r.remediation, 1):
            lines += wrap(f"{n}. {step}", columns, "  ", "     ")
        return "\n".join([*lines, "", *wrap(f"docs: {r.docs}", columns, "", "  ")]) + "\n"

    write_documents(targets, {"schema": "oobe-ready/rule/v1", **r.document()}, draw)
    return EXIT_OK


@click.command("baselines")
@click.option("--diff", nargs=2, metavar="A B", help="Show what changed from baseline A to baseline B.")
@click.option("-o", "--output", "outputs", multiple=True, metavar="FORMAT[=FILE]",
              help="table (default) or json; =FILE writes a file.")
def baselines_cmd(diff: tuple[str, str] | None, outputs: tuple[str, ...]) -> int:
    """List the dated requirement baselines (default marked *), or what changed between two."""
    from toolkit.baselines import DEFAULT_BASELINE, baseline_changes, baseline_files, load_baseline

    targets = parse_outputs(outputs, ("table", "json"))
    check_document_targets(targets)
    if diff:
        changes = baseline_changes(load_baseline(diff[0])[0], load_baseline(diff[1])[0])
        document = {"schema": "oobe-ready/baseline-diff/v1", "from": diff[0], "to": diff[1],
                    "changes": [{"key": key, "from": old, "to": new} for key, old, new in changes]}
        write_documents(targets, document, lambda fmt: "".join(f"{k}: {o} -> {n}\n" for k, o, n in changes))
        return EXIT_OK
    listed = []
    for baseline_id in baseline_files():
        doc, sha = load_baseline(baseline_id)
        listed.append({"id": baseline_id, "published": doc["published"], "title": doc["title"], "sha256": sha,
                       "default": baseline_id == DEFAULT_BASELINE})
    write_documents(targets, {"schema": "oobe-ready/baselines/v1", "baselines": listed}, lambda fmt: "".join(
        f"{'*' if b['default'] else ' '} {b['id']}  {b['published']}  {b['title']}  (sha256 {b['sha256'][:12]})\n"
        for b in listed))
    return EXIT_OK
