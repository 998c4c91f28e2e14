"""`check`: read every input into facts, run the rules, and build the manifest."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime, timezone

from toolkit.baselines import load_baseline
from toolkit.catalog_store import current_catalog
from toolkit.errors import InputError
from toolkit.facts import AUTOPILOT_FOLDER
from toolkit.pipeline.engine import KINDS, Inputs, decide, evaluate, supplied_kinds
from toolkit.pipeline.manifest import build_manifest, normalised
from toolkit.rules.base import Context, Evidence


@dataclass(frozen=True)
class CheckOptions:
    sources: tuple[str, ...] = ()
    intune: tuple[str, ...] = ()
    autopilot_files: tuple[str, ...] = ()
    baseline: str = "wbfo-2026-09"
    path: str = "oobe"
    tenant_id: str | None = None
    cloud: str | None = None
    fail_on: str = "blocker"
    require: tuple[str, ...] = ()
    index: int | None = None
    hash_images: bool = False
    deep: bool = True
    waivers: str | None = None  # the TOML waiver ledger (None: no waivers, e.g. --no-waivers)
    as_of: date | None = None   # the evaluation date (None: today, UTC)
    config: dict | None = None  # the config file that supplied settings: {path, sha256}
    catalog: str | None = None  # a pinned release catalog (--catalog)
    target_groups: tuple[str, ...] = ()  # --target-group: the Entra groups of the devices being imaged


def now() -> datetime:
    """SOURCE_DATE_EPOCH when set (reproducible output), else the current time. It stamps the manifest
    only: the evaluation date is --as-of, so a fixed timestamp never revives an expired waiver."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
        except (ValueError, OverflowError):
            raise InputError(None, f"SOURCE_DATE_EPOCH={epoch!r} is not a Unix timestamp") from None
    return datetime.now(timezone.utc).replace(microsecond=0)


def run_check(options: CheckOptions) -> dict:
    unknown = sorted(set(options.require) - set(KINDS))
    if unknown:
        raise InputError(None, f"--require: unknown kind(s) {', '.join(unknown)} (known: {', '.join(KINDS)})")
    from toolkit.rules.registry import BY_ID, RULES
    from toolkit.sources.wim import read_image_source

    baseline, baseline_sha = load_baseline(options.baseline)
    ledger = None
    if options.waivers:
        from toolkit.pipeline.waivers import load_waivers

        ledger = load_waivers(options.waivers, set(BY_ID))  # a bad ledger fails before any slow work
    images = [read_image_source(s) for s in options.sources]
    if options.index is not None:
        from dataclasses import replace

        from toolkit.pipeline.inspect import select_images

        images = [replace(s, images=select_images(s, options.index)) for s in images]
    if options.deep:
        images = inspect_inside(images)
    inputs = Inputs(images=images, deep=options.deep)
    if options.intune:
        _read_tenant(inputs, options)
    if options.autopilot_files:
        from toolkit.sources.autopilot_file import read_autopilot_file

        inputs.autopilot_files = [read_autopilot_file(p) for p in options.autopilot_files]
    # An Autopilot file found inside an image is judged like one given with --autopilot-file.
    inputs.autopilot_files += [f for s in images for i in s.images if i.deep for f in i.deep.autopilot_files]
    inputs.autopilot_unusable = [(i.deep.where(key), why) for s in images for i in s.images if i.deep
                                 for key, why in i.deep.problems.items()
                                 if key.lower().startswith(AUTOPILOT_FOLDER.lower())]
    moment = now()
    today = options.as_of or datetime.now(timezone.utc).date()
    extras = {**_esp_mitigation(inputs), **_backup_default(inputs, baseline), **_vm_images(inputs, baseline)}
    ctx = Context(baseline=baseline, path=options.path, today=today, catalog=current_catalog(options.catalog),
                  tenant_id=options.tenant_id, cloud=options.cloud, extras=extras)
    from toolkit.digests import hash_files
    from toolkit.pipeline.waivers import apply

    # XML documents are small and always hashed; image files only when asked or a waiver scopes by digest.
    whole = options.hash_images or (ledger is not None and ledger.needs_image_hashes())
    from toolkit.render.progress import extraction_progress

    with extraction_progress() as progress:  # images run to gigabytes: a bar on a terminal
        hashes = hash_files([p for s in images if s.kind != "directory" and (whole or s.header is None)
                             for p in [s.path] + [path for _, path, _ in s.parts if path != s.path]], progress)
    results, waivers = apply(evaluate(RULES, inputs, ctx), subject_refs(inputs, hashes), ledger, ctx.today)
    missing = [k for k in options.require if k not in supplied_kinds(inputs)]
    gaps = coverage_gaps(inputs)
    verdict, code = decide(results, options.fail_on, missing + gaps)
    return normalised(build_manifest(
        inputs=inputs, results=results, ctx=ctx, baseline_sha=baseline_sha, generated_at=moment,
        verdict=verdict, exit_code=code, options=effective_options(options, today), config=options.config,
        missing_required=missing, image_hashes=hashes, waivers=waivers, gaps=gaps,
    ))


