"""`inspect`: what each image source is, as one plain document both renderers draw from. One straight
line: read the sources (only the selected index, the files inside when asked) → document."""

from __future__ import annotations

from datetime import datetime

from toolkit import __version__
from toolkit.catalog import Catalog
from toolkit.facts import ImageFacts, ImageSource
from toolkit.facts.release import release_of
from toolkit.facts.servicing import hive_build, levels

INSPECT_SCHEMA = "oobe-ready/inspect/v1"




def run_inspect(paths: tuple[str, ...], index: int | None, deep: bool, catalog: str | None,
                progress=None) -> dict:
    from toolkit.catalog_store import current_catalog
    from toolkit.sources.images import read_images

    return inspect_report(read_images(paths, index, deep, progress), current_catalog(catalog))


def inspect_report(sources: list[ImageSource], catalog: Catalog) -> dict:
    """The inspect document of the sources as given (one index selected by read_images)."""
    return {
        "schema": INSPECT_SCHEMA,
        "tool": {"name": "oobe-ready", "version": __version__},
        "catalog": {"as_of": catalog.as_of, "sha256": catalog.sha256},
        "sources": [_source(s, catalog) for s in sources],
    }


def _source(source: ImageSource, catalog: Catalog) -> dict:
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
        "path": source.path, "container": source.container, "kind": source.kind, "size": source.size,
        "xml_sha256": source.xml_sha256, "encrypted": source.encrypted,
        "notes": list(source.notes), "wim": wim,
        "images": [image_document(i, catalog) for i in source.images],
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
            "evidence": "software-hive" if hive_build(image) == match.build else image.origin,
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
        "origin": image.origin,
        "deep": deep_document(image),
    }


def deep_document(image: ImageFacts) -> dict | None:
    """The evidence deep inspection read from inside the image, None when it did not run."""
    deep = image.deep
    if deep is None:
        return None
    software, kernel = deep.software, deep.kernel
    states = {k.lower(): v for k, v in software.cbs_states.items()} if software else {}
    return {
        "backend": deep.backend,
        "unavailable": deep.unavailable,
        "files": {role: {"path": f.path, "size": f.size, "sha1": f.sha1} for role, f in sorted(deep.files.items())},
        "problems": dict(sorted(deep.problems.items())),
        "current_version": ({k: software.current_version[k] for k in sorted(software.current_version)}
                            if software else None),
        "architecture": deep.system.processor_architecture if deep.system else None,
        "ui_languages": list(deep.system.ui_languages) if deep.system else None,
        "kernel_version": kernel.version if kernel else None,
        "packages": [{"identity": p.identity, "kind": p.kind, "kb": p.kb, "release_type": p.release_type,
                      "cbs_state": states.get(p.identity.lower())} for p in deep.packages],
        "servicing_levels": [{"source": level.label, "build": level.build, "ubr": level.ubr, "shown": level.shown}
                             for level in levels(image)],
        "policies": [{"key": k, "value": n, "data": v} for (k, n), v in sorted(software.values.items())]
        if software else [],
        "registry_keys": sorted(software.keys) if software else [],
        "unattend": [{"path": path, "domain_joins": [j.domain for j in facts.joins],
                      "commands": list(facts.commands)} for path, facts in deep.unattend],
        "image_state": {"state_ini": deep.state_ini,
                        "registry": software.image_state if software else None},
        "autopilot_files": [{"path": f.image_path, "sha256": f.sha256} for f in deep.autopilot_files],
        "winre": {"path": deep.files["winre"].path, "name": deep.winre.name,
                  "build_ubr": deep.winre.version.build_ubr} if deep.winre and "winre" in deep.files else None,
    }


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")
