"""State-sync snapshots (abci_app/snapshots.py): taken after Commit, served in chunks, restored into a fresh node.

A peer's snapshot is untrusted: tampered chunks, a wrong app hash, enormous or malformed metadata are
refused with an answer, never an exception, and a refused restore leaves the store as it was.
"""

from __future__ import annotations

import hashlib
import json
import time

import pytest

from protocol.codec import canonical_json
from abci_app import snapshots as snap
from abci_app.proto import abci
from abci_harness import CHAIN_ID, Node, transfer

OFFER, APPLY = abci.ResponseOfferSnapshot, abci.ResponseApplySnapshotChunk


@pytest.fixture
def source(tmp_path, actors) -> Node:
    """A node with some blocks and a snapshot of its latest height, in small chunks (several per snapshot)."""
    node = Node.start(tmp_path / "source", actors.app_state())
    for i in range(4):
        node.run(actors.companies[0], transfer(actors.companies[1], 1 + i))
    node.app.snapshots.chunk_bytes = 1024
    node.app.snapshots.take()
    return node


def fresh(tmp_path, name: str = "joiner") -> Node:
    return Node(tmp_path / name)  # no InitChain: a node that joins by state sync starts empty


def listed(node: Node) -> abci.Snapshot:
    (snapshot,) = node.app.list_snapshots(abci.RequestListSnapshots()).snapshots
    return snapshot


def chunks(node: Node, snapshot: abci.Snapshot) -> list[bytes]:
    return [node.app.load_snapshot_chunk(abci.RequestLoadSnapshotChunk(height=snapshot.height, format=snapshot.format, chunk=i)).chunk
            for i in range(snapshot.chunks)]


def offer(node: Node, snapshot: abci.Snapshot, app_hash: bytes) -> int:
    return node.app.offer_snapshot(abci.RequestOfferSnapshot(snapshot=snapshot, app_hash=app_hash)).result


def apply(node: Node, parts: list[bytes]) -> list[abci.ResponseApplySnapshotChunk]:
    return [node.app.apply_snapshot_chunk(abci.RequestApplySnapshotChunk(index=i, chunk=c, sender="peer-1")) for i, c in enumerate(parts)]


def forged(snapshot: abci.Snapshot, **changes) -> abci.Snapshot:
    """The snapshot with its metadata changed and its hash recomputed (what a lying peer can do)."""
    meta = json.loads(snapshot.metadata)
    meta.update(changes)
    metadata = canonical_json(meta)
    return abci.Snapshot(height=meta["height"] if isinstance(meta["height"], int) else snapshot.height, format=snapshot.format,
                         chunks=snapshot.chunks, hash=hashlib.sha256(metadata).digest(), metadata=metadata)


def test_round_trip_restores_the_same_state_and_app_hash(tmp_path, source):
    snapshot = listed(source)
    assert snapshot.height == source.height and snapshot.format == snap.FORMAT and snapshot.chunks > 1
    joiner = fresh(tmp_path)
    assert offer(joiner, snapshot, source.app.store.app_hash) == OFFER.ACCEPT
    results = apply(joiner, chunks(source, snapshot))
    assert [r.result for r in results] == [APPLY.ACCEPT] * snapshot.chunks
    store = joiner.app.store
    assert (store.height, store.app_hash, store.chain_id, store.block_time) == \
        (source.height, source.app.store.app_hash, CHAIN_ID, source.app.store.block_time)
    assert list(store.items()) == list(source.app.store.items())
    info = joiner.info()
    assert info.last_block_height == source.height and info.last_block_app_hash == source.app.store.app_hash
    # and the restored node goes on with the next block exactly as the source does
    joiner.nonces, joiner.time = dict(source.nonces), source.time
    a, b = source.finalize([]), joiner.finalize([])
    assert a.app_hash == b.app_hash


def test_snapshots_are_taken_every_interval_in_the_background_and_only_the_latest_kept(tmp_path, actors):
    node = Node.start(tmp_path / "n", actors.app_state())
    node.app.snapshots.configure(interval=2, keep=2)
    for _ in range(7):
        node.block([])
        node.app.snapshots.wait()
    heights = [s.height for s in node.app.list_snapshots(abci.RequestListSnapshots()).snapshots]
    assert heights == [6, 4]  # newest first; height 2 pruned
    assert not list((tmp_path / "n" / "snapshots").glob(".tmp-*"))
    node.app.snapshots.configure(interval=0, keep=2)
    node.block([])
    node.block([])
    node.app.snapshots.wait()
    assert [s.height for s in node.app.list_snapshots(abci.RequestListSnapshots()).snapshots] == [6, 4]


