"""`oobe-ready inspect`: what each image is."""

from __future__ import annotations

import click

from toolkit.cli.outputs import (
    backend_hint,
    captured,
    check_document_targets,
    parse_outputs,
    target_of,
    write_documents,
)


@click.command("inspect")
@click.argument("sources", nargs=-1, required=True, metavar="SOURCE...")
@click.option("--index", type=click.IntRange(min=1), help="Only this image index (1-based).")
@click.option("-o", "--output", "--format", "outputs", multiple=True, metavar="FORMAT[=FILE]",
              help="table (default) or json (stable: schema oobe-ready/inspect/v1); =FILE writes a file. "
                   "--format is an alias.")
@click.option("--deep/--no-deep", default=False, show_default=True,
              help="Also read the files inside each index (hives, kernel, packages, unattend, State.ini, "
                   "Autopilot file) with wimlib-imagex or 7-Zip.")
@click.option("--catalog", metavar="FILE", help="Pin this release catalog.")
def inspect_cmd(sources: tuple[str, ...], index: int | None, outputs: tuple[str, ...], deep: bool,
                catalog: str | None) -> int:
    """Show what each image is: container facts, and per index the edition, architecture,
    build.UBR, feature release, the update it carries, languages and boot-image status.

    SOURCE is a .wim, .esd or .swm file (any part of a split set), a raw WIM XML document, or a
    directory holding an offline Windows installation (mounted or applied image).
    """
    from toolkit.pipeline.inspect import run_inspect
    from toolkit.render.progress import extraction_progress

    targets = parse_outputs(outputs, ("table", "json"))
    check_document_targets(targets, sources)
    with extraction_progress() as progress:  # deep inspection runs to minutes: a bar on a terminal
        report = run_inspect(sources, index, deep, catalog, progress)

    def draw(fmt: str) -> str:
        from toolkit.render.inspect_table import render_inspect_table
        from toolkit.render.safe import deep

        if target_of(targets, "table") is None:
            render_inspect_table(deep(report))  # straight to the terminal, with its width and colour
            return ""
        return captured(lambda stream: render_inspect_table(deep(report), stream))

    write_documents(targets, report, draw)
    return backend_hint(i["deep"] for s in report["sources"] for i in s["images"])
