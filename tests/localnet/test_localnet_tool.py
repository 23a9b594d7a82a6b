"""The local network tool (ets_tools/localnet.py, ets_tools/cli_localnet.py) against real CometBFT processes.

The lifecycle test uses CometBFT's built-in ``kvstore`` app, so it checks the tool itself (ports,
genesis, config, process handling) independently of our ABCI app. No mocks: real binaries on
127.0.0.1, on a free block of ports in 36000-39000.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import time
import tomllib
from pathlib import Path

import pytest

from ets_tools.cli_localnet import add_localnet_commands
from ets_tools.localnet import LocalNet, LocalNetError, apply_toml_overrides, node_ports
from tests.ports import network_base, port_free

COMETBFT = Path(__file__).resolve().parents[2] / "bin" / "cometbft"
needs_cometbft = pytest.mark.skipif(not COMETBFT.exists(), reason="bin/cometbft missing: run ./scripts/setup.sh")


def free_base_port(validators: int = 4) -> int:
    """A base port whose whole block of ports is free, from the suite's one allocator."""
    return network_base(validators)


def processes_using(home: Path) -> list[int]:
    """Pids of live processes whose command line mentions ``home`` (read-only scan of /proc)."""
    needle = str(home).encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        if needle in cmdline:
            found.append(int(entry))
    return found


def wait_for(predicate, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def heights(net: LocalNet) -> dict[str, int | None]:
    return {r["name"]: r["height"] for r in net.status()}


def run_cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="ets")
    add_localnet_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    return args.func(args)


@pytest.mark.localnet
@needs_cometbft
def test_four_validators_lifecycle(tmp_path: Path) -> None:
    home = tmp_path / "net"
    base = free_base_port(4)
    net = LocalNet(home, base_port=base)
    net.create(4, chain_id="ets-test-localnet", proxy_app="kvstore", app_state={})
    try:
        # Layout and a single shared genesis.
        manifest = json.loads((home / "localnet.json").read_text())
        assert manifest["chain_id"] == "ets-test-localnet" and manifest["base_port"] == base
        assert net.nodes() == ["node0", "node1", "node2", "node3"]
        genesis = [(home / f"node{i}" / "config" / "genesis.json").read_bytes() for i in range(4)]
        assert len(set(genesis)) == 1
        doc = json.loads(genesis[0])
        assert doc["chain_id"] == "ets-test-localnet"
        assert [v["power"] for v in doc["validators"]] == ["10"] * 4
        config = tomllib.loads((home / "node2" / "config" / "config.toml").read_text())
        assert config["rpc"]["laddr"] == f"tcp://127.0.0.1:{base + 27}"
        assert config["p2p"]["laddr"] == f"tcp://127.0.0.1:{base + 26}"
        assert config["p2p"]["pex"] is False and config["p2p"]["allow_duplicate_ip"] is True
        assert config["p2p"]["persistent_peers"].count("@127.0.0.1:") == 3
        assert config["consensus"]["timeout_commit"] == "300ms"
        assert config["instrumentation"]["prometheus_listen_addr"] == f"127.0.0.1:{base + 29}"

        started = time.monotonic()
        net.start(timeout=40)
        assert time.monotonic() - started < 40
        rows = net.status()
        assert [r["name"] for r in rows] == ["node0", "node1", "node2", "node3"]
        assert all(r["running"] for r in rows), rows
        assert len({r["rpc"] for r in rows}) == 4
        assert rows[0]["rpc"] == f"http://127.0.0.1:{base + 7}" == net.rpc_url("node0")
        assert all(r["height"] >= 2 for r in rows)
        before = heights(net)
        wait_for(lambda: all(h is not None and h > before[n] for n, h in heights(net).items()), 60, "all heights to advance")

        # Kill one validator: it shows as down, the other three keep committing.
        victim_pids = net.status()[1]["pids"]
        net.kill("node1")
        row = net.status()[1]
        assert not row["running"] and not row["cometbft_running"] and row["height"] is None
        assert not Path(f"/proc/{victim_pids['cometbft']}/cmdline").exists() or not Path(
            f"/proc/{victim_pids['cometbft']}/cmdline").read_bytes()
        others = ["node0", "node2", "node3"]
        base_h = heights(net)
        wait_for(lambda: all((heights(net)[n] or 0) >= base_h[n] + 2 for n in others), 60, "the three survivors to commit")

        # Restart it: it comes back and catches up with the others.
        net.restart("node1")
        assert net.status()[1]["running"]
        target = max(h for h in heights(net).values() if h is not None)
        wait_for(lambda: (heights(net)["node1"] or 0) >= target, 60, "node1 to catch up")

        # CLI status --json reflects the same picture.
        assert run_cli("localnet", "status", "--home", str(home), "--json") == 0
    finally:
        net.stop(timeout=10)

    rows = net.status()
    assert not any(r["cometbft_running"] or r["app_running"] for r in rows)
    assert not any((home / f"node{i}" / "cometbft.pid").exists() for i in range(4))
    wait_for(lambda: not processes_using(home), 30, "no processes left over")
    # Every port is released.
    assert all(port_free(p) for i in range(4) for kind, p in node_ports(base, i).items() if kind != "abci")


