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


def read_image_source(path: str | Path) -> ImageSource:
    """Any image source: a WIM/ESD/SWM file, a raw WIM XML document, or an offline Windows directory."""
    if Path(path).is_dir():
        from toolkit.sources.offline import read_offline_directory

        return read_offline_directory(Path(path))
    from toolkit.sources.wim import read_image_file

    return read_image_file(path)


def read_images(paths: tuple[str, ...], index: int | None, deep: bool, progress=None) -> list[ImageSource]:
    """Each source, only the selected index (before any deep work), with the files inside read."""
    sources = [read_image_source(p) for p in paths]
    sources = [replace(s, images=select_images(s, index)) for s in sources]
    if deep:
        from toolkit.sources.deep import deep_inspect

        sources = deep_inspect(sources, progress)
    return sources
