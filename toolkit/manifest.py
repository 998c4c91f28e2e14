"""The canonical result document (schema oobe-ready/manifest/v1); every output renders from it."""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from datetime import datetime

from toolkit import __version__
from toolkit.engine import Inputs, Result, counts
from toolkit.inspection import image_document
from toolkit.rules.base import Context

SCHEMA = "oobe-ready/manifest/v1"


def file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def build_manifest(*, inputs: Inputs, results: list[Result], ctx: Context, baseline_sha: str,
                   generated_at: datetime, verdict: str, exit_code: int, fail_on: str,
                   missing_required: list[str], hash_images: bool) -> dict:
    manifest_inputs = []
    for source in inputs.images:
        manifest_inputs.append({
            "path": source.path, "kind": source.kind, "size": source.size,
            "guid": source.header.guid if source.header else None, "xml_sha256": source.xml_sha256,
            "sha256": (file_sha256(source.path) if source.kind != "directory" and (hash_images or source.header is None)
                       else None),
        })
    if inputs.tenant is not None:
        for path, sha in inputs.tenant.files:
            manifest_inputs.append({"path": path, "kind": "intune-export", "sha256": sha})
        for path, why, _ in inputs.tenant.unreadable:
            manifest_inputs.append({"path": path, "kind": "intune-export", "sha256": None, "error": why})
    for apf in inputs.autopilot_files:
        kind = "autopilot-file (in image)" if apf.image_path else "autopilot-file"
        manifest_inputs.append({"path": apf.path, "kind": kind, "sha256": apf.sha256})

    subjects = [{"id": f"{s.path}#{i.index}", "kind": "image", "source": s.path,
                 "facts": image_document(i, ctx.catalog)} for s in inputs.images for i in s.images]
    not_checked = sorted({r.verdict.message for r in results if r.verdict.outcome == "skipped"})
    return {
        "schema": SCHEMA,
        "tool": {"name": "oobe-ready", "version": __version__},
        "generated_at": generated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "check_date": ctx.today.isoformat(),
        "baseline": {"id": ctx.baseline["id"], "title": ctx.baseline["title"], "sha256": baseline_sha},
        "path": ctx.path,
        "catalog": {"as_of": ctx.catalog.as_of, "sha256": ctx.catalog.sha256},
        "options": {"fail_on": fail_on, "tenant_id": ctx.tenant_id, "cloud": ctx.cloud},
        "inputs": manifest_inputs,
        "ignored_export_files": inputs.tenant.ignored if inputs.tenant is not None else 0,
        "subjects": subjects,
        "results": [_result(r) for r in results],
        "not_checked": not_checked,
        "waivers": {"applied": [], "expired": [], "unused": []},
        "summary": {
            "counts": counts(results),
            "missing_required": missing_required,
            "verdict": verdict,
            "exit_code": exit_code,
        },
    }


def _result(result: Result) -> dict:
    rule, verdict = result.rule, result.verdict
    return {
        "rule": rule.id,
        "title": rule.title,
        "severity": rule.severity,
        "subject": result.subject,
        "outcome": verdict.outcome,
        "message": verdict.message,
        "evidence": [asdict(e) for e in verdict.evidence],
        "remediation": list(verdict.remediation + rule.remediation),
        "docs": rule.docs,
    }
