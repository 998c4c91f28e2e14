"""An NTFS volume inside a disk image (VHD / VHDX), read with libfsntfs: never mounted, never written.

Names match case-insensitively, as on NTFS; reparse points (junctions, symbolic links, deduplicated or
cloud files) are never followed and never evidence. Files are copied out, size-capped, for the readers.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from toolkit.limits import MAX_EXTRACTED_FILE_BYTES, MAX_FOLDER_ENTRIES, MAX_INDEX_EXTRACTED_BYTES, MAX_SMALL_FILES
from toolkit.sources.extract import ByteBudget, ByteProgress, Entry, Extracted, match_tree, matching
from toolkit.sources.extract.process import ExtractionError
from toolkit.text import brief

REPARSE_POINT = 0x400  # FILE_ATTRIBUTE_REPARSE_POINT
CHUNK = 4 * 1024 * 1024


class NtfsBackend:
    name = "libfsntfs"

    def __init__(self, volume) -> None:
        self.volume = volume  # a pyfsntfs.volume, open

    def stat(self, index: int, path: str) -> list[Entry]:
        with _damaged():
            return self._stat(path)

    def _stat(self, path: str) -> list[Entry]:
        matched, links, _capped = match_tree(path, self.volume.get_root_directory(), _children, MAX_SMALL_FILES)
        entries = [Entry(rel, 0, None, link=True) for rel in links]
        for rel, entry in matched:
            if entry.has_directory_entries_index():
                entries += [Entry(r, e.size, None) for r, e in _walk(rel, entry)]
            else:
                entries.append(Entry(rel, entry.size, None))
        return entries

    def extract(self, index: int, paths: Sequence[str], dest: Path, progress: ByteProgress | None = None,
                budget: ByteBudget | None = None) -> Extracted:
        with _damaged():
            return self._extract(paths, dest, budget)

    def _extract(self, paths: Sequence[str], dest: Path, budget: ByteBudget | None) -> Extracted:
        found = Extracted()
        written = 0
        for pattern in paths:
            for rel, entry in matching(found, pattern, self.volume.get_root_directory(), _children, MAX_SMALL_FILES):
                if entry.has_directory_entries_index():
                    continue
                if entry.size > MAX_EXTRACTED_FILE_BYTES:
                    found.reject(rel, f"{entry.size} bytes, over the {MAX_EXTRACTED_FILE_BYTES}-byte limit")
                    continue
                written += entry.size
                if written > MAX_INDEX_EXTRACTED_BYTES:
                    raise ExtractionError(f"the files to read would take over {MAX_INDEX_EXTRACTED_BYTES} bytes")
                if budget is not None:
                    budget.take(entry.size, rel)
                found.add(rel, _copy(entry, dest / rel.lstrip("/")))
        return found


@contextmanager
def _damaged() -> Iterator[None]:
    """libfsntfs reports a damaged structure (an index node, a run list, an MFT entry) as OSError."""
    try:
        yield
    except (OSError, OverflowError) as exc:
        raise ExtractionError(f"the NTFS volume is damaged ({brief(exc)})") from None


def _copy(entry, local: Path) -> Path:
    local.parent.mkdir(parents=True, exist_ok=True)
    left = entry.size
    entry.seek_offset(0)
    with local.open("xb") as out:
        while left > 0:
            chunk = entry.read_buffer(min(left, CHUNK))
            if not chunk:  # a run list that ends early: a short file is not the evidence
                raise ExtractionError(f"{local.name}: the volume gave {entry.size - left} of its {entry.size} bytes")
            out.write(chunk)
            left -= len(chunk)
    return local


def _children(entry) -> Iterator[tuple[str, object, str]]:
    if not entry.has_directory_entries_index():
        return
    seen: set[int] = set()
    for n, child in enumerate(entry.sub_file_entries):
        if n > MAX_FOLDER_ENTRIES:
            raise ExtractionError(f"a folder lists over {MAX_FOLDER_ENTRIES} entries")
        reference = (child.file_reference or 0) & 0xFFFFFFFFFFFF  # the MFT entry; a DOS 8.3 alias repeats it
        if reference in seen or child.name is None:
            continue
        seen.add(reference)
        flags = child.file_attribute_flags
        # attributes that cannot be read are treated as a reparse point's: never followed, never evidence
        kind = "link" if flags is None or flags & REPARSE_POINT else \
            "dir" if child.has_directory_entries_index() else "file"
        yield child.name, child, kind


def _walk(rel: str, folder, depth: int = 0) -> Iterator[tuple[str, object]]:
    if depth > 64:
        return
    for name, child, kind in _children(folder):
        if kind == "dir":
            yield from _walk(f"{rel}/{name}", child, depth + 1)
        elif kind == "file":
            yield f"{rel}/{name}", child