def test_the_snapshot_is_of_the_committed_height_even_while_later_blocks_commit(tmp_path, source, actors):
    """The read transaction starts in Commit: blocks committed while the chunks are written do not leak in."""
    app = source.app
    app.snapshots.chunk_bytes = 64
    height, app_hash, items = app.store.height, app.store.app_hash, list(app.store.items())
    thread = app.snapshots.take(background=True)
    for i in range(3):
        source.run(actors.companies[1], transfer(actors.companies[0], 1))
    thread.join()
    snapshot = next(s for s in app.list_snapshots(abci.RequestListSnapshots()).snapshots if s.height == height)
    joiner = fresh(tmp_path)
    assert offer(joiner, snapshot, app_hash) == OFFER.ACCEPT
    assert apply(joiner, chunks(source, snapshot))[-1].result == APPLY.ACCEPT
    assert list(joiner.app.store.items()) == items


def test_a_tampered_chunk_is_fetched_again_then_the_snapshot_given_up(tmp_path, source):
    snapshot = listed(source)
    parts = chunks(source, snapshot)
    joiner = fresh(tmp_path)
    assert offer(joiner, snapshot, source.app.store.app_hash) == OFFER.ACCEPT
    bad = bytearray(parts[0])
    bad[-1] ^= 1
    for attempt in range(1, snap.MAX_CHUNK_RETRIES + 1):
        response = joiner.app.apply_snapshot_chunk(abci.RequestApplySnapshotChunk(index=0, chunk=bytes(bad), sender="liar"))
        if attempt < snap.MAX_CHUNK_RETRIES:
            assert response.result == APPLY.RETRY and list(response.refetch_chunks) == [0]
            assert list(response.reject_senders) == ["liar"]
    assert response.result == APPLY.REJECT_SNAPSHOT
    assert joiner.app.store.height == 0 and list(joiner.app.store.items()) == []


def test_a_good_chunk_after_a_bad_one_is_accepted(tmp_path, source):
    snapshot = listed(source)
    parts = chunks(source, snapshot)
    joiner = fresh(tmp_path)
    offer(joiner, snapshot, source.app.store.app_hash)
    assert joiner.app.apply_snapshot_chunk(abci.RequestApplySnapshotChunk(index=0, chunk=parts[0][:-1], sender="x")).result == APPLY.RETRY
    assert [r.result for r in apply(joiner, parts)][-1] == APPLY.ACCEPT
    assert joiner.app.store.app_hash == source.app.store.app_hash


def test_a_wrong_app_hash_is_refused_and_the_store_left_as_it_was(tmp_path, source, actors):
    """The metadata and the header agree on an app hash the entries do not produce."""
    snapshot = listed(source)
    lie = "ab" * 32
    joiner = Node.start(tmp_path / "joiner", actors.app_state())  # a node with a genesis state
    before = (joiner.app.store.height, joiner.app.store.app_hash, list(joiner.app.store.items()))
    assert offer(joiner, forged(snapshot, app_hash=lie), bytes.fromhex(lie)) == OFFER.ACCEPT
    results = apply(joiner, chunks(source, snapshot))
    assert results[-1].result == APPLY.REJECT_SNAPSHOT
    assert (joiner.app.store.height, joiner.app.store.app_hash, list(joiner.app.store.items())) == before
    # the same snapshot with the true hash still restores afterwards
    assert offer(joiner, snapshot, source.app.store.app_hash) == OFFER.ACCEPT
    assert apply(joiner, chunks(source, snapshot))[-1].result == APPLY.ACCEPT


def test_metadata_that_disagrees_with_the_verified_app_hash_is_refused(tmp_path, source):
    joiner = fresh(tmp_path)
    assert offer(joiner, listed(source), b"\x01" * 32) == OFFER.REJECT


def _metadata_cases(snapshot: abci.Snapshot) -> dict[str, abci.Snapshot]:
    meta = json.loads(snapshot.metadata)
    huge = b" " * (snap.MAX_METADATA_BYTES + 1)

    def raw(metadata: bytes, **fields) -> abci.Snapshot:
        base = dict(height=snapshot.height, format=snapshot.format, chunks=snapshot.chunks, hash=hashlib.sha256(metadata).digest())
        base.update(fields)
        return abci.Snapshot(metadata=metadata, **base)

    many = [{"hash": "00" * 32, "bytes": 1, "entries": 0}] * (snap.MAX_CHUNKS + 1)
    return {
        "enormous": raw(huge),
        "not json": raw(b"\xff{"),
        "nested": raw(b"[" * 100_000),
        "duplicate key": raw(snapshot.metadata[:-1] + b',"format":1}'),
        "extra field": forged(snapshot, extra=1),
        "float height": forged(snapshot, height=1.5),
        "negative time": forged(snapshot, block_time=-1),
        "too many chunks": raw(canonical_json({**meta, "chunks": many, "entries": 0}), chunks=len(many)),
        "chunk too big": forged(snapshot, chunks=[{**c, "bytes": snap.MAX_CHUNK_BYTES + 1} for c in meta["chunks"]]),
        "entries sum": forged(snapshot, entries=meta["entries"] + 1),
        "bad chunk hash": forged(snapshot, chunks=[{**c, "hash": "XY" * 32} for c in meta["chunks"]]),
        "chunk count": raw(snapshot.metadata, chunks=snapshot.chunks + 1),
        "height": raw(snapshot.metadata, height=snapshot.height + 1),
        "hash": raw(snapshot.metadata, hash=b"\x00" * 32),
        "other chain": forged(snapshot, chain_id="another-chain"),
    }


