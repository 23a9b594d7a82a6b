"""Determinism: the same blocks give the same results and app hashes everywhere, and the app hash
commits to the whole state (the root of abci_app/state.py's state tree)."""

from __future__ import annotations

import collections
import os
import subprocess
import sys
from pathlib import Path

import pytest

from protocol.codes import Code
from abci_app.proto import abci
from abci_harness import Node
from abci_scenario import ScenarioWriter

HERE = Path(__file__).resolve().parent
BLOCKS = 40


def _check_root(node: Node) -> None:
    store = node.app.store
    assert store.recompute_root() == store.app_hash == store.tree.root[1] == node.info().last_block_app_hash


@pytest.mark.parametrize("seed", [1, 3])
def test_two_nodes_fed_the_same_blocks_agree_at_every_height(tmp_path, seed):
    writer = ScenarioWriter(seed)
    a = Node.start(tmp_path / "a", writer.app_state())
    b = Node.start(tmp_path / "b", writer.app_state())
    assert a.app.store.app_hash == b.app.store.app_hash
    codes: collections.Counter[int] = collections.Counter()
    accepted_proposals = 0
    for height in range(1, BLOCKS + 1):
        txs, time = writer.next_block(a)
        block = a.with_outcome(txs, time)  # the outcome a proposer would append; a then forgets its execution
        a.app._blocks.clear()
        # b sees the block as a validator does (ProcessProposal first, whose work FinalizeBlock reuses);
        # a finalizes it cold, as a node catching up does, and checks the outcome against its own execution
        if b.process(block, time=time) == abci.ResponseProcessProposal.ACCEPT:
            accepted_proposals += 1
        ra, rb = a.finalize(block, time=time), b.finalize(block, time=time)
        assert len(ra.tx_results) == len(block) == len(txs) + 1
        assert ra.app_hash == rb.app_hash, f"app hash diverged at height {height}"
        assert list(ra.tx_results) == list(rb.tx_results), f"results diverged at height {height}"
        a.commit()
        b.commit()
        codes.update(a.detailed(tx, r).code for tx, r in zip(txs, ra.tx_results))  # as each signer reads them
        assert [a.detailed(tx, r) for tx, r in zip(txs, ra.tx_results)] == [b.detailed(tx, r) for tx, r in zip(txs, rb.tx_results)]
        _check_root(a)
        _check_root(b)
        if height == BLOCKS // 2:
            b = Node(b.home)  # restart b from disk halfway
    assert a.info().last_block_height == b.info().last_block_height == BLOCKS
    # the workload really exercised the rules
    assert codes[Code.OK] >= 60
    assert {Code.MALFORMED_TX, Code.BAD_SIGNATURE, Code.UNKNOWN_SIGNER, Code.INSUFFICIENT_BALANCE, Code.UNAUTHORIZED,
            Code.NONCE_AHEAD}.issubset(codes), codes
    assert accepted_proposals >= 3
    executed = [p for p in a.read("/proposals") if p["status"] == "executed"]
    assert len(executed) >= 3
    assert any(p["action"]["type"] == "register_account" for p in executed)


def test_same_seed_same_app_hashes_under_different_hash_seeds(tmp_path):
    """Run the workload in fresh interpreters with different PYTHONHASHSEED: no set/dict order leaks into state."""
    outputs = []
    for hash_seed in ("0", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": os.pathsep.join([str(HERE), str(HERE.parents[1])])}
        proc = subprocess.run([sys.executable, str(HERE / "abci_scenario.py"), "7", "15", str(tmp_path / hash_seed)],
                              capture_output=True, text=True, env=env, timeout=120)
        assert proc.returncode == 0, proc.stderr
        outputs.append(proc.stdout.splitlines())
    assert len(outputs[0]) == 15
    assert outputs[0] == outputs[1]


def test_app_hash_changes_when_any_single_balance_changes(tmp_path):
    writer = ScenarioWriter(3)
    node = Node.start(tmp_path, writer.app_state())
    for _ in range(5):
        txs, time = writer.next_block(node)
        node.block(txs, time=time)
    store = node.app.store
    balance_keys = [k for k, _ in store.scan("bal/")]
    assert len(balance_keys) >= 8
    seen = {store.app_hash}
    for key in balance_keys:
        value = int(store.get(key))
        for new in (value + 1, value - 1 or None):
            changed = store.stage(store.height + 1, {key: None if new is None else str(new).encode()}).root_hash
            assert changed not in seen, key
            seen.add(changed)
        assert store.stage(store.height + 1, {key: None}).root_hash != store.app_hash
    # moving one tonne between two holders changes the hash too, though the supply is the same
    k1, k2 = balance_keys[:2]
    moved = {k1: str(int(store.get(k1)) - 1).encode(), k2: str(int(store.get(k2)) + 1).encode()}
    assert store.stage(store.height + 1, moved).root_hash != store.app_hash
    # and writing back the same values changes nothing
    assert store.stage(store.height + 1, {k: store.get(k) for k in balance_keys}).root_hash == store.app_hash
