"""Waivers: accountable, expiring exceptions read from a TOML ledger (`--waivers FILE`).

Each `[[waiver]]` names a rule, a scope (image sha256 or GUID, a build range, an export file and
object id), a justification, an owner, a ticket and an expiry date. A waiver applies to findings
(`fail`, `warn`) only: missing evidence stays `not-evaluated`. A waived result keeps the outcome
it would have had; expired entries stop applying, entries expiring within 14 days are flagged,
entries that matched nothing are reported as unused.
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from datetime import date

from toolkit.errors import InputError, read_input
from toolkit.limits import MAX_SMALL_FILE_BYTES
from toolkit.records import record

REQUIRED = ("rule", "scope", "justification", "owner", "ticket", "expires")
SCOPE_KEYS = ("image_sha256", "image_guid", "build", "export", "object_id")
EXPIRING_DAYS = 14
WAIVABLE = ("fail", "warn")


@record
class Waiver:
    number: int              # position in the file, 1-based
    rule: str
    scope: dict[str, str]
    justification: str
    owner: str
    ticket: str
    expires: date

    def document(self) -> dict:
        return {"ticket": self.ticket, "rule": self.rule, "scope": dict(self.scope), "owner": self.owner,
                "expires": self.expires.isoformat(), "justification": self.justification}


@record
class WaiverFile:
    path: str
    sha256: str
    waivers: tuple[Waiver, ...]

    def needs_image_hashes(self) -> bool:
        return any("image_sha256" in w.scope for w in self.waivers)


def load_waivers(path: str, known_rules: set[str]) -> WaiverFile:
    from toolkit.baselines import tomllib

    raw = read_input(path, MAX_SMALL_FILE_BYTES, "waiver file")
    try:
        doc = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(path, f"not a valid TOML waiver file ({exc})") from None
    extra = sorted(set(doc) - {"waiver"})
    if extra:
        raise InputError(path, f"unknown top-level key(s) {', '.join(extra)}; entries go in [[waiver]] tables")
    entries = doc.get("waiver", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise InputError(path, "`waiver` must be an array of tables ([[waiver]])")
    waivers = tuple(_entry(path, n, e, known_rules) for n, e in enumerate(entries, 1))
    return WaiverFile(path, hashlib.sha256(raw).hexdigest(), waivers)


def _entry(path: str, n: int, entry: dict, known_rules: set[str]) -> Waiver:
    def bad(problem: str) -> InputError:
        return InputError(path, f"waiver {n}: {problem}")

    missing = [k for k in REQUIRED if k not in entry]
    if missing:
        raise bad(f"missing field(s) {', '.join(missing)} (each waiver needs {', '.join(REQUIRED)})")
    unknown = sorted(set(entry) - set(REQUIRED))
    if unknown:
        raise bad(f"unknown field(s) {', '.join(unknown)}")
    for key in ("rule", "justification", "owner", "ticket"):
        if not isinstance(entry[key], str) or not entry[key].strip():
            raise bad(f"`{key}` must be a non-empty string")
    from toolkit.rules.registry import current_id

    rule = current_id(entry["rule"].strip())  # a renamed rule's old ID still names it
    if rule not in known_rules:
        raise bad(f"unknown rule {entry['rule']!r}; `oobe-ready rules` lists them")
    expires = entry["expires"]
    if isinstance(expires, str):
        try:
            expires = date.fromisoformat(expires)
        except ValueError:
            raise bad(f"`expires` {entry['expires']!r} is not a date (YYYY-MM-DD)") from None
    if not isinstance(expires, date) or hasattr(expires, "hour"):
        raise bad("`expires` must be a date such as 2026-12-31")
    return Waiver(n, rule, _scope(entry["scope"], bad), entry["justification"].strip(), entry["owner"].strip(),
                  entry["ticket"].strip(), expires)

def _scope(scope: object, bad) -> dict[str, str]:
    if not isinstance(scope, dict) or not scope:
        raise bad(f"`scope` must be a table with one or more of {', '.join(SCOPE_KEYS)}")
    unknown = sorted(set(scope) - set(SCOPE_KEYS))
    if unknown:
        raise bad(f"unknown scope key(s) {', '.join(unknown)} (known: {', '.join(SCOPE_KEYS)})")
    if not all(isinstance(v, str) and v.strip() for v in scope.values()):
        raise bad("scope values must be non-empty strings")
    scope = {k: v.strip() for k, v in scope.items()}
    if "image_sha256" in scope:
        scope["image_sha256"] = scope["image_sha256"].lower()
        if not re.fullmatch(r"[0-9a-f]{64}", scope["image_sha256"]):
            raise bad("scope.image_sha256 must be 64 hex digits")
    if "image_guid" in scope:
        guid = _guid(scope["image_guid"])
        if guid is None:
            raise bad(f"scope.image_guid {scope['image_guid']!r} is not a GUID (as `oobe-ready inspect` shows it)")
        scope["image_guid"] = guid
    if "build" in scope:
        from packaging.specifiers import InvalidSpecifier, SpecifierSet  # only ledgers with build ranges need it

        try:
            spec = SpecifierSet(scope["build"])
        except InvalidSpecifier:
            raise bad(f"scope.build {scope['build']!r} is not a range such as '>=22631.4000,<22631.5000'") from None
        if not len(spec):
            raise bad("scope.build is empty")
    if "object_id" in scope and "export" not in scope:
        raise bad("scope.object_id needs scope.export (the file the object was exported to)")
    image_keys = {"image_sha256", "image_guid", "build"} & set(scope)
    if image_keys and "export" in scope:
        raise bad("a scope is either an image (image_sha256, image_guid, build) or an export (export, object_id)")
    return scope


@record
class SubjectRef:
    """What a waiver scope can match on, for one result subject."""

    image_sha256: str | None = None
    image_guid: str | None = None
    build: str | None = None        # "22631.4037": the build and the lowest servicing level
    files: tuple[str, ...] = ()     # export files the subject (or its evidence) lives in
    object_id: str | None = None


def matches(waiver: Waiver, ref: SubjectRef) -> bool:
    scope = waiver.scope
    if "image_sha256" in scope and scope["image_sha256"] != ref.image_sha256:
        return False
    if "image_guid" in scope and (ref.image_guid is None or scope["image_guid"] != _guid(ref.image_guid)):
        return False
    if "build" in scope:
        from packaging.specifiers import SpecifierSet
        from packaging.version import InvalidVersion, Version

        try:
            if ref.build is None or Version(ref.build) not in SpecifierSet(scope["build"]):
                return False
        except InvalidVersion:
            return False
    # Every file the finding rests on must be the named export: a waiver never widens to others.
    if "export" in scope and not (ref.files and all(_same_file(scope["export"], f) for f in ref.files)):
        return False
    return "object_id" not in scope or (ref.object_id or "").lower() == scope["object_id"].lower()


def _guid(value: str) -> str | None:
    """A WIM header GUID as 32 hex digits (inspect, wimlib's 0x form) or in braces, normalised."""
    text = value.strip().strip("{}")
    text = text[2:] if text.lower().startswith("0x") else text
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return None


def _same_file(wanted: str, actual: str) -> bool:
    """An export path in a waiver matches the path given on the command line, or its tail."""
    from pathlib import Path  # a run without a waiver ledger never gets here

    want, got = Path(os.path.normpath(wanted)).as_posix(), Path(os.path.normpath(actual)).as_posix()
    return got == want or got.endswith("/" + want)


def days_left(waiver: Waiver, today: date) -> int:
    return (waiver.expires - today).days


def apply(results: list, refs: dict[str, SubjectRef], ledger: WaiverFile | None, today: date) -> tuple[list, dict]:
    """Attach the first live matching waiver to each finding; report applied, expiring, expired, unused."""
    from toolkit.records import replace

    report: dict = {"file": None, "sha256": None, "applied": [], "expiring": [], "expired": [], "unused": []}
    if ledger is None:
        return results, report
    report.update(file=ledger.path, sha256=ledger.sha256)
    covered: dict[int, list[str]] = {w.number: [] for w in ledger.waivers}
    out = []
    for result in results:
        if result.verdict.outcome in WAIVABLE:
            ref = refs.get(result.subject) or SubjectRef(files=tuple(e.source for e in result.verdict.evidence))
            hits = [w for w in ledger.waivers if w.rule == result.rule.id and matches(w, ref)]
            for w in hits:
                covered[w.number].append(result.subject)
            live = next((w for w in hits if days_left(w, today) >= 0), None)
            if live is not None:
                result = replace(result, waiver=live)
        out.append(result)
    for w in ledger.waivers:
        entry = {**w.document(), "days_left": days_left(w, today), "subjects": covered[w.number]}
        if entry["days_left"] < 0:
            report["expired"].append(entry)
        elif not covered[w.number]:
            report["unused"].append(entry)
        else:
            report["applied"].append(entry)
            if entry["days_left"] <= EXPIRING_DAYS:
                report["expiring"].append(entry)
    return out, report
