"""The store (abci_app/state.py): overlays, atomic block commits, and the AdHash accumulator."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abci_app.errors import StorageError
from abci_app.state import Overlay, Store, app_hash_of, element_hash


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "state.sqlite")
    s.reset_genesis("c", {"a": b"1", "b/1": b"x", "b/2": b"y", "c": b"z"}, 100)
    yield s
    s.close()


def test_overlay_reads_through_and_deletes(store):
    top = Overlay(store)
    assert top.get("a") == b"1"
    top.set("a", b"2")
    top.set("c", None)
    child = top.child()
    assert (child.get("a"), child.get("c"), child.get("missing")) == (b"2", None, None)
    child.set("d", b"new")
    assert top.get("d") is None  # not merged yet
    child.merge()
    assert top.get("d") == b"new"
    assert store.get("a") == b"1" and store.get("d") is None  # the store is untouched
    with pytest.raises(TypeError):
        top.merge()


def test_discarded_child_leaves_parent_unchanged(store):
    top = Overlay(store)
    child = top.child()
    child.set("a", b"9")
    assert top.writes == {} and top.get("a") == b"1"


def test_commit_block_persists_atomically_and_survives_reopen(tmp_path, store):
    writes = {"a": b"2", "c": None, "e": b"5"}
    acc = store.next_accumulator(writes)
    store.commit_block(1, app_hash_of(acc), acc, 105, writes, [(b"\x01" * 32, 1, 0, 0, "", "signer", "transfer")])
    assert store.recompute_accumulator() == store.accumulator == acc
    again = Store(store.path)
    assert (again.height, again.app_hash, again.block_time, again.chain_id) == (1, app_hash_of(acc), 105, "c")
    assert dict(again.items()) == {"a": b"2", "b/1": b"x", "b/2": b"y", "e": b"5"}
    assert again.scan("b/") == [("b/1", b"x"), ("b/2", b"y")]
    assert again.tx_result(b"\x01" * 32) == (1, 0, 0, "", "signer", "transfer")
    assert again.tx_result(b"\x02" * 32) is None
    again.close()


def test_reset_genesis_replaces_everything(store):
    store.commit_block(1, b"h" * 32, 0, 1, {"zz": b"1"}, [(b"\x01" * 32, 1, 0, 0, "", "", "")])
    app_hash = store.reset_genesis("d", {"only": b"1"}, 7)
    assert dict(store.items()) == {"only": b"1"}
    assert store.get("zz") is None and store.tx_result(b"\x01" * 32) is None
    assert (store.height, store.chain_id, store.app_hash) == (0, "d", app_hash)
    assert app_hash == app_hash_of(element_hash("only", b"1"))


def test_opening_an_unusable_path_is_a_storage_error(tmp_path):
    with pytest.raises(StorageError, match="cannot open"):
        Store(tmp_path)  # a directory, not a database file


def test_element_hash_separates_key_and_value():
    assert element_hash("ab", b"c") != element_hash("a", b"bc")
    assert element_hash("a", b"") != element_hash("", b"a")
    assert 0 < element_hash("k", b"v") < 2**4096


keys = st.text(st.sampled_from("abc/"), min_size=1, max_size=4)
write_sets = st.dictionaries(keys, st.none() | st.binary(max_size=3), max_size=6)


@settings(max_examples=40, deadline=None)
@given(st.lists(write_sets, min_size=1, max_size=5))
def test_incremental_accumulator_equals_recomputed_after_every_block(blocks):
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "s.sqlite")
        store.reset_genesis("c", {"a": b"0"}, 0)
        for height, writes in enumerate(blocks, 1):
            acc = store.next_accumulator(writes)
            store.commit_block(height, app_hash_of(acc), acc, height, writes, [])
            assert store.recompute_accumulator() == acc
        store.close()


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(keys, st.binary(min_size=1, max_size=3), min_size=1, max_size=8), st.randoms(use_true_random=False))
def test_app_hash_depends_on_the_state_not_on_the_path_to_it(target, rnd):
    """Reaching the same state in one block or key by key through other values gives the same hash."""
    with tempfile.TemporaryDirectory() as tmp:
        one = Store(Path(tmp) / "one.sqlite")
        two = Store(Path(tmp) / "two.sqlite")
        for s in (one, two):
            s.reset_genesis("c", {"seed": b"0"}, 0)
        acc = one.next_accumulator({**target, "seed": None})
        one.commit_block(1, app_hash_of(acc), acc, 1, {**target, "seed": None}, [])
        order = list(target)
        rnd.shuffle(order)
        for height, key in enumerate(order, 1):
            writes = {key: b"tmp-" + target[key]}
            acc = two.next_accumulator(writes)
            two.commit_block(2 * height - 1, app_hash_of(acc), acc, 0, writes, [])
            acc = two.next_accumulator({key: target[key]})
            two.commit_block(2 * height, app_hash_of(acc), acc, 0, {key: target[key]}, [])
        acc = two.next_accumulator({"seed": None})
        two.commit_block(99, app_hash_of(acc), acc, 0, {"seed": None}, [])
        assert one.app_hash == two.app_hash
        one.close()
        two.close()
