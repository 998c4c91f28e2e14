"""Getting named files out of an image, behind one small interface.

A backend answers two questions for one image index: which files exist under a path (with their
size and, where the container records it, the SHA-1 of their content), and "put these files
(exact paths or globs) under DEST, keeping their directory structure". Backends: wimlib-imagex
(preferred), 7-Zip (fallback) and an offline Windows directory. None of them ever writes to the
image: wimlib and 7-Zip are only called with read commands.
"""

from __future__ import annotations

import fnmatch
import os
import shutil
import stat
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Protocol, TypeVar

from toolkit.records import field, record
from toolkit.sources.extract.process import ExtractionError

__all__ = ["INSTALL_HINT", "Backend", "Entry", "Extracted", "ExtractionError", "backend_for", "files_under",
           "read_capped"]

NO_BACKEND = "no extraction backend"
INSTALL_HINT = ("install wimlib (Debian/Ubuntu: apt-get install wimtools; Fedora: dnf install wimlib-utils; "
                "macOS: brew install wimlib) or 7-Zip, or pass --no-deep")

ByteProgress = Callable[[int, int], None]  # (bytes done, bytes total) of the current extraction


LINK = "a link or reparse point stands in its place (not followed)"


@record
class Entry:
    path: str          # as stored in the image: '/'-separated from the root, e.g. /Windows/System32/ntoskrnl.exe
    size: int
    sha1: str | None   # content hash when the container records one (WIM blob hash)
    link: bool = False  # a symbolic link, junction or other reparse point: never evidence


@record(frozen=False)
class Extracted:
    """What an extraction produced: the regular files usable as evidence, keyed by lower-case path in
    the image, and the paths (as the image spells them) that matched but cannot be evidence (a link,
    several case-insensitive matches, a listing cut at a limit), with why. Unknown is not absent: a rule reading one of
    those is not-evaluated."""

    files: dict[str, Path] = field(default_factory=dict)
    unusable: dict[str, str] = field(default_factory=dict)
    _names: dict[str, list[str]] = field(default_factory=dict)

    def add(self, image_path: str, local: Path) -> None:
        key = image_path.lower()
        names = self._names.setdefault(key, [])
        if image_path not in names:
            names.append(image_path)
        if len(names) > 1:  # NTFS would hold one of them; which one Windows reads is not knowable here
            self.files.pop(key, None)
            self.unusable[names[0]] = f"{len(names)} case-insensitive matches ({', '.join(sorted(names))})"
        else:
            self.files[key] = local

    def reject(self, image_path: str, why: str = LINK) -> None:
        self.unusable.setdefault(image_path, why)

    def why_unusable(self, path: str) -> str | None:
        """Why the file at `path` cannot be evidence: it, or a folder above it, is unusable."""
        unusable = {k.lower(): (k, why) for k, why in self.unusable.items()}
        parts = path.lower().strip("/").split("/")
        for n in range(len(parts), 0, -1):
            if found := unusable.get("/" + "/".join(parts[:n])):
                return found[1] if n == len(parts) else f"{found[0]}: {found[1]}"
        return None


class ByteBudget:
    """Bytes the extraction tools may still write in this run, taken before each extraction writes:
    a tiny image that expands to gigabytes is stopped before the disk fills."""

    def __init__(self, total: int, each: int | None = None) -> None:
        self.total = self.left = total
        self.each = each  # the most one extraction may write
        self._lock = threading.Lock()

    def take(self, size: int, what: str) -> None:
        if self.each is not None and size > self.each:
            raise ExtractionError(f"{what} would write {size} bytes, over the {self.each}-byte limit for one index")
        with self._lock:
            if size > self.left:
                raise ExtractionError(f"{what} would write {size} bytes; the run may write {self.total} bytes "
                                      f"in all and {self.left} are left")
            self.left -= size


class Backend(Protocol):
    name: str

    def stat(self, index: int, path: str) -> list[Entry]:
        """Regular files at or below `path` (case-insensitive); [] when it does not exist."""

    def extract(self, index: int, paths: Sequence[str], dest: Path, progress: ByteProgress | None = None,
                budget: ByteBudget | None = None) -> Extracted:
        """The files matching `paths` (exact or with * and ?), as local regular files keyed by their
        lower-case path in the image (copied under the empty private directory `dest` when needed),
        and the matches that cannot be evidence."""


