"""The store (abci_app/state.py): overlays, atomic block commits, and the state tree behind the app hash."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abci_app.errors import StorageError
from abci_app.smt import root_of
from abci_app.state import History, Overlay, Store
from abci_harness import BLINDING_KEY


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "state.sqlite", BLINDING_KEY)
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


def commit(store: Store, height: int, writes: dict, block_time: int = 0, records=()) -> bytes:
    staged = store.stage(height, writes)
    store.commit_block(height, staged, block_time, writes, list(records))
    return staged.root_hash


def test_commit_block_persists_atomically_and_survives_reopen(tmp_path, store):
    writes = {"a": b"2", "c": None, "e": b"5"}
    app_hash = commit(store, 1, writes, 105, [(b"\x01" * 32, 1, 0, 0, "", "signer", "transfer", b"", 0)])
    assert store.recompute_root() == store.app_hash == app_hash
    again = Store(store.path, BLINDING_KEY)
    assert (again.height, again.app_hash, again.block_time, again.chain_id) == (1, app_hash, 105, "c")
    assert dict(again.items()) == {"a": b"2", "b/1": b"x", "b/2": b"y", "e": b"5"}
    assert again.scan("b/") == [("b/1", b"x"), ("b/2", b"y")]
    assert again.tx_result(b"\x01" * 32) == (1, 0, 0, "", "signer", "transfer", b"", 0)
    assert again.tx_result(b"\x02" * 32) is None
    again.close()


def test_reset_genesis_replaces_everything(store):
    commit(store, 1, {"zz": b"1"}, 1, [(b"\x01" * 32, 1, 0, 0, "", "", "", b"", 0)])
    app_hash = store.reset_genesis("d", {"only": b"1"}, 7)
    assert dict(store.items()) == {"only": b"1"}
    assert store.get("zz") is None and store.tx_result(b"\x01" * 32) is None
    assert (store.height, store.chain_id, store.app_hash) == (0, "d", app_hash)
    assert app_hash == root_of([("only", b"1")], BLINDING_KEY)
    assert store.kept_heights() == [0]


def test_opening_an_unusable_path_is_a_storage_error(tmp_path):
    with pytest.raises(StorageError, match="cannot open"):
        Store(tmp_path, BLINDING_KEY)  # a directory, not a database file


def test_another_blinding_key_gives_another_app_hash_and_a_short_key_is_refused(tmp_path):
    entries = [("bal/x/KAU25", b"100"), ("bal/y/KAU25", b"7")]
    assert root_of(entries, BLINDING_KEY) != root_of(entries, bytes(32))
    with pytest.raises(StorageError, match="32 bytes"):
        Store(tmp_path / "s.sqlite", b"short")


def test_state_of_an_older_app_hash_scheme_is_refused_with_advice(tmp_path):
    import sqlite3
    db = sqlite3.connect(tmp_path / "old.sqlite")
    db.executescript("CREATE TABLE meta (name TEXT PRIMARY KEY, v BLOB NOT NULL);"
                     "INSERT INTO meta VALUES ('height', '5'), ('accumulator', x'00');")
    db.commit()
    db.close()
    with pytest.raises(StorageError, match="older version.*new home"):
        Store(tmp_path / "old.sqlite", BLINDING_KEY)


def _a_state_file(tmp_path: Path, keys: int = 3000) -> Path:
    """A checkpointed state database of ``keys`` entries (every page in the main file)."""
    import sqlite3
    s = Store(tmp_path / "state.sqlite", BLINDING_KEY)
    s.reset_genesis("c", {f"k/{i:05d}": bytes(200) for i in range(keys)}, 1)
    s.close()
    db = sqlite3.connect(tmp_path / "state.sqlite")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return tmp_path / "state.sqlite"


def _kv_leaf_pages(path: Path) -> list[int]:
    import sqlite3
    db = sqlite3.connect(path)
    try:
        return [row[0] for row in db.execute("SELECT pageno FROM dbstat WHERE name = 'kv' AND pagetype = 'leaf'")]
    finally:
        db.close()


@pytest.mark.parametrize("damage", ["truncated", "flipped page"])
def test_a_damaged_state_file_is_refused_with_the_way_to_recover(tmp_path, damage):
    path = _a_state_file(tmp_path)
    pages = _kv_leaf_pages(path)
    with open(path, "r+b") as f:
        if damage == "truncated":
            f.truncate(path.stat().st_size // 2)
        else:
            offset = (pages[len(pages) // 2] - 1) * 4096
            f.seek(offset)
            page = f.read(4096)
            f.seek(offset)
            f.write(bytes(b ^ 0xFF for b in page))
    with pytest.raises(StorageError, match=r"damaged database: .*refuses to start.*Move state.sqlite .*replays the chain"):
        Store(path, BLINDING_KEY)


def test_a_full_disk_at_commit_is_a_storage_error_that_says_so(tmp_path):
    path = _a_state_file(tmp_path, keys=100)
    s = Store(path, BLINDING_KEY)
    pages = s._db.execute("PRAGMA page_count").fetchone()[0]
    s._db.execute(f"PRAGMA max_page_count = {pages + 2}")  # SQLite's own SQLITE_FULL, as on a full filesystem
    with pytest.raises(StorageError, match=r"^disk full: commit of block 1 to .*Free space on the filesystem"):
        commit(s, 1, {f"new/{i:05d}": bytes(500) for i in range(200)})
    s.close()
    again = Store(path, BLINDING_KEY)  # nothing of the failed block was written
    assert again.height == 0 and again.get("new/00000") is None
    again.close()


def test_restore_replaces_the_state_and_refuses_duplicates_leaving_it_as_it_was(store):
    before = (store.app_hash, dict(store.items()))
    with pytest.raises(StorageError, match="twice"):
        store.restore("c", 9, 5, [("k", b"1"), ("k", b"2")])
    assert (store.app_hash, dict(store.items())) == before
    root = store.restore("c", 40, 5, [("k", b"1"), ("j", b"2")])
    assert root == store.app_hash == root_of([("j", b"2"), ("k", b"1")], BLINDING_KEY)
    assert (store.height, store.kept_heights()) == (40, [40])
    assert commit(store, 41, {"k": None}) == root_of([("j", b"2")], BLINDING_KEY)


def test_past_heights_are_kept_for_the_window_and_at_checkpoints(tmp_path):
    store = Store(tmp_path / "h.sqlite", BLINDING_KEY, History(window=3, checkpoint=5))
    store.reset_genesis("c", {"bal/x": b"0"}, 0)
    for height in range(1, 13):
        commit(store, height, {"bal/x": str(height).encode(), f"n/{height}": b"1"})
    assert store.kept_heights() == [0, 5, 9, 10, 11, 12]
    for height in (5, 9, 12):
        value, _, _ = store.prove("bal/x", height)
        assert value == str(height).encode()
    assert store.prove("n/7", 9)[0] == b"1" and store.prove("n/11", 10)[0] is None
    with pytest.raises(LookupError, match="height 7 is not kept"):
        store.prove("bal/x", 7)
    # the nodes only pruned heights needed are gone: the database holds no more than the kept trees need
    reachable = set()
    for height in store.kept_heights():
        stack = [store.tree.root_at(height)]
        while stack:
            ref = stack.pop()
            if ref[0] == 0:
                continue
            reachable.add(ref[2])
            if ref[0] == 2:
                stack.extend(store.tree._node(ref[2]))
    stored = {bytes(r[0]) for r in store._db.execute("SELECT id FROM smt_node")}
    assert stored == reachable
    store.close()


keys = st.text(st.sampled_from("abc/"), min_size=1, max_size=4)
write_sets = st.dictionaries(keys, st.none() | st.binary(max_size=3), max_size=6)


@settings(max_examples=40, deadline=None)
@given(st.lists(write_sets, min_size=1, max_size=5))
def test_incremental_root_equals_recomputed_after_every_block(blocks):
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "s.sqlite", BLINDING_KEY)
        store.reset_genesis("c", {"a": b"0"}, 0)
        for height, writes in enumerate(blocks, 1):
            assert commit(store, height, writes, height) == store.recompute_root()
        again = Store(store.path, BLINDING_KEY)  # and the stored tree reopens at that root
        assert again.app_hash == store.app_hash == again.tree.root[1]
        again.close()
        store.close()


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(keys, st.binary(min_size=1, max_size=3), min_size=1, max_size=8), st.randoms(use_true_random=False))
def test_app_hash_depends_on_the_state_not_on_the_path_to_it(target, rnd):
    """Reaching the same state in one block or key by key through other values gives the same hash."""
    with tempfile.TemporaryDirectory() as tmp:
        one = Store(Path(tmp) / "one.sqlite", BLINDING_KEY)
        two = Store(Path(tmp) / "two.sqlite", BLINDING_KEY)
        for s in (one, two):
            s.reset_genesis("c", {"seed": b"0"}, 0)
        commit(one, 1, {**target, "seed": None})
        order = list(target)
        rnd.shuffle(order)
        for height, key in enumerate(order, 1):
            commit(two, 2 * height - 1, {key: b"tmp-" + target[key]})
            commit(two, 2 * height, {key: target[key]})
        commit(two, 99, {"seed": None})
        assert one.app_hash == two.app_hash
        one.close()
        two.close()


def test_a_small_node_cache_trims_to_the_top_levels_and_gives_the_same_roots(tmp_path):
    """The node cache, when full, keeps only the internal nodes of the top levels that fit in three quarters of it;
    staging then reads the rest from SQLite, and every root is the one a store with a roomy cache computes."""
    from abci_app.smt import Tree, _INTERNAL_TAG

    def depths(cache):
        return {(i[9] << 8) | i[10] for i in cache}
    roomy = Store(tmp_path / "roomy.sqlite", BLINDING_KEY)
    small = Store(tmp_path / "small.sqlite", BLINDING_KEY)
    small.tree = Tree(small._db, BLINDING_KEY, cache_entries=300, key_entries=50)
    for s in (roomy, small):
        s.reset_genesis("c", {f"g/{i:04d}": b"%d" % i for i in range(500)}, 0)
    sizes, trims, checked = [len(small.tree._cache)], [], 0
    trim = small.tree._trim
    small.tree._trim = lambda extra=(): (trims.append(len(extra)), trim(extra))
    for height in range(1, 31):
        writes = {f"k/{height}/{i:03d}": b"v%d" % (height * i) for i in range(12)}
        writes.update({f"g/{i:04d}": None if i % 7 == 0 else b"w%d" % height for i in range(height * 15, height * 15 + 8)})
        assert commit(small, height, writes, height) == commit(roomy, height, writes, height)
        assert len(small.tree._cache) <= 300
        assert all(i[8] == _INTERNAL_TAG for i in small.tree._cache)
        assert len(small.tree._cache) > 0
        trims_before, trims[:] = list(trims), []
        if trims_before and trims_before[-1]:  # trimmed when the block's nodes came in: the top levels, in 3/4 of it
            assert len(small.tree._cache) <= 225
            kept = depths(small.tree._cache)
            assert kept == set(range(max(kept) + 1)), kept
            assert max(kept) < max(depths(roomy.tree._cache))
            checked += 1
        sizes.append(len(small.tree._cache))
    assert any(later < earlier for earlier, later in zip(sizes, sizes[1:])), sizes  # the cache was trimmed, and refilled
    assert checked, "no block's nodes met a full cache"
    assert len(roomy.tree._cache) > 300  # (the roomy store kept every internal node)
    assert small.prove("k/30/001")[0] == roomy.prove("k/30/001")[0] == b"v30"  # proofs read the rest from SQLite
    assert small.app_hash == roomy.app_hash == small.recompute_root()
    small.close()
    roomy.close()


def test_the_native_block_update_makes_the_python_builders_nodes_and_refuses_a_missing_one_the_same(tmp_path):
    """protocol._native.smt_update (Rust) and the Python builder stage the same root, node rows, internal nodes and
    replaced ids, block after block, with deletes, empty values, keys that share long prefixes, and a cache so small
    that most of each path is read from SQLite; a node missing from SQLite is the same LookupError from both."""
    import random

    from abci_app.smt import Tree
    from protocol import hotpath
    from protocol.smt import key_path

    if hotpath.native() is None:
        pytest.skip(f"the native hot path is not built ({hotpath.load_error()}); run scripts/build_native.sh")
    stores = {}
    for name in ("native", "python"):
        stores[name] = Store(tmp_path / f"{name}.sqlite", BLINDING_KEY)
        stores[name].tree = Tree(stores[name]._db, BLINDING_KEY, cache_entries=200, key_entries=40)
        stores[name].reset_genesis("c", {f"g/{i:05d}": b"%d" % i for i in range(1500)}, 0)
    rnd = random.Random(14)
    for height in range(1, 26):
        writes: dict[str, bytes | None] = {}
        for _ in range(rnd.randrange(0, 300)):
            value = None if rnd.random() < 0.3 else (b"" if rnd.random() < 0.05 else b"v%d" % rnd.randrange(10**6))
            writes[f"g/{rnd.randrange(3000):05d}"] = value
        if height % 5 == 0:
            writes.clear()  # a block that changes nothing
        fast = stores["native"].stage(height, writes)
        with hotpath.python_only():
            reference = stores["python"].stage(height, writes)
        assert fast.root == reference.root, height
        assert fast.rows() == reference.rows(), height
        assert fast.stale == reference.stale, height
        assert sorted(fast.internal) == sorted(reference.internal), height
        for name, staged in (("native", fast), ("python", reference)):
            stores[name].commit_block(height, staged, height, writes, [])
            assert len(stores[name].tree._cache) <= 200
    assert stores["native"].app_hash == stores["python"].app_hash == stores["native"].recompute_root()

    errors = []
    for name, only in (("native", False), ("python", True)):
        tree = stores[name].tree
        root_id = tree.root[2]
        left = tree._node(root_id)[0]
        stores[name]._db.execute("DELETE FROM smt_node WHERE id = ?", (left[2],))
        tree._cache.clear()
        goes_left = next(f"g/{i:05d}" for i in range(1500) if not key_path(f"g/{i:05d}")[0] >> 7)  # below the gone node
        with hotpath.python_only() if only else contextlib.nullcontext():
            with pytest.raises(LookupError) as caught:
                tree.stage(99, {goes_left: b"changed"})
        errors.append(str(caught.value))
    assert errors[0] == errors[1] and "missing" in errors[0], errors
    for s in stores.values():
        s.close()
