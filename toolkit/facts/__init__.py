"""Typed facts read from inputs. Every fact knows where it came from (file + locator)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from toolkit.records import field, record

if TYPE_CHECKING:
    from toolkit.facts.autopilot_file import AutopilotFile
    from toolkit.facts.inside import KernelFacts, Package, SoftwareFacts, SystemFacts, UnattendFacts

# Where Setup looks for an answer file inside the Windows installation (implicit search order),
# plus the media-root names a captured image sometimes still carries.
UNATTEND_LOCATIONS = ("/Windows/Panther/Unattend/unattend.xml", "/Windows/Panther/Unattend/autounattend.xml",
             "/Windows/Panther/unattend.xml", "/Windows/Panther/autounattend.xml",
             "/Windows/System32/Sysprep/unattend.xml", "/unattend.xml", "/autounattend.xml")
ARCH_NAMES = {0: "x86", 5: "arm", 6: "ia64", 9: "x64", 12: "arm64"}


@record
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


# Files read from inside an image, by role.
SOFTWARE_HIVE = "/Windows/System32/config/SOFTWARE"
SYSTEM_HIVE = "/Windows/System32/config/SYSTEM"
KERNEL = "/Windows/System32/ntoskrnl.exe"
WINRE = "/Windows/System32/Recovery/Winre.wim"  # the recovery environment setup puts on the recovery partition
STATE_INI = "/Windows/Setup/State/State.ini"
SETUP_COMPLETE = "/Windows/Setup/Scripts/SetupComplete.cmd"
AUTOPILOT_FOLDER = "/Windows/Provisioning/Autopilot"
CURRENT_VERSION_KEY = r"HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion"


@record
class InsideFile:
    path: str             # as stored in the image
    size: int
    sha1: str | None = None


@record
class DeepFacts:
    """Evidence read from files inside one image index. `unavailable` says why nothing could be
    read at all; `problems` names each file that is missing or unreadable (role or path -> why)."""

    origin: str                               # IMAGE#INDEX, prefixed to in-image paths in evidence
    backend: str | None = None
    unavailable: str | None = None
    files: dict[str, InsideFile] = field(default_factory=dict)   # role (software, system, kernel, ...) -> file
    problems: dict[str, str] = field(default_factory=dict)
    software: SoftwareFacts | None = None
    system: SystemFacts | None = None
    kernel: KernelFacts | None = None
    winre: ImageFacts | None = None   # Winre.wim's (first) index as its WIM XML describes it; None when absent
    packages: tuple[Package, ...] = ()
    unattend: tuple[tuple[str, UnattendFacts], ...] = ()          # (path in image, facts)
    state_ini: str | None = None                                  # [State] ImageState
    setup_complete: str | None = None                             # SetupComplete.cmd text
    autopilot_files: tuple[AutopilotFile, ...] = ()

    def where(self, role_or_path: str) -> str:
        """Evidence source for a file: IMAGE#INDEX:/path/in/image."""
        found = self.files.get(role_or_path)
        return f"{self.origin}:{found.path if found else role_or_path}"


@record
class ImageFacts:
    """One image index, as its WIM XML (or, for an offline directory, its registry) describes it.
    Absent elements stay None, never defaulted."""

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
    origin: str = "wim-xml"  # wim-xml | registry (an offline Windows directory)
    deep: DeepFacts | None = None

    def where(self, element: str) -> str:
        """Locator of a WIM XML element, or of the registry value it stands for."""
        if self.origin == "registry":
            return f"{CURRENT_VERSION_KEY}\\{REGISTRY_NAMES.get(element, element)}"
        return f"{self.locator}/{element}"

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


REGISTRY_NAMES = {"WINDOWS/VERSION/BUILD": "CurrentBuild", "WINDOWS/VERSION/SPBUILD": "UBR",
                  "WINDOWS/EDITIONID": "EditionID", "WINDOWS/INSTALLATIONTYPE": "InstallationType",
                  "WINDOWS/ARCH": "SYSTEM:PROCESSOR_ARCHITECTURE", "WINDOWS/LANGUAGES/LANGUAGE": "SYSTEM:UILanguages"}


@record
class ResourceHeader:
    size: int
    flags: int
    offset: int
    original_size: int

    COMPRESSED = 0x04

    @property
    def compressed(self) -> bool:
        return bool(self.flags & self.COMPRESSED)


@record
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


@record
class ImageSource:
    """One image file (WIM, ESD, split part) or raw WIM XML document and its indexes."""

    path: str
    kind: str  # wim | esd | swm | xml | directory
    size: int
    xml_sha256: str
    header: WimHeader | None
    encrypted: bool
    images: tuple[ImageFacts, ...]
    notes: tuple[str, ...] = ()
    parts: tuple[tuple[int, str, int], ...] = ()  # a split set: (part number, path, size) of each part found
    container: str | None = None  # the installation ISO holding it (path is then ISO!sources/install.wim)
    container_size: int | None = None  # that ISO's size when it was read
