"""Where the data under manifests/ lives: inside the wheel, or beside the package in a checkout."""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def manifests_dir() -> Path:
    here = Path(__file__).resolve().parent
    for candidate in (here / "_manifests", here.parent / "manifests"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("oobe-ready data directory 'manifests' is missing from the installation")
