"""The release catalog: build.UBR -> servicing branch, KB, date, type and lifecycle.

Lookups go through the tables, never through integer comparison alone: hotpatch builds sit on
their baseline month, and enablement-package releases (23H2, 25H2, Windows 10 21H2/22H2) share
the binaries, UBRs and WIM XML BUILD of their base build.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from functools import cached_property
from typing import NamedTuple

from toolkit.digests import sha256_hex
from toolkit.records import record

CATALOG_FILE = "catalog/windows-releases.json"


class Update(NamedTuple):  # a catalog holds thousands: a tuple is built ten times faster than a frozen dataclass
    ubr: int
    kb: str
    date: str
    type: str  # security | preview | out-of-band | hotpatch | hotpatch-oob
    baseline_ubr: int | None = None  # hotpatch: the quarterly baseline it sits on
    expired: bool = False


@record
class Branch:
    id: str
    product: str
    version: str
    build: int
    base_build: int
    os_type: str
    enablement_kb: str | None
    ga_date: str
    ga_ubr: int
    lifecycle: dict[str, str]
    update_entries: list[dict]  # as the catalog file lists them; read into `updates` when first asked

    @cached_property  # a run asks about one or two releases: the other releases' updates are never built
    def updates(self) -> dict[int, Update]:
        return {u["ubr"]: Update(ubr=u["ubr"], kb=u["kb"], date=u["date"], type=u["type"],
                                 baseline_ubr=u.get("baseline_ubr"), expired=u.get("expired", False))
                for u in self.update_entries}

    @property
    def last_ubr(self) -> int:
        return max(self.updates) if self.updates else self.ga_ubr

    def serviced_on(self, day: str) -> bool:
        """True while any edition family of this branch still gets updates on `day`."""
        return any(end >= day for end in self.lifecycle.values())

    @property
    def serviced_until(self) -> str:
        """The last day any edition family (Extended Security Updates included) gets updates."""
        return max(self.lifecycle.values())


def patch_tuesday(year: int, month: int) -> date:
    """The second Tuesday of the month: the day Microsoft ships the monthly security (B) update."""
    first = date(year, month, 1)
    return first + timedelta(days=(1 - first.weekday()) % 7 + 7)


def newest_patch_tuesday(on: date) -> date:
    """The newest Patch Tuesday on or before `on`."""
    this = patch_tuesday(on.year, on.month)
    if this <= on:
        return this
    return patch_tuesday(on.year - (on.month == 1), 12 if on.month == 1 else on.month - 1)


def patch_tuesdays(after: date, until: date) -> list[date]:
    """Patch Tuesdays strictly after `after`, up to and including `until`, oldest first."""
    found, year, month = [], after.year, after.month
    while (day := patch_tuesday(year, month)) <= until:
        if day > after:
            found.append(day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


@record
class ReleaseMatch:
    """Which branches a build.UBR can belong to. Several when the WIM XML cannot tell."""

    build: int
    ubr: int | None
    branches: tuple[Branch, ...]

    @property
    def label(self) -> str | None:
        versions = [b.version for b in self.branches]
        if not versions:
            return None
        return versions[0] if len(versions) == 1 else ", ".join(versions[:-1]) + " or " + versions[-1]

    @property
    def ambiguous(self) -> bool:
        return len(self.branches) > 1

    @property
    def update(self) -> Update | None:
        """The update this UBR corresponds to (shared by every candidate branch)."""
        if self.ubr is None:
            return None
        for branch in self.branches:
            if self.ubr in branch.updates:
                return branch.updates[self.ubr]
        return None


class Catalog:
    def __init__(self, doc: dict, sha256: str, origin: str = "shipped") -> None:
        self.as_of: str = doc["as_of"]
        self.sha256 = sha256
        self.origin = origin  # shipped | updated (oobe-ready catalog update) | pinned (--catalog)
        self.doc = doc
        self.sources: list[dict] = doc["sources"]
        self.branches: tuple[Branch, ...] = tuple(_branch(b) for b in doc["branches"])
        # Every image rule and the manifest ask about the same few builds: answer each once.
        self._matches: dict[tuple[int, int | None, str | None, bool], ReleaseMatch] = {}

    @classmethod
    def from_file(cls, path: str) -> Catalog:
        with open(path, "rb") as fh:
            raw = fh.read()
        return cls(json.loads(raw), sha256_hex(raw))

    def describe(self, today: date) -> dict:
        """What the manifest and every format say about the catalog: its date, where it came from, and
        the Patch Tuesdays since it was collected (months whose KBs it cannot name)."""
        behind = [d.isoformat() for d in self.missing_patch_tuesdays(today)]
        return {"as_of": self.as_of, "sha256": self.sha256, "source": self.origin, "missing_patch_tuesdays": behind}

    def missing_patch_tuesdays(self, today: date) -> list[date]:
        """Patch Tuesdays after the catalog was collected, up to `today`: months it cannot know."""
        return patch_tuesdays(date.fromisoformat(self.as_of), today)

    def branch(self, build: int, os_type: str = "client") -> Branch | None:
        """The release whose own build this is (23H2 for 22631, not its 22621 base)."""
        return next((b for b in self.branches if b.build == build and b.os_type == os_type), None)

    def newest_build(self, os_type: str | None) -> int:
        return max(b.build for b in self.branches if os_type in (None, b.os_type))

    def match(self, build: int, ubr: int | None, os_type: str | None = None, exact: bool = False) -> ReleaseMatch:
        """Branches that `build.ubr` can be. `os_type` None tries client, then server. `exact`: the
        build is the release's own (registry CurrentBuild), not a base build that WIM XML and
        binaries of enablement-package releases report."""
        key = (build, ubr, os_type, exact)
        if key not in self._matches:
            self._matches[key] = self._match(build, ubr, os_type, exact)
        return self._matches[key]

    def _match(self, build: int, ubr: int | None, os_type: str | None, exact: bool) -> ReleaseMatch:
        for kind in (os_type,) if os_type else ("client", "server"):
            family = [] if exact else [b for b in self.branches if b.os_type == kind and b.base_build == build]
            family = family or [b for b in self.branches if b.os_type == kind and b.build == build]
            if family:
                return ReleaseMatch(build, ubr, tuple(self._narrow(family, ubr)))
        return ReleaseMatch(build, ubr, ())

    def _narrow(self, family: list[Branch], ubr: int | None) -> list[Branch]:
        # A branch fits when the UBR lies within what it shipped: not before an enablement
        # release went GA (the base release has no lower bound: its GA media predate the first
        # listed update), and not past its last update unless it is still serviced (the
        # catalog may simply be older than the image).
        if ubr is None:
            return family
        fits = [b for b in family
                if (b.build == b.base_build or b.ga_ubr <= ubr)
                and (ubr <= b.last_ubr or b.serviced_on(self.as_of))]
        return fits or family


def _branch(doc: dict) -> Branch:
    return Branch(id=doc["id"], product=doc["product"], version=doc["version"], build=doc["build"],
                  base_build=doc["base_build"], os_type=doc["os_type"],
                  enablement_kb=doc.get("enablement_kb"), ga_date=doc["ga"]["date"],
                  ga_ubr=doc["ga"]["ubr"], lifecycle=doc["lifecycle"], update_entries=doc["updates"])
