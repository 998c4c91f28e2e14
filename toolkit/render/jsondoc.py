"""Stable JSON text: fixed indentation, keys in document order, UTF-8, trailing newline."""

from __future__ import annotations

import json


def render_json(document: dict) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
