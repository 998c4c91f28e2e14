"""Unattend answer files: domain join (UnattendedJoin/Identification/JoinDomain) and the command
lines Setup runs, read namespace-aware (any prefix of urn:schemas-microsoft-com:unattend)."""

from __future__ import annotations

from toolkit.errors import InputError
from toolkit.facts.inside import DomainJoin, UnattendFacts
from toolkit.sources.inside import UnreadableFile
from toolkit.sources.safexml import parse_xml

NS = "urn:schemas-microsoft-com:unattend"


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def read_unattend(raw: bytes, file_name: str) -> UnattendFacts:
    try:
        root = parse_xml(raw, file_name, "unattend file")
    except InputError as exc:
        raise UnreadableFile(exc.problem) from None
    if root.tag != _q("unattend"):
        raise UnreadableFile(f"not an unattend file (root element {root.tag!r}, expected {NS} unattend)")
    joins, commands = [], []
    for settings in root.iter(_q("settings")):
        phase = settings.get("pass")
        for component in settings.iter(_q("component")):
            name = component.get("name", "")
            if name.lower() == "microsoft-windows-unattendedjoin":
                for join in component.iter(_q("JoinDomain")):
                    if (join.text or "").strip():
                        locator = (f"/unattend/settings[@pass='{phase}']/component[@name='{name}']"
                                   "/Identification/JoinDomain")
                        joins.append(DomainJoin(phase, join.text.strip(), locator))
            for tag in ("Path", "CommandLine"):
                commands += [(e.text or "").strip() for e in component.iter(_q(tag)) if (e.text or "").strip()]
    return UnattendFacts(tuple(joins), tuple(commands))
