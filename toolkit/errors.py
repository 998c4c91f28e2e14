"""The one error type that input problems raise; the CLI turns it into a single line and exit 2."""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """A file that is not what it claims, or a bad argument: exit code 2."""

    def __init__(self, path: str | Path | None, problem: str) -> None:
        self.path = None if path is None else str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}" if self.path else problem)
