"""Installation ISOs: the images under `sources/` read in place, through the ISO's own directory.

pycdlib parses the volume descriptors and directories (UDF when the ISO has it, as Microsoft's
media do; else ISO 9660); it never reads file data. Each image's extents are mapped, and the WIM
reader reads the header and XML resource straight from the ISO, so reading metadata costs the same
for a 6 GB ISO as for a small one and never copies an image out. Deep inspection, which needs the
image as a file for the extraction tools, copies out only the image it reads (`copy_member`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

from toolkit.errors import InputError, open_regular
from toolkit.facts import ImageSource
from toolkit.limits import MAX_FOLDER_ENTRIES, PARSE_TIMEOUT
from toolkit.records import replace
from toolkit.sources.byteview import ByteView, Extents
from toolkit.text import brief

SECTOR = 2048
# The images Windows Setup reads, under the names Microsoft's media give them (matched case-insensitively).
MEMBERS = ("sources/install.wim", "sources/install.esd", "sources/boot.wim")



def split_member(path: str) -> tuple[str, str] | None:
    """`file.iso!sources/install.wim` -> (file.iso, sources/install.wim), when that names no file itself."""
    iso, sep, member = path.rpartition("!")
    if not sep or os.path.exists(path) or member.lower() not in MEMBERS:
        return None
    return iso, member.lower()


def read_iso(path: str | Path, only: str | None = None) -> list[ImageSource]:
    """One source per image under sources/ (`only`: that one), named ISO!sources/NAME."""
    from toolkit.sources.wim import HEADER_SIZE, WIM_MAGIC, read_wim

    with open_regular(path, "ISO image") as fh:
        size = os.fstat(fh.fileno()).st_size
        members = _members(path, fh, size)
        if only is not None:
            members = {k: v for k, v in members.items() if k == only}
        if not members:
            wanted = only or ", ".join(MEMBERS)
            raise InputError(path, f"ISO holds no {wanted}: not Windows installation media")
        sources = []
        for name, extents in members.items():
            label = f"{path}!{name}"
            length = sum(n for _, n in extents)
            view = ByteView(fh, extents)
            head = view.read(HEADER_SIZE)
            if not head.startswith(WIM_MAGIC):
                raise InputError(label, f"not a WIM image (magic {head[:8]!r}, expected {WIM_MAGIC!r})")
            sources.append(replace(read_wim(label, view, head, length, in_container=True), container=str(path),
                                   container_size=size))
        return sources


def _members(path: str | Path, fh: BinaryIO, size: int) -> dict[str, Extents]:
    """The extents of each image under sources/, from the UDF directory when there is one."""
    import pycdlib
    from pycdlib.pycdlibexception import PyCdlibException

    from toolkit.sources.inside import UnreadableFile, time_limit

    _whole_volume(path, fh, size)
    iso = pycdlib.PyCdlib()
    try:
        with time_limit(PARSE_TIMEOUT, "the ISO's directory"):
            iso.open_fp(fh)
            found = _udf_members(iso) if iso.has_udf() else _iso9660_members(iso)
    except UnreadableFile as exc:
        raise InputError(path, f"not a readable ISO image ({exc})") from None
    except (PyCdlibException, ValueError) as exc:
        raise InputError(path, f"not a readable ISO image ({brief(exc)})") from None
    except Exception as exc:  # pycdlib on damaged or hostile directories: struct, index and key errors
        raise InputError(path, f"not a readable ISO image ({type(exc).__name__}: {brief(exc)})") from None
    for name, extents in found.items():
        for offset, length in extents:
            if offset + length > size:
                raise InputError(path, f"{name} lies beyond the end of the ISO ({offset + length} of {size} "
                                 "bytes): the file is truncated (an incomplete download?)")
    return found


def _whole_volume(path: str | Path, fh: BinaryIO, size: int) -> None:
    """A file shorter than the volume its primary volume descriptor declares is cut short: say so, not
    whatever the directory reader trips over first (ECMA-119 8.4: space size at byte 80, block size at 128)."""
    fh.seek(16 * SECTOR)
    pvd = fh.read(SECTOR)
    if len(pvd) != SECTOR or pvd[0] != 1 or pvd[1:6] != b"CD001":
        return
    blocks, block = int.from_bytes(pvd[80:84], "little"), int.from_bytes(pvd[128:130], "little")
    # both-endian fields that agree: a damaged descriptor is left to the directory reader to refuse
    if blocks == int.from_bytes(pvd[84:88], "big") and block == int.from_bytes(pvd[130:132], "big") == SECTOR:
        volume = blocks * block
        if size < volume:
            raise InputError(path, f"is cut short: the volume is {volume} bytes, the file {size} "
                             "(an incomplete download or copy?)")


def _udf_members(iso) -> dict[str, Extents]:
    part_start = iso.udf_main_descs.partitions[0].part_start_location
    found = {}
    for folder in _children(iso.list_children(udf_path="/"), "sources", dirs=True):
        files = list(iso.list_children(udf_path="/" + folder.file_identifier().decode("utf-8")))
        for member in MEMBERS:
            for file in _children(files, member.split("/")[1]):
                extents = []
                for ad in file.alloc_descs:
                    if type(ad).__name__ not in ("UDFShortAD", "UDFLongAD") or getattr(ad, "part_ref_num", 0):
                        raise ValueError(f"{member} is stored in a way this reader does not follow "
                                         f"({type(ad).__name__})")
                    extents.append(((part_start + ad.log_block_num) * SECTOR, ad.extent_length))
                found[member] = _whole(member, tuple(extents), file.get_data_length())
    return found


def _iso9660_members(iso) -> dict[str, Extents]:
    """ISO 9660 names (level 1: SOURCES/INSTALL.WIM;1); a file over 4 GiB is several records of one name,
    each but the last flagged multi-extent (ECMA-119 9.1.6, bit 7)."""
    found = {}
    for folder in _children(iso.get_record(iso_path="/").children, "sources", dirs=True):
        records = [r for r in folder.children if r.is_file()]
        for member in MEMBERS:
            extents: list[tuple[int, int]] = []
            for record in records:
                if _name(record.file_identifier()) == member.split("/")[1]:
                    extents.append((record.extent_location() * SECTOR, record.data_length))
                    if not record.file_flags & 0x80:
                        found[member] = _whole(member, tuple(extents), sum(n for _, n in extents))
                        break
    return found


def _children(entries, name: str, dirs: bool = False) -> list:
    """The entries called `name` (case-insensitive), directories or files."""
    matches = []
    for n, entry in enumerate(entries):
        if n > MAX_FOLDER_ENTRIES:
            raise ValueError(f"a folder lists over {MAX_FOLDER_ENTRIES} entries")
        if entry is None or entry.is_dir() != dirs:  # UDF lists the parent as None
            continue
        if _name(entry.file_identifier()) == name:
            matches.append(entry)
    if len(matches) > 1 and not dirs:
        raise ValueError(f"{len(matches)} files called {name}")
    return matches[:1]


def _name(identifier: bytes) -> str:
    return identifier.decode("utf-8", "replace").split(";")[0].rstrip(".").lower()


def _whole(member: str, extents: Extents, length: int) -> Extents:
    """The extents, checked to cover the file's recorded length exactly."""
    if sum(n for _, n in extents) != length or not extents:
        raise ValueError(f"{member}'s extents do not add up to its length of {length} bytes")
    return extents


