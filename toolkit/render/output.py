"""Every output format, rendered from the manifest alone, to stdout or atomically to a file."""

from __future__ import annotations

import importlib
import io

from toolkit.files import stdout_closed, to_stdout, write_atomic, writing_stdout

# format -> (module, function); each function takes the manifest and returns the text
FORMATS = {
    "table": ("output", "render_table_text"),
    "json": ("jsondoc", "render_json"),
    "sarif": ("sarif", "render"),
    "junit": ("junit", "render"),
    "markdown": ("markdown", "render"),
    "html": ("html", "render"),
    "github": ("annotations", "render_github"),
    "azure": ("annotations", "render_azure"),
}


# Formats people and runners read as text render from the sanitised manifest (render/safe.py);
# json and sarif keep the data exact and escape it in the JSON text instead.
READ_AS_TEXT = ("table", "junit", "markdown", "html", "github", "azure")


def render(manifest: dict, fmt: str) -> str:
    module, function = FORMATS[fmt]
    return getattr(importlib.import_module(f"toolkit.render.{module}"), function)(_for(manifest, fmt))


def _for(manifest: dict, fmt: str) -> dict:
    from toolkit.render.safe import deep

    return deep(manifest) if fmt in READ_AS_TEXT else manifest


def emit(manifest: dict, fmt: str, target: str | None) -> None:
    if target is None:
        try:
            if fmt == "table":
                from toolkit.render.check_table import render_check_table

                with writing_stdout():
                    render_check_table(_for(manifest, fmt))  # straight to the terminal, with colour when it is one
            else:
                to_stdout(render(manifest, fmt))
        except BrokenPipeError:  # `| head` stopped reading: the other outputs and the exit code still stand
            stdout_closed()
        return
    write_atomic(target, render(manifest, fmt))


def render_table_text(manifest: dict) -> str:  # `manifest` is already sanitised by render()
    from toolkit.render.check_table import render_check_table

    buffer = io.StringIO()
    render_check_table(manifest, buffer)
    return buffer.getvalue()
