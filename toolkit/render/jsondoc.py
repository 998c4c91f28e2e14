"""Stable JSON text: fixed indentation, keys in document order, UTF-8, trailing newline; nothing in
it a CI runner or terminal acts on (render/safe.py), and valid JSON whatever numbers the inputs held."""

from __future__ import annotations

import json
import math
from json.encoder import encode_basestring

from toolkit.render.safe import finite, json_text


def render_json(document: dict) -> str:
    try:
        raw = indented(document)
    except ValueError:  # NaN or an infinity read from an export: JSON has no such numbers
        raw = indented(finite(document))
    return json_text(raw) + "\n"


def indented(value: object, indent: str = "\n") -> str:
    """Exactly `json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False)`, about three times
    faster: with an indent, CPython's json gives up its C encoder for generators in Python, while this
    joins lists and leaves every string to the C escaper."""
    if isinstance(value, str):
        return encode_basestring(value)
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = indent + "  "
        # strings, most keys and values, inline: a call each for 100,000 of them would cost a third of the time
        return "{" + ",".join([f"{inner}{encode_basestring(k) if type(k) is str else _key(k)}: "
                               f"{encode_basestring(v) if type(v) is str else indented(v, inner)}"
                               for k, v in value.items()]) + indent + "}"
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        inner = indent + "  "
        return "[" + ",".join([inner + (encode_basestring(v) if type(v) is str else indented(v, inner))
                               for v in value]) + indent + "]"
    return _scalar(value)


def _scalar(value: object) -> str:
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
