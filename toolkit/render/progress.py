"""A progress bar on stderr for long extractions, shown only when stderr is a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def extraction_progress() -> Iterator[Callable[[str, int, int], None] | None]:
    """Yield a (what, done, total) callback, or None when nobody watches (pipes, CI logs)."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    tasks: dict[str, int] = {}
    with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
                  console=Console(stderr=True, emoji=False), transient=True) as bar:

        def report(what: str, done: int, total: int) -> None:
            if what not in tasks:
                from rich.markup import escape

                from toolkit.render.safe import text

                tasks[what] = bar.add_task(escape(text(what)), total=total)
            bar.update(tasks[what], completed=done, total=total)

        yield report
