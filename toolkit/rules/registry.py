"""Every rule, in report order. Adding a rule: write it in its family module and list it there."""

from __future__ import annotations

from toolkit.rules import autopilot, autopilot_file, esp, image, servicing, tenant
from toolkit.rules.base import Rule

RULES: tuple[Rule, ...] = (*image.RULES, *servicing.RULES, *autopilot.RULES, *esp.RULES, *tenant.RULES,
                          *autopilot_file.RULES)
BY_ID: dict[str, Rule] = {r.id: r for r in RULES}
# A renamed or merged rule keeps its old ID working in waiver ledgers and `explain` (as ruff's
# rule redirects do): old ID -> current ID. Empty until a rule is renamed.
REDIRECTS: dict[str, str] = {}


def current_id(rule_id: str) -> str:
    """The rule ID as it is now: an old ID through REDIRECTS, others unchanged (upper-cased)."""
    rule_id = rule_id.upper()
    return REDIRECTS.get(rule_id, rule_id)