def test_enormous_or_malformed_metadata_is_refused_without_an_exception(tmp_path, source):
    snapshot = listed(source)
    joiner = fresh(tmp_path)
    joiner.app.snapshots.chain_id = CHAIN_ID
    for what, bad in _metadata_cases(snapshot).items():
        assert offer(joiner, bad, source.app.store.app_hash) == OFFER.REJECT, what
    assert offer(joiner, abci.Snapshot(height=1, format=2, chunks=1), b"") == OFFER.REJECT_FORMAT
    assert joiner.app.apply_snapshot_chunk(abci.RequestApplySnapshotChunk(index=0, chunk=b"x")).result == APPLY.ABORT


def test_a_node_with_blocks_refuses_to_restore(source):
    assert offer(source, listed(source), source.app.store.app_hash) == OFFER.ABORT


@pytest.mark.parametrize("chunk, problem", [
    (b"\x00\x00\x00", "key length"),
    (b"\x00\x00\x00\x00", "key length"),  # an empty key
    (b"\x00\x00\x10\x00" + b"k" * 4096, "key length"),  # above MAX_KEY_BYTES
    (b"\x00\x00\x00\x01\xff\x00\x00\x00\x00", "UTF-8"),
    (b"\x00\x00\x00\x01\n\x00\x00\x00\x00", "control"),
    (b"\x00\x00\x00\x01a\x00\x00\x00\x05abc", "value length"),
    (snap.encode_entries([("b", b"1"), ("a", b"2")]), "sorted"),
    (snap.encode_entries([("a", b"1"), ("a", b"2")]), "sorted"),
])
def test_chunk_entries_are_parsed_strictly(chunk, problem):
    with pytest.raises(ValueError, match=problem):
        snap.decode_entries(chunk)


def test_keys_must_also_increase_across_chunks():
    with pytest.raises(ValueError, match="sorted"):
        snap.decode_entries(snap.encode_entries([("a", b"")]), after="a")


def test_a_malformed_chunk_with_the_right_hash_rejects_the_snapshot(tmp_path, source):
    """A peer may build a whole snapshot of garbage with consistent hashes: the entries still have to parse."""
    snapshot = listed(source)
    garbage = snap.encode_entries([("b", b"1"), ("a", b"2")])
    meta = json.loads(snapshot.metadata)
    bad = forged(snapshot, chunks=[{"hash": hashlib.sha256(garbage).hexdigest(), "bytes": len(garbage), "entries": 2}], entries=2)
    bad.chunks = 1
    joiner = fresh(tmp_path)
    assert offer(joiner, bad, bytes.fromhex(meta["app_hash"])) == OFFER.ACCEPT
    assert apply(joiner, [garbage])[0].result == APPLY.REJECT_SNAPSHOT
    assert joiner.app.store.height == 0


def test_a_state_of_many_keys_round_trips(tmp_path):
    """20,000 keys built with Store.restore: several 4 MiB-bounded chunks' worth, snapshot written and restored."""
    node = Node(tmp_path / "big")
    entries = [(f"bal/{i:040x}/KAU25", str(i).encode()) for i in range(20_000)]
    started = time.perf_counter()
    app_hash = node.app.store.restore(CHAIN_ID, 10, 1_750_000_000, entries)
    built = time.perf_counter() - started
    started = time.perf_counter()
    node.app.snapshots.take()
    taken = time.perf_counter() - started
    snapshot = listed(node)
    joiner = fresh(tmp_path)
    assert offer(joiner, snapshot, app_hash) == OFFER.ACCEPT
    started = time.perf_counter()
    assert apply(joiner, chunks(node, snapshot))[-1].result == APPLY.ACCEPT
    restored = time.perf_counter() - started
    assert joiner.app.store.app_hash == app_hash
    print(f"\n20k keys: build {built:.1f}s, snapshot {taken:.1f}s ({snapshot.chunks} chunks), restore {restored:.1f}s")
