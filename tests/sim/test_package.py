"""portalsim is a package of its own (issue 16): no import cycle among its modules, and no
module of it is imported by product code outside tests/test_import_direction.py's list."""
from __future__ import annotations

import ast
from pathlib import Path

from ..test_import_direction import strongly_connected

PACKAGE = Path(__file__).resolve().parents[2] / "portalsim"


def imports() -> dict[str, dict[str, int]]:
    """portalsim module → {portalsim module it imports: line}, at any depth (function-local too)."""
    names = {path.stem for path in PACKAGE.glob("*.py")}
    graph = {}
    for path in sorted(PACKAGE.glob("*.py")):
        edges: dict[str, int] = {}
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level == 1:
                    targets = [node.module] if node.module else [a.name for a in node.names]
                elif node.module and node.module.startswith("portalsim."):
                    targets = [node.module.split(".")[1]]
                else:
                    continue
                for target in targets:
                    if target in names and target != path.stem:
                        edges.setdefault(target, node.lineno)
        graph[path.stem] = edges
    return graph


def test_no_import_cycle_in_the_simulator():
    graph = imports()
    assert "common" in graph["faults"] and "faults" in graph["server"]
    assert not strongly_connected(graph), strongly_connected(graph)
