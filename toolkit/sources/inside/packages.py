"""Servicing package manifests (Windows/servicing/Packages/*.mum): identity, KB and release type.

Identity: Name~PublicKeyToken~Architecture~Language~Version, the file name without `.mum` and the
key name under Component Based Servicing\\Packages (research/builds.md §5).
"""

from __future__ import annotations

from toolkit.errors import InputError
from toolkit.facts.inside import Package
from toolkit.sources.inside import UnreadableFile
from toolkit.sources.safexml import parse_xml

ASM_V3 = "urn:schemas-microsoft-com:asm.v3"


def read_mum(raw: bytes, file_name: str) -> Package:
    try:
        root = parse_xml(raw, file_name, "servicing package manifest")
    except InputError as exc:
        raise UnreadableFile(exc.problem) from None
    if root.tag != f"{{{ASM_V3}}}assembly":
        raise UnreadableFile(f"not a package manifest (root element {root.tag!r})")
    ident = root.find(f"{{{ASM_V3}}}assemblyIdentity")
    if ident is None or not ident.get("name") or not ident.get("version"):
        raise UnreadableFile("package manifest has no assemblyIdentity name and version")
    try:
        version = tuple(int(p) for p in ident.get("version", "").split("."))
    except ValueError:
        raise UnreadableFile(f"package version {ident.get('version')!r} is not numeric") from None
    package = root.find(f"{{{ASM_V3}}}package")
    identity = file_name[:-4] if file_name.lower().endswith(".mum") else file_name
    return Package(identity=identity, name=ident.get("name", ""), version=version,
                   arch=ident.get("processorArchitecture"),
                   kb=package.get("identifier") if package is not None else None,
                   release_type=package.get("releaseType") if package is not None else None,
                   description=root.get("description"))
