"""An offline Windows installation (a directory holding a mounted or applied image, or the Windows
volume of a virtual disk) as an image source.

It has no WIM XML: its facts come from the SOFTWARE and SYSTEM hives (CurrentVersion, the
architecture and UI languages), read in place; the deep evidence is read at the same time.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.errors import InputError
from toolkit.facts import CURRENT_VERSION_KEY, ImageFacts, ImageSource, WindowsVersion
from toolkit.facts.servicing import hive_ubr
from toolkit.records import replace

if TYPE_CHECKING:
    from toolkit.sources.extract import Backend

ARCH_CODES = {"x86": 0, "arm": 5, "ia64": 6, "amd64": 9, "arm64": 12}


def read_offline_directory(path: Path) -> ImageSource:
    from toolkit.sources.extract.directory import DirectoryBackend

    backend = DirectoryBackend(path)
    if not backend.stat(1, "/Windows/System32/config/SOFTWARE"):
        raise InputError(path, "is a directory but not an offline Windows installation "
                               "(no Windows/System32/config/SOFTWARE)")
    return read_offline(path, backend, "directory", "offline Windows directory: facts read from its registry hives")


def read_offline(path: str | Path, backend: Backend, kind: str, note: str, size: int = 0) -> ImageSource:
    """An offline Windows installation that `backend` reads (a directory, or the volume of a virtual
    disk of `size` bytes, as it was when opened), its facts from its hives."""
    import tempfile

    from toolkit.sources.deep import inspect_index

    placeholder = ImageFacts(source=str(path), index=1, locator=CURRENT_VERSION_KEY, origin="registry")
    with tempfile.TemporaryDirectory(prefix="oobe-ready-") as work:  # a directory is read in place
        deep = inspect_index(backend, placeholder, f"{path}#1", Path(work))
    if deep.software is None:
        raise InputError(path, deep.problems.get("software") or deep.unavailable or "SOFTWARE hive unreadable")
    cv = deep.software.current_version
    text = {k: v for k, v in cv.items() if isinstance(v, str)}
    build = text.get("CurrentBuild") or text.get("CurrentBuildNumber", "")  # older releases: only the latter
    placeholder = replace(placeholder, deep=deep)
    level = hive_ubr(placeholder)  # UBR, else LCUVer "10.0.26100.4946"
    ubr = level[0] if level else None
    arch = deep.system.processor_architecture if deep.system else None
    languages = deep.system.ui_languages if deep.system else ()
    installed = deep.system.install_language if deep.system else None
    default = installed if installed in languages else (languages[0] if languages else None)
    image = ImageFacts(
        source=str(path), index=1, locator=CURRENT_VERSION_KEY, origin="registry",
        name=text.get("ProductName"), edition_id=text.get("EditionID"),
        installation_type=text.get("InstallationType"), product_name=text.get("ProductName"),
        arch_code=ARCH_CODES.get((arch or "").lower()), languages=languages,
        default_language=default,
        version=WindowsVersion(major=10, minor=0, build=int(build) if build.isdigit() else None, spbuild=ubr),
        image_state=deep.state_ini or deep.software.image_state,
        malformed={} if not build or build.isdigit() else {"WINDOWS/VERSION/BUILD": build},
        deep=deep,
    )
    return ImageSource(path=str(path), kind=kind, size=size, xml_sha256="", header=None, encrypted=False,
                       images=(image,), notes=(note,))
