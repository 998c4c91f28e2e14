"""WIM / ESD / split WIM metadata: the 208-byte header and the XML resource, read in place.

Reading touches the header and the XML resource only, so the cost does not grow with the size of
the image. Layout: wimlib include/wimlib/header.h and resource.h (see research/wim.md §1-3).
"""

from __future__ import annotations

import os
import re
import struct
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from toolkit.digests import sha256_hex
from toolkit.errors import InputError, open_regular
from toolkit.facts import ImageFacts, ImageSource, ResourceHeader, WimHeader, WindowsVersion
from toolkit.limits import MAX_IMAGES, MAX_XML_BYTES
from toolkit.records import replace
from toolkit.sources.safexml import decode_xml, parse_xml

if TYPE_CHECKING:
    from pathlib import Path

    from lxml import etree

HEADER_SIZE = 208
WIM_MAGIC = b"MSWIM\0\0\0"
PIPABLE_MAGIC = b"WLPWM\0\0\0"
VERSION_DEFAULT = 0x10D00
VERSION_SOLID = 0xE00
_HEADER = struct.Struct("<8sIIII16sHHI24s24s24sI24s60s")
_RESHDR = struct.Struct("<QQQ")
_IMAGE = re.compile(r"<IMAGE[\s>/]")
_FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=timezone.utc)

assert _HEADER.size == HEADER_SIZE


def read_image_file(path: str | Path) -> ImageSource:
    """Read an image file: a WIM/ESD/SWM file, or a raw WIM XML document (directories:
    sources/images.read_image_source)."""
    with _open_regular(path) as fh:
        size = os.fstat(fh.fileno()).st_size
        head = fh.read(HEADER_SIZE)
        if head.startswith(WIM_MAGIC) or (len(head) < len(WIM_MAGIC) and WIM_MAGIC.startswith(head) and head):
            return read_wim(path, fh, head, size)
        if head.startswith(PIPABLE_MAGIC):
            raise InputError(path, "pipable WIM (WLPWM magic) is not supported; convert it with "
                             "'wimlib-imagex export SOURCE all DEST.wim'")
        if _looks_like_xml(head):
            if size > MAX_XML_BYTES:
                raise InputError(path, f"XML document is {size} bytes, over the {MAX_XML_BYTES}-byte limit")
            raw = head + fh.read(MAX_XML_BYTES + 1 - len(head))
            return _source_from_xml(path, "xml", len(raw), raw, header=None)
        if not head:
            raise InputError(path, "empty file; not a WIM image")
        raise InputError(path, f"not a WIM image (magic {head[:8]!r}, expected {WIM_MAGIC!r})")


def _open_regular(path: str | Path):
    return open_regular(path, "image file")


def _looks_like_xml(head: bytes) -> bool:
    stripped = head.lstrip(b"\xef\xbb\xbf").lstrip(b"\xff\xfe").lstrip(b"\xfe\xff").lstrip(b" \t\r\n\0")
    return stripped.startswith(b"<")


def parse_header(path: str | Path, head: bytes) -> WimHeader:
    if len(head) < HEADER_SIZE:
        raise InputError(path, f"truncated WIM header ({len(head)} of {HEADER_SIZE} bytes)")
    (_magic, hdr_size, version, flags, chunk, guid, part, total, count,
     blob, xml, boot_meta, boot_idx, integrity, _unused) = _HEADER.unpack(head)
    if hdr_size != HEADER_SIZE:
        raise InputError(path, f"WIM header size is {hdr_size}, expected {HEADER_SIZE}")
    if version not in (VERSION_DEFAULT, VERSION_SOLID):
        raise InputError(path, f"unsupported WIM version {version:#x} (expected 0x10d00 or 0xe00)")
    if part < 1 or total < 1 or part > total:
        raise InputError(path, f"invalid split-WIM part number {part} of {total}")
    if count > MAX_IMAGES:
        raise InputError(path, f"header claims {count} images, over the limit of {MAX_IMAGES}")
    if flags & 0x2 and not flags & (0x20000 | 0x40000 | 0x80000 | 0x200000):
        raise InputError(path, f"header flags {flags:#x} set COMPRESSION without a compression type")
    return WimHeader(
        version=version, flags=flags, chunk_size=chunk, guid=guid.hex(), part_number=part,
        total_parts=total, image_count=count, boot_index=boot_idx,
        blob_table=_reshdr(blob), xml=_reshdr(xml), boot_metadata=_reshdr(boot_meta),
        integrity=_reshdr(integrity),
    )


