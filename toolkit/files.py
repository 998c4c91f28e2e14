"""Writing an output whole or not at all, never over an input or a device: the file operations that
every command writing a document (check, render, attest, catalog update) shares."""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from typing import TYPE_CHECKING

from toolkit.errors import InputError

if TYPE_CHECKING:
    from pathlib import Path


def check_targets(targets: list[tuple[str, str | None]], inputs: list[str]) -> None:
    """Refuse, before anything is written, outputs that would destroy an input or each other: a
    target that is (after links) a file this run reads, two formats to one file, two to stdout."""
    import click

    on_stdout = [fmt for fmt, target in targets if target is None]
    if len(on_stdout) > 1:
        raise click.UsageError(f"formats {', '.join(on_stdout)} would all go to stdout; give all but one "
                               "a file (-o FORMAT=FILE)")
    files = [(fmt, target) for fmt, target in targets if target is not None]
    if not files:  # stdout only: nothing to compare with the inputs (thousands of export files)
        return
    read = {ident for path in inputs if (ident := _identity(path)) is not None}
    claimed: dict[object, str] = {}
    for fmt, target in files:
        ident = _identity(target) or os.path.realpath(target)
        if ident in read:
            raise InputError(target, "is an input of this run; refusing to overwrite it (choose another -o file)")
        if ident in claimed:
            raise InputError(target, f"is the target of both -o {claimed[ident]} and -o {fmt}")
        claimed[ident] = fmt


def _identity(path: str) -> tuple[int, int] | None:
    """The file a path names after following links (device, inode), or None when it does not exist."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return info.st_dev, info.st_ino


def write_atomic(path: str | Path, text: str) -> None:
    """Write a whole output or nothing. A regular file (or a new one) is written to a temporary name
    beside it and renamed, through any link, keeping an existing file's mode (a new one gets the
    mode the umask gives); a device or FIFO (/dev/stdout, a pipe) is written through, never replaced."""
    try:
        info = os.stat(path)  # through links: /dev/stdout is a link to a pipe or a terminal
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise InputError(path, f"cannot write ({exc.strerror})") from None
    if info is not None and not stat.S_ISREG(info.st_mode):
        if stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode):
            return _write_through(path, text)
        raise InputError(path, "is not a regular file, a device or a pipe; refusing to write it")
    real = os.path.realpath(path)  # replace the file a link names, not the link
    data = text.encode("utf-8", "surrogatepass")
    directory, name = os.path.split(real)
    import tempfile

    try:
        os.makedirs(directory, exist_ok=True)  # a report folder that does not exist yet
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", dir=directory)
    except OSError as exc:
        raise InputError(path, f"cannot write ({exc.strerror})") from None
    try:
        if hasattr(os, "fchmod"):  # Windows has no modes to keep
            os.fchmod(fd, stat.S_IMODE(info.st_mode) if info is not None else 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, real)
    except BaseException as exc:  # a full disk, or a signal mid-write: never leave a partial file
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise InputError(path, f"cannot write ({exc.strerror})") from None
        raise


def _write_through(path: str | Path, text: str) -> None:
    """A character device or a FIFO: open without creating, without blocking on a FIFO nobody reads."""
    try:
        fd = os.open(path, os.O_WRONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise InputError(path, f"cannot write ({exc.strerror})") from None
    try:
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode("utf-8", "surrogatepass"))
    except OSError as exc:
        raise InputError(path, f"cannot write ({exc.strerror})") from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def stdout_closed() -> None:
    """Point stdout at /dev/null once its reader has gone, so nothing more fails writing to it."""
    import sys

    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a real file (a test's capture)
        pass
    finally:
        os.close(devnull)


@contextlib.contextmanager
def writing_stdout() -> Iterator[None]:
    """Around what writes a document to stdout: a reader gone raises BrokenPipeError (the caller
    decides); a full disk or an I/O error is an InputError naming stdout, as for a FILE target, and
    nothing more is written to it."""
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as exc:
        stdout_closed()  # what is still buffered would fail again at exit
        raise InputError("<stdout>", f"cannot write ({exc.strerror})") from None


def to_stdout(text: str) -> None:
    """A document on stdout. A pipe or a file gets the UTF-8 bytes a FILE target gets, whatever the
    locale's encoding (and without click's pass over megabytes of text for colour codes the sanitiser
    already escaped); a terminal gets click's echo, which knows the Windows console."""
    import sys

    import click

    stream = sys.stdout
    binary = getattr(stream, "buffer", None)
    with writing_stdout():
        if binary is None or stream.isatty():
            click.echo(text, nl=False)
            return
        stream.flush()
        binary.write(text.encode("utf-8", "surrogatepass"))
        binary.flush()
