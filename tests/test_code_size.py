"""No product module past what one reader holds in mind (issue 16): modules under ~400 lines,
functions under ~60, except declared tables. The simulator (portalsim/) is a test tool, not product."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("scrapers", "pipelines", "archive", "schema")
MODULE_LINES, FUNCTION_LINES = 400, 60
# Declared tables: long because they are data, not logic (name -> why). None today.
TABLES: dict[str, str] = {}


def _modules():
    for package in PACKAGES:
        yield from sorted((ROOT / package).rglob("*.py"))


def test_modules_and_functions_stay_small():
    too_long = []
    for path in _modules():
        source = path.read_text(encoding="utf-8")
        where = str(path.relative_to(ROOT))
        if len(source.splitlines()) > MODULE_LINES and where not in TABLES:
            too_long.append(f"{where}: {len(source.splitlines())} lines")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1  # from `def` (click's option decorators are declarations)
                if length > FUNCTION_LINES and f"{where}:{node.name}" not in TABLES:
                    too_long.append(f"{where}:{node.lineno} {node.name}: {length} lines")
    assert not too_long, "split these (or declare a table in TABLES, with why):\n" + "\n".join(too_long)


def test_declared_tables_still_exist():
    names = {str(p.relative_to(ROOT)) for p in _modules()}
    assert all(key.split(":")[0] in names for key in TABLES)
