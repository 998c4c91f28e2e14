"""What lives until the process ends, kept out of the cyclic garbage collector's reach.

A one-shot run of the program (the console script, `python -m toolkit`) keeps what start-up loaded and
the facts it read until it exits: the collector would walk them again at every full collection while
thousands of results and the manifest are built, and once more at exit, and find nothing to free
(~8 ms of an `inspect`, ~20 ms of a 5,000-object `check`). What is made from then on (results, the
manifest, its text) holds no reference cycles either and is kept to the end or freed by reference
counting, so the collector stays off; it also pauses while exports are parsed (JSON makes trees, kept
as the facts). Collections walk every object made since the last one, twice over: ~12 ms of that
check, for nothing freed. Image reading keeps it on (parsers of hives and PE files make cycles).

Only the program itself opts in: an in-process caller (a test, a tool embedding oobe-ready) keeps its
collector as it was, since frozen objects are never collected and a caller's garbage would be pinned.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_ONE_SHOT = {"on": False}


def start_one_shot() -> None:
    """The program runs once and exits: freeze what start-up loaded, and what `settle` is told of later."""
    _ONE_SHOT["on"] = True
    gc.freeze()


def settle() -> None:
    """The inputs are read and stay until exit: in a one-shot run, keep them out of the collector's walks
    and turn it off for the rest of the run."""
    if _ONE_SHOT["on"]:
        gc.freeze()
        gc.disable()  # until exit: see the module's note


@contextmanager
def acyclic() -> Iterator[None]:
    """Work that makes no reference cycles and keeps what it makes until exit (parsed exports): in a
    one-shot run the collector pauses for it, and what it made is frozen after it (re-enabled with it
    all still young, the collector's next pass would walk it all)."""
    if not _ONE_SHOT["on"] or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()
