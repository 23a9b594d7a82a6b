"""The main job's demo: seeded once, edge uploaders fill the chain, the portal serves it, and it stops cleanly."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import httpx
import pytest

from tests.ports import free_port

from ets.rpc import ChainClient

from .conftest import REPO, wait_until

pytestmark = pytest.mark.localnet


def _free_port() -> int:
    return free_port()


def test_demo_seeds_uploads_and_serves(tmp_path):
    from .conftest import COMETBFT, free_base_port
    from ets_tools.localnet import LocalNet

    if not COMETBFT.exists():
        pytest.skip("bin/cometbft is missing: run ./scripts/setup.sh")
    home = tmp_path / "net"
    net = LocalNet(home, base_port=free_base_port())
    net.create(1, chain_id="ets-demo")
    net.start()
    port = _free_port()
    demo = [sys.executable, "-m", "ets_tools.demo"]
    try:
        up = subprocess.run([*demo, "up", "--home", str(home), "--portal-port", str(port)], cwd=REPO,
                            capture_output=True, text=True, timeout=300)
        assert up.returncode == 0, up.stderr
        record = json.loads((home / "demo" / "seeded.json").read_text())
        assert len(record["devices"]) == 3 and len({d["company"] for d in record["devices"]}) == 3
        client = ChainClient(net.rpc_url("node0"))
        assert client.query(f"/plan/{record['plan_hash']}")["status"] == "sealed"
        assert client.query(f"/proposal/{record['proposal_id']}")["status"] == "open"  # awaiting the 2nd official
        wait_until(lambda: all(client.query(f"/emissions/daily?device={d['address']}") for d in record["devices"]),
                   120, "every demo device to post a daily total")
        wait_until(lambda: httpx.get(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).status_code == 200
                   if _port_open(port) else False, 60, "the portal to answer")
        again = subprocess.run([*demo, "up", "--home", str(home), "--portal-port", str(port)], cwd=REPO,
                               capture_output=True, text=True, timeout=300)
        assert again.returncode == 0, again.stderr  # re-running seeds nothing twice, restarts the services
        assert json.loads((home / "demo" / "seeded.json").read_text()) == record
    finally:
        subprocess.run([*demo, "down", "--home", str(home)], cwd=REPO, timeout=60)
        net.stop()
    assert not (home / "demo" / "services.json").exists()
    assert not _port_open(port)


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0
