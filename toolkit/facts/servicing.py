"""Servicing level of an image index from every source that records it (research/builds.md §4-5).

WIM XML SPBUILD, the SOFTWARE hive's UBR, the newest installed Package_for_RollupFix and the
ntoskrnl.exe file version should agree. Tools can leave the XML stale and a superseded package
can linger, so the gate trusts the lowest of them. WinPE/WinRE hives keep UBR = 1 by design.
The feature release comes from the hive's CurrentBuild: 23H2/25H2 media carry their base build
(22621/26100) in the XML and in the binaries.
"""

from __future__ import annotations

from toolkit.facts import CURRENT_VERSION_KEY, ImageFacts
from toolkit.records import record

INSTALLED = 0x70  # CBS CurrentState: Installed
LEVEL_NAMES = {"wim-xml": "WIM XML SPBUILD", "hive": "SOFTWARE hive UBR", "rollup": "newest installed RollupFix",
               "kernel": "ntoskrnl.exe file version"}


@record
class Level:
    label: str          # wim-xml | hive | rollup | kernel
    source: str
    locator: str
    build: int | None   # the build the source names (the base build for rollup/kernel)
    ubr: int
    shown: str          # as the source writes it


def hive_value(image: ImageFacts, name: str) -> object | None:
    deep = image.deep
    if deep is None or deep.software is None:
        return None
    return deep.software.current_version.get(name)


def hive_build(image: ImageFacts) -> int | None:
    """CurrentBuild from the SOFTWARE hive (CurrentBuildNumber when an older release lacks it), when
    deep inspection read it."""
    for name in ("CurrentBuild", "CurrentBuildNumber"):
        value = hive_value(image, name)
        if isinstance(value, str) and value.isdigit():
            return int(value)
    return None


def hive_ubr(image: ImageFacts) -> tuple[int, str] | None:
    """(the hive's servicing level, the value it came from): UBR, else the fourth part of LCUVer."""
    ubr = hive_value(image, "UBR")
    if isinstance(ubr, int):
        return ubr, "UBR"
    lcu = hive_value(image, "LCUVer")
    parts = lcu.split(".") if isinstance(lcu, str) else []
    if len(parts) == 4 and parts[3].isdigit() and parts[2] == str(hive_build(image)):
        return int(parts[3]), "LCUVer"
    return None


def installed_rollups(image: ImageFacts) -> list:
    """Package_for_RollupFix packages present in the image and installed per the CBS state (a
    package the hive does not list counts as present: the state is unknown, not absent)."""
    deep = image.deep
    if deep is None:
        return []
    states = deep.software.cbs_states if deep.software else {}
    lowered = {k.lower(): v for k, v in states.items()}
    return [p for p in deep.packages if p.kind == "rollup" and len(p.version) >= 2
            and lowered.get(p.identity.lower(), INSTALLED) in (INSTALLED, None)]


def levels(image: ImageFacts) -> list[Level]:
    found = []
    if image.origin == "wim-xml" and image.version.spbuild is not None:
        found.append(Level("wim-xml", image.source, image.where("WINDOWS/VERSION/SPBUILD"), image.version.build,
                           image.version.spbuild, f"{image.version.build}.{image.version.spbuild}"))
    deep = image.deep
    if deep is None:
        return found
    level = hive_ubr(image)
    if level is not None and not (image.boot_image and level[0] <= 1):
        ubr, name = level
        found.append(Level("hive", deep.where("software"), f"{CURRENT_VERSION_KEY}\\{name}", hive_build(image), ubr,
                           f"{hive_build(image)}.{ubr}"))
    rollups = installed_rollups(image)
    if rollups:
        newest = max(rollups, key=lambda p: p.version)
        found.append(Level("rollup", deep.where(f"/Windows/servicing/Packages/{newest.identity}.mum"),
                           "/assembly/assemblyIdentity/@version", newest.version[0], newest.version[1],
                           newest.identity))
    if deep.kernel is not None:
        v = deep.kernel.file_version
        found.append(Level("kernel", deep.where("kernel"), "VS_FIXEDFILEINFO.FileVersion", v[2], v[3],
                           deep.kernel.version))
    return found


def lowest(image: ImageFacts) -> Level | None:
    candidates = levels(image)
    return min(candidates, key=lambda level: level.ubr) if candidates else None


def effective_build(image: ImageFacts) -> str | None:
    """The "build.UBR" the gate judges: the hive's build when read, and the lowest servicing level."""
    build = hive_build(image) or image.version.build
    level = lowest(image)
    ubr = level.ubr if level else image.version.spbuild
    return None if build is None or ubr is None else f"{build}.{ubr}"
