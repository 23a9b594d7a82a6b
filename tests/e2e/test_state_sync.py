"""A fifth node joins a real 4-validator network by state sync, becomes a validator by m-of-n approval,
signs blocks; then an original validator is removed the same way and the chain keeps committing."""

from __future__ import annotations

import base64
import json
import time

import pytest

from protocol.messages import Approve, Propose, SetValidatorPower

from ets.keys import Keystore
from ets_tools.devnet import DEV_PASSPHRASE
from ets_tools.localnet import LocalNet

from .conftest import COMETBFT, Net, free_base_port, wait_until

pytestmark = pytest.mark.localnet

INTERVAL = 5


@pytest.fixture(scope="module")
def sync_net(tmp_path_factory) -> Net:
    if not COMETBFT.exists():
        pytest.skip("bin/cometbft is missing: run ./scripts/setup.sh (the README's test command does)")
    home = tmp_path_factory.mktemp("statesync") / "net"
    net = LocalNet(home, base_port=free_base_port(5))
    net.create(4, chain_id="ets-statesync", snapshot_interval=INTERVAL, snapshot_keep=20)  # ~100 heights, ~40 s of blocks
    net.start()
    keystore = Keystore(home / "keys")
    yield Net(net, {info["name"]: keystore.load(info["name"], DEV_PASSPHRASE) for info in keystore.list()})
    net.stop()


def _cometbft_validators(net: Net, node: str) -> dict[str, int]:
    return {v["address"]: int(v["voting_power"]) for v in net.rpc(node, "validators", per_page=100)["validators"]}


def _signers(net: Net, node: str, height: int) -> set[str]:
    commit = net.rpc(node, "commit", height=height)["signed_header"]["commit"]
    return {s["validator_address"] for s in commit["signatures"] if s.get("signature")}


def _govern(net: Net, action: SetValidatorPower) -> int:
    """Official 1 proposes, official 2 approves; returns the height of the executing block."""
    client = net.client("node0")
    proposed = client.submit(net.keys["gov-1"], Propose(action), timeout=30)
    proposal = json.loads(proposed.data)["proposal_id"]
    executed = client.submit(net.keys["gov-2"], Approve(proposal), timeout=30)
    assert json.loads(executed.data)["status"] == "executed"
    return executed.height


def test_a_node_joins_by_state_sync_becomes_a_validator_and_an_original_one_leaves(sync_net: Net):
    net = sync_net
    wait_until(lambda: net.height("node0") >= 3 * INTERVAL, 90, f"height {3 * INTERVAL} (snapshots at {INTERVAL}, {2 * INTERVAL}, ...)")

    began = time.monotonic()
    added = net.net.add_node(state_sync=True, timeout=120)
    joined_in = time.monotonic() - began
    assert added["name"] == "node4" and "node4" in {r["name"] for r in net.net.status()}

    # it restored a snapshot: no block below the snapshot in its store, the app never replayed height 1
    status = net.rpc("node4", "status")["sync_info"]
    earliest = int(status["earliest_block_height"])
    assert earliest > INTERVAL, f"node4's block store starts at {earliest}: it replayed instead of restoring"
    app_log = net.net.log_file("node4", "app").read_text()
    restored = [json.loads(line)["msg"] for line in app_log.splitlines() if '"snapshot restored' in line]
    assert restored, "node4's app did not restore a snapshot"
    restored_height = int(restored[0].split("height=")[1].split()[0])
    assert restored_height % INTERVAL == 0 and restored_height >= INTERVAL
    assert "Snapshot restored" in net.net.log_file("node4", "cometbft").read_text()
    net.assert_same_app_hash()  # all five nodes, node4 included, at a common height

    # officials make it a validator
    key = added["validator_key"]
    before = sum(_cometbft_validators(net, "node0").values())
    height = _govern(net, SetValidatorPower(key["pub_key_hex"], 10, "node4 operator"))
    wait_until(lambda: _cometbft_validators(net, "node0").get(key["address"]) == 10, 90, "node4 in CometBFT's validator set")
    assert sum(_cometbft_validators(net, "node0").values()) == before + 10
    assert any(v["address"] == key["address"].lower() for v in net.client("node0").query("/validators")["validators"])
    wait_until(lambda: net.height("node0") >= height + 5, 90, "blocks after the change")
    signed = wait_until(lambda: next((h for h in range(height + 3, net.height("node0")) if key["address"] in _signers(net, "node0", h)), None),
                        30, "a commit signed by node4")
    assert signed > height

    # and an original validator leaves
    node3 = json.loads((net.net.node_home("node3") / "config" / "priv_validator_key.json").read_text())
    removed_at = _govern(net, SetValidatorPower(base64.b64decode(node3["pub_key"]["value"]).hex(), 0, "node3 retires"))
    wait_until(lambda: node3["address"] not in _cometbft_validators(net, "node0"), 90, "node3 gone from the validator set")
    assert set(_cometbft_validators(net, "node0")) == {
        json.loads((net.net.node_home(n) / "config" / "priv_validator_key.json").read_text())["address"]
        for n in ("node0", "node1", "node2", "node4")}
    resumed = net.height("node0")
    wait_until(lambda: net.height("node0") >= resumed + 5, 90, "the chain to keep committing without node3")
    for h in range(removed_at + 3, net.height("node0")):
        assert node3["address"] not in _signers(net, "node0", h)
    net.assert_same_app_hash(["node0", "node1", "node2", "node4"])
    print(f"\nnode4 joined by state sync in {joined_in:.1f} s (snapshot of height {restored_height}, earliest block {earliest})")
