"""The offline AutopilotConfigurationFile.json, read byte-exact: its defects are findings, not errors."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from toolkit.errors import read_input
from toolkit.facts.autopilot_file import AutopilotFile
from toolkit.limits import MAX_AUTOPILOT_BYTES
from toolkit.text import BOMS


def read_autopilot_file(path: str | Path, image_path: str | None = None) -> AutopilotFile:
    path = Path(path)
    raw = read_input(path, MAX_AUTOPILOT_BYTES, "Autopilot file")
    return autopilot_file_from_bytes(raw, str(path), image_path)


def autopilot_file_from_bytes(raw: bytes, label: str, image_path: str | None = None) -> AutopilotFile:
    """`label` names the file in findings (for a file from an image: IMAGE#INDEX:PATH)."""
    bom, body, encoding = None, raw, "ascii"
    for mark, name in BOMS:  # a BOM is itself a finding here (APF001), so it is recorded, not just skipped
        if raw.startswith(mark):
            bom, body, encoding = name, raw[len(mark):], name
            break
    non_ascii = next((i for i, b in enumerate(body) if b > 0x7F), None)
    if bom is None and non_ascii is not None:
        encoding = "utf-8"
    objects, data, problem = _objects(body, encoding)
    return AutopilotFile(path=label, sha256=hashlib.sha256(raw).hexdigest(), raw=raw, bom=bom,
                         non_ascii_at=non_ascii, objects=objects, data=data, problem=problem,
                         image_path=image_path)


def _objects(body: bytes, encoding: str) -> tuple[int, dict | None, str | None]:
    try:
        text = body.decode(encoding if encoding != "ascii" else "utf-8")
    except UnicodeDecodeError as exc:
        return 0, None, f"not decodable as {encoding} ({exc.reason})"
    decoder, pos, values = json.JSONDecoder(), 0, []
    while True:
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        if pos >= len(text):
            break
        try:
            value, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            return len(values), _first(values), f"not valid JSON ({exc.msg} at offset {exc.pos})"
        except RecursionError:
            return len(values), _first(values), "JSON nested too deeply"
        values.append(value)
    if not values:
        return 0, None, "empty file"
    return len(values), _first(values), None if isinstance(values[0], dict) else "not a JSON object"


def _first(values: list) -> dict | None:
    return values[0] if values and isinstance(values[0], dict) else None
