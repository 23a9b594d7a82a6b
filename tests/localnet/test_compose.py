"""The multi-host layout: `ets localnet create --hosts`, the per-host entrypoint, and docker-compose.yml."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from ets_tools.localnet import LocalNet, LocalNetError, apply_toml_overrides
from ets_tools.localnet.ports import node_ports
from tests.ports import network_base

REPO = Path(__file__).resolve().parents[2]
COMETBFT = REPO / "bin" / "cometbft"
HOSTS = ["node0", "node1", "node2", "node3"]

needs_cometbft = pytest.mark.skipif(not COMETBFT.exists(), reason="bin/cometbft is missing: run ./scripts/setup.sh")


@needs_cometbft
def test_hosts_layout_dials_peers_by_name_on_default_ports(tmp_path):
    net = LocalNet(tmp_path / "net")
    net.create(4, chain_id="ets-compose", hosts=HOSTS)
    manifest = net.manifest()
    genesis = {(tmp_path / "net" / h / "config" / "genesis.json").read_text() for h in HOSTS}
    assert len(genesis) == 1  # one genesis for every host
    for i, node in enumerate(manifest["nodes"]):
        config = (tmp_path / "net" / node["name"] / "config" / "config.toml").read_text()
        peers = re.search(r'^persistent_peers = "(.*)"$', config, re.M).group(1).split(",")
        others = [n for j, n in enumerate(manifest["nodes"]) if j != i]
        assert sorted(peers) == sorted(f"{n['node_id']}@{n['host']}:26656" for n in others)
        assert 'laddr = "tcp://0.0.0.0:26656"' in config and 'laddr = "tcp://0.0.0.0:26657"' in config
        assert 'proxy_app = "tcp://127.0.0.1:26658"' in config
    with pytest.raises(LocalNetError, match="one validator per host"):
        net.start()
    with pytest.raises(LocalNetError, match="distinct"):
        LocalNet(tmp_path / "other").create(2, hosts=["node0", "node0"])


def _loopback_host(tmp_path: Path) -> tuple[Path, Path, dict[str, int]]:
    """A one-host network and a copy of the host entrypoint whose ports are moved to free ones of this machine
    (a container has the default ports to itself; a test on this machine's loopback must not need them)."""
    ports = node_ports(network_base(1), 0)
    home = tmp_path / "net"
    LocalNet(home).create(1, chain_id="ets-compose", hosts=["node0"])
    config = home / "node0" / "config" / "config.toml"  # this test runs the "host" on loopback only
    config.write_text(apply_toml_overrides(config.read_text(), {
        "rpc": {"laddr": f"tcp://127.0.0.1:{ports['rpc']}"}, "p2p": {"laddr": f"tcp://127.0.0.1:{ports['p2p']}"},
        "instrumentation": {"prometheus_listen_addr": f"127.0.0.1:{ports['prometheus']}"},
        "": {"proxy_app": f"tcp://127.0.0.1:{ports['abci']}"}}))
    script = REPO / "cometbft-config" / "compose-node.sh"
    text = script.read_text().replace("--metrics 0.0.0.0:26655", f"--metrics 127.0.0.1:{ports['app_metrics']}")
    text = text.replace("127.0.0.1:26658", f"127.0.0.1:{ports['abci']}").replace("127.0.0.1/26658", f"127.0.0.1/{ports['abci']}")
    assert "2665" not in text, "the entrypoint names a port this test does not move"
    local_script = tmp_path / "compose-node.sh"
    local_script.write_text(text.replace('ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"', f'ROOT="{REPO}"'))
    local_script.chmod(0o755)
    return home, local_script, ports


@needs_cometbft
def test_the_host_entrypoint_runs_a_validator_and_stops_with_its_app(tmp_path):
    home, local_script, ports = _loopback_host(tmp_path)
    log = (tmp_path / "host.log").open("wb")
    proc = subprocess.Popen([str(local_script), "node0", str(home)], stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        height = 0
        while height < 2:
            assert proc.poll() is None, (tmp_path / "host.log").read_text()[-2000:]
            assert time.monotonic() < deadline, "the host did not commit blocks"
            try:
                height = int(httpx.get(f"http://127.0.0.1:{ports['rpc']}/status", timeout=1).json()["result"]["sync_info"]["latest_block_height"])
            except (httpx.HTTPError, KeyError, ValueError):
                pass
            time.sleep(0.3)
        assert "ets_app_height" in httpx.get(f"http://127.0.0.1:{ports['app_metrics']}/metrics", timeout=2).text
        app = subprocess.run(["pgrep", "-f", f"abci_app --home {home}/node0/app"], capture_output=True, text=True).stdout.split()
        assert app, "the app process was not found"
        os.kill(int(app[0]), signal.SIGKILL)
        try:  # the host stops so compose's restart policy brings both back
            assert proc.wait(timeout=45) != 0
        except subprocess.TimeoutExpired:
            pytest.fail("the host outlived its app by 45 s; its log ends:\n" + (tmp_path / "host.log").read_text()[-3000:])
        node = f"cometbft start --home {home}/node0"
        deadline = time.monotonic() + 30  # and takes its cometbft down with it: nothing of the host lingers
        while subprocess.run(["pgrep", "-f", node], capture_output=True).returncode == 0:
            assert time.monotonic() < deadline, "cometbft outlived its host's app"
            time.sleep(0.2)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        log.close()


def test_compose_file_runs_one_validator_per_host_and_publishes_only_on_loopback():
    text = (REPO / "docker-compose.yml").read_text()
    assert "--hosts node0,node1,node2,node3" in text
    for host in HOSTS:
        block = text.split(f"\n  {host}:\n", 1)[1].split("\n\n", 1)[0]
        assert f"hostname: {host}" in block and f'"compose-node.sh", "{host}"' in block.replace("cometbft-config/", "")
    published = re.findall(r'"(\d+\.\d+\.\d+\.\d+):(\d+):(\d+)"', text)
    assert published and all(ip == "127.0.0.1" for ip, _, _ in published)
    assert (REPO / "Dockerfile").exists() and "scripts/setup.sh" in (REPO / "Dockerfile").read_text()


def test_compose_up_runs_the_network():
    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("no docker client on this machine")
    if subprocess.run([docker, "compose", "version"], capture_output=True).returncode != 0:
        pytest.skip("the docker compose plugin is not installed here")
    if subprocess.run([docker, "info"], capture_output=True).returncode != 0:
        pytest.skip("no Docker engine is running on this machine")
    subprocess.run([docker, "compose", "up", "--build", "-d"], cwd=REPO, check=True, timeout=1800)
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                status = httpx.get("http://127.0.0.1:26657/status", timeout=2).json()["result"]
                if int(status["sync_info"]["latest_block_height"]) >= 3:
                    break
            except (httpx.HTTPError, KeyError, ValueError):
                pass
            assert time.monotonic() < deadline, "the compose network did not commit blocks"
            time.sleep(1)
    finally:
        subprocess.run([docker, "compose", "down", "-v"], cwd=REPO, timeout=300)


@needs_cometbft
def test_the_host_entrypoint_stops_before_cometbft_when_the_app_refuses_its_database(tmp_path):
    home, local_script, _ = _loopback_host(tmp_path)
    (home / "node0" / "app" / "state.sqlite").write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 64)
    done = subprocess.run([str(local_script), "node0", str(home)], capture_output=True,
                          text=True, timeout=120, cwd=REPO, stdin=subprocess.DEVNULL)
    assert done.returncode == 2, done.stderr
    assert "abci_app: damaged database:" in done.stderr and "refuses to start" in done.stderr
    assert "the app of node0 stopped before cometbft started (exit 2)" in done.stderr
    assert "Starting" not in done.stdout  # cometbft never ran
