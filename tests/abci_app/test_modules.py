"""The chain's modules (abci_app/modules): the assembled rules table, code ownership, state keys built by key functions."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from abci_app import rules
from abci_app.modules import assemble
from abci_app.modules.render import render_rules
from abci_app.rules import CHAIN
from protocol.codes import Code
from protocol.messages import ACTIONS, MESSAGES
from chain_tour import tour

ABCI_APP = Path(rules.__file__).resolve().parent


def test_the_rules_docstring_shows_the_assembled_tables():
    doc = rules.__doc__
    start = doc.index("a test keeps them equal:\n\n") + len("a test keeps them equal:\n\n")
    end = doc.index("\n\nEvery transaction passes the same pipeline")
    assert doc[start:end] == render_rules(rules.CHAIN), "paste `python -m abci_app.modules.render` into abci_app/rules.py"


def test_every_message_and_governed_action_has_exactly_one_module():
    assert sorted(cls.TYPE for cls in rules.CHAIN.rules) == sorted(MESSAGES)
    assert sorted(cls.TYPE for cls in rules.CHAIN.actions) == sorted(ACTIONS)
    assert all(rule.module and rule.roles for rule in rules.RULES.values())
    with pytest.raises(AssertionError, match="two modules"):
        assemble(rules.MODULES + (rules.MODULES[1],))


def test_every_code_is_owned_once_and_code_ranges_do_not_overlap():
    owners: dict[Code, list[str]] = {}
    for module in rules.MODULES:
        for code in module.codes:
            owners.setdefault(code, []).append(module.name)
    assert {code: names for code, names in owners.items() if len(names) != 1} == {}
    assert set(owners) == set(Code), f"codes no module owns: {sorted(set(Code) - set(owners))}"
    ranges = sorted((m.code_range.start, m.code_range.stop, m.name) for m in rules.MODULES)
    assert all(r.code_range and r.code_range.start >= 100 for r in rules.MODULES)
    for (_, stop, name), (start, _, other) in zip(ranges, ranges[1:]):
        assert stop <= start, f"code ranges of {name} and {other} overlap"
    for module in rules.MODULES:
        for code in Code:
            if code in module.code_range:
                assert owners[code] == [module.name], f"{code.name} lies in {module.name}'s range but is owned by {owners[code]}"
        assert all(code < 100 or code in module.code_range for code in module.codes)


def test_key_prefixes_of_different_modules_never_overlap():
    prefixes = [(p, m.name) for m in rules.MODULES for p in m.keys]
    for p, owner in prefixes:
        for q, other in prefixes:
            if (p, owner) != (q, other):
                assert not q.startswith(p), f"{owner}'s {p!r} is a prefix of {other}'s {q!r}"


def _literals(tree: ast.AST):
    """String constants of a module that are not docstrings (f-strings: their leading text)."""
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef)) and node.body
                  and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
            yield node.values[0].value, node.lineno
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.value, node.lineno


def test_state_keys_are_spelled_only_in_keys_modules():
    """Handlers, queries, genesis and the pipeline build keys with the key functions, never by re-typing them."""
    prefixes = [p for m in rules.MODULES for p in m.keys if p != "params"]  # "params" is also a route and a genesis field
    found = []
    for path in sorted(ABCI_APP.rglob("*.py")):
        if path.name == "keys.py" or "_gen" in path.parts:
            continue
        for text, line in _literals(ast.parse(path.read_text())):
            for prefix in prefixes:
                if text.startswith(prefix) if "/" in prefix else text == prefix:
                    found.append(f"{path.relative_to(ABCI_APP)}:{line}: {text!r}")
    assert found == []


def test_every_state_key_belongs_to_exactly_one_module(tmp_path):
    store = tour(tmp_path / "tour").node.app.store
    owners = {}
    for key, _ in store.items():
        owners[key] = [m.name for m in rules.MODULES for p in m.keys if key.startswith(p)]
    assert {k: v for k, v in owners.items() if len(v) != 1} == {}
    seen = {names[0] for names in owners.values()}
    assert seen == {m.name for m in rules.MODULES}  # the tour wrote keys of every module


def test_the_indexed_state_read_finds_the_longest_declared_prefix_as_a_walk_over_all_would():
    """``Chain.state_read`` looks prefixes up by the key's first segment; a plain walk is the reference."""
    def walk(key: str):
        return next((r for r in CHAIN.state_reads if key.startswith(r.prefix)), None)

    prefixes = [r.prefix for r in CHAIN.state_reads]
    keys = [p + tail for p in prefixes for tail in ("", "x", "/", "ab/cd", "0" * 12)] + [p[:-1] for p in prefixes]
    keys += ["", "/", "unknown/key", "bal", "xlog", "params/x", "booksx", "nonce/ab/cd"]
    assert len(keys) > 400
    assert [(k, CHAIN.state_read(k)) for k in keys] == [(k, walk(k)) for k in keys]
