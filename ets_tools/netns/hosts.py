"""A validator network laid out one validator per host, each host a network namespace of a ``Lab``.

The network is created as for docker compose (``LocalNet.create(hosts=...)``, the hosts being the
lab's addresses) and every host runs the compose entrypoint ``cometbft-config/compose-node.sh``
inside its namespace: its own app and cometbft, on the default ports of its own address. Then:

* peer links go through a ``proxy`` in the dialling host (``persistent_peers`` name the proxy on
  127.0.0.1:27000+j for peer j), so ``set_profile`` gives every link delay, jitter and loss;
* each node's RPC listens on a unix socket in its home (``<node>/rpc.sock``): the caller reads and
  writes through it without any network path from outside into the namespaces;
* a host's output (entrypoint, app, cometbft) goes to ``<node>/host.log``, its proxy's to ``proxy.log``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from ets.keys import Keystore, Signer
from ets.rpc import ChainClient

from ..devnet import DEV_PASSPHRASE
from ..localnet import LocalNet, apply_toml_overrides
from .links import Lab
from .proxy import Profile

__all__ = ["HostNet", "SocketClient", "ENTRYPOINT", "PROXY_BASE_PORT"]

REPO = Path(__file__).resolve().parents[2]
ENTRYPOINT = REPO / "cometbft-config" / "compose-node.sh"
PROXY_BASE_PORT = 27000
P2P_PORT = 26656


class SocketClient(ChainClient):
    """A ``ChainClient`` for a node whose RPC listens on a unix socket."""

    def __init__(self, socket_path: Path, *, timeout: float = 10.0):
        super().__init__("http://validator", timeout=timeout)
        self._http.close()
        self._http = httpx.Client(base_url="http://validator", timeout=timeout,
                                  transport=httpx.HTTPTransport(uds=str(socket_path)))
        self.rpc_url = f"unix:{socket_path}"


class HostNet:
    def __init__(self, home: str | Path, validators: int = 4, *, chain_id: str = "ets-netns", seed: int = 1,
                 snapshot_interval: int | None = None):
        self.home = Path(home)
        self.seed = seed
        self.profile = Profile(seed=seed)
        self.lab = Lab(validators)
        self._hosts: dict[str, subprocess.Popen] = {}
        self._proxies: dict[str, subprocess.Popen] = {}
        try:
            self.net = LocalNet(self.home)
            # every peer is dialled through a proxy on the host's own 127.0.0.1: one IP for all of them
            self.net.create(validators, chain_id=chain_id, hosts=[self.lab.address(i) for i in range(validators)],
                            config_overrides={"p2p": {"allow_duplicate_ip": True}}, snapshot_interval=snapshot_interval)
            self.nodes = self.net.nodes()
            for i, node in enumerate(self.nodes):
                self._configure(i, node)
        except BaseException:
            self.close()
            raise
        keystore = Keystore(self.home / "keys")
        self.keys: dict[str, Signer] = {k["name"]: keystore.load(k["name"], DEV_PASSPHRASE) for k in keystore.list()}

    # -- layout --------------------------------------------------------------------------------

    def index(self, node: str) -> int:
        return self.nodes.index(node)

    def node_home(self, node: str) -> Path:
        return self.home / node

    def socket(self, node: str) -> Path:
        return self.home / node / "rpc.sock"

    def log(self, node: str) -> Path:
        return self.home / node / "host.log"

    def _configure(self, i: int, node: str) -> None:
        ids = [entry["node_id"] for entry in self.net.manifest()["nodes"]]
        peers = ",".join(f"{ids[j]}@127.0.0.1:{PROXY_BASE_PORT + j}" for j in range(len(ids)) if j != i)
        config = self.home / node / "config" / "config.toml"
        config.write_text(apply_toml_overrides(config.read_text(), {
            "rpc": {"laddr": f"unix://{self.socket(node)}"}, "p2p": {"persistent_peers": peers}}))
        links = [{"name": f"{node}->{other}", "listen_port": PROXY_BASE_PORT + j, "target_host": self.lab.address(j),
                  "target_port": P2P_PORT} for j, other in enumerate(self.nodes) if j != i]
        (self.home / node / "proxy.json").write_text(json.dumps({"links": links, "profile": self._profile_json()}))

    def _profile_json(self) -> dict[str, int]:
        p = self.profile
        return {"delay_ms": p.delay_ms, "jitter_ms": p.jitter_ms, "loss_permille": p.loss_permille, "seed": p.seed}

    # -- processes -----------------------------------------------------------------------------

    def _spawn(self, node: str, argv: list[str], log_name: str) -> subprocess.Popen:
        with (self.home / node / log_name).open("ab") as log:
            return subprocess.Popen(self.lab.argv(self.index(node), argv), stdout=log, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, cwd=REPO, start_new_session=True,
                                    env={**os.environ, "PYTHONPATH": str(REPO)})

    def start(self, timeout: float = 180) -> None:
        """Start every proxy and host; returns once every node has committed height 2."""
        for node in self.nodes:
            self._proxies[node] = self._spawn(node, [sys.executable, "-m", "ets_tools.netns.proxy",
                                                     str(self.home / node / "proxy.json")], "proxy.log")
        for node in self.nodes:
            self.start_host(node)
        self.wait(lambda: all((self.height(n) or 0) >= 2 for n in self.nodes), timeout, "every node at height 2")

    def start_host(self, node: str) -> None:
        """Start ``node``'s host (the compose entrypoint) in its namespace."""
        if self.running(node):
            raise RuntimeError(f"{node} is already running")
        self.socket(node).unlink(missing_ok=True)  # a killed cometbft leaves its socket file behind
        self._hosts[node] = self._spawn(node, ["bash", str(ENTRYPOINT), node, str(self.home)], "host.log")

    def running(self, node: str) -> bool:
        proc = self._hosts.get(node)
        return proc is not None and proc.poll() is None

    def exit_status(self, node: str) -> int | None:
        proc = self._hosts.get(node)
        return None if proc is None else proc.poll()

    def kill_host(self, node: str) -> None:
        """SIGKILL every process of ``node``'s host: a crash, not a shutdown."""
        proc = self._hosts.get(node)
        if proc is not None and proc.poll() is None:
            _signal_group(proc, signal.SIGKILL)
            proc.wait(timeout=30)

    def stop_host(self, node: str, timeout: float = 30) -> None:
        """SIGTERM ``node``'s host (the entrypoint stops its app and cometbft); SIGKILL after ``timeout``."""
        proc = self._hosts.get(node)
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
        _signal_group(proc, signal.SIGKILL)  # whatever of the host's processes is left
        proc.wait(timeout=30)

    def set_profile(self, delay_ms: int = 0, jitter_ms: int = 0, loss_permille: int = 0) -> None:
        """Every peer link gets this delay ± jitter (each direction) and loss from now on (zeros: none)."""
        self.profile = Profile(delay_ms, jitter_ms, loss_permille, self.seed)
        for node in self.nodes:
            path = self.home / node / "proxy.json"
            config = json.loads(path.read_text())
            config["profile"] = self._profile_json()
            path.write_text(json.dumps(config))
            proc = self._proxies.get(node)
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGHUP)

    def close(self) -> None:
        """Stop every host and proxy, then delete the namespaces (also after a failure)."""
        for node in list(self._hosts):
            self.stop_host(node, timeout=15)
        for proc in self._proxies.values():
            if proc.poll() is None:
                _signal_group(proc, signal.SIGKILL)
                proc.wait(timeout=30)
        self.lab.close()

    # -- reading -------------------------------------------------------------------------------

    def client(self, node: str, timeout: float = 10.0) -> SocketClient:
        return SocketClient(self.socket(node), timeout=timeout)

    def rpc(self, node: str, method: str, timeout: float = 5, **params: Any) -> dict:
        with httpx.Client(transport=httpx.HTTPTransport(uds=str(self.socket(node))), timeout=timeout) as http:
            body = http.get(f"http://validator/{method}", params=params).json()
        if "error" in body:
            raise RuntimeError(f"{node} {method}: {body['error']}")
        return body["result"]

    def height(self, node: str) -> int | None:
        """``node``'s latest committed height, or None while its RPC does not answer."""
        try:
            return int(self.rpc(node, "status", timeout=2)["sync_info"]["latest_block_height"])
        except (httpx.HTTPError, OSError, RuntimeError, KeyError, ValueError):
            return None

    def heights(self) -> dict[str, int | None]:
        return {node: self.height(node) for node in self.nodes}

    @staticmethod
    def wait(condition, timeout: float, what: str, interval: float = 0.25):
        deadline = time.monotonic() + timeout
        while True:
            value = condition()
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
            time.sleep(interval)


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)  # the host's session: the entrypoint, its app and its cometbft
    except ProcessLookupError:
        pass