def backend_for(source, prefer: str | None = None) -> Backend | None:
    """The backend that can read `source` (an ImageSource), or None when no tool is installed."""
    if source.kind == "directory":
        from toolkit.sources.extract.directory import DirectoryBackend

        return DirectoryBackend(Path(source.path))
    prefer = prefer or os.environ.get("OOBE_READY_EXTRACTOR")  # wimlib | 7z: force one backend
    order = ("wimlib", "7z") if not prefer else (prefer,)
    for name in order:
        if name == "wimlib" and find_tool("wimlib-imagex"):
            from toolkit.sources.extract.wimlib import WimlibBackend

            return WimlibBackend(source)
        if name == "7z" and (tool := find_tool("7z") or find_tool("7zz")):
            from toolkit.sources.extract.sevenzip import SevenZipBackend

            return SevenZipBackend(source, tool)
    return None


# Where the Windows installers put the tools when they are not on PATH.
WINDOWS_FOLDERS = {"7z": ("7-Zip",), "wimlib-imagex": ("wimlib",)}


def find_tool(name: str) -> str | None:
    """A tool on PATH (`.exe` found through PATHEXT on Windows), else in its default install folder."""
    found = shutil.which(name)
    if found or os.name != "nt":
        return found
    for base in filter(None, (os.environ.get("PROGRAMFILES"), os.environ.get("PROGRAMFILES(X86)"))):
        for folder in WINDOWS_FOLDERS.get(name, ()):
            candidate = os.path.join(base, folder, f"{name}.exe")
            if os.path.isfile(candidate):
                return candidate
    return None


def files_under(root: Path) -> Extracted:
    """Regular files below `root`, keyed by their lower-case '/'-path from `root` (leading '/').

    Symbolic links and other special files are never followed or returned as evidence: an image may
    carry reparse points that a backend turns into links pointing anywhere on this machine. They,
    and names that differ only in case, are reported as unusable.
    """
    found = Extracted()
    for folder, dirs, names in os.walk(root, followlinks=False):
        base = Path(folder)
        real = []
        for name in dirs:
            if stat.S_ISDIR(os.lstat(base / name).st_mode):
                real.append(name)
            else:
                found.reject("/" + (base / name).relative_to(root).as_posix())
        dirs[:] = real
        for name in names:
            path = base / name
            image_path = "/" + path.relative_to(root).as_posix()
            if stat.S_ISREG(os.lstat(path).st_mode):
                found.add(image_path, path)
            else:
                found.reject(image_path)
    return found


Node = TypeVar("Node")


def match_tree(pattern: str, root: Node, children: Callable[[Node], Iterable[tuple[str, Node, str]]],
               cap: int) -> tuple[list[tuple[str, Node]], list[str], str | None]:
    """(path in image, node) for every real entry matching `pattern` below `root`, where `children(node)`
    gives each entry of a folder as (name, node, "dir" | "file" | "link") and nothing for a file; the
    matching links, never followed; and the folder where the matches reached the listing limit, if any.
    Names match case-insensitively, as on NTFS. Only the last part of a pattern holds wildcards, so
    only its non-directory matches count to the limit, `cap`."""
    level = [("", root)]
    links: list[str] = []
    parts = [p for p in pattern.split("/") if p]
    for n, part in enumerate(parts):
        nxt, last = [], n == len(parts) - 1
        for rel, folder in level:
            count = 0
            for name, node, kind in children(folder):
                if not fnmatch.fnmatchcase(name.lower(), part.lower()):
                    continue
                if kind == "link":
                    links.append(f"{rel}/{name}")
                    continue
                nxt.append((f"{rel}/{name}", node))
                count += last and kind != "dir"
                if count > cap:
                    return nxt, links, rel or "/"
        level = nxt
    return level, links, None


def matching(found: Extracted, pattern: str, root: Node,
             children: Callable[[Node], Iterable[tuple[str, Node, str]]], cap: int) -> list[tuple[str, Node]]:
    """match_tree's matches, with its links and a listing cut at the cap recorded in `found` as unusable."""
    matched, links, capped = match_tree(pattern, root, children, cap)
    for rel in links:
        found.reject(rel)
    if capped:
        found.reject(capped, f"more than {cap} entries match {pattern.rsplit('/', 1)[-1]} there: the listing "
                             "was cut at the limit")
    return matched


def read_capped(path: Path, cap: int) -> bytes:
    """Read a regular file of at most `cap` bytes, never through a symbolic link."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ExtractionError(f"{path.name} is not a regular file")
        if info.st_size > cap:
            raise ExtractionError(f"{path.name} is {info.st_size} bytes, over the {cap}-byte limit")
        return fh.read(cap + 1)[:cap]
