"""The portal's shape, read from its source: one data layer, pages that import no page, wire messages only.

    - no ``{"type": ...}`` dict literal (nor ``{..., "type": "<message>"}`` or ``dict(type="...")``)
      in portal/ code: every tx is a ``protocol.messages`` object sent as ``msg.to_json()``
    - no result code compared as a bare number: ``protocol.codes.Code`` members only
    - no page (portal/views/*) imports another page
    - the data layer (portal/data) imports no Streamlit; only portal/cache.py caches
    - every portal module says what it owns (a docstring)
    - signed (private) reads cannot go through the shared cache; a signed read is one RPC, and
      only the data layer's freshness and expiry reads ask the node for its status
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from portal import data
from portal.data import blocktrades, holdings, makers, registry, trading

ROOT = Path(__file__).resolve().parents[2]
PORTAL = ROOT / "portal"
VIEWS = PORTAL / "views"
SOURCES = sorted(PORTAL.rglob("*.py"))


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), filename=str(path))


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(ROOT)}:{node.lineno}"


def test_the_portal_has_sources():
    assert len(SOURCES) > 20 and (PORTAL / "data" / "__init__.py") in SOURCES


def _is_str(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _message_literals(tree: ast.AST) -> list[ast.AST]:
    """Dicts (literal or ``dict(...)``) whose "type" is a message name written out."""
    found: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict) and any(isinstance(k, ast.Constant) and k.value == "type" and _is_str(v)
                                              for k, v in zip(node.keys, node.values)):
            found.append(node)
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict"
                and any(k.arg == "type" and _is_str(k.value) for k in node.keywords)):
            found.append(node)
    return found


def test_no_hand_written_message_dicts():
    found = [f"{path.relative_to(ROOT)}: text {{\"type\":" for path in SOURCES if '{"type":' in path.read_text()]
    found += [_where(path, node) for path in SOURCES for node in _message_literals(_tree(path))]
    assert not found, f"build messages from protocol.messages classes instead: {found}"


def _is_code(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "code") or (isinstance(node, ast.Name) and node.id == "code")


def test_no_result_code_as_a_bare_number():
    found = []
    for path in SOURCES:
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.Compare):
                sides = [node.left, *node.comparators]
                if any(_is_code(s) for s in sides) and any(
                        isinstance(s, ast.Constant) and isinstance(s.value, int) for s in sides):
                    found.append(_where(path, node))
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, int):
                for target in node.targets:
                    if isinstance(target, ast.Name) and target.id.lstrip("_") in {"NOT_FOUND", "UNAUTHORIZED"}:
                        found.append(_where(path, node))
    assert not found, f"compare with protocol.codes.Code members: {found}"


def _imported_modules(path: Path, root: Path = ROOT) -> list[tuple[str, int]]:
    """Every module ``path`` imports, as dotted names (relative imports resolved from ``root``)."""
    package = ".".join(path.relative_to(root).with_suffix("").parts[:-1])
    out = []
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            out += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(parent + ([node.module] if node.module else []))
            out.append((base, node.lineno))
            out += [(f"{base}.{alias.name}", node.lineno) for alias in node.names]
    return out


def test_pages_never_import_pages():
    pages = {p.stem for p in VIEWS.glob("*.py") if p.stem != "__init__"}
    assert {"market", "trading", "plan_review", "allocations", "block_trades"} <= pages
    found = []
    for path in sorted(VIEWS.glob("*.py")):
        for name, line in _imported_modules(path):
            if name == "portal.views" or (name.startswith("portal.views.") and name.split(".")[2] in pages):
                found.append(f"{path.name}:{line} imports {name}")
    assert not found, f"move what pages share into portal/ui.py, portal/data or portal/submit.py: {found}"


def test_the_checkers_see_what_they_look_for(tmp_path):
    literals = _message_literals(ast.parse('send({"amount": 1, "type": "transfer"})\nrow = {"type": kind}\n'
                                           'x = dict(type="approve")\ny = dict(type=kind)'))
    assert sorted(n.lineno for n in literals) == [1, 3]

    views = tmp_path / "portal" / "views"
    views.mkdir(parents=True)
    page = views / "trading.py"
    page.write_text("from .market import cached\nfrom .. import ui\nfrom portal.views import account\n")
    names = [n for n, _ in _imported_modules(page, tmp_path)]
    assert "portal.views.market" in names and "portal.views.account" in names and "portal.ui" in names


def test_the_data_layer_imports_no_streamlit_and_only_cache_py_caches():
    for path in sorted((PORTAL / "data").glob("*.py")):
        names = [n for n, _ in _imported_modules(path)]
        assert not any(n == "streamlit" or n.startswith("streamlit.") for n in names), path.name
    caching = [p.relative_to(ROOT).as_posix() for p in SOURCES if "st.cache_data" in p.read_text()
               or "st.cache_resource" in p.read_text()]
    assert caching == ["portal/cache.py"], caching


def test_every_portal_module_says_what_it_owns():
    missing = [p.relative_to(ROOT).as_posix() for p in SOURCES if not ast.get_docstring(_tree(p))]
    assert not missing


def test_signed_reads_are_never_marked_public():
    for module in (data.chain, registry, data.emissions, data.allocations, data.governance, data.market, holdings,
                   trading, blocktrades, makers):
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ != module.__name__ or name.startswith("_"):
                continue
            signed = "reader" in inspect.signature(fn).parameters
            assert not (signed and data.is_public(fn)), f"{module.__name__}.{name} is signed but marked public"
    assert data.is_public(registry.accounts) and not data.is_public(holdings.balances)


def test_the_shared_cache_refuses_signed_reads():
    from portal import cache

    for read in (holdings.balances, holdings.cash, holdings.holdings, trading.orders, trading.fills,
                 blocktrades.block_trades, blocktrades.regulator_block_trades, makers.report):
        with pytest.raises(ValueError, match="signed reads are never cached"):
            cache.cached(read, "ab" * 20, None)


def test_only_freshness_and_expiry_ask_for_the_node_status():
    # chain_status; open_plan_proposal's "now"; the height proofs are read at (the block before the latest)
    allowed = {"portal/data/chain.py", "portal/data/governance.py", "portal/data/verified.py"}
    found = []
    for path in SOURCES:
        for node in ast.walk(_tree(path)):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in {"status", "chain_time", "height"}
                    and not (isinstance(node.func.value, ast.Name) and node.func.value.id == "st")  # st.status box
                    and path.relative_to(ROOT).as_posix() not in allowed):
                found.append(_where(path, node))
    assert not found, f"signing needs no status call (ChainClient.query dates a signed query itself): {found}"


@pytest.mark.localnet
def test_a_signed_read_is_one_rpc(chain):
    """Once the client knows the chain id (one status call in its lifetime), each signed read is one abci_query."""
    from ets.rpc import ChainClient

    steel = chain.company("steel")
    calls: list[str] = []
    with ChainClient(chain.rpc_url) as client:
        holdings.balances(client, steel.address, steel.signer)  # learns the chain id
        original = client.call

        def counting(method, **params):
            calls.append(method)
            return original(method, **params)

        client.call = counting  # type: ignore[method-assign]
        for read in (holdings.balances, holdings.holdings, holdings.cash, trading.orders):
            calls.clear()
            read(client, steel.address, steel.signer)
            assert calls == ["abci_query"], (read.__name__, calls)
