"""The canonical result document (schema oobe-ready/manifest/v1); every output renders from it."""

from __future__ import annotations

import math
from datetime import datetime

from toolkit import __version__
from toolkit.errors import InputError, read_input
from toolkit.pipeline.engine import Result, blocks, counts
from toolkit.pipeline.inspect import image_document
from toolkit.providers.base import Inputs
from toolkit.providers.registry import PROVIDERS
from toolkit.rules.base import Context

SCHEMA = "oobe-ready/manifest/v1"


def build_manifest(*, inputs: Inputs, results: list[Result], ctx: Context, baseline_sha: str,
                   generated_at: datetime, verdict: str, exit_code: int, options: dict, config: dict | None,
                   missing_required: list[str], image_hashes: dict[str, str], waivers: dict,
                   gaps: list[str]) -> dict:
    manifest_inputs = [entry for p in PROVIDERS if (facts := inputs.of(p.name)) is not None
                       for entry in p.manifest_inputs(facts, image_hashes)]
    images, tenant = inputs.of("image"), inputs.of("intune")
    subjects = [{"id": subject, "kind": "image", "source": subject.rpartition("#")[0],
                 "facts": image_document(i, ctx.catalog)} for subject, i in (images.indexes() if images else [])]
    not_checked = sorted({r.verdict.message for r in results if r.verdict.outcome == "skipped"})
    ignored = tenant.tenant.ignored if tenant is not None else []
    if ignored:
        not_checked.append(f"{len(ignored)} export file(s) held no recognised Intune/Entra object and were "
                           "ignored (ignored_export_files in the manifest names them)")
    return {
        "schema": SCHEMA,
        "tool": {"name": "oobe-ready", "version": __version__},
        "generated_at": generated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "as_of": ctx.today.isoformat(),
        "baseline": {"id": ctx.baseline["id"], "title": ctx.baseline["title"], "sha256": baseline_sha},
        "path": ctx.path,
        "catalog": ctx.catalog.describe(ctx.today),
        "config": config,
        "options": options,
        "inputs": manifest_inputs,
        "ignored_export_files": ignored,
        "subjects": subjects,
        "rules": [r.document() for r in {r.rule.id: r.rule for r in results}.values()],  # every format renders from it
        "results": [_result(r, options["fail_on"]) for r in results],
        "not_checked": not_checked,
        "waivers": waivers,
        "summary": {
            "counts": counts(results),
            "missing_required": missing_required,
            "gaps": gaps,
            "verdict": verdict,
            "exit_code": exit_code,
        },
    }


def _result(result: Result, fail_on: str) -> dict:
    rule, verdict = result.rule, result.verdict
    doc = {
        "rule": rule.id,
        "title": rule.title,
        "severity": rule.severity,
        "subject": result.subject,
        "outcome": result.outcome,
        "blocking": blocks(result, fail_on),
        "message": verdict.message,
        "evidence": [{"source": e.source, "locator": e.locator, "expected": plain(e.expected),
                      "actual": plain(e.actual)} for e in verdict.evidence],
        # a result that could not be judged is fixed by supplying the evidence, not by the rule's fix
        "remediation": list(verdict.remediation + (rule.remediation if verdict.outcome != "not-evaluated" else ())),
        "docs": rule.docs,
    }
    if result.waiver is not None:
        w = result.waiver
        doc["original_outcome"] = verdict.outcome
        doc["waiver"] = {"ticket": w.ticket, "owner": w.owner, "expires": w.expires.isoformat(),
                         "justification": w.justification}
    return doc


BUILT_PLAIN = ("results", "inputs")  # the parts the manifest builds of JSON types only


def normalised(manifest: dict) -> dict:
    """The manifest exactly as a saved file reads back, so that every format rendered now is
    byte-identical to the same format rendered later from the saved JSON. Its results are built plain
    (their evidence through plain()), its inputs are (Provider.manifest_inputs: thousands of export
    files); every other part goes through plain()."""
    return {key: value if key in BUILT_PLAIN else plain(value) for key, value in manifest.items()}


def plain(value: object) -> object:
    """`value` as JSON reads it back (`json.loads(json.dumps(value))`): lists for tuples, non-finite
    numbers as text (render/safe.finite), a fresh copy of every list and dict. A walk in Python for the
    usual types; anything else (keys that are not text, subclasses) takes the JSON round trip itself."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is float:
        return value if math.isfinite(value) else str(value)
    if kind is list or kind is tuple:
        return [plain(v) for v in value]
    if kind is dict and all(type(k) is str for k in value):
        return {k: plain(v) for k, v in value.items()}
    import json

    from toolkit.render.safe import finite

    return json.loads(json.dumps(finite(value), ensure_ascii=False))


def load_manifest(path: str) -> tuple[dict, str]:
    """A saved manifest, checked against the manifest JSON Schema (it is an input like any other),
    and the sha256 of the bytes it was read from."""
    import hashlib
    import json

    import jsonschema

    from toolkit import paths
    from toolkit.limits import MAX_MANIFEST_BYTES

    raw = read_input(path, MAX_MANIFEST_BYTES, "manifest")
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise InputError(path, f"not JSON ({exc})") from None
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        raise InputError(path, f"not an oobe-ready manifest (expected \"schema\": \"{SCHEMA}\")")
    schema = paths.schema("manifest")
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(doc))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(root)"
        raise InputError(path, f"not a valid oobe-ready manifest at {where}: {error.message}")
    return doc, hashlib.sha256(raw).hexdigest()
