"""An offline Windows installation in a directory (a mounted or applied image): files are read in
place. Names match case-insensitively, as on NTFS; links are never followed, so a junction or
symbolic link inside the tree cannot lead outside it."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path

from toolkit.limits import MAX_SMALL_FILES
from toolkit.sources.extract import ByteBudget, ByteProgress, Entry, Extracted, match_tree, matching


class DirectoryBackend:
    name = "directory"

    def __init__(self, root: Path) -> None:
        self.root = root

    def stat(self, index: int, path: str) -> list[Entry]:
        entries = []
        matched, links, _capped = match_tree(path, self.root, _children, MAX_SMALL_FILES)
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
            for rel, local in matching(found, pattern, self.root, _children, MAX_SMALL_FILES):
                if stat.S_ISREG(os.lstat(local).st_mode):
                    found.add(rel, local)
        return found

    def _walk(self, rel: str, folder: Path) -> Iterator[tuple[str, Path]]:
        for base, _dirs, names in os.walk(folder, followlinks=False):
            inside = rel + "/" + Path(base).relative_to(folder).as_posix() if base != str(folder) else rel
            for name in names:
                path = Path(base) / name
                if stat.S_ISREG(os.lstat(path).st_mode):
                    yield f"{inside}/{name}", path


def _children(folder: Path) -> Iterator[tuple[str, Path, str]]:
    if not stat.S_ISDIR(os.lstat(folder).st_mode):
        return
    with os.scandir(folder) as it:
        for entry in it:
            kind = "link" if entry.is_symlink() else "dir" if entry.is_dir(follow_symlinks=False) else "file"
            yield entry.name, Path(entry.path), kind
