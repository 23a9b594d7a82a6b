"""Crashes on a real 4-validator network: SIGKILL a validator, or only its app, while txs flow."""

from __future__ import annotations

import threading
import time

import pytest

from protocol.messages import Transfer

from ets.keys import Signer
from ets.rpc import ChainError

from .conftest import Net, start_net, wait_until

pytestmark = pytest.mark.localnet


@pytest.fixture(scope="module")
def crash_net(tmp_path_factory) -> Net:
    net = start_net(tmp_path_factory.mktemp("crash") / "net", "ets-crash")
    yield net
    net.net.stop()


class Traffic:
    """Signed transfers sent in a loop through given nodes; remembers every tx acknowledged as committed."""

    def __init__(self, net: Net, routes: list[tuple[str, str, str]]):
        self.net = net
        self.routes = routes  # (sender key, receiver key, node)
        self.committed: list[str] = []
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=route, daemon=True) for route in routes]

    def _run(self, sender: str, receiver: str, node: str) -> None:
        client = self.net.client(node)
        signer, to = self.net.keys[sender], self.net.keys[receiver].address
        while not self._stop.is_set():
            try:
                commit = client.submit(signer, Transfer(to, "KAU25", 1), timeout=20)
                self.committed.append((commit.hash, signer))
            except ChainError as exc:  # recorded: a test asserts on these
                self.errors.append(f"{sender} via {node}: {exc}")
                time.sleep(0.2)

    def __enter__(self) -> "Traffic":
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout=30)


def _assert_all_committed_everywhere(net: Net, hashes: list[tuple[str, Signer]]) -> None:
    assert hashes, "no transaction was committed while the test ran"
    for node in net.net.nodes():
        client = net.client(node)
        for h, signer in hashes:
            record = client.query(f"/tx/{h}", reader=signer)  # a private tx's result is its signer's to read
            assert record["code"] == 0, f"{node}: acknowledged tx {h} has result {record}"


def test_sigkill_a_validator_while_txs_flow(crash_net: Net):
    net = crash_net
    with Traffic(net, [("company-1", "company-2", "node0"), ("company-3", "company-4", "node1")]) as traffic:
        wait_until(lambda: len(traffic.committed) >= 5, 60, "traffic to commit")
        net.net.kill("node3")
        status = {r["name"]: r for r in net.net.status()}
        assert not status["node3"]["running"] and not status["node3"]["app_running"]
        height = net.height("node0")
        committed = len(traffic.committed)
        wait_until(lambda: net.height("node0") >= height + 5, 60, "3 validators to keep committing")
        wait_until(lambda: len(traffic.committed) >= committed + 5, 60, "txs to keep committing without node3")
        net.net.start_node("node3")
        wait_until(lambda: net.height("node3") >= net.height("node0") - 1, 90, "node3 to catch up")
        time.sleep(1.0)
    assert not traffic.errors, traffic.errors[:3]
    net.assert_same_app_hash()
    _assert_all_committed_everywhere(net, traffic.committed)


def test_sigkill_only_an_app_process_then_restart_the_node(crash_net: Net):
    net = crash_net
    with Traffic(net, [("company-2", "company-1", "node0"), ("company-4", "company-3", "node3")]) as traffic:
        wait_until(lambda: len(traffic.committed) >= 5, 60, "traffic to commit")
        net.net.kill_app("node2")
        wait_until(lambda: not {r["name"]: r for r in net.net.status()}["node2"]["app_running"], 30, "node2's app to be gone")
        height = net.height("node0")
        wait_until(lambda: net.height("node0") >= height + 3, 60, "the others to keep committing")
        net.net.restart("node2")
        wait_until(lambda: net.height("node2") >= net.height("node0") - 1, 90, "node2 to recover through the handshake")
        time.sleep(1.0)
    assert not traffic.errors, traffic.errors[:3]
    net.assert_same_app_hash()
    _assert_all_committed_everywhere(net, traffic.committed)
    log = (net.net.node_home("node2") / "cometbft.log").read_text(errors="replace")
    assert "wrong Block.Header.AppHash" not in log
