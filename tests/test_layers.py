"""The project's packages stand in layers: nothing imports a package above it, and nothing imports in a circle.

    layer 0   protocol                                         the wire contract (the ground)
    layer 1   ets                                              the shared client library
    layer 2   abci_app, governance, datasets, edge_uploader    the chain, the engine, the importers, the site service
    layer 3   ets_tools, portal                                the command line and demo; the portal
    layer 4   benchmarks                                       scripts on top of everything

A module may import any package of a lower layer. An import between two packages of the same layer
is allowed only when ``SIDEWAYS`` lists it with its reason, and the package graph stays acyclic.
Every import counts: at module level, inside functions and ``if`` blocks, and
``importlib.import_module`` / ``__import__`` with a constant name. Tests are not checked (a test
may reach across layers to set up what it tests).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

LAYERS = {
    "protocol": 0,
    "ets": 1,
    "abci_app": 2,
    "governance": 2,
    "datasets": 2,
    "edge_uploader": 2,
    "ets_tools": 3,
    "portal": 3,
    "benchmarks": 4,
}

SIDEWAYS = {
    ("governance", "datasets"): "the allocation engine reads the public files (NGMS, ETRS) through the importers",
    ("ets_tools", "portal"): "the demo creates the portal's users and starts the portal",
}

SKIPPED_DIRS = {"_gen", "__pycache__"}  # generated protobuf stubs (not committed), caches


def _modules() -> dict[str, list[Path]]:
    found: dict[str, list[Path]] = {}
    for package in LAYERS:
        found[package] = sorted(p for p in (ROOT / package).rglob("*.py") if not SKIPPED_DIRS & set(p.relative_to(ROOT).parts))
    return found


def _imported_names(tree: ast.AST) -> list[tuple[str, int]]:
    """Absolute module names imported anywhere in ``tree``, with their line numbers."""
    names: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append((node.module, node.lineno))
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if called in ("import_module", "__import__"):
                names.append((node.args[0].value, node.lineno))
    return names


def _package_imports() -> dict[tuple[str, str], list[str]]:
    """(importing package, imported package) → ["file:line", ...] for every import between two project packages."""
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for package, files in _modules().items():
        for path in files:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for name, line in _imported_names(tree):
                target = name.split(".")[0]
                if target in LAYERS and target != package:
                    edges[(package, target)].append(f"{path.relative_to(ROOT)}:{line}")
    return edges


EDGES = _package_imports()


def test_every_package_is_scanned_and_every_top_level_package_has_a_layer():
    modules = _modules()
    assert all(modules[p] for p in LAYERS), f"a layered package has no modules: {[p for p in LAYERS if not modules[p]]}"
    packages = {p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").is_file()}
    assert packages <= set(LAYERS), f"packages without a layer (add them to LAYERS): {sorted(packages - set(LAYERS))}"
    assert ("abci_app", "protocol") in EDGES and ("ets", "protocol") in EDGES, "the scan finds imports at all"


@pytest.mark.parametrize("package", sorted(LAYERS))
def test_no_package_imports_upward_or_sideways_unless_listed(package):
    wrong = {}
    for (source, target), where in EDGES.items():
        if source != package:
            continue
        if LAYERS[target] > LAYERS[source] or (LAYERS[target] == LAYERS[source] and (source, target) not in SIDEWAYS):
            wrong[f"{source} (layer {LAYERS[source]}) → {target} (layer {LAYERS[target]})"] = where[:5]
    assert not wrong, f"imports against the layer order: {wrong}"


def test_the_listed_sideways_imports_exist_and_stay_within_a_layer():
    for source, target in SIDEWAYS:
        assert LAYERS[source] == LAYERS[target], f"{source} → {target} is not sideways; drop it from SIDEWAYS"
        assert (source, target) in EDGES, f"{source} no longer imports {target}; drop it from SIDEWAYS"


def test_the_package_graph_has_no_cycle():
    graph: dict[str, set[str]] = defaultdict(set)
    for source, target in EDGES:
        graph[source].add(target)
    state: dict[str, str] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycle = path[path.index(nxt):] + [nxt] if nxt in path else [node, nxt]
                pytest.fail(f"import cycle between packages: {' → '.join(cycle)}: {EDGES[(node, nxt)][:3]}")
            if nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"

    for package in sorted(LAYERS):
        if package not in state:
            visit(package, [package])


@pytest.mark.parametrize(("source", "target", "why"), [
    ("abci_app", "governance", "validators use protocol.plan_format, never the allocation engine"),
    ("ets", "portal", "the shared client serves the portal, not the other way round"),
    ("ets", "governance", "the client uploads plan files; it does not compute them"),
    ("ets", "datasets", "the client does not read the public files"),
    ("ets", "ets_tools", "the tools sit on the client"),
    ("governance", "ets_tools", "the engine runs without the command line"),
    ("protocol", "ets", "the wire package imports nothing else of the project"),
])
def test_the_named_boundaries_hold(source, target, why):
    assert (source, target) not in EDGES, f"{source} imports {target} ({why}): {EDGES.get((source, target), [])[:5]}"
