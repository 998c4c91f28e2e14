"""Dated requirement baselines, as data in manifests/baselines/*.toml."""

from __future__ import annotations

import hashlib
import os
import sys

from toolkit import paths
from toolkit.errors import InputError
from toolkit.paths import manifests_root

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DEFAULT_BASELINE = "wbfo-2026-09"


def baseline_files() -> dict[str, str]:
    """Each shipped baseline's id (its file name without .toml) and file path."""
    folder = os.path.join(manifests_root(), "baselines")
    return {name[:-5]: os.path.join(folder, name) for name in sorted(os.listdir(folder)) if name.endswith(".toml")}


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
    """The baseline document (validated, optional settings defaulted) and the sha256 of its file.
    `baseline_id` names a shipped baseline, or is the path of a baseline file of one's own (.toml)."""
    own = baseline_id.endswith(".toml") or "/" in baseline_id
    if own:
        from toolkit.errors import read_input

        path = baseline_id
        raw = read_input(path, 1024 * 1024, "baseline")
    else:
        files = baseline_files()
        if baseline_id not in files:
            raise InputError(None, f"unknown baseline {baseline_id!r} (known: {', '.join(files)})")
        path = files[baseline_id]
        with open(path, "rb") as fh:
            raw = fh.read()
    try:
        doc = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(path, f"not a valid baseline: not TOML ({exc})") from None
    return _validated(doc, path, check=own), hashlib.sha256(raw).hexdigest()


def _validated(doc: dict, path: str, check: bool = True) -> dict:
    """Check a baseline against manifests/schema/baseline-v1.schema.json (the shipped ones are checked
    by the tests, so a run does not load jsonschema for them); fill the optional settings an older
    baseline predates with their defaults, so a rule never meets a missing key."""
    schema = paths.schema("baseline")
    if check:
        import jsonschema

        error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(doc))
        if error is not None:
            at = ".".join(str(p) for p in error.absolute_path) or "(top level)"
            raise InputError(path, f"not a valid baseline at {at}: {error.message}")
    for key, spec in schema["properties"].items():
        if "default" in spec:
            doc.setdefault(key, spec["default"])
    return doc
