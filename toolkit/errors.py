"""The one error type that input problems raise; the CLI turns it into a single line and exit 2."""

from __future__ import annotations

import os
import stat
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from pathlib import Path


class InputError(Exception):
    """A file that is not what it claims, or a bad argument: exit code 2."""

    def __init__(self, path: str | Path | None, problem: str) -> None:
        self.path = None if path is None else str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}" if self.path else problem)


def open_regular(path: str | Path, what: str) -> BinaryIO:
    """An input file the user named, opened for reading only if it is a regular file: a FIFO, device
    or socket is refused at once (opening never blocks on a FIFO nobody writes)."""
    return os.fdopen(_open_regular_fd(path, what)[0], "rb")


def _open_regular_fd(path: str | Path, what: str) -> tuple[int, int]:
    """open_regular's descriptor and the file's size."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise InputError(path, f"cannot read {what}: no such file") from None
    except IsADirectoryError:
        raise InputError(path, f"is a directory, not {_a(what)}") from None
    except OSError as exc:
        raise InputError(path, f"cannot read {what} ({exc.strerror})") from None
    info = os.fstat(fd)
    mode = info.st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        if stat.S_ISDIR(mode):
            raise InputError(path, f"is a directory, not {_a(what)}")
        raise InputError(path, f"is not a regular file ({'a FIFO' if stat.S_ISFIFO(mode) else 'a device or socket'})")
    # O_NONBLOCK only kept the open from stalling on a FIFO: reads of a regular file ignore it
    return fd, info.st_size


def _a(what: str) -> str:
    return f"{'an' if what[:1].lower() in 'aeiou' else 'a'} {what}"


def read_input(path: str | Path, limit: int, what: str) -> bytes:
    """The bytes of an input file the user named, at most `limit`, or an InputError naming it."""
    fd, size = _open_regular_fd(path, what)
    # Sized by the file, not the limit (reading n reserves n bytes first); a file that grows while read
    # is still cut at the limit + 1, which tells it is over. On the descriptor: one read for a whole file.
    try:
        chunks, left = [], min(size, limit) + 1
        while left > 0 and (chunk := os.read(fd, left)):
            chunks.append(chunk)
            left -= len(chunk)
        raw = b"".join(chunks)
        if not left and len(raw) <= limit:  # it grew since fstat: read on, up to the limit + 1
            while len(raw) <= limit and (chunk := os.read(fd, limit + 1 - len(raw))):
                raw += chunk
    except OSError as exc:
        raise InputError(path, f"cannot read {what} ({exc.strerror})") from None
    finally:
        os.close(fd)
    if len(raw) > limit:
        raise InputError(path, f"{what} is over the {limit}-byte limit")
    return raw
