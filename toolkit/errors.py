"""The one error type that input problems raise; the CLI turns it into a single line and exit 2."""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """A file that is not what it claims, or a bad argument: exit code 2."""

    def __init__(self, path: str | Path | None, problem: str) -> None:
        self.path = None if path is None else str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}" if self.path else problem)


def read_input(path: str | Path, limit: int, what: str) -> bytes:
    """The bytes of an input file the user named, at most `limit`, or an InputError naming it."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(limit + 1)
    except OSError as exc:
        raise InputError(path, f"cannot read {what} ({exc.strerror})") from None
    if len(raw) > limit:
        raise InputError(path, f"{what} is over the {limit}-byte limit")
    return raw
