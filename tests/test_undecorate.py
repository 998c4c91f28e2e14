"""scripts/undecorate.py keeps rules registered when it moves their decorators (so mutation testing
measures the rule checks, which mutmut 3 would otherwise skip)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from undecorate import undecorate  # noqa: E402


def test_every_rule_module_keeps_its_rules_when_undecorated():
    for path in sorted((ROOT / "toolkit" / "rules").glob("*.py")):
        source = path.read_text(encoding="utf-8")
        rewritten = undecorate(source)
        tree = ast.parse(rewritten)
        assert not any(isinstance(n, ast.FunctionDef) and n.decorator_list for n in tree.body), path
        before = {n.name for n in ast.parse(source).body if isinstance(n, ast.FunctionDef) and n.decorator_list}
        assigned = {t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
        assert before <= assigned, path


def test_decorators_apply_in_the_same_order():
    source = "def a(f):\n    return lambda: 'a' + f()\n\ndef b(f):\n    return lambda: 'b' + f()\n\n" \
             "@a\n@b\ndef g():\n    return 'g'\n\n\nX = g()\n"
    space: dict = {}
    exec(compile(undecorate(source), "<undecorated>", "exec"), space)
    assert space["X"] == "abg"
