"""sha256 digests: of bytes in memory, and of whole image files with a progress bar on a terminal
(images run to gigabytes)."""

from __future__ import annotations

import os
import sys

from toolkit.errors import InputError

BLOCK = 1 << 20


def sha256_hex(data: bytes) -> str:
    """The sha256 of bytes in memory. OpenSSL's (hashlib) once something has loaded it; before that the
    interpreter's built-in one, which loads in microseconds where hashlib's OpenSSL binding takes ~3 ms:
    `inspect` hashes only the catalog and a WIM's XML. Both give the same digest."""
    hashlib = sys.modules.get("hashlib")
    if hashlib is not None:
        return hashlib.sha256(data).hexdigest()
    try:  # the built-in module's name: a failed import costs a search of sys.path
        if sys.version_info >= (3, 12):
            from _sha2 import sha256
        else:
            from _sha256 import sha256
    except ImportError:  # a build without the built-in modules
        from hashlib import sha256
    return sha256(data).hexdigest()


def file_sha256(path: str, progress=None) -> str:
    """The file's sha256; `progress(what, done, total)` is called as blocks are read."""
    import hashlib

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
