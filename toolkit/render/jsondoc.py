"""Stable JSON text: fixed indentation, keys in document order, UTF-8, trailing newline; nothing in
it a CI runner or terminal acts on (render/safe.py), and valid JSON whatever numbers the inputs held."""

from __future__ import annotations

import json

from toolkit.render.safe import finite, json_text


def render_json(document: dict) -> str:
    try:
        raw = json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False)
    except ValueError:  # NaN or an infinity read from an export: JSON has no such numbers
        raw = json.dumps(finite(document), indent=2, ensure_ascii=False)
    return json_text(raw) + "\n"