def read_header(path: Path) -> WimHeader | None:
    """The header of another file (a sibling split part), or None when it is not a WIM."""
    try:
        with path.open("rb") as fh:
            head = fh.read(HEADER_SIZE)
        return parse_header(path, head) if head.startswith(WIM_MAGIC) else None
    except (OSError, InputError):
        return None


def _reshdr(raw: bytes) -> ResourceHeader:
    packed, offset, original = _RESHDR.unpack(raw)
    return ResourceHeader(size=packed & ((1 << 56) - 1), flags=packed >> 56, offset=offset,
                          original_size=original)


def read_wim(path: str | Path, fh, head: bytes, size: int, in_container: bool = False) -> ImageSource:
    """A WIM's header and XML from `fh` (a file, or an image's extents inside an ISO) of `size` bytes,
    `head` its first bytes already read."""
    header = parse_header(path, head)
    xml = header.xml
    if xml.size == 0:
        raise InputError(path, "WIM has no XML resource")
    if xml.compressed:
        raise InputError(path, f"XML resource is compressed (resource flags {xml.flags:#x}); "
                         "not supported")
    if xml.offset < HEADER_SIZE or xml.offset + xml.size > size:
        raise InputError(path, f"XML resource (offset {xml.offset}, {xml.size} bytes) lies beyond "
                         f"the end of the file ({size} bytes)")
    if xml.original_size != xml.size:
        raise InputError(path, f"XML resource sizes disagree ({xml.size} stored, "
                         f"{xml.original_size} original) although it is not compressed")
    if xml.size > MAX_XML_BYTES:
        raise InputError(path, f"XML resource is {xml.size} bytes, over the {MAX_XML_BYTES}-byte limit")
    fh.seek(xml.offset)
    raw = fh.read(xml.size)
    if len(raw) != xml.size:
        raise InputError(path, "file shrank while reading the XML resource")
    kind = "esd" if header.solid else "swm" if header.spanned or header.total_parts > 1 else "wim"
    if header.total_parts > 1 and in_container:
        raise InputError(path, f"part {header.part_number} of a split WIM inside an ISO; split sets are read "
                         "from a folder: copy the .swm parts out and name one of them")
    source = _source_from_xml(path, kind, size, raw, header)
    if header.total_parts > 1:
        source = replace(source, parts=split_parts(path, header))
    return source


def split_parts(path: str | Path, header: WimHeader) -> tuple[tuple[int, str, int], ...]:
    """The parts of the named part's own split set, as (part number, path, size): the files named like it
    (DISM and wimlib name them install.swm, install2.swm, ...) whose header has its GUID and part
    count. Another set in the same folder, even with the same GUID, is never mixed in; two files
    claiming one part number is an input error. Missing parts are simply absent here."""
    from pathlib import Path  # split sets only: pathlib is not loaded on inspect's usual path

    path = Path(path)
    number = str(header.part_number)
    stem = path.stem
    base = stem[:-len(number)] if header.part_number > 1 and stem.endswith(number) else stem
    pattern = re.compile(re.escape(base) + r"(\d*)\.swm", re.IGNORECASE)
    found: dict[int, list[tuple[str, int]]] = {}
    with os.scandir(path.parent) as entries:
        for entry in entries:
            if not pattern.fullmatch(entry.name) or not entry.is_file(follow_symlinks=False):
                continue
            other = header if os.path.samefile(entry.path, path) else read_header(Path(entry.path))
            if other is not None and other.guid == header.guid and other.total_parts == header.total_parts:
                found.setdefault(other.part_number, []).append((str(path.parent / entry.name),
                                                                entry.stat(follow_symlinks=False).st_size))
    for part, named in sorted(found.items()):
        if len(named) > 1:
            raise InputError(path, f"{len(named)} files claim part {part} of this split set "
                                   f"({', '.join(sorted(Path(n).name for n, _ in named))}); keep one set per folder")
    found[header.part_number] = [(str(path), os.stat(path).st_size)]
    return tuple((part, *named[0]) for part, named in sorted(found.items()))


