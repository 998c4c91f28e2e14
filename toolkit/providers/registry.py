"""Every input kind: each module of this package with a PROVIDER, in the order they are read and listed
(`Provider.order`: Autopilot files found inside images need the images read first). A new kind is a new
module here; nothing else lists it."""

from __future__ import annotations

import importlib
import pkgutil

import toolkit.providers
from toolkit.providers.base import Provider


def _discover() -> tuple[Provider, ...]:
    found = []
    for module in pkgutil.iter_modules(toolkit.providers.__path__):
        provider = getattr(importlib.import_module(f"toolkit.providers.{module.name}"), "PROVIDER", None)
        if isinstance(provider, Provider):
            found.append(provider)
    return tuple(sorted(found, key=lambda p: (p.order, p.name)))


PROVIDERS = _discover()
BY_RULE_KIND = {kind: p for p in PROVIDERS for kind in p.rule_kinds}
REQUIRE_NAMES = tuple(dict.fromkeys(name for p in PROVIDERS for name in p.requires))
