"""Every rule, in report order. Adding a rule: write it in its family module and list it there."""

from __future__ import annotations

from toolkit.rules import autopilot, autopilot_file, esp, image, servicing, tenant
from toolkit.rules.base import Rule

RULES: tuple[Rule, ...] = (*image.RULES, *servicing.RULES, *autopilot.RULES, *esp.RULES, *tenant.RULES,
                          *autopilot_file.RULES)
BY_ID: dict[str, Rule] = {r.id: r for r in RULES}