def _source_from_xml(path: str | Path, kind: str, size: int, raw: bytes,
                     header: WimHeader | None) -> ImageSource:
    what = "WIM XML" if header else "XML document"
    count = len(_IMAGE.findall(decode_xml(raw, path, what)))  # before lxml builds a tree of them
    if count > MAX_IMAGES:
        raise InputError(path, f"{what} describes {count} images, over the limit of {MAX_IMAGES}")
    root = parse_xml(raw, path, what)
    if root.tag != "WIM":
        raise InputError(path, f"{what} root element is <{root.tag}>, expected <WIM>")
    images = _read_images(path, root)
    notes: list[str] = []
    if header is not None:
        if header.image_count != len(images):
            raise InputError(path, f"header says {header.image_count} images but the XML describes "
                             f"{len(images)}")
        if header.write_in_progress:
            notes.append("WRITE_IN_PROGRESS flag set: the image may be incomplete")
        if header.boot_index > header.image_count:
            notes.append(f"boot index {header.boot_index} exceeds the image count; ignored")
    encrypted = root.find("ESD/ENCRYPTED") is not None
    if encrypted:
        notes.append("ESD with encrypted segments: file data cannot be extracted until decrypted")
    return ImageSource(path=str(path), kind=kind, size=size, xml_sha256=sha256_hex(raw),
                       header=header, encrypted=encrypted, images=tuple(images), notes=tuple(notes))


def _read_images(path: str | Path, root: etree._Element) -> list[ImageFacts]:
    images = []
    for el in root.findall("IMAGE"):
        raw_index = el.get("INDEX", "")
        if not raw_index.isdigit():
            raise InputError(path, f"<IMAGE> has an invalid INDEX attribute {raw_index!r}")
        images.append(_image(path, int(raw_index), el))
    images.sort(key=lambda image: image.index)
    if [i.index for i in images] != list(range(1, len(images) + 1)):
        raise InputError(path, f"image indexes {[i.index for i in images]} are not 1..{len(images)}")
    return images


def _image(path: str | Path, index: int, el: etree._Element) -> ImageFacts:
    malformed: dict[str, str] = {}

    def text(p: str) -> str | None:
        found = el.find(p)
        if found is None or found.text is None or not found.text.strip():
            return None
        return found.text.strip()

    def number(p: str, parse: Callable[[str], int] = int) -> int | None:
        value = text(p)
        if value is None:
            return None
        try:
            result = parse(value)
        except ValueError:
            result = -1
        if result < 0:
            malformed[p] = value
            return None
        return result

    def filetime(p: str) -> datetime | None:
        high, low = number(f"{p}/HIGHPART", _hex), number(f"{p}/LOWPART", _hex)
        if high is None or low is None:
            return None
        ticks = (high << 32) | low
        try:
            return _FILETIME_EPOCH + timedelta(microseconds=ticks // 10)
        except OverflowError:
            malformed[p] = f"{high:#x}:{low:#x}"
            return None

    wimboot = number("WIMBOOT")
    return ImageFacts(
        source=str(path),
        index=index,
        locator=f"/WIM/IMAGE[@INDEX='{index}']",
        name=text("NAME"),
        description=text("DESCRIPTION"),
        display_name=text("DISPLAYNAME"),
        display_description=text("DISPLAYDESCRIPTION"),
        flags=text("FLAGS"),
        edition_id=text("WINDOWS/EDITIONID"),
        installation_type=text("WINDOWS/INSTALLATIONTYPE"),
        product_name=text("WINDOWS/PRODUCTNAME"),
        product_type=text("WINDOWS/PRODUCTTYPE"),
        product_suite=text("WINDOWS/PRODUCTSUITE"),
        system_root=text("WINDOWS/SYSTEMROOT"),
        arch_code=number("WINDOWS/ARCH"),
        languages=tuple(
            lang.text.strip() for lang in el.findall("WINDOWS/LANGUAGES/LANGUAGE")
            if lang.text and lang.text.strip()
        ),
        default_language=text("WINDOWS/LANGUAGES/DEFAULT"),
        version=WindowsVersion(
            major=number("WINDOWS/VERSION/MAJOR"),
            minor=number("WINDOWS/VERSION/MINOR"),
            build=number("WINDOWS/VERSION/BUILD"),
            spbuild=number("WINDOWS/VERSION/SPBUILD"),
            splevel=number("WINDOWS/VERSION/SPLEVEL"),
            branch=text("WINDOWS/VERSION/BRANCH"),
        ),
        image_state=text("WINDOWS/SERVICINGDATA/IMAGESTATE"),
        created=filetime("CREATIONTIME"),
        modified=filetime("LASTMODIFICATIONTIME"),
        dir_count=number("DIRCOUNT"),
        file_count=number("FILECOUNT"),
        total_bytes=number("TOTALBYTES"),
        hardlink_bytes=number("HARDLINKBYTES"),
        wimboot=None if wimboot is None else bool(wimboot),
        malformed=malformed,
    )


def _hex(value: str) -> int:
    return int(value, 16)