def _read_tenant(inputs: Inputs, options: CheckOptions) -> None:
    """The exports, and what reaches the devices being imaged: the ESP, the profiles, device preparation."""
    from toolkit.facts.targets import device_preparation, effective_profiles, resolve
    from toolkit.rules.esp import effective_esp
    from toolkit.sources.intune import read_exports

    tenant = inputs.tenant = read_exports(list(options.intune))
    targets = resolve(options.target_groups, tenant) if options.target_groups else None
    inputs.esp = effective_esp(tenant.of("esp"), targets, tenant.of("group"))
    inputs.profiles = effective_profiles(tenant.of("profile"), targets)
    inputs.device_preparation = device_preparation(tenant.of("dpp"), targets)


def effective_options(options: CheckOptions, today: date) -> dict:
    """Every setting that shaped the verdict, as the manifest records it."""
    return {"baseline": options.baseline, "path": options.path, "fail_on": options.fail_on,
            "as_of": today.isoformat(), "as_of_given": options.as_of is not None, "deep": options.deep,
            "require": list(options.require), "tenant_id": options.tenant_id, "cloud": options.cloud,
            "index": options.index, "hash_images": options.hash_images, "waivers": options.waivers,
            "catalog": options.catalog, "target_groups": list(options.target_groups)}


def coverage_gaps(inputs: Inputs) -> list[str]:
    """Why the run judged less than it was given to judge: each makes the verdict incomplete."""
    indexes = [i for s in inputs.images for i in s.images]
    if indexes and all(i.boot_image for i in indexes):
        kinds = ", ".join(sorted({i.boot_image for i in indexes}))
        return [f"no install image among the sources: every index is a boot image ({kinds}); pass the "
                "install.wim / install.esd the devices are imaged from"]
    return []


def subject_refs(inputs: Inputs, hashes: dict[str, str]) -> dict:
    """What waiver scopes match on, per result subject."""
    from toolkit.facts.servicing import effective_build
    from toolkit.pipeline.waivers import SubjectRef

    refs = {}
    for source in inputs.images:
        for image in source.images:
            refs[f"{source.path}#{image.index}"] = SubjectRef(
                image_sha256=hashes.get(source.path), image_guid=source.header.guid if source.header else None,
                build=effective_build(image))
    if inputs.tenant is not None:
        for objects in inputs.tenant.objects.values():
            refs.update({o.subject: SubjectRef(files=(o.file,), object_id=o.data.get("id")) for o in objects})
    refs.update({f.path: SubjectRef(files=(f.path,)) for f in inputs.autopilot_files})
    return refs


def inspect_inside(images: list) -> list:
    """Deep inspection of every image source, with a progress bar on a terminal."""
    from toolkit.render.progress import extraction_progress
    from toolkit.sources.deep import deep_inspect

    with extraction_progress() as progress:
        return deep_inspect(images, progress)


def _backup_default(inputs: Inputs, baseline: dict) -> dict:
    """TEN002 on images that back up by default (26H2+): every install image's release, as the hive
    says it (WIM XML of enablement releases carries the base build, which cannot tell)."""
    from toolkit.facts.servicing import hive_build

    threshold = baseline.get("tenant", {}).get("backup_on_by_default_from")
    images = [i for s in inputs.images for i in s.images if not i.boot_image]
    builds = [hive_build(i) or (i.version.build if i.origin == "registry" else None) for i in images]
    if threshold and images and all(b is not None and b >= threshold for b in builds):
        return {"backup_on_by_default": f"every image (build {', '.join(map(str, sorted(set(builds))))})"}
    return {}


def _vm_images(inputs: Inputs, baseline: dict) -> dict:
    """Images for virtual machines: Enterprise multi-session editions run as Azure Virtual Desktop or
    Windows 365 hosts."""
    editions = set(baseline["image"].get("multi_session_editions", []))
    vms = sorted({f"{s.path}#{i.index}" for s in inputs.images for i in s.images if i.edition_id in editions})
    return {"vm_images": f"image(s) {', '.join(vms)} are multi-session (virtual desktops)"} if vms else {}


def _esp_mitigation(inputs: Inputs) -> dict:
    """IMG004 softens to a warning when the effective ESP installs quality updates (ESP001 passes):
    every ESP that may be the effective one does, and none is unknown."""
    esp = inputs.esp
    if esp is None or esp.undecided or not esp.candidates or \
            any(e.data.get("installQualityUpdates") is not True for e, _ in esp.candidates):
        return {}
    chosen = esp.candidates[-1][0]
    return {"esp_installs_quality_updates": Evidence(chosen.file, chosen.locator("installQualityUpdates"), True, True)}
