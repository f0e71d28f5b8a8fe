"""Imports go one way (issue 16): `pipelines` is pure, `scrapers` builds on it, `archive` on both.

Every product module under scrapers/, pipelines/ and archive/ is parsed with `ast`; module-level
and function-local imports both count (a local import is still a dependency, only a later one).
The portal simulator (`portalsim/`) is not a product package: it serves fake portals for the demo,
the contracts and the tests, and imports the product, never the other way round. Four rules:

(a) no module under pipelines/ imports `scrapers` or `archive`, except the store adapter;
(b) modules under scrapers/ import `archive` only from the adapters allowed below, each with why;
(c) no import cycle among product modules;
(d) product modules import `portalsim` only from the modules that must, each with why.

The exceptions are explicit sets: a new violation fails, and so does an exception that no longer
holds (remove it from the set when the import goes).
"""
from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("scrapers", "pipelines", "archive")
SIMULATOR = "portalsim"  # a top-level package of its own, not the product

# (a) The Scrapy item pipelines that write the archive: the modules of pipelines/ that may use
# the store (archive.db, archive.lock) and the crawl's storage-failure signals (scrapers.storage):
# the store pipeline, and the coverage pipeline that books its counts in field_coverage at close.
PIPELINES_STORE_ADAPTERS = {"pipelines.scrapy_pipelines", "pipelines.coverage"}

# (a) pipelines/ importing scrapers/ outside the store adapter: none. `extract_record` gets its
# portal context from its caller and reads pages with `pipelines.profiles` (scrapers.platforms
# builds on those). Do not add one here.
KNOWN_PIPELINES_TO_SCRAPERS: set[tuple[str, str]] = set()

# (b) The scrapers/ modules that may import `archive`, and why.
SCRAPERS_ARCHIVE_ADAPTERS = {
    "scrapers.extensions": "the run-recording extension: writes run rows (archive.db) and WARC files (archive.warc)",
    "scrapers.archive_state": "known-URL state of incremental runs (archive.db) and stored Wayback captures "
                              "(archive.warc), read for the spiders: the component THANTHIEN_ARCHIVE_STATE_CLASS",
    "scrapers.portalcheck": "writes portal_checks and the registry rows they refer to (archive.db.sync_portals)",
}

# (d) The product modules that may import the simulator, and why.
PORTALSIM_IMPORTERS = {
    "archive.cli.publishing": "`thanthien demo` and `thanthien sim` start the simulator (portalsim.server.Simulator)",
    "archive.cli.base": "the commands that crawl, list or re-read the simulator's portals add them to the registry "
                        "(portalsim/portals.toml)",
    "scrapers.contracts": "`scrapy check portal` runs against the simulator: @portal names its portals (portalsim/portals.toml)",
}

# (c) Import cycles known today, each as the set of modules in the cycle: none. Do not add one
# here without an issue that removes it.
KNOWN_CYCLES: set[frozenset[str]] = set()


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@lru_cache(maxsize=1)
def product_modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if ".venv" in path.relative_to(ROOT).parts:
                continue
            modules[_module_name(path)] = path
    return modules


def _resolve(name: str) -> str | None:
    """The product module an imported dotted name lands in (its longest module prefix), or None."""
    modules = product_modules()
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        candidate = ".".join(parts[:i])
        if candidate in modules:
            return candidate
    return None


def imports_of(module: str) -> list[tuple[int, str]]:
    """(line, product module) for every import in `module`, at any depth (functions, try, if)."""
    modules = product_modules()
    path = modules[module]
    is_package = path.name == "__init__.py"
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            # `from pkg import sub` imports the submodule when there is one, else a name of pkg
            names = [f"{source}.{a.name}" if f"{source}.{a.name}" in modules else source for a in node.names]
        else:
            continue
        for name in names:
            target = _resolve(name)
            if target is not None and target != module:
                found.append((node.lineno, target))
    return found


@lru_cache(maxsize=1)
def import_graph() -> dict[str, dict[str, int]]:
    """module → {imported module: first line}. Importing a.b.c also runs a and a.b (edges too),
    except the importer's own enclosing packages, which are already being imported."""
    graph = {}
    for module in product_modules():
        own_packages = {".".join(module.split(".")[:i]) for i in range(1, module.count(".") + 1)}
        edges: dict[str, int] = {}
        for line, target in sorted(imports_of(module)):
            edges.setdefault(target, line)
            parts = target.split(".")
            for i in range(1, len(parts)):
                parent = ".".join(parts[:i])
                if parent in product_modules() and parent != module and parent not in own_packages:
                    edges.setdefault(parent, line)
        graph[module] = edges
    return graph


def _where(module: str, line: int) -> str:
    return f"{product_modules()[module].relative_to(ROOT)}:{line}"


def cross_imports(from_package: str, to_packages: tuple[str, ...]) -> list[tuple[str, str, int]]:
    """(importer, imported, line) for explicit imports from one top-level package into others."""
    out = []
    for module in product_modules():
        if module.split(".")[0] != from_package:
            continue
        for line, target in imports_of(module):
            if target.split(".")[0] in to_packages:
                out.append((module, target, line))
    return sorted(set(out))


