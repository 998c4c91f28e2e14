"""Every image source of a run, read: the WIM header and XML (or the offline directory), only the
selected index, and with --deep the files inside each index."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from toolkit.errors import InputError
from toolkit.facts import ImageFacts, ImageSource


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
    if Path(path).is_dir():
        from toolkit.sources.offline import read_offline_directory

        return [read_offline_directory(Path(path))]
    from toolkit.sources.wim import is_wim, read_image_file

    if not is_wim(path):  # the other containers' readers load only for them
        from toolkit.sources.iso import is_iso, read_iso, split_member

        if is_iso(path):
            return read_iso(path)
        if member := split_member(str(path)):  # one image of an ISO, as subjects and manifests name it
            return read_iso(*member)
        from toolkit.sources.vhd import disk_kind, read_disk_image

        if kind := disk_kind(path):
            return [read_disk_image(path, kind)]
    return [read_image_file(path)]


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
