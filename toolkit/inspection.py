"""`inspect`: what each image source is, as one plain document both renderers draw from."""

from __future__ import annotations

from datetime import datetime

from toolkit import __version__
from toolkit.catalog import Catalog, ReleaseMatch
from toolkit.errors import InputError
from toolkit.facts import ImageFacts, ImageSource

INSPECT_SCHEMA = "oobe-ready/inspect/v1"


def os_type(image: ImageFacts) -> str | None:
    """'client' or 'server' from INSTALLATIONTYPE; None (try both) for WinPE or missing."""
    if image.installation_type == "Client":
        return "client"
    if image.installation_type in ("Server", "Server Core"):
        return "server"
    return None


def release_of(image: ImageFacts, catalog: Catalog) -> ReleaseMatch | None:
    if image.version.build is None:
        return None
    return catalog.match(image.version.build, image.version.spbuild, os_type(image))


def select_images(source: ImageSource, index: int | None) -> tuple[ImageFacts, ...]:
    if index is None:
        return source.images
    if not 1 <= index <= len(source.images):
        raise InputError(source.path, f"has no image index {index} (indexes 1..{len(source.images)})")
    return (source.images[index - 1],)


def inspect_report(sources: list[ImageSource], catalog: Catalog, index: int | None = None) -> dict:
    return {
        "schema": INSPECT_SCHEMA,
        "tool": {"name": "oobe-ready", "version": __version__},
        "catalog": {"as_of": catalog.as_of, "sha256": catalog.sha256},
        "sources": [_source(s, catalog, select_images(s, index)) for s in sources],
    }


def _source(source: ImageSource, catalog: Catalog, images: tuple[ImageFacts, ...]) -> dict:
    h = source.header
    wim = None
    if h is not None:
        wim = {
            "version": f"{h.version:#x}", "flags": f"{h.flags:#x}", "guid": h.guid,
            "compression": h.compression, "chunk_size": h.chunk_size, "solid": h.solid,
            "spanned": h.spanned, "part_number": h.part_number, "total_parts": h.total_parts,
            "image_count": h.image_count, "boot_index": h.boot_index,
            "integrity_table": h.has_integrity_table, "write_in_progress": h.write_in_progress,
        }
    return {
        "path": source.path, "kind": source.kind, "size": source.size,
        "xml_sha256": source.xml_sha256, "encrypted": source.encrypted,
        "notes": list(source.notes), "wim": wim,
        "images": [image_document(i, catalog) for i in images],
    }


def image_document(image: ImageFacts, catalog: Catalog) -> dict:
    v = image.version
    match = release_of(image, catalog)
    release = update = None
    note = None
    if match is not None and match.branches:
        release = {
            "label": match.label,
            "product": match.branches[0].product,
            "ambiguous": match.ambiguous,
            "candidates": [b.id for b in match.branches],
            "evidence": "wim-xml",
        }
        found = match.update
        if found is not None:
            update = {"kb": found.kb, "date": found.date, "type": found.type,
                      "baseline_ubr": found.baseline_ubr}
        elif v.spbuild is not None:
            newest = max(b.last_ubr for b in match.branches)
            note = (f"UBR {v.spbuild} is newer than the catalog (as of {catalog.as_of})"
                    if v.spbuild > newest else f"UBR {v.spbuild} is not a released update in the catalog")
    elif v.build is not None:
        note = f"build {v.build} is not in the catalog (as of {catalog.as_of})"
    return {
        "index": image.index,
        "locator": image.locator,
        "name": image.name,
        "description": image.description,
        "display_name": image.display_name,
        "edition_id": image.edition_id,
        "installation_type": image.installation_type,
        "product_type": image.product_type,
        "product_suite": image.product_suite,
        "arch": image.arch,
        "arch_code": image.arch_code,
        "languages": list(image.languages),
        "default_language": image.default_language,
        "version": {"major": v.major, "minor": v.minor, "build": v.build, "spbuild": v.spbuild,
                    "splevel": v.splevel, "branch": v.branch},
        "build_ubr": v.build_ubr,
        "feature_release": release,
        "update": update,
        "catalog_note": note,
        "boot_image": image.boot_image,
        "image_state": image.image_state,
        "created": _iso(image.created),
        "modified": _iso(image.modified),
        "wimboot": image.wimboot,
        "counts": {"directories": image.dir_count, "files": image.file_count,
                   "total_bytes": image.total_bytes, "hardlink_bytes": image.hardlink_bytes},
        "malformed": dict(sorted(image.malformed.items())),
    }


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")
