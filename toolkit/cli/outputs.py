"""What every command shares for its outputs: -o FORMAT[=FILE] targets, refusals before any work,
and writing a document (or what a format draws) to stdout or a file atomically."""

from __future__ import annotations

import click

from toolkit.cli import EXIT_INCOMPLETE, EXIT_OK

OUTPUT_HELP = ("FORMAT[=FILE], repeatable: table (default), json (the manifest), sarif, junit, markdown, html, "
               "github, azure; =FILE writes a file (atomically) instead of stdout.")


def parse_outputs(values: tuple[str, ...], formats: tuple[str, ...] | None = None) -> list[tuple[str, str | None]]:
    """-o FORMAT[=FILE] values (table when none), each format one the command prints."""
    if formats is None:
        from toolkit.render.output import FORMATS as formats

    outputs = []
    for value in values or ("table",):
        fmt, _, target = value.partition("=")
        if fmt not in formats:
            raise click.BadParameter(f"unknown format {fmt!r} (known: {', '.join(formats)})", param_hint="-o")
        outputs.append((fmt, target or None))
    return outputs


def target_of(targets: list[tuple[str, str | None]], fmt: str) -> str | None:
    return next((target for f, target in targets if f == fmt), None)


def check_document_targets(targets: list[tuple[str, str | None]], inputs: tuple[str, ...] = ()) -> None:
    from toolkit.files import check_targets

    check_targets(targets, list(inputs))  # two to stdout or one file, or an input overwritten: refused first


def captured(draw) -> str:
    import io

    buffer = io.StringIO()
    draw(buffer)
    return buffer.getvalue()


def write_documents(targets: list[tuple[str, str | None]], document: dict, draw) -> None:
    """Each -o target: json renders `document`; any other format is what `draw(fmt)` returns ("": it
    drew on the terminal itself)."""
    from toolkit.files import to_stdout, write_atomic, writing_stdout
    from toolkit.render.jsondoc import render_json

    for fmt, target in targets:
        with writing_stdout():  # a format may draw on the terminal itself
            text = render_json(document) if fmt == "json" else draw(fmt)
        if target:
            write_atomic(target, text)
        elif text:
            to_stdout(text)


def backend_hint(deep_documents) -> int:
    """One line on stderr when deep inspection was on but no extraction tool is installed: exit 3."""
    unavailable = [why for d in deep_documents if (why := (d or {}).get("unavailable"))]
    if not unavailable:  # the usual case: nothing to import
        return EXIT_OK
    from toolkit.sources.extract import INSTALL_HINT, NO_BACKEND

    if any(why.startswith(NO_BACKEND) for why in unavailable):
        click.echo(f"oobe-ready: deep inspection needs wimlib-imagex or 7-Zip: {INSTALL_HINT}", err=True)
        return EXIT_INCOMPLETE
    return EXIT_OK
