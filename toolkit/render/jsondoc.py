"""Stable JSON text: fixed indentation, keys in document order, UTF-8, trailing newline; nothing in
it a CI runner or terminal acts on (render/safe.py), and valid JSON whatever numbers the inputs held."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from json.encoder import encode_basestring

from toolkit.render.safe import finite, json_text


def render_json(document: dict) -> str:
    try:
        raw = indented(document)
    except ValueError:  # NaN or an infinity read from an export: JSON has no such numbers
        raw = indented(finite(document))
    return json_text(raw) + "\n"


def indented(value: object) -> str:
    """Exactly `json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False)`, about twice as fast:
    with an indent, CPython's json gives up its C encoder for generators in Python, while this leaves
    every string to the C escaper and joins the pieces of the whole text once (joining per container
    copies each piece once per level it is nested in)."""
    pieces: list[str] = []
    _walk(value, "\n", pieces.append)
    return "".join(pieces)


_SCALARS = frozenset((int, float, bool, type(None)))


def _walk(value: object, indent: str, add: Callable[[str], object]) -> None:
    if isinstance(value, dict):
        if not value:
            add("{}")
            return
        inner = indent + "  "
        lead, then = "{" + inner, "," + inner
        for k, v in value.items():
            kind = type(v)
            if kind is str:  # most values: one piece each
                add(f"{lead}{encode_basestring(k) if type(k) is str else _key(k)}: {encode_basestring(v)}")
            elif kind in _SCALARS:
                add(f"{lead}{encode_basestring(k) if type(k) is str else _key(k)}: {_scalar(v)}")
            else:
                add(f"{lead}{encode_basestring(k) if type(k) is str else _key(k)}: ")
                _walk(v, inner, add)
            lead = then
        add(indent + "}")
    elif isinstance(value, (list, tuple)):
        if not value:
            add("[]")
            return
        inner = indent + "  "
        lead, then = "[" + inner, "," + inner
        for v in value:
            if type(v) is str:
                add(lead + encode_basestring(v))
            elif type(v) in _SCALARS:
                add(lead + _scalar(v))
            else:
                add(lead)
                _walk(v, inner, add)
            lead = then
        add(indent + "]")
    else:
        add(_scalar(value))


def _scalar(value: object) -> str:
    if isinstance(value, str):  # a str subclass
        return encode_basestring(value)
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"Out of range float values are not JSON compliant: {value!r}")
        return float.__repr__(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _key(key: object) -> str:
    """Keys as json writes them: strings as they are, numbers, booleans and null as their JSON text."""
    return encode_basestring(key if isinstance(key, str) else json.dumps(key))
