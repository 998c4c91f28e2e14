"""The house flows one way (issue 15): no import cycle between modules, and no layer imports a layer
above it. Read from the source (every import, function-local ones included), so a crossing fails here
before it becomes a cycle at run time."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "toolkit"
# lowest first; a module may import its own layer and the layers before it
LAYERS = {
    "base": ("__init__", "records", "lifetime", "errors", "limits", "paths", "text", "files", "digests", "baselines",
             "registry_checks", "catalog"),
    "render": ("render",),
    "facts": ("facts",),
    "sources": ("sources", "catalog_sources", "catalog_store", "snapshot"),
    "rules": ("rules",),
    "pipeline": ("pipeline", "providers", "config", "attest"),
    "cli": ("cli", "__main__"),
}
ORDER = list(LAYERS)
# A layer may not import these layers: facts are plain types and what derives from them; sources read
# inputs into facts; rules judge facts (never readers); renderers draw documents only.
FORBIDDEN = {"base": set(ORDER) - {"base"}, "render": {"facts", "sources", "rules", "pipeline", "cli"},
             "facts": {"sources", "rules", "pipeline", "cli", "render"},
             "sources": {"rules", "pipeline", "cli", "render"}, "rules": {"sources", "pipeline", "cli", "render"},
             "pipeline": {"cli"}, "cli": set()}


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        found[".".join(("toolkit", *parts)).removesuffix(".__init__")] = path
    return found


def layer(module: str) -> str:
    first = module.split(".")[1] if module != "toolkit" else "__init__"
    return next(name for name, tops in LAYERS.items() if first in tops)


def imports() -> dict[str, set[str]]:
    mods = modules()
    edges: dict[str, set[str]] = {m: set() for m in mods}
    for module, path in mods.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("toolkit"):
                edges[module] |= {f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in mods}
                if node.module in mods:
                    edges[module].add(node.module)
    return edges


def test_every_module_has_a_layer():
    assert all(layer(m) for m in modules())


def test_no_layer_imports_a_layer_above_it():
    crossings = [f"{m} ({layer(m)}) -> {t} ({layer(t)})" for m, targets in imports().items() for t in targets
                 if layer(t) in FORBIDDEN[layer(m)]]
    assert crossings == []


def test_no_import_cycle_between_modules():
    """A package importing its own submodules (extract -> extract.wimlib -> extract) is one unit."""
    edges = {m: {t for t in ts if not t.startswith(m + ".") and not m.startswith(t + ".")}
             for m, ts in imports().items()}
    seen: dict[str, int] = {}
    cycles = []

    def visit(node: str, path: list[str]) -> None:
        seen[node] = 1
        for target in sorted(edges[node]):
            if seen.get(target) == 1:
                cycles.append([*path[path.index(target):], target])
            elif target not in seen:
                visit(target, [*path, target])
        seen[node] = 2

    for module in sorted(edges):
        if module not in seen:
            visit(module, [module])
    assert cycles == []
