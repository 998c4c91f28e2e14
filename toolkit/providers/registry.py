"""Every input kind, in the order they are read (Autopilot files found inside images need the images)."""

from __future__ import annotations

from toolkit.providers import autopilot_files, images, intune
from toolkit.providers.base import Provider

PROVIDERS: tuple[Provider, ...] = (images.PROVIDER, autopilot_files.PROVIDER, intune.PROVIDER)
BY_RULE_KIND = {kind: p for p in PROVIDERS for kind in p.rule_kinds}
REQUIRE_NAMES = tuple(dict.fromkeys(name for p in PROVIDERS for name in p.requires))
