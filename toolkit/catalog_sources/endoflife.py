"""Lifecycle dates from endoflife.date's public JSON API (`GET {base}{product}.json`: a list of release
cycles `{"cycle": "11-24h2-e", "releaseDate", "eol", "support", "extendedSupport", ...}`).

Each catalog branch records where its dates come from (`eol_cycles`: family -> `product/cycle`, with
`#field` when the date is not `eol`), so an update refreshes them without knowing Windows itself.
"""

from __future__ import annotations

import json
import re

from toolkit.errors import InputError

DEFAULT_BASE = "https://endoflife.date/api/"
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def products(branches: list[dict]) -> set[str]:
    return {ref.split("/", 1)[0] for b in branches for ref in (b.get("eol_cycles") or {}).values()}


def cycles(body: bytes, where: str) -> dict[str, dict]:
    """The cycles of one product response, by name."""
    try:
        doc = json.loads(body)
        return {str(c["cycle"]): c for c in doc if isinstance(c, dict) and "cycle" in c}
    except (ValueError, TypeError, KeyError) as exc:
        raise InputError(where, f"not an endoflife.date product response ({type(exc).__name__}: {exc})") from None


def apply(branches: list[dict], found: dict[str, dict[str, dict]]) -> int:
    """Set each branch's lifecycle dates from the cycles found; the number of dates that changed. A
    cycle the API does not list (yet) keeps the date the catalog has."""
    changed = 0
    for branch in branches:
        for family, ref in (branch.get("eol_cycles") or {}).items():
            product, _, rest = ref.partition("/")
            name, _, field = rest.partition("#")
            value = found.get(product, {}).get(name, {}).get(field or "eol")
            if isinstance(value, str) and DATE.fullmatch(value) and branch["lifecycle"].get(family) != value:
                branch["lifecycle"][family] = value
                changed += 1
    return changed
