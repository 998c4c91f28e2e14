"""`oobe-ready diff A B`: what changed between two tenant snapshots (or any two exports) that flips a
rule's outcome. Both are judged by the same rules, baseline and date; results are matched by rule and
by the object's place in its snapshot (a snapshot names each object's file by its id, so a renamed
policy is still the same object). Setting changes that flip nothing are not shown: that is noise."""

from __future__ import annotations

import json
import os
from contextlib import suppress
from datetime import date

from toolkit.pipeline.check import run_check
from toolkit.pipeline.options import CheckOptions

SCHEMA = "oobe-ready/diff/v1"


def run_diff(before: str, after: str, baseline: str, path: str, as_of: date | None) -> dict:
    sides = []
    for folder in (before, after):
        manifest = run_check(CheckOptions(inputs={"intune": (folder,)}, baseline=baseline, path=path, as_of=as_of))
        sides.append((folder, manifest, _keyed(manifest, folder)))
    (_, old, a), (_, new, b) = sides
    changes = []
    for key in sorted(a.keys() | b.keys()):
        was, now = a.get(key), b.get(key)
        if (was or {}).get("outcome") == (now or {}).get("outcome"):
            continue
        shown = now or was
        changes.append({"rule": key[0], "title": shown["title"], "severity": shown["severity"], "object": key[1],
                        "subject": shown["subject"], "before": was["outcome"] if was else "absent",
                        "after": now["outcome"] if now else "absent", "message": shown["message"]})
    return {"schema": SCHEMA, "baseline": baseline, "path": path,
            "before": _side(before, old), "after": _side(after, new), "changes": changes}


def _keyed(manifest: dict, folder: str) -> dict[tuple[str, str], dict]:
    """Results by (rule, object): the subject's file relative to the snapshot and its JSON Pointer."""
    roots = [os.path.join(folder, ""), folder.rstrip("/\\") + "/"]
    keyed = {}
    for result in manifest["results"]:
        subject = result["subject"]
        for root in roots:
            subject = subject.removeprefix(root)
        place = subject.split(" (", 1)[0] if "#" in subject else subject
        keyed[(result["rule"], place)] = result
    return keyed


def _side(folder: str, manifest: dict) -> dict:
    from toolkit.errors import InputError, read_input
    from toolkit.limits import MAX_JSON_BYTES

    taken = None
    with suppress(InputError, ValueError, AttributeError):  # an export, not a snapshot
        # read as check reads it: bounded, never a FIFO
        raw = read_input(os.path.join(folder, "snapshot.json"), MAX_JSON_BYTES, "snapshot")
        taken = json.loads(raw).get("taken_at")
    return {"path": folder, "taken_at": taken, "verdict": manifest["summary"]["verdict"]}
