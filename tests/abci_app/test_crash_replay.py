"""A crash at every ABCI step recovers by replay: a node process killed after InitChain, PrepareProposal,
ProcessProposal, FinalizeBlock, inside Commit's transaction, or after Commit restarts from what it
committed (``Info``), replays the remaining blocks as CometBFT's handshake does, and ends with the
same app hash at every height as a node that never stopped, its state tree whole."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from abci_harness import Node
from abci_scenario import ScenarioWriter
from crash_at_step import STEPS

HERE = Path(__file__).resolve().parent
BLOCKS = 6
CRASH_HEIGHT = 4


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """The blocks of a seeded scenario and the app hash after each, from a node that never stops."""
    folder = tmp_path_factory.mktemp("reference")
    writer = ScenarioWriter(11)
    ref = Node.start(folder / "ref", writer.app_state())
    blocks, hashes = [], [ref.app.store.app_hash]
    for _ in range(BLOCKS):
        txs, time = writer.next_block(ref)
        ref.block(txs, time=time)
        blocks.append(([tx.hex() for tx in txs], time))
        hashes.append(ref.app.store.app_hash)
    path = folder / "blocks.json"
    path.write_text(json.dumps({"app_state": writer.app_state(), "blocks": blocks}))
    assert any(blocks[i][0] for i in range(BLOCKS)), "the scenario has txs"
    return path, blocks, hashes


@pytest.mark.parametrize("step", STEPS)
def test_a_crash_at_each_step_recovers_by_replay(tmp_path, recorded, step):
    path, blocks, hashes = recorded
    home = tmp_path / "node"
    height = 0 if step == "init_chain" else CRASH_HEIGHT
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), str(HERE.parents[1])])}
    crashed = subprocess.run([sys.executable, str(HERE / "crash_at_step.py"), str(path), str(home), str(height), step],
                             cwd=HERE, env=env, capture_output=True, text=True, timeout=120)
    assert crashed.returncode == 137, crashed.stderr

    node = Node(home)  # the restarted process
    info = node.info()
    committed = info.last_block_height
    expected = {"init_chain": 0, "prepare": 3, "process": 3, "finalize": 3, "commit-write": 3, "commit": 4}[step]
    assert committed == expected
    if committed:
        assert info.last_block_app_hash == hashes[committed]
    else:  # InitChain's state is not a block: CometBFT runs InitChain again, as here
        node = Node.start(home, json.loads(path.read_text())["app_state"])
    assert node.app.store.recompute_root() == node.app.store.app_hash
    for txs_hex, time in blocks[committed:]:
        node.block([bytes.fromhex(t) for t in txs_hex], time=time)
        assert node.app.store.app_hash == hashes[node.height], f"height {node.height} after a crash at {step}"
    assert node.app.store.recompute_root() == hashes[-1]
