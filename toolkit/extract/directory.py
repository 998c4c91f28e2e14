"""An offline Windows installation in a directory (a mounted or applied image): files are read in
place. Names match case-insensitively, as on NTFS; links are never followed, so a junction or
symbolic link inside the tree cannot lead outside it."""

from __future__ import annotations

import fnmatch
import os
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path

from toolkit.extract import ByteProgress, Entry
from toolkit.limits import MAX_SMALL_FILES


class DirectoryBackend:
    name = "directory"

    def __init__(self, root: Path) -> None:
        self.root = root

    def stat(self, index: int, path: str) -> list[Entry]:
        entries = []
        for rel, local in self._match(path):
            info = os.lstat(local)
            if stat.S_ISREG(info.st_mode):
                entries.append(Entry(rel, info.st_size, None))
            elif stat.S_ISDIR(info.st_mode):
                entries += [Entry(r, os.lstat(p).st_size, None) for r, p in self._walk(rel, local)]
        return entries

    def extract(self, index: int, paths: Sequence[str], dest: Path,
                progress: ByteProgress | None = None) -> dict[str, Path]:
        found = {}
        for pattern in paths:
            for rel, local in self._match(pattern):
                if stat.S_ISREG(os.lstat(local).st_mode):
                    found[rel.lower()] = local
        return found

    def _match(self, pattern: str) -> list[tuple[str, Path]]:
        """(path in image, local path) for every real (non-link) entry matching `pattern`."""
        level = [("", self.root)]
        for part in [p for p in pattern.split("/") if p]:
            nxt = []
            for rel, folder in level:
                if not stat.S_ISDIR(os.lstat(folder).st_mode):
                    continue
                with os.scandir(folder) as it:
                    for entry in it:
                        if fnmatch.fnmatchcase(entry.name.lower(), part.lower()) and not entry.is_symlink():
                            nxt.append((f"{rel}/{entry.name}", Path(entry.path)))
                            if len(nxt) > MAX_SMALL_FILES:
                                return nxt
            level = nxt
        return level

    def _walk(self, rel: str, folder: Path) -> Iterator[tuple[str, Path]]:
        for base, _dirs, names in os.walk(folder, followlinks=False):
            inside = rel + "/" + Path(base).relative_to(folder).as_posix() if base != str(folder) else rel
            for name in names:
                path = Path(base) / name
                if stat.S_ISREG(os.lstat(path).st_mode):
                    yield f"{inside}/{name}", path
