"""Lists the import cycles between cnnkit's packages (layers, models, training, ...), counting
imports inside functions too, since a lazy import hides a cycle rather than removing it.

    .venv/bin/python scripts/import_cycles.py      # prints each cycle; exit status 1 if any

A package here is a first-level part of cnnkit (cnnkit/layers/, cnnkit/ops.py); the top-level
cnnkit/__init__.py, which gathers everything, is left out. tests/test_import_cycles.py runs it.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "cnnkit"


def package_of(module: str) -> str | None:
    """`cnnkit.layers.core` -> `layers`; None for cnnkit itself and for other libraries."""
    parts = module.split(".")
    if parts[0] != "cnnkit" or len(parts) < 2:
        return None
    return parts[1]


def module_name(path: Path) -> str:
    relative = path.relative_to(ROOT.parent).with_suffix("")
    parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
    return ".".join(parts)


def imported_modules(path: Path) -> list[str]:
    """Every cnnkit module `path` imports, at module level or inside a function."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
            # `from cnnkit import layers` imports the package cnnkit.layers
            if node.module == "cnnkit":
                found += [f"cnnkit.{alias.name}" for alias in node.names]
    return [name for name in found if name.startswith("cnnkit")]


def package_graph() -> dict[str, dict[str, list[str]]]:
    """package -> package it imports -> the files that do it."""
    graph: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for path in sorted(ROOT.rglob("*.py")):
        source = package_of(module_name(path))
        if source is None:
            continue
        for imported in imported_modules(path):
            target = package_of(imported)
            if target is not None and target != source:
                graph[source][target].append(str(path.relative_to(ROOT.parent)))
    return graph


def cycles(graph: dict[str, dict[str, list[str]]]) -> list[list[str]]:
    """The strongly connected groups of more than one package (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph.get(node, {}):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def main() -> int:
    graph = package_graph()
    found = cycles(graph)
    for group in found:
        print("cycle between: " + ", ".join(group))
        for source in group:
            for target in group:
                for file in graph[source].get(target, []):
                    print(f"  {source} -> {target}: {file}")
    if not found:
        print("no import cycles between cnnkit's packages")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
