"""Text for a terminal or a CI log: its width, and wrapping that never splits a word or a URL.

Width: the terminal's, else `COLUMNS`, else 100 (a CI log has no terminal). Lines wrap at spaces
only; a word that does not fit after its indent (a URL, a path) stands whole on a line of its own at
the margin (so a URL longer than the width is the one line that exceeds it), and wrapped lines keep
the indent of the line they continue."""

from __future__ import annotations

import os
import textwrap

DEFAULT_WIDTH = 100
MIN_WIDTH = 40


def width(console) -> int:
    """The width to draw at for a rich Console."""
    if console.is_terminal:
        return max(MIN_WIDTH, console.width)
    value = os.environ.get("COLUMNS", "")
    return max(MIN_WIDTH, int(value)) if value.isdigit() else DEFAULT_WIDTH


def stdout_width() -> int:
    """The width for plain text on stdout: the terminal's, else `COLUMNS`, else 100."""
    import shutil
    import sys

    if sys.stdout.isatty():
        return max(MIN_WIDTH, shutil.get_terminal_size().columns)
    value = os.environ.get("COLUMNS", "")
    return max(MIN_WIDTH, int(value)) if value.isdigit() else DEFAULT_WIDTH


def wrap(text: str, columns: int, indent: str = "", hang: str | None = None) -> list[str]:
    """`text` as lines of at most `columns` (bar words longer than that), the first starting with
    `indent`, the rest with `hang` (default: `indent`)."""
    lines = []
    for paragraph in text.split("\n"):
        lines += textwrap.wrap(paragraph, columns, initial_indent=indent if not lines else (hang or indent),
                               subsequent_indent=hang if hang is not None else indent, break_long_words=False,
                               break_on_hyphens=False) or [indent]
    # a single word too long for the width after its indent (a URL, a path) stands whole at the margin
    return [line.lstrip() if len(line) > columns and " " not in line.strip() else line for line in lines]


def words(value: object) -> str:
    """An evidence value in words: yes/no, lists joined, nothing as 'none'."""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if value is None:
        return "none"
    if isinstance(value, list):
        return ", ".join(words(v) for v in value) or "none"
    if isinstance(value, dict):
        return ", ".join(f"{k} {words(v)}" for k, v in value.items()) or "none"
    return str(value)
