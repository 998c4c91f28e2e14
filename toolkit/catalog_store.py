"""Which release catalog a run uses, and `oobe-ready catalog update`.

Three catalogs can exist: the one shipped with the package, a user catalog that `catalog update`
writes to the user's data directory (platformdirs; `OOBE_READY_DATA_DIR` overrides), and one pinned
with `--catalog FILE`. A run uses the pinned one, else the newer of shipped and user. Every catalog
but the shipped one is validated against manifests/schema/catalog-v1.schema.json before use.

`catalog update` reads Microsoft's monthly security release documents (MSRC CVRF) for the months
released after the current catalog's `as_of`, merges their cumulative updates into a copy of it and
writes the result atomically with provenance (source URL, fetch time, sha256 of every document).
`--from FILE` imports a catalog saved elsewhere (air-gapped pipelines); `--from URL` reads a mirror
of the MSRC API. A network error, a month that is due but has no Windows update yet (partial), or a
malformed document stops the update with one line; the existing catalog is never touched.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from datetime import date, datetime, timezone
from functools import cache

from toolkit import paths
from toolkit.catalog import CATALOG_FILE, Catalog, patch_tuesday
from toolkit.digests import sha256_hex
from toolkit.errors import InputError, read_input
from toolkit.paths import manifests_root

USER_FILE = "windows-releases.json"
MAX_CATALOG_BYTES = 64 * 1024 * 1024
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
TIMEOUT = 60.0

Progress = Callable[[str], None]


def user_catalog_path() -> str:
    override = os.environ.get("OOBE_READY_DATA_DIR")
    if override:
        return os.path.join(override, USER_FILE)
    if sys.platform.startswith("linux"):  # platformdirs' rule, without its import of tempfile at start-up
        data = os.environ.get("XDG_DATA_HOME", "").strip() or os.path.join(os.path.expanduser("~"), ".local/share")
        return os.path.join(data, "oobe-ready", USER_FILE)
    from platformdirs import user_data_dir

    return os.path.join(user_data_dir("oobe-ready", appauthor=False), USER_FILE)


def shipped_catalog() -> Catalog:
    return Catalog.from_file(os.path.join(manifests_root(), CATALOG_FILE))


def load_catalog_file(path: str, origin: str) -> Catalog:
    """A catalog file that is not the shipped one: read, validated, or one clear line naming it."""
    raw = read_input(path, MAX_CATALOG_BYTES, "release catalog")
    try:
        doc = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise InputError(path, f"not a release catalog: not JSON ({exc})") from None
    _validate(doc, path)
    return Catalog(doc, sha256_hex(raw), origin)


def current_catalog(pinned: str | None = None) -> Catalog:
    """The catalog a run uses: the pinned file, else the newer of the shipped and the user catalog."""
    return _current(pinned)


@cache
def _current(pinned: str | None) -> Catalog:  # one instance per choice, however it is asked for
    if pinned:
        return load_catalog_file(pinned, "pinned")
    shipped = shipped_catalog()
    user = user_catalog_path()
    if not os.path.isfile(user):
        return shipped
    updated = load_catalog_file(user, "updated")
    return updated if updated.as_of >= shipped.as_of else shipped


def _validate(doc: object, where: str) -> None:
    import jsonschema

    schema = paths.schema("catalog")
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    error = jsonschema.exceptions.best_match(validator.iter_errors(doc))
    if error is not None:
        at = "/".join(str(p) for p in error.absolute_path) or "(root)"
        raise InputError(where, f"not a valid release catalog at {at}: {error.message}")


def update(source: str | None, today: date, progress: Progress | None = None,
           lifecycle: str | None = None) -> tuple[str, str]:
    """Bring the user catalog up to date; (where it was written, a one-line summary)."""
    target = user_catalog_path()
    if source and not source.startswith(("http://", "https://")):
        imported = load_catalog_file(source, "imported")
        doc = json.loads(read_input(source, MAX_CATALOG_BYTES, "release catalog"))
        _write(target, doc)
        return target, f"imported {source} (as of {imported.as_of})"
    base = (source or "").rstrip("/") + "/" if source else None
    current = current_catalog()
    doc, added, months = _merge_msrc(current, base, today, progress)
    dates = _merge_lifecycle(doc, lifecycle, progress)
    _validate(doc, "the merged catalog")
    _write(target, doc)
    done = ", ".join(months) or "none due"
    return target, (f"{added} update(s) from {len(months)} month(s) ({done}), {dates} lifecycle date(s) changed; "
                    f"catalog as of {doc['as_of']}")


def _merge_lifecycle(doc: dict, base: str | None, progress: Progress | None) -> int:
    """Refresh every lifecycle date from endoflife.date (or its mirror at `base`)."""
    from toolkit.catalog_sources import endoflife

    base = (base.rstrip("/") + "/") if base else endoflife.DEFAULT_BASE
    fetched_at = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    found = {}
    with _client() as client:
        for product in sorted(endoflife.products(doc["branches"])):
            url = f"{base}{product}.json"
            body = _get(client, url, progress)
            found[product] = endoflife.cycles(body, url)
            doc["sources"].append({"name": f"endoflife.date {product}", "url": url, "fetched": fetched_at,
                                   "sha256": sha256_hex(body), "license": "MIT"})
    return endoflife.apply(doc["branches"], found)


def _merge_msrc(current: Catalog, base: str | None, today: date,
                progress: Progress | None) -> tuple[dict, int, list[str]]:
    import copy

    from toolkit.catalog_sources import msrc

    base = base or msrc.DEFAULT_BASE
    fetched_at = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    with _client() as client:
        index_url = base + "updates"
        listed = msrc.months(_get(client, index_url, progress), index_url)
        as_of = date.fromisoformat(current.as_of)
        due = [m for m in listed if patch_tuesday(*m.key) > as_of and patch_tuesday(*m.key) <= today]
        doc = copy.deepcopy(current.doc)
        added = 0
        for month in due:
            url = base + "cvrf/" + month.id
            body = _get(client, url, progress)
            released, fixes = msrc.fixes(body, url)
            windows = [f for f in fixes if f.kb]
            if not windows:
                raise InputError(url, f"{month.id} lists no Windows cumulative update yet (a partial month); "
                                      "try again later; the catalog was not changed")
            added += _add(doc, windows, released, month.id)
            doc["sources"].append({"name": f"MSRC CVRF {month.id}", "url": url, "fetched": fetched_at,
                                   "sha256": sha256_hex(body), "license": "Microsoft public API"})
    doc["as_of"] = max(doc["as_of"], today.isoformat())  # every month released by today was read
    return doc, added, [m.id for m in due]


def _add(doc: dict, fixes: list, released: str, month: str) -> int:
    """Add each branch's cumulative update of the month (an update the catalog has keeps its data)."""
    added = 0
    for fix in fixes:
        kind = "server" if fix.server else "client"
        for branch in doc["branches"]:
            if branch["build"] != fix.build or branch["os_type"] != kind:
                continue
            if any(u["ubr"] == fix.ubr for u in branch["updates"]):
                continue
            branch["updates"].append({"ubr": fix.ubr, "kb": fix.kb, "date": released, "type": "security",
                                      "source": f"MSRC CVRF {month}"})
            branch["updates"].sort(key=lambda u: u["ubr"])
            added += 1
    return added


