"""Whole-file sha256 of image files, with a progress bar on a terminal (images run to gigabytes)."""

from __future__ import annotations

import hashlib
import os

from toolkit.errors import InputError

BLOCK = 1 << 20


def file_sha256(path: str, progress=None) -> str:
    """The file's sha256; `progress(what, done, total)` is called as blocks are read."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            total, done = os.fstat(fh.fileno()).st_size, 0
            for block in iter(lambda: fh.read(BLOCK), b""):
                digest.update(block)
                done += len(block)
                if progress is not None:
                    progress(f"sha256 {os.path.basename(path)}", done, total)
    except OSError as exc:
        raise InputError(path, f"cannot read to hash ({exc.strerror})") from None
    return digest.hexdigest()


def hash_files(paths: list[str], progress=None) -> dict[str, str]:
    """sha256 of each distinct path; `progress` (the caller's display) hears how far each file is."""
    return {p: file_sha256(p, progress) for p in dict.fromkeys(paths)}
