"""Readers for files taken out of an image: registry hives, the kernel's version resource,
servicing packages, unattend files and State.ini. Each reads bytes or one local file, bounded in
size and time, and returns plain facts or raises UnreadableFile with a one-line reason."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class UnreadableFile(Exception):
    """A file from inside the image exists but cannot be read as what it should be."""


@contextmanager
def time_limit(seconds: float, what: str) -> Iterator[None]:
    """Stop a parser that runs longer than `seconds` (a crafted hive or PE could loop).

    Uses an interval timer, which only the main thread can arm and only POSIX has; elsewhere (worker
    threads, Windows) the size caps alone bound the work."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer") \
            or not hasattr(signal, "SIGALRM"):
        yield
        return

    def expire(signum, frame):
        raise UnreadableFile(f"{what}: parsing took longer than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