def strongly_connected(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Tarjan's components with more than one module, or a module importing itself."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1 or v in graph[v]:
                components.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return components


def cycle_path(graph: dict[str, dict[str, int]], component: list[str]) -> list[str]:
    """One concrete cycle through the component's first module: [m, …, m]."""
    start, members = component[0], set(component)
    previous: dict[str, str] = {}
    queue = [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(graph[v]):
            if w == start:
                path = [v]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return [start] + path[::-1][1:] + [start] if v != start else [start, start]
            if w in members and w not in previous:
                previous[w] = v
                queue.append(w)
    raise AssertionError(f"no cycle through {start}")


def _describe(graph, path: list[str]) -> str:
    return " -> ".join(
        f"{a} ({_where(a, graph[a][b])})" for a, b in zip(path, path[1:])
    ) + f" -> {path[-1]}"


def test_every_product_package_is_parsed():
    modules = product_modules()
    for package in PACKAGES:
        assert package in modules
    assert not any(m.startswith(SIMULATOR) for m in modules)
    # the gazetteer is a pipelines module (issue 16), with no shim left in archive/
    assert "pipelines.gazetteer" in modules and "archive.gazetteer" not in modules


def test_pipelines_import_neither_scrapers_nor_archive():
    found = cross_imports("pipelines", ("scrapers", "archive"))
    bad = [f"{_where(m, line)} imports {t}" for m, t, line in found
           if m not in PIPELINES_STORE_ADAPTERS and (m, t) not in KNOWN_PIPELINES_TO_SCRAPERS]
    assert not bad, "pipelines/ must not import scrapers or archive:\n" + "\n".join(bad)
    stale = KNOWN_PIPELINES_TO_SCRAPERS - {(m, t) for m, t, _ in found}
    assert not stale, f"no longer imported, remove from KNOWN_PIPELINES_TO_SCRAPERS: {sorted(stale)}"
    missing = PIPELINES_STORE_ADAPTERS - set(product_modules())
    assert not missing, f"store adapter gone, update PIPELINES_STORE_ADAPTERS: {sorted(missing)}"


def test_scrapers_import_archive_only_from_adapters():
    found = cross_imports("scrapers", ("archive",))
    bad = [f"{_where(m, line)} imports {t}" for m, t, line in found if m not in SCRAPERS_ARCHIVE_ADAPTERS]
    assert not bad, ("scrapers/ imports archive outside the adapters "
                     "(add one to SCRAPERS_ARCHIVE_ADAPTERS only with a reason):\n" + "\n".join(bad))
    stale = set(SCRAPERS_ARCHIVE_ADAPTERS) - {m for m, _, _ in found}
    assert not stale, f"these no longer import archive, remove from SCRAPERS_ARCHIVE_ADAPTERS: {sorted(stale)}"
    assert all(reason.strip() for reason in SCRAPERS_ARCHIVE_ADAPTERS.values())


def test_no_import_cycle():
    graph = import_graph()
    components = strongly_connected(graph)
    new = [c for c in components if frozenset(c) not in KNOWN_CYCLES]
    assert not new, "import cycles:\n" + "\n".join(_describe(graph, cycle_path(graph, c)) for c in new)
    stale = KNOWN_CYCLES - {frozenset(c) for c in components}
    assert not stale, f"no longer cycles, remove from KNOWN_CYCLES: {[sorted(c) for c in stale]}"


def test_the_checks_see_function_local_and_relative_imports():
    # registry.py imports pipelines inside a function; the pipelines package uses relative imports
    assert ("scrapers.registry", "pipelines.text") in {(m, t) for m, t, _ in cross_imports("scrapers", ("pipelines",))}
    assert "pipelines.body" in import_graph()["pipelines.extract"]


def test_soft_failure_stands_alone():
    # the retry middleware asks it of every response: it must not load the extraction stack
    graph = import_graph()
    assert set(graph["pipelines.softfail"]) <= {"pipelines.text"}
    assert "pipelines.extract" not in graph["scrapers.middlewares"]


def test_spiders_do_not_read_the_archive():
    # their archive state comes from the component THANTHIEN_ARCHIVE_STATE_CLASS (scrapers/archive_state.py)
    graph = import_graph()
    for spider in ("scrapers.spiders.portal", "scrapers.spiders.wayback"):
        assert not [m for m in graph[spider] if m.split(".")[0] == "archive" or m == "scrapers.archive_state"], spider


def simulator_imports() -> list[tuple[str, int]]:
    """(product module, line) for every import of `portalsim` (absolute: the product has no
    relative way into it), at any depth."""
    found = []
    for module, path in product_modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            else:
                continue
            if any(name == SIMULATOR or name.startswith(SIMULATOR + ".") for name in names):
                found.append((module, node.lineno))
    return sorted(found)


def test_product_imports_the_simulator_only_where_it_must():
    found = simulator_imports()
    bad = [f"{_where(m, line)} imports {SIMULATOR}" for m, line in found if m not in PORTALSIM_IMPORTERS]
    assert not bad, (f"product code imports {SIMULATOR} outside the declared modules "
                     "(add one to PORTALSIM_IMPORTERS only with a reason):\n" + "\n".join(bad))
    stale = set(PORTALSIM_IMPORTERS) - {m for m, _ in found}
    assert not stale, f"these no longer import {SIMULATOR}, remove from PORTALSIM_IMPORTERS: {sorted(stale)}"
    assert all(reason.strip() for reason in PORTALSIM_IMPORTERS.values())
