"""Where the data under manifests/ lives: inside the wheel, or beside the package in a checkout."""

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


@cache
def manifests_root() -> str:
    here = os.path.dirname(os.path.realpath(__file__))  # os.path: pathlib is not loaded on inspect's path
    for candidate in (os.path.join(here, "_manifests"), os.path.join(os.path.dirname(here), "manifests")):
        if os.path.isdir(candidate):
            return candidate
    raise FileNotFoundError("oobe-ready data directory 'manifests' is missing from the installation")


def schema(name: str) -> dict:
    """A JSON Schema the tool ships (manifests/schema/NAME-v1.schema.json): manifest, catalog, baseline."""
    import json

    with open(os.path.join(manifests_root(), "schema", f"{name}-v1.schema.json"), encoding="utf-8") as fh:
        return json.load(fh)


def spelled(raw: str) -> str:
    """`str(Path(raw))`: a path as pathlib spells it (no `.` parts, no doubled or trailing separator),
    which is how the manifest names inputs. Without loading pathlib for a POSIX path already so spelled."""
    if (os.name != "nt" and raw not in ("", ".") and "//" not in raw and "/./" not in raw
            and not raw.startswith("./") and not raw.endswith(("/", "/."))):
        return raw
    from pathlib import Path

    return str(Path(raw))


def manifests_dir() -> Path:
    from pathlib import Path

    return Path(manifests_root())
