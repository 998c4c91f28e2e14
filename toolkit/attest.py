"""An in-toto Statement v1 about the checked image, predicate test-result/v0.1.

Subject: each image file's sha256 (WIM/ESD/each split part/raw XML), or, when no image was
checked, the export files. Configuration: the baseline, the release catalog, the waiver file,
every other input and the manifest itself, each by digest, so a verifier can tell exactly which
requirements, data and exceptions produced the verdict. Ready for `cosign attest-blob`.
"""

from __future__ import annotations

import os

from toolkit.errors import InputError

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://in-toto.io/attestation/test-result/v0.1"
IMAGE_KINDS = ("wim", "esd", "swm", "xml", "iso", "vhd", "vhdx")
DISKS = ("vhd", "vhdx")  # no header or XML to tell the file checked from another of its size
RESULT = {"ready": "PASSED", "blocked": "FAILED", "incomplete": "FAILED"}


def statement(manifest: dict, manifest_sha256: str, manifest_path: str) -> dict:
    inputs = manifest["inputs"]
    images = [i for i in inputs if i["kind"] in IMAGE_KINDS and not i.get("container")]  # an ISO, not its images
    pool = images or [i for i in inputs if i.get("sha256")]
    if not pool:
        raise InputError(manifest_path, "has no input with a digest to attest (an offline directory has none)")
    digests = _digests(pool, inputs)
    subject = [{"name": i["path"], "digest": {"sha256": digests[i["path"]]}} for i in pool]
    configuration = [
        {"name": f"baseline {manifest['baseline']['id']}", "digest": {"sha256": manifest["baseline"]["sha256"]}},
        {"name": f"release catalog as of {manifest['catalog']['as_of']}",
         "digest": {"sha256": manifest["catalog"]["sha256"]}},
    ]
    waivers = manifest["waivers"]
    if waivers.get("file"):
        configuration.append({"name": f"waivers {waivers['file']}", "digest": {"sha256": waivers["sha256"]}})
    configuration += [{"name": f"{i['kind']} {i['path']}", "digest": {"sha256": i["sha256"]}}
                      for i in inputs if i not in pool and i.get("sha256")]
    configuration.append({"name": f"manifest {os.path.basename(manifest_path)}", "mediaType": "application/json",
                          "digest": {"sha256": manifest_sha256}})
    passed, warned, failed = [], [], []
    for r in manifest["results"]:
        name = f"{r['rule']} {r['subject']}"
        if r["blocking"] or r["outcome"] == "not-evaluated":
            failed.append(name)
        elif r["outcome"] in ("fail", "warn", "waived"):
            warned.append(name)
        elif r["outcome"] == "pass":
            passed.append(name)
    verdict = manifest["summary"]["verdict"]
    result = "WARNED" if verdict == "ready" and warned else RESULT[verdict]
    return {
        "_type": STATEMENT_TYPE,
        "subject": subject,
        "predicateType": PREDICATE_TYPE,
        "predicate": {"result": result, "configuration": configuration,
                      "passedTests": passed, "warnedTests": warned, "failedTests": failed},
    }


def _digests(pool: list[dict], inputs: list[dict]) -> dict[str, str]:
    """Recorded digests, else hash the files now, after checking they are still the files checked."""
    from toolkit.digests import hash_files

    missing = [i for i in pool if not i.get("sha256")]
    for item in missing:
        _verify(item, [i for i in inputs if i.get("container") == item["path"]])
    from toolkit.render.progress import extraction_progress

    with extraction_progress() as progress:
        computed = hash_files([i["path"] for i in missing], progress)
    return {i["path"]: i.get("sha256") or computed[i["path"]] for i in pool}


def _verify(item: dict, inside: list[dict]) -> None:
    """Refuse to vouch for a file that is not the one checked: its size, WIM header GUID and XML digest
    (of each image `inside` an ISO) must be those the manifest recorded (the same size is not enough)."""
    from toolkit.sources.images import read_image_sources

    path = item["path"]
    if item["kind"] in DISKS:
        raise InputError(path, "a virtual disk is attested only by the digest check took: run check with "
                         "--hash-images, then attest")
    try:
        size = os.stat(path).st_size
    except OSError as exc:
        raise InputError(path, f"cannot read the image to hash it ({exc.strerror}); run attest "
                         "where check ran, or check with --hash-images") from None
    changed = []
    if item.get("size") is not None and size != item["size"]:
        changed.append(f"size {size}, manifest says {item['size']}")
    images = [i for i in (item, *inside) if i.get("guid") or i.get("xml_sha256")]
    try:  # the file read once: an ISO gives all its images
        read = {s.path: s for s in read_image_sources(path)} if images else {}
    except InputError as exc:
        raise InputError(path, f"changed since the manifest was written: {exc.problem}") from None
    for image in images:
        # the file itself is its one source; an image inside an ISO is found by its name there
        source = next(iter(read.values())) if image is item else read.get(image["path"])
        if source is None:
            changed.append(f"{image['path']} is no longer in it")
            continue
        guid = source.header.guid if source.header else None
        of = f" of {image['path']}" if image is not item else ""
        if image.get("guid") and guid != image["guid"]:
            changed.append(f"WIM header GUID{of} {guid}, manifest says {image['guid']}")
        if image.get("xml_sha256") and source.xml_sha256 != image["xml_sha256"]:
            changed.append(f"XML sha256{of} {source.xml_sha256[:12]}…, manifest says {image['xml_sha256'][:12]}…")
    if changed:
        raise InputError(path, f"changed since the manifest was written ({'; '.join(changed)}): not attested; "
                         "run check again on this file")
