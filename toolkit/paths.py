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


def manifests_dir() -> Path:
    from pathlib import Path

    return Path(manifests_root())