@pytest.mark.localnet
@needs_cometbft
@pytest.mark.skipif(not (COMETBFT.parents[1] / "abci_app" / "__main__.py").exists(), reason="abci_app not written yet")
def test_four_validators_with_our_app(tmp_path: Path) -> None:
    """The default network (our ABCI app, the ets_tools.devnet genesis accounts) starts, agrees, survives an app crash."""
    home = tmp_path / "net"
    net = LocalNet(home, base_port=free_base_port(4))
    try:
        net.create(4, check_backlog=256 * 1024)  # an app option: kept in the manifest, passed to every app process
        net.start(timeout=40)
        assert len(list((home / "keys").glob("*.key.json"))) >= 7
        rows = net.status()
        assert all(r["running"] and r["pids"]["app"] for r in rows), rows
        for r in rows:
            argv = Path(f"/proc/{r['pids']['app']}/cmdline").read_bytes().split(b"\0")
            assert argv[argv.index(b"--check-backlog") + 1] == b"262144", argv

        def agreed() -> bool:
            rows = net.status()
            return len({(r["height"], r["app_hash"]) for r in rows}) == 1 and rows[0]["app_hash"] is not None

        wait_for(agreed, 60, "all four nodes at the same height with the same app hash")

        # An app crash: the app is gone, and CometBFT stops itself once it loses its app.
        net.kill_app("node2")
        assert not net.status()[2]["app_running"]
        wait_for(lambda: not net.status()[2]["cometbft_running"], 60, "node2's cometbft to stop without its app")
        before = heights(net)
        wait_for(lambda: all((heights(net)[n] or 0) > before[n] for n in ("node0", "node1", "node3")), 60, "survivors to commit")

        net.restart("node2")
        wait_for(agreed, 90, "node2 to catch up and agree on the app hash")
    finally:
        net.stop(timeout=10)
    assert not any(r["cometbft_running"] or r["app_running"] for r in net.status())
    wait_for(lambda: not processes_using(home), 30, "no processes left over")


@needs_cometbft
def test_port_in_use_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = free_base_port(2)
    busy = base + 17  # node1's rpc port
    with socket.socket() as blocker:
        blocker.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # ignore TIME_WAIT leftovers of other tests
        blocker.bind(("127.0.0.1", busy))
        blocker.listen()
        with pytest.raises(LocalNetError) as err:
            LocalNet(tmp_path / "a", base_port=base).create(2, proxy_app="kvstore", app_state={})
        message = str(err.value)
        assert str(busy) in message and "node1 rpc" in message and "--base-port" in message
        assert not (tmp_path / "a").exists() or not any((tmp_path / "a").iterdir())

        # The CLI says the same on stderr, without a traceback, and exits non-zero.
        code = run_cli("localnet", "start", "--home", str(tmp_path / "b"), "--validators", "2",
                       "--base-port", str(base), "--proxy-app", "kvstore")
        captured = capsys.readouterr()
        assert code != 0
        assert str(busy) in captured.err and "--base-port" in captured.err and "Traceback" not in captured.err


