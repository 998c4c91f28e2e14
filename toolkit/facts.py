"""Typed facts read from inputs. Every fact knows where it came from (file + locator)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

ARCH_NAMES = {0: "x86", 5: "arm", 6: "ia64", 9: "x64", 12: "arm64"}


@dataclass(frozen=True)
class WindowsVersion:
    major: int | None = None
    minor: int | None = None
    build: int | None = None
    spbuild: int | None = None
    splevel: int | None = None
    branch: str | None = None

    @property
    def build_ubr(self) -> str | None:
        if self.build is None:
            return None
        return f"{self.build}.{self.spbuild}" if self.spbuild is not None else str(self.build)


@dataclass(frozen=True)
class ImageFacts:
    """One image index, as its WIM XML describes it. Absent elements stay None, never defaulted."""

    source: str
    index: int
    locator: str  # XML path of this image's element, e.g. /WIM/IMAGE[@INDEX='2']
    name: str | None = None
    description: str | None = None
    display_name: str | None = None
    display_description: str | None = None
    flags: str | None = None
    edition_id: str | None = None
    installation_type: str | None = None
    product_name: str | None = None
    product_type: str | None = None
    product_suite: str | None = None
    system_root: str | None = None
    arch_code: int | None = None
    languages: tuple[str, ...] = ()
    default_language: str | None = None
    version: WindowsVersion = field(default_factory=WindowsVersion)
    image_state: str | None = None
    created: datetime | None = None
    modified: datetime | None = None
    dir_count: int | None = None
    file_count: int | None = None
    total_bytes: int | None = None
    hardlink_bytes: int | None = None
    wimboot: bool | None = None
    # element path -> raw text for values present but not well-formed (e.g. BUILD "abc")
    malformed: dict[str, str] = field(default_factory=dict)

    @property
    def arch(self) -> str | None:
        if self.arch_code is None:
            return None
        return ARCH_NAMES.get(self.arch_code, f"unknown({self.arch_code})")

    @property
    def boot_image(self) -> str | None:
        """'WinRE', 'Setup' or 'WinPE' for boot images, None for install images."""
        pe = "WindowsPE"
        if pe not in (self.installation_type, self.edition_id):
            return None
        label = " ".join(filter(None, (self.name, self.description))).lower()
        if "recovery" in label:
            return "WinRE"
        if "setup" in label:
            return "Setup"
        return "WinPE"


@dataclass(frozen=True)
class ResourceHeader:
    size: int
    flags: int
    offset: int
    original_size: int

    COMPRESSED = 0x04

    @property
    def compressed(self) -> bool:
        return bool(self.flags & self.COMPRESSED)


@dataclass(frozen=True)
class WimHeader:
    version: int
    flags: int
    chunk_size: int
    guid: str
    part_number: int
    total_parts: int
    image_count: int
    boot_index: int
    blob_table: ResourceHeader
    xml: ResourceHeader
    boot_metadata: ResourceHeader
    integrity: ResourceHeader

    @property
    def compression(self) -> str:
        if not self.flags & 0x2:
            return "none"
        for bit, name in ((0x40000, "LZX"), (0x20000, "XPRESS"), (0x200000, "XPRESS"), (0x80000, "LZMS")):
            if self.flags & bit:
                return name
        return "unknown"

    @property
    def solid(self) -> bool:
        return self.version == 0xE00

    @property
    def spanned(self) -> bool:
        return bool(self.flags & 0x8)

    @property
    def write_in_progress(self) -> bool:
        return bool(self.flags & 0x40)

    @property
    def has_integrity_table(self) -> bool:
        return self.integrity.size > 0


@dataclass(frozen=True)
class ImageSource:
    """One image file (WIM, ESD, split part) or raw WIM XML document and its indexes."""

    path: str
    kind: str  # wim | esd | swm | xml
    size: int
    xml_sha256: str
    header: WimHeader | None
    encrypted: bool
    images: tuple[ImageFacts, ...]
    notes: tuple[str, ...] = ()