def _client():
    import httpx

    return httpx.Client(timeout=TIMEOUT, follow_redirects=True, transport=httpx.HTTPTransport(retries=3),
                        headers={"Accept": "application/json, application/xml;q=0.9",
                                 "User-Agent": "oobe-ready catalog update"})


def _get(client, url: str, progress: Progress | None) -> bytes:
    """One document, retried on 429 / 5xx (honouring Retry-After up to 30 s), size-capped."""
    import time

    import httpx

    if progress is not None:
        progress(f"reading {url}")
    for attempt in range(4):
        try:
            with client.stream("GET", url) as response:
                if response.status_code in (429, 500, 502, 503, 504) and attempt < 3:
                    wait = response.headers.get("Retry-After", "")
                    time.sleep(min(float(wait), 30.0) if wait.isdigit() else 2.0 * (attempt + 1))
                    continue
                if response.status_code != 200:
                    raise InputError(url, f"HTTP {response.status_code}; the catalog was not changed")
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > MAX_DOCUMENT_BYTES:
                        raise InputError(url, f"response over {MAX_DOCUMENT_BYTES} bytes; the catalog was not changed")
                return bytes(body)
        except httpx.HTTPError as exc:
            raise InputError(url, f"cannot read ({type(exc).__name__}: {exc}); the catalog was not changed") from None
    raise InputError(url, "still failing after 4 attempts; the catalog was not changed")


def _write(target: str, doc: dict) -> None:
    from toolkit.files import write_atomic

    os.makedirs(os.path.dirname(target), exist_ok=True)
    write_atomic(target, json.dumps(doc, indent=1, ensure_ascii=True) + "\n")
    _current.cache_clear()
