"""Write one rendering of the manifest to stdout or to a file, atomically (temp name + rename)."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

from toolkit.errors import InputError


def render(manifest: dict, fmt: str) -> str:
    if fmt == "json":
        from toolkit.render.jsondoc import render_json

        return render_json(manifest)
    from toolkit.render.check_table import render_check_table

    buffer = io.StringIO()
    render_check_table(manifest, buffer)
    return buffer.getvalue()


def emit(manifest: dict, fmt: str, target: str | None) -> None:
    if target is None:
        if fmt == "table":
            from toolkit.render.check_table import render_check_table

            render_check_table(manifest)  # straight to the terminal, with colour when it is one
        else:
            import click

            click.echo(render(manifest, fmt), nl=False)
        return
    write_atomic(Path(target), render(manifest, fmt))


def write_atomic(path: Path, text: str) -> None:
    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    except OSError as exc:
        raise InputError(path, f"cannot write ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise InputError(path, f"cannot write ({exc.strerror})") from None
