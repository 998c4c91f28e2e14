"""Hardened XML parsing for untrusted documents (WIM XML, .mum, unattend files).

No DTDs, no entity expansion, no network, bounded size. Documents carrying a DOCTYPE are
refused outright: none of the formats we read ever has one, so its presence is an attack or
corruption, never something to tolerate.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from toolkit.errors import InputError
from toolkit.limits import MAX_XML_BYTES

if TYPE_CHECKING:
    from pathlib import Path

    from lxml import etree

_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def decode_xml(raw: bytes, path: str | Path, what: str = "XML") -> str:
    """Decode by BOM; without one, UTF-16 when the bytes look like it, else UTF-8 (toolkit/text.py)."""
    from toolkit.text import decode

    return decode(raw, path, what)


def parse_xml(raw: bytes, path: str | Path, what: str = "XML") -> etree._Element:
    """Parse untrusted XML bytes into an element tree, or raise InputError."""
    if len(raw) > MAX_XML_BYTES:
        raise InputError(path, f"{what} is {len(raw)} bytes, over the {MAX_XML_BYTES}-byte limit")
    text = decode_xml(raw, path, what)
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise InputError(path, f"{what} contains a DTD or entity declaration; refused")
    # The declaration may name an encoding we already removed; lxml gets plain UTF-8 bytes.
    body = _DECLARATION.sub("", text, count=1).encode("utf-8")

    from lxml import etree

    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as exc:
        raise InputError(path, f"{what} is not well-formed XML ({exc.msg})") from None
    if root is None:
        raise InputError(path, f"{what} is empty")
    return root
