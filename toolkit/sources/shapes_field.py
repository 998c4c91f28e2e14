"""Export shapes seen in the field, turned into the Graph shape the rules read.

- Microsoft Graph PowerShell SDK objects written with `ConvertTo-Json`: PascalCase property names,
  and the derived type's properties (with `@odata.type`) inside `AdditionalProperties`.
- CIPP templates: the Graph object as a JSON string in `RAWJson`.
- Separate `/assignments` responses: `{"@odata.context": "...Configurations('<id>')/assignments",
  "value": [...]}`, attached to the object with that id.
"""

from __future__ import annotations

import json
import re

ASSIGNMENTS_OF = re.compile(r"\('([^']+)'\)/assignments(?:\(|\$|$)", re.IGNORECASE)
MAX_EMBEDDED = 4 * 1024 * 1024


def graph_shape(obj: dict) -> dict:
    """The object as Graph returns it: SDK PascalCase and CIPP's RAWJson unwrapped; others unchanged."""
    raw = obj.get("RAWJson") or obj.get("RawJson")
    if isinstance(raw, str) and len(raw) <= MAX_EMBEDDED:
        try:
            inner = json.loads(raw)
        except (ValueError, RecursionError):
            inner = None
        if isinstance(inner, dict):
            return inner
    if "AdditionalProperties" in obj or _pascal(obj):
        return _camel(obj)
    return obj


def _pascal(obj: dict) -> bool:
    if "Id" not in obj and "DisplayName" not in obj:  # Graph's own objects: decided without a key walk
        return False
    keys = [k for k in obj if not k.startswith("@")]
    return bool(keys) and all(k[:1].isupper() for k in keys)


def _camel(value: object) -> object:
    if isinstance(value, list):
        return [_camel(v) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict = {}
    for key, item in value.items():
        if key == "AdditionalProperties" and isinstance(item, dict):
            out.update({k: _camel(v) for k, v in item.items()})
        elif key.startswith("@"):
            out[key] = item
        else:
            out.setdefault(key[:1].lower() + key[1:], _camel(item))
    return out


def assignments_for(doc: object) -> tuple[str, list] | None:
    """(object id, assignments) when the document is a separate `/assignments` response."""
    if not isinstance(doc, dict) or not isinstance(doc.get("value"), list):
        return None
    match = ASSIGNMENTS_OF.search(str(doc.get("@odata.context") or ""))
    return (match.group(1).lower(), doc["value"]) if match else None
