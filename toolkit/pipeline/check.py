"""`check`, one straight line: load data → read every input kind → derive → evaluate → waive →
decide → document."""

from __future__ import annotations

import os
from datetime import date, datetime, timezone

from toolkit.baselines import load_baseline
from toolkit.catalog_store import current_catalog
from toolkit.errors import InputError
from toolkit.lifetime import settle
from toolkit.pipeline.derive import context_extras, coverage_gaps
from toolkit.pipeline.engine import decide, evaluate, supplied_kinds
from toolkit.pipeline.manifest import build_manifest, normalised
from toolkit.pipeline.options import CheckOptions
from toolkit.providers.base import Inputs, Progress
from toolkit.providers.registry import PROVIDERS, REQUIRE_NAMES
from toolkit.rules.base import Context


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


def run_check(options: CheckOptions, progress: Progress = None) -> dict:
    """The manifest of one run. `progress` (the CLI's display, or None) hears about long work."""
    # load data: a bad option, baseline or waiver ledger fails before any slow work
    unknown = sorted(set(options.require) - set(REQUIRE_NAMES))
    if unknown:
        raise InputError(None, f"--require: unknown kind(s) {', '.join(unknown)} (known: {', '.join(REQUIRE_NAMES)})")
    from toolkit.rules.registry import BY_ID, RULES

    baseline, baseline_sha = load_baseline(options.baseline)
    ledger = None
    if options.waivers:
        from toolkit.pipeline.waivers import load_waivers

        ledger = load_waivers(options.waivers, set(BY_ID))
    catalog = current_catalog(options.catalog)
    # read every input kind, in the registry's order
    inputs = Inputs()
    for provider in PROVIDERS:
        facts = provider.read(options, inputs, progress)
        if facts is not None:
            inputs.read[provider.name] = facts
    settle()  # the facts stay until the manifest is written (a one-shot run keeps them out of the collector's walks)
    # derive
    moment = now()
    today = options.as_of or datetime.now(timezone.utc).date()
    ctx = Context(baseline=baseline, path=options.path, today=today, catalog=catalog, tenant_id=options.tenant_id,
                  cloud=options.cloud, extras=context_extras(inputs, baseline))
    hashes = _hashes(inputs, options.hash_images or (ledger is not None and ledger.needs_image_hashes()), progress)
    # evaluate, waive, decide
    from toolkit.pipeline.waivers import apply

    refs = {k: v for p in PROVIDERS if (facts := inputs.of(p.name)) is not None
            for k, v in p.subject_refs(facts, hashes).items()} if ledger is not None else {}  # waivers only
    results, waivers = apply(evaluate(RULES, inputs, ctx), refs, ledger, ctx.today)
    missing = [k for k in options.require if k not in supplied_kinds(inputs)]
    gaps = coverage_gaps(inputs)
    verdict, code = decide(results, options.fail_on, missing + gaps)
    # document
    return normalised(build_manifest(
        inputs=inputs, results=results, ctx=ctx, baseline_sha=baseline_sha, generated_at=moment,
        verdict=verdict, exit_code=code, options=effective_options(options, today), config=options.config,
        missing_required=missing, image_hashes=hashes, waivers=waivers, gaps=gaps,
    ))


def _hashes(inputs: Inputs, whole: bool, progress: Progress) -> dict[str, str]:
    """sha256 of the XML documents, and of the image files when `whole` (--hash-images, or a waiver
    scoped by digest): images run to gigabytes."""
    images = inputs.of("image")
    if images is None:
        return {}
    from toolkit.digests import hash_files

    return hash_files(images.files_to_hash(whole), progress)


def effective_options(options: CheckOptions, today: date) -> dict:
    """Every setting that shaped the verdict, as the manifest records it."""
    return {"baseline": options.baseline, "path": options.path, "fail_on": options.fail_on,
            "as_of": today.isoformat(), "as_of_given": options.as_of is not None, "deep": options.deep,
            "require": list(options.require), "tenant_id": options.tenant_id, "cloud": options.cloud,
            "index": options.index, "hash_images": options.hash_images, "waivers": options.waivers,
            "catalog": options.catalog, "target_groups": list(options.target_groups)}
