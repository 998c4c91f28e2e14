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
NBSP = "\u00a0"  # joins words that must stay on one line when wrapped; drawn as a space
Line = tuple[str, list[tuple[int, int, str]]]  # plain text and the (start, end, style) spans to paint


def width(console=None) -> int:
    """The width to draw at: the terminal's (a rich Console's, else stdout's), else `COLUMNS`, else 100."""
    import shutil
    import sys

    if console is not None and console.is_terminal:
        return max(MIN_WIDTH, console.width)
    if console is None and sys.stdout.isatty():
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


def styled(text: str, columns: int, indent: str = "", hang: str | None = None, style: str | None = None,
           lead: tuple[int, str] | None = None) -> list[Line]:
    """`text` wrapped as `wrap` does, all of it in `style`, its first `lead[0]` characters in `lead[1]`."""
    out: list[Line] = []
    for n, line in enumerate(line.replace(NBSP, " ") for line in wrap(text, columns, indent, hang)):
        spans = [(0, len(line), style)] if style else []
        if lead and n == 0:
            spans.append((len(indent), len(indent) + lead[0], lead[1]))
        out.append((line, spans))
    return out


def print_lines(console, lines: list[Line]) -> None:
    """Lines on a rich Console as plain text with their spans painted: nothing in the data is read as markup."""
    from rich.text import Text

    for line, spans in lines:
        text = Text(line)
        for start, end, style in spans:
            text.stylize(style, start, end)
        console.print(text)
