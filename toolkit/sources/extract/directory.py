"""An offline Windows installation in a directory (a mounted or applied image): files are read in
place. Names match case-insensitively, as on NTFS; links are never followed, so a junction or
symbolic link inside the tree cannot lead outside it."""

from __future__ import annotations

import fnmatch
import os
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path

from toolkit.limits import MAX_SMALL_FILES
from toolkit.sources.extract import ByteBudget, ByteProgress, Entry, Extracted


class DirectoryBackend:
    name = "directory"

    def __init__(self, root: Path) -> None:
        self.root = root

    def stat(self, index: int, path: str) -> list[Entry]:
        entries = []
        matched, links, _capped = self._match(path)
        entries += [Entry(rel, 0, None, link=True) for rel in links]
        for rel, local in matched:
            info = os.lstat(local)
            if stat.S_ISREG(info.st_mode):
                entries.append(Entry(rel, info.st_size, None))
            elif stat.S_ISDIR(info.st_mode):
                entries += [Entry(r, os.lstat(p).st_size, None) for r, p in self._walk(rel, local)]
        return entries

    def extract(self, index: int, paths: Sequence[str], dest: Path, progress: ByteProgress | None = None,
                budget: ByteBudget | None = None) -> Extracted:  # read in place: nothing written
        found = Extracted()
        for pattern in paths:
            matched, links, capped = self._match(pattern)
            for rel in links:
                found.reject(rel)
            if capped:
                found.reject(capped, f"more than {MAX_SMALL_FILES} entries match {pattern.rsplit('/', 1)[-1]} "
                                     "there: the listing was cut at the limit")
            for rel, local in matched:
                if stat.S_ISREG(os.lstat(local).st_mode):
                    found.add(rel, local)
        return found

    def _match(self, pattern: str) -> tuple[list[tuple[str, Path]], list[str], str | None]:
        """(path in image, local path) for every real entry matching `pattern`; the matching links,
        never followed; and the folder where the matches reached the listing limit, if any. Only the
        last part of a pattern holds wildcards, so only its non-directory matches count to the limit."""
        level = [("", self.root)]
        links: list[str] = []
        parts = [p for p in pattern.split("/") if p]
        for n, part in enumerate(parts):
            nxt, last = [], n == len(parts) - 1
            for rel, folder in level:
                if not stat.S_ISDIR(os.lstat(folder).st_mode):
                    continue
                count = 0
                with os.scandir(folder) as it:
                    for entry in it:
                        if not fnmatch.fnmatchcase(entry.name.lower(), part.lower()):
                            continue
                        if entry.is_symlink():
                            links.append(f"{rel}/{entry.name}")
                            continue
                        nxt.append((f"{rel}/{entry.name}", Path(entry.path)))
                        count += last and not entry.is_dir(follow_symlinks=False)
                        if count > MAX_SMALL_FILES:
                            return nxt, links, rel or "/"
            level = nxt
        return level, links, None

    def _walk(self, rel: str, folder: Path) -> Iterator[tuple[str, Path]]:
        for base, _dirs, names in os.walk(folder, followlinks=False):
            inside = rel + "/" + Path(base).relative_to(folder).as_posix() if base != str(folder) else rel
            for name in names:
                path = Path(base) / name
                if stat.S_ISREG(os.lstat(path).st_mode):
                    yield f"{inside}/{name}", path
