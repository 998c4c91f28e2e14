"""Rewrite `@rule(...)` decorated functions as `name = rule(...)(name)` after their body, in place.

mutmut 3 does not mutate decorated functions, so without this the rule checks themselves (the code
that matters most) would never be mutated. Only used on the scratch clone made by mutation_test.sh.
Usage: python scripts/undecorate.py FILE...
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path


def undecorate(source: str) -> str:
    lines = source.splitlines(keepends=True)
    edits = []  # (first decorator line, function end line, decorator sources, name), 1-based
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and node.decorator_list:
            decorators = [ast.get_source_segment(source, d) for d in node.decorator_list]
            edits.append((node.decorator_list[0].lineno, node.lineno, node.end_lineno, decorators, node.name))
    for first, def_line, end, decorators, name in reversed(edits):
        wrapped = name
        for decorator in reversed(decorators):
            wrapped = f"({decorator})({wrapped})"
        lines[end:end] = [f"{name} = {wrapped}\n"]
        del lines[first - 1:def_line - 1]
    return "".join(lines)


if __name__ == "__main__":
    for path in map(Path, sys.argv[1:]):
        path.write_text(undecorate(path.read_text(encoding="utf-8")), encoding="utf-8")