COPY_CHUNK = 8 * 1024 * 1024


def _copy_range(src: BinaryIO, dst: BinaryIO, offset: int, count: int) -> int:
    """Copy up to `count` bytes at `offset` of `src` to the end of `dst`: in the kernel where it can
    (copy_file_range, which a copy-on-write file system turns into shared blocks), else through memory."""
    if hasattr(os, "copy_file_range"):
        try:
            return os.copy_file_range(src.fileno(), dst.fileno(), count, offset)
        except OSError:
            pass  # another file system, an old kernel: the plain way
    src.seek(offset)
    chunk = src.read(count)
    dst.write(chunk)
    return len(chunk)


def copy_member(source: ImageSource, dest: Path, progress=None) -> Path:
    """Copy an image out of its ISO into `dest` (for the extraction tools, which need a file), reading
    only its extents; `progress(done, total)` as it goes."""
    from toolkit.sources.extract.process import ExtractionError

    iso, member = source.container, source.path[len(source.container or "") + 1:]
    try:
        with open_regular(iso, "ISO image") as fh:
            extents = _members(iso, fh, os.fstat(fh.fileno()).st_size)[member]
            total, done = sum(n for _, n in extents), 0
            with open(dest, "xb", buffering=0) as out:  # the kernel and this process write to one offset
                for offset, length in extents:
                    while length:
                        copied = _copy_range(fh, out, offset, min(length, COPY_CHUNK))
                        if not copied:
                            raise ExtractionError(f"{source.path}: the ISO ended while copying the image out")
                        offset, length, done = offset + copied, length - copied, done + copied
                        if progress is not None:
                            progress(done, total)
    except (InputError, KeyError, OSError) as exc:
        problem = exc.problem if isinstance(exc, InputError) else str(exc)
        raise ExtractionError(f"cannot copy {member or 'the image'} out of the ISO: {problem}") from None
    return dest
