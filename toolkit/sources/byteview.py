"""A read-only file over byte ranges of another file: an image's extents inside an ISO, or one
partition of a virtual disk. Seek, tell, read and get_size, as the WIM reader and libfsntfs use
them; reads never leave the ranges, and a seek before the start stops at it."""

from __future__ import annotations

from typing import BinaryIO

Extents = tuple[tuple[int, int], ...]  # (byte offset in the file, length) of each piece, in order


class ByteView:
    def __init__(self, fh: BinaryIO, extents: Extents) -> None:
        self._fh, self._extents = fh, extents
        self._size = sum(n for _, n in extents)
        self._pos = 0

    def seek(self, pos: int, whence: int = 0) -> int:
        self._pos = max(0, pos if whence == 0 else self._pos + pos if whence == 1 else self._size + pos)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def get_size(self) -> int:
        return self._size

    def read(self, size: int | None = -1) -> bytes:
        left = max(0, self._size - self._pos)
        size = left if size is None or size < 0 else min(size, left)
        chunks, start = [], 0
        for offset, length in self._extents:
            if size <= 0:
                break
            if self._pos < start + length:
                skip = self._pos - start
                take = min(length - skip, size)
                self._fh.seek(offset + skip)
                chunk = self._fh.read(take)
                chunks.append(chunk)
                self._pos += len(chunk)
                size -= len(chunk)
                if len(chunk) < take:
                    break
            start += length
        return b"".join(chunks)
