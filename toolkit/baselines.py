"""Dated requirement baselines, as data in manifests/baselines/*.toml."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from toolkit.errors import InputError
from toolkit.paths import manifests_dir

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DEFAULT_BASELINE = "wbfo-2026-09"


def baseline_files() -> dict[str, Path]:
    return {p.stem: p for p in sorted((manifests_dir() / "baselines").glob("*.toml"))}


def baseline_changes(old: dict, new: dict) -> list[tuple[str, object, object]]:
    """(dotted key, value in old, value in new) for every setting that differs; '(absent)' when missing."""
    def flat(doc: dict, prefix: str = "") -> dict[str, object]:
        out: dict[str, object] = {}
        for key, value in doc.items():
            name = f"{prefix}{key}"
            if isinstance(value, dict) and value:
                out.update(flat(value, name + "."))
            else:
                out[name] = value
        return out

    a, b = flat(old), flat(new)
    return [(k, a.get(k, "(absent)"), b.get(k, "(absent)")) for k in sorted(a.keys() | b.keys())
            if a.get(k, "(absent)") != b.get(k, "(absent)")]


def load_baseline(baseline_id: str) -> tuple[dict, str]:
    """The baseline document and the sha256 of its file."""
    files = baseline_files()
    if baseline_id not in files:
        raise InputError(None, f"unknown baseline {baseline_id!r} (known: {', '.join(files)})")
    raw = files[baseline_id].read_bytes()
    return tomllib.loads(raw.decode("utf-8")), hashlib.sha256(raw).hexdigest()
