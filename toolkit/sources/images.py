"""Every image source of a run, read: the WIM header and XML (or the offline directory), only the
selected index, and with --deep the files inside each index."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from toolkit.errors import InputError
from toolkit.facts import ImageFacts, ImageSource
from toolkit.records import replace

if TYPE_CHECKING:
    from pathlib import Path


def select_images(source: ImageSource, index: int | None) -> tuple[ImageFacts, ...]:
    if index is None:
        return source.images
    if not 1 <= index <= len(source.images):
        raise InputError(source.path, f"has no image index {index} (indexes 1..{len(source.images)})")
    return (source.images[index - 1],)


def read_image_sources(path: str | Path) -> list[ImageSource]:
    """What one named input holds: a WIM/ESD/SWM file, a raw WIM XML document, an offline Windows
    directory, an installation ISO (a source for each image under its sources/ folder), or a VHD/VHDX
    (its Windows volume, read as an offline installation)."""
    if os.path.isdir(path):
        from pathlib import Path

        from toolkit.sources.offline import read_offline_directory

        return [read_offline_directory(Path(path))]
    kind = container_kind(path)
    if kind == "iso":
        from toolkit.sources.iso import read_iso

        return read_iso(path)
    if kind in ("vhd", "vhdx"):
        from toolkit.sources.vhd import read_disk_image

        return [read_disk_image(path, kind)]
    if kind is None:
        from toolkit.sources.iso import split_member

        if member := split_member(str(path)):  # one image of an ISO, as subjects and manifests name it
            from toolkit.sources.iso import read_iso

            return read_iso(*member)
    from toolkit.sources.wim import read_image_file

    return [read_image_file(path)]  # a WIM, raw XML, or its one-line error


def container_kind(path: str | Path) -> str | None:
    """What a file is by its signatures, read once: 'wim' (magic MSWIM), 'iso' (sector 16 opens an
    ISO 9660 or UDF volume recognition sequence: CD001 / BEA01), 'vhdx' (file type identifier), 'vhd'
    (footer cookie "conectix" at the end, and at the start of a dynamic disk), else None."""
    from toolkit.errors import open_regular
    from toolkit.sources.wim import WIM_MAGIC

    try:
        with open_regular(path, "image file") as fh:  # never blocks on a FIFO
            head = fh.read(8)
            if head == WIM_MAGIC:
                return "wim"
            if head == b"vhdxfile":
                return "vhdx"
            if head == b"conectix":
                return "vhd"
            fh.seek(16 * 2048 + 1)
            if fh.read(5) in (b"CD001", b"BEA01"):
                return "iso"
            fh.seek(-512, os.SEEK_END)
            return "vhd" if fh.read(8) == b"conectix" else None
    except (InputError, OSError):  # missing, unreadable, shorter than 512 bytes: the WIM reader says why
        return None


def read_image_source(path: str | Path) -> ImageSource:
    """The one image a path names (an ISO's first image: name ISO!sources/install.wim for another)."""
    return read_image_sources(path)[0]


def read_images(paths: tuple[str, ...], index: int | None, deep: bool, progress=None) -> list[ImageSource]:
    """Each source, only the selected index (before any deep work), with the files inside read."""
    sources = []
    for path in paths:
        found = read_image_sources(path)
        if index is not None and len(found) > 1:  # an ISO: --index picks from the images that have it
            found = [s for s in found if index <= len(s.images)] or found  # (boot.wim has two)
        sources += [replace(s, images=select_images(s, index)) for s in found]
    if deep:
        from toolkit.sources.deep import deep_inspect

        sources = deep_inspect(sources, progress)
    return sources
