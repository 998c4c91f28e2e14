"""Generated documentation stays in step with the code."""

from __future__ import annotations

from conftest import ROOT


def test_rules_doc_is_generated_from_the_rule_metadata(cli):
    generated = cli("rules", "--format", "markdown").out
    on_disk = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert on_disk == generated, "docs/rules.md is stale: run `oobe-ready rules --format markdown > docs/rules.md`"
    from toolkit.rules.registry import RULES

    for rule in RULES:  # every rule, with its rationale and every remediation step
        assert f"### {rule.id}" in generated and rule.rationale in generated
        assert all(step in generated for step in rule.remediation)


def test_readme_names_every_kind_a_snapshot_reads_and_its_permission():
    """The README's table is what an administrator grants: every kind, its request and its permission."""
    from toolkit.snapshot.kinds import GROUPS, KINDS, PILOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for kind in (*KINDS, GROUPS):
        row = next((line for line in readme.splitlines() if f"(`{kind.name}`)" in line), "")
        assert f"`GET {kind.path}" in row and f"`{kind.permission}`" in row, kind.name
    assert PILOT.permission.split()[0] in readme  # --pilot-group's delegated permission