@needs_cometbft
@pytest.mark.parametrize("option, value, says", [
    ("check_backlog", 1000, "--check-backlog must be 65,536 to 67,108,864 bytes, not 1,000"),
    ("snapshot_interval", -1, "--snapshot-interval must be 0 to 1,000,000 heights (0: off), not -1"),
    ("snapshot_keep", 0, "--snapshot-keep must be 1 to 1,000 snapshots, not 0"),
])
def test_an_app_option_out_of_range_is_refused_before_anything_is_written(tmp_path: Path, option, value, says) -> None:
    with pytest.raises(LocalNetError, match=re.escape(says)):
        LocalNet(tmp_path / "net", base_port=free_base_port(1)).create(1, **{option: value})
    assert not (tmp_path / "net").exists()


def test_cli_errors_for_missing_network_and_unknown_node(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("localnet", "status", "--home", str(tmp_path / "none")) == 1
    assert "no local network" in capsys.readouterr().err
    (tmp_path / "net").mkdir()
    (tmp_path / "net" / "localnet.json").write_text(json.dumps({
        "version": 1, "chain_id": "x", "validators": 1, "base_port": 36000, "proxy_app": "kvstore",
        "nodes": [{"name": "node0", "node_id": "00", "ports": node_ports(36000, 0)}],
    }))
    assert run_cli("localnet", "kill", "node7", "--home", str(tmp_path / "net")) == 1
    assert "unknown node 'node7'" in capsys.readouterr().err
    # status of a network that is not running never raises: every node is simply down.
    rows = LocalNet(tmp_path / "net").status()
    assert rows[0]["running"] is False and rows[0]["height"] is None


def test_toml_overrides_keep_layout_and_read_back() -> None:
    text = (
        '# top comment\nproxy_app = "tcp://127.0.0.1:26658"\nmoniker = "vm"\n\n'
        '[rpc]\n# the rpc address\nladdr = "tcp://127.0.0.1:26657"\ncors_allowed_methods = ["HEAD",\n  "GET", ]\n\n'
        '[p2p]\npex = true\n\n[p2p.libp2p]\nenabled = false\n'
        '[[p2p.libp2p.scaler.overrides]]\nreactor = "MEMPOOL"\n'
    )
    out = apply_toml_overrides(text, {
        "": {"moniker": 'node "0"', "log_level": "info"},
        "rpc": {"laddr": "tcp://127.0.0.1:36007", "cors_allowed_methods": ["GET"], "max_body_bytes": 10_000_000},
        "p2p": {"pex": False},
        "consensus": {"timeout_commit": "300ms"},
    })
    doc = tomllib.loads(out)
    assert doc["moniker"] == 'node "0"' and doc["log_level"] == "info"
    assert doc["rpc"] == {"laddr": "tcp://127.0.0.1:36007", "cors_allowed_methods": ["GET"], "max_body_bytes": 10_000_000}
    assert doc["p2p"]["pex"] is False and doc["p2p"]["libp2p"]["enabled"] is False
    assert doc["p2p"]["libp2p"]["scaler"]["overrides"] == [{"reactor": "MEMPOOL"}]
    assert doc["consensus"] == {"timeout_commit": "300ms"}
    assert "# the rpc address\n" in out and out.startswith("# top comment\n")
    with pytest.raises(ValueError):
        apply_toml_overrides(text, {"p2p.libp2p.scaler.overrides": {"reactor": "X"}})
