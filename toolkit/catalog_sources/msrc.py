"""Microsoft's monthly security release documents (MSRC CVRF API v3.0), read into catalog updates.

`GET {base}updates` lists every document (`{"value": [{"ID": "2026-Jun", "InitialReleaseDate": ...,
"CvrfUrl": ...}]}`); `GET {base}cvrf/{ID}` is one month: the products (`ProductTree`) and, per
vulnerability, the remediations with the KB (`Description`), the fixed build (`FixedBuild`,
`10.0.26100.8655`), the subtype (`Security Update`, `Security Hotpatch Update`, ...) and the
products they fix. The API answers XML (CVRF 1.1) or, asked for it, JSON of the same structure;
both are read. Untrusted like any input: size-capped, entity-free XML.
"""

from __future__ import annotations

import json
import re

from toolkit.errors import InputError
from toolkit.records import record
from toolkit.sources.safexml import parse_xml

DEFAULT_BASE = "https://api.msrc.microsoft.com/cvrf/v3.0/"
NS = {"cvrf": "http://www.icasi.org/CVRF/schema/cvrf/1.1", "vuln": "http://www.icasi.org/CVRF/schema/vuln/1.1",
      "prod": "http://www.icasi.org/CVRF/schema/prod/1.1"}
MONTH_ID = re.compile(r"(\d{4})-(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)", re.IGNORECASE)
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
FIXED_BUILD = re.compile(r"10\.0\.(\d{5})\.(\d+)")
# the cumulative update itself; hotpatches need their baseline month, which the document does not give
CUMULATIVE = ("Security Update",)


@record
class Month:
    id: str              # 2026-Jun
    released: str        # InitialReleaseDate, YYYY-MM-DD
    url: str

    @property
    def key(self) -> tuple[int, int]:
        match = MONTH_ID.fullmatch(self.id)
        assert match
        return int(match.group(1)), MONTHS.index(match.group(2).lower()) + 1


@record
class Fix:
    product: str         # "Windows 11 Version 24H2 for x64-based Systems"
    kb: str              # KB5094126
    build: int           # 26100
    ubr: int             # 8655
    server: bool


def months(index: bytes, where: str) -> list[Month]:
    """The monthly security release documents an `updates` response lists, oldest first."""
    try:
        doc = json.loads(index)
        entries = doc["value"]
        found = [Month(e["ID"], str(e["InitialReleaseDate"])[:10], e["CvrfUrl"]) for e in entries
                 if isinstance(e, dict) and MONTH_ID.fullmatch(str(e.get("ID", "")))]
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(where, f"not an MSRC CVRF release list ({type(exc).__name__}: {exc})") from None
    return sorted(found, key=lambda m: m.key)


def fixes(document: bytes, where: str) -> tuple[str, list[Fix]]:
    """(the document's initial release date, every Windows cumulative update it names)."""
    text = document.lstrip()
    if text.startswith(b"{"):
        return _from_json(text, where)
    return _from_xml(document, where)


def _from_xml(document: bytes, where: str) -> tuple[str, list[Fix]]:
    root = parse_xml(document, where, "CVRF document")
    released = root.findtext("cvrf:DocumentTracking/cvrf:InitialReleaseDate", namespaces=NS)
    if not released:
        raise InputError(where, "not a CVRF document (no DocumentTracking/InitialReleaseDate)")
    names = {p.get("ProductID"): (p.text or "") for p in root.iterfind(".//prod:FullProductName", NS)}
    found = []
    for remedy in root.iterfind(".//vuln:Remediation", NS):
        found += _fixes(names, remedy.findtext("vuln:Description", namespaces=NS),
                        remedy.findtext("vuln:FixedBuild", namespaces=NS),
                        remedy.findtext("vuln:SubType", namespaces=NS),
                        [p.text for p in remedy.iterfind("vuln:ProductID", NS)])
    return released[:10], found


def _from_json(document: bytes, where: str) -> tuple[str, list[Fix]]:
    try:
        doc = json.loads(document)
        released = doc["DocumentTracking"]["InitialReleaseDate"]
        names = {p["ProductID"]: p.get("Value", "") for p in doc["ProductTree"]["FullProductName"]}
        found = []
        for vuln in doc.get("Vulnerability") or []:
            for remedy in vuln.get("Remediations") or []:
                found += _fixes(names, (remedy.get("Description") or {}).get("Value"), remedy.get("FixedBuild"),
                                remedy.get("SubType"), remedy.get("ProductID") or [])
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InputError(where, f"not a CVRF document ({type(exc).__name__}: {exc})") from None
    return str(released)[:10], found


def _fixes(names: dict, kb: object, fixed: object, subtype: object, products: list) -> list[Fix]:
    match = FIXED_BUILD.fullmatch(str(fixed or ""))
    if not match or subtype not in CUMULATIVE or not str(kb or "").isdigit():
        return []
    build, ubr = int(match.group(1)), int(match.group(2))
    return [Fix(name, f"KB{kb}", build, ubr, "Server" in name) for pid in products
            if (name := names.get(pid, "")).startswith("Windows")]
