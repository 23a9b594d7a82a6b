"""Fixtures for end-to-end tests: real CometBFT v0.39.4 validators with real ABCI app processes on loopback."""

from __future__ import annotations

import base64
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import httpx
import pytest

from ets.keys import Keystore, Signer
from ets.rpc import ChainClient
from ets_tools.devnet import DEV_PASSPHRASE, create_localnet_accounts
from ets_tools.localnet import LocalNet
from tests.ports import network_base

REPO = Path(__file__).resolve().parents[2]
COMETBFT = REPO / "bin" / "cometbft"

def free_base_port(nodes: int = 4) -> int:
    """A base port for a network of ``nodes`` validators, from the suite's one allocator (tests/ports.py)."""
    return network_base(nodes)


def without_hex(text: str) -> str:
    """``text`` without its runs of hex (hashes, keys, ciphertexts), where any five digits can occur by chance."""
    return re.sub(r"[0-9a-fA-F]{16,}", "", text)


def wait_until(condition: Callable[[], object], timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


@dataclass
class Net:
    net: LocalNet
    keys: dict[str, Signer]

    def client(self, node: str = "node0") -> ChainClient:
        return ChainClient(self.net.rpc_url(node))

    def rpc(self, node: str, method: str, **params) -> dict:
        response = httpx.get(f"{self.net.rpc_url(node)}/{method}", params=params, timeout=5)
        return response.json()["result"]

    def height(self, node: str) -> int:
        return int(self.rpc(node, "status")["sync_info"]["latest_block_height"])

    def header_app_hash(self, node: str, height: int) -> str:
        return self.rpc(node, "block", height=height)["block"]["header"]["app_hash"]

    def sync(self, height: int, timeout: float = 60) -> None:
        """Wait until every node has committed ``height`` (before using another node's view)."""
        wait_until(lambda: all(self.height(n) >= height for n in self.net.nodes()), timeout, f"every node at height {height}")

    def caught_up(self, timeout: float = 60) -> None:
        """Wait until every node has the highest block any node has committed: a step that sends or reads through
        another node than the last one then sees everything before it (a node may be a block behind another)."""
        self.sync(max(self.height(n) for n in self.net.nodes()), timeout)

    def assert_same_app_hash(self, nodes: list[str] | None = None, timeout: float = 60) -> int:
        """Every node has committed the same app hash at a common height; returns that height.

        Each node's CometBFT checks its own app's FinalizeBlock hash against the next header, and
        each app's own Info (abci_info) is cross-checked against node0's chain here.
        """
        nodes = nodes or self.net.nodes()
        target = max(self.height(n) for n in nodes)
        wait_until(lambda: all(self.height(n) >= target + 1 for n in nodes), timeout, f"all nodes past height {target}")
        hashes = {n: self.header_app_hash(n, target + 1) for n in nodes}
        assert len(set(hashes.values())) == 1, f"app hashes differ at height {target}: {hashes}"
        for n in nodes:
            info = self.rpc(n, "abci_info")["response"]
            app_height = int(info["last_block_height"])
            wait_until(lambda: self.height("node0") >= app_height + 1, timeout, "node0 to pass the app's height")
            own = base64.b64decode(info["last_block_app_hash"]).hex().upper()
            assert own == self.header_app_hash("node0", app_height + 1), f"{n}'s app state diverges at height {app_height}"
        return target


def start_net(home: Path, chain_id: str, params: dict | None = None,
              edit: Callable[[dict], None] | None = None) -> Net:
    """Four validators; ``params`` overrides chain parameters of the default genesis, ``edit`` may change
    the rest of its ``app_state`` (opening balances) in place."""
    if not COMETBFT.exists():
        pytest.skip("bin/cometbft is missing: run ./scripts/setup.sh (the README's test command does)")
    net = LocalNet(home, base_port=free_base_port())
    if params or edit:
        keystore = Keystore(home.parent / f"{home.name}-keys")
        app_state = create_localnet_accounts(keystore)
        app_state["params"].update(params or {})
        if edit is not None:
            edit(app_state)
        net.create(4, chain_id=chain_id, app_state=app_state)
    else:
        net.create(4, chain_id=chain_id)
        keystore = Keystore(home / "keys")
    net.start()
    keys = {info["name"]: keystore.load(info["name"], DEV_PASSPHRASE) for info in keystore.list()}
    return Net(net, keys)


@pytest.fixture(scope="session")
def shared_net(tmp_path_factory) -> Net:
    """One 4-validator network shared by tests that do not kill nodes."""
    net = start_net(tmp_path_factory.mktemp("shared") / "net", "ets-e2e")
    yield net
    net.net.stop()
