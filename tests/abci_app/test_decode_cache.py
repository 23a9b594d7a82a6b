"""The executor's decode cache holds only what passed signature verification, bounded in entries and bytes."""

from __future__ import annotations

import pytest

from protocol.codes import Code
from abci_app.rules import BlockContext, Executor
from abci_app.state import Overlay
from abci_harness import sealed, EXECUTION_KEYS, CHAIN_ID, Actors, Node, transfer
from protocol.codec import canonical_json, MAX_TX_BYTES
from ets.keys import Signer


def _big_envelope(signer: Signer, nonce: int, size: int = 240_000) -> bytes:
    """A canonical transfer body padded to ``size`` bytes with an unknown field (refused later, by the message check)."""
    msg = {**transfer("ab" * 20, 1), "memo": ["x" * 50_000] * (size // 50_000)}
    return signer.sign_tx(CHAIN_ID, nonce, msg)


@pytest.fixture
def started(tmp_path):
    actors = Actors.make()
    return Node.start(tmp_path / "node", actors.app_state()), actors


def test_junk_from_unregistered_keys_is_never_cached(started):
    node, _ = started
    executor = Executor(execution_keys=EXECUTION_KEYS)
    ctx = BlockContext(CHAIN_ID, 1, node.app.store.block_time)
    for i in range(100):
        tx = sealed(_big_envelope(Signer.generate(), 0))
        assert len(tx) > 200_000
        assert executor.execute_tx(Overlay(node.app.store), tx, ctx).code == Code.UNKNOWN_SIGNER
    assert executor.cache_usage == (0, 0)


def test_bad_signatures_and_malformed_bytes_are_never_cached(started):
    node, actors = started
    executor = Executor(execution_keys=EXECUTION_KEYS)
    ctx = BlockContext(CHAIN_ID, 1, node.app.store.block_time)
    company = actors.companies[0]
    for i in range(20):
        tx = bytearray(_big_envelope(company, i))
        tx[10] ^= 1  # in the signature, inside the sealed tx
        assert executor.execute_tx(Overlay(node.app.store), sealed(bytes(tx)), ctx).code == Code.BAD_SIGNATURE
        assert executor.execute_tx(Overlay(node.app.store), b"ETS1" + bytes(64) + b"{" * 10 + bytes([i]), ctx).code == Code.MALFORMED_TX
    assert executor.cache_usage == (0, 0)


def test_verified_txs_are_cached_within_the_byte_bound(started):
    node, actors = started
    budget = 4 * 1024 * 1024
    executor = Executor(cache_entries=1000, cache_bytes=budget, execution_keys=EXECUTION_KEYS)
    ctx = BlockContext(CHAIN_ID, 1, node.app.store.block_time)
    company = actors.companies[0]
    for i in range(40):
        tx = sealed(_big_envelope(company, i, size=100_000))
        assert executor.execute_tx(Overlay(node.app.store), tx, ctx).code == Code.INVALID_MESSAGE  # "memo" is no field
        entries, charged = executor.cache_usage
        assert charged <= budget
    assert 1 <= entries < 40  # the oldest went out to stay within the bytes


def test_a_cached_entry_is_used_only_with_the_key_it_was_verified_against(started):
    node, actors = started
    executor = Executor(execution_keys=EXECUTION_KEYS)
    a, b = actors.companies[:2]
    tx = sealed(a.sign_tx(CHAIN_ID, 0, transfer(b, 1)))
    ctx = BlockContext(CHAIN_ID, 1, node.app.store.block_time)
    assert executor.execute_tx(Overlay(node.app.store), tx, ctx).code == Code.OK
    assert executor.cache_usage[0] == 1
    view = Overlay(node.app.store)
    record = {**node.read(f"/account/{a.address}"), "public_key": Signer.generate().public_key.hex()}
    record.pop("address")
    view.set(f"acct/{a.address}", canonical_json(record))  # the account's key was replaced
    assert executor.execute_tx(view, tx, ctx).code == Code.BAD_SIGNATURE


def test_entries_bound(started):
    node, actors = started
    executor = Executor(cache_entries=5, execution_keys=EXECUTION_KEYS)
    ctx = BlockContext(CHAIN_ID, 1, node.app.store.block_time)
    a, b = actors.companies[:2]
    for i in range(12):
        executor.execute_tx(Overlay(node.app.store), sealed(a.sign_tx(CHAIN_ID, i, transfer(b, 1))), ctx)
    assert executor.cache_usage[0] == 5
    assert MAX_TX_BYTES * 8 + 512 <= 64 * 1024 * 1024  # one maximal tx fits the default budget


def test_a_committed_block_takes_its_txs_out_of_the_cache(started):
    """A committed tx's nonce is used: its decoded entry is dropped at Commit, while a tx still waiting stays."""
    node, actors = started
    a, b = actors.companies[:2]
    first, waiting = node.sign(a, transfer(b, 1)), node.sign(a, transfer(b, 2))
    assert node.check(first).code == Code.OK and node.check(waiting).code == Code.OK
    assert node.app.executor.cache_usage[0] == 2
    results = node.block([first])
    assert results[0].code == Code.OK, results[0].log
    assert node.app.executor.cache_usage[0] == 1
    assert node.check(waiting, recheck=True).code == Code.OK  # answered from the entry still cached
    assert node.check(first).code == Code.NONCE_REPLAYED  # a copy sent again is decoded anew and refused by its nonce
