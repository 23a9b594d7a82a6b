"""``LocalNet``: one object for a network on this machine — create it, start, watch, break and stop it.

It is a ``NetworkHome`` (the folder and its manifest) that creates through ``network``, runs its
processes through a ``Supervisor`` and reads them through ``status``. Used by ``ets localnet ...``
(:mod:`ets_tools.cli_localnet`), by the tests that need a real chain and by the benchmarks.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from .errors import LocalNetError
from .home import DEFAULT_BASE_PORT, DEFAULT_COMETBFT, MANIFEST, NetworkHome
from .joining import join_node
from .network import create_network
from .status import node_status, wait_height
from .supervisor import Supervisor

__all__ = ["LocalNet"]


class LocalNet(NetworkHome):
    """N validators on 127.0.0.1: CometBFT nodes plus their ABCI app processes, managed through a home folder.

    ``base_port`` only matters when creating; an existing network keeps the ports in its manifest.
    ``cometbft`` defaults to ``<repo>/bin/cometbft``, ``python`` (which runs ``-m abci_app``) to
    ``sys.executable``. Processes run in their own sessions and outlive this object: any later
    ``LocalNet`` on the same home finds them through the pid files (checked against
    ``/proc/<pid>/cmdline``, so a reused pid is never mistaken for a node).
    """

    def __init__(
        self,
        home: str | Path,
        *,
        base_port: int = DEFAULT_BASE_PORT,
        cometbft: str | Path | None = None,
        python: str | None = None,
    ):
        super().__init__(home)
        self.base_port = int(base_port)
        self.cometbft = Path(cometbft).expanduser().resolve() if cometbft else DEFAULT_COMETBFT
        self.python = python or sys.executable
        self._supervisor = Supervisor(self, self.cometbft, self.python)
        if self.exists():  # an existing network keeps the ports it was created with
            try:
                self.base_port = int(self.load_manifest()["base_port"])
            except (LocalNetError, KeyError, TypeError, ValueError):
                pass

    # -- create --------------------------------------------------------------------------------

    def create(self, validators: int = 4, **options: Any) -> None:
        """Create a network of ``validators`` nodes in ``home`` (which must be empty or missing).

        ``options`` are those of ``network.create_network``: ``chain_id``, ``app_state`` (default: the
        local network's first accounts, keys in ``<home>/keys``), ``proxy_app`` (a built-in CometBFT
        app or an address instead of our own app), ``config_overrides`` (section → {key: value} for
        config.toml), ``snapshot_interval`` and ``snapshot_keep`` (heights between the apps' state-sync
        snapshots for nodes added later with ``add_node(state_sync=True)``, and how many are kept), ``check_backlog``
        (bytes of waiting CheckTx before each app refuses new ones) and ``hosts``: one host name per validator for the one-validator-per-host
        (docker compose) layout, which is started by its hosts (``cometbft-config/compose-node.sh``),
        not by ``start()``.
        """
        create_network(self, self.cometbft, self.base_port, validators, **options)

    def add_node(self, *, state_sync: bool = False, observer: bool = False, wait: bool = True,
                 timeout: float = 120) -> dict[str, Any]:
        """Add ``node<N>`` to this running network and start it (``joining.join_node``): same genesis,
        every node as its peer; with ``state_sync`` it restores a peer's snapshot instead of replaying
        blocks; an ``observer`` holds no secret of the validators and serves public state only. With ``wait`` returns once it has caught up with the network's height. It joins as a
        full node: the returned ``validator_key`` is what officials propose ``set_validator_power`` for."""
        running = [r for r in self.status() if r["running"]]
        added = join_node(self, self.cometbft, running, state_sync=state_sync, observer=observer)
        self._supervisor.start([added["name"]])
        if wait:
            target = max((r["height"] or 0) for r in running)
            wait_height(self, self._supervisor, [added["name"]], target, time.monotonic() + timeout)
        return added

    # -- processes -----------------------------------------------------------------------------

    def pid(self, node: str, proc: str) -> int | None:
        """The pid of ``proc`` ("cometbft" or "app") of ``node`` while it runs, else None."""
        return self._supervisor.pid(node, proc)

    def start(self, *, wait_blocks: bool = True, timeout: float = 90) -> None:
        """Start every node (creating a default network first if ``home`` is empty or missing).

        With ``wait_blocks`` returns once every node reports ``latest_block_height >= 2`` (and, for a
        network restarted with blocks in its store, a block newer than the first it reports). If the
        network does not come up, the processes started by this call are stopped again and the
        error quotes the relevant log.
        """
        if not self.exists():
            if not self.is_empty():
                raise LocalNetError(
                    f"{self.home} is not empty and holds no local network ({MANIFEST} is missing); "
                    "use an empty or missing folder to create one"
                )
            self.create()
        if any("host" in n for n in self.load_manifest()["nodes"]):
            raise LocalNetError(f"{self.home} is laid out for one validator per host; start it on its hosts (docker compose up)")
        deadline = time.monotonic() + timeout
        names = self.nodes()
        started = self._supervisor.start(names)
        if not wait_blocks:
            return
        try:
            wait_height(self, self._supervisor, names, 2, deadline)
        except BaseException:
            self._supervisor.cleanup(started)
            raise

    def start_node(self, node: str) -> None:
        """Start ``node``'s app (if not running), then its cometbft (if not running)."""
        self.node_entry(node)
        self._supervisor.start([node])

    def stop(self, timeout: float = 20) -> None:
        """SIGTERM every cometbft, then every app; SIGKILL whatever is left after ``timeout`` seconds."""
        names = self.nodes()
        self._supervisor.terminate([(n, "cometbft") for n in names], timeout)
        self._supervisor.terminate([(n, "app") for n in names], timeout)

    def kill(self, node: str) -> None:
        """SIGKILL ``node``'s cometbft and app processes (a crash, not a shutdown)."""
        self.node_entry(node)
        self._supervisor.kill([(node, "cometbft"), (node, "app")])

    def kill_app(self, node: str) -> None:
        """SIGKILL only ``node``'s app process (CometBFT then shuts itself down when it loses the app)."""
        self.node_entry(node)
        if not self.runs_own_app():
            raise LocalNetError(f"{node} runs the built-in app {self.proxy_app!r}; there is no separate app process to kill")
        self._supervisor.kill([(node, "app")])

    def restart(self, node: str, timeout: float = 20) -> None:
        """Stop ``node`` (SIGTERM, SIGKILL after ``timeout``), then start it again."""
        self.node_entry(node)
        self._supervisor.terminate([(node, "cometbft")], timeout)
        self._supervisor.terminate([(node, "app")], timeout)
        self.start_node(node)

    # -- status --------------------------------------------------------------------------------

    def status(self) -> list[dict[str, Any]]:
        """One dict per node; fast (short timeouts) and never raises because a node is down.

        Keys: name, rpc, running (cometbft and app both alive), cometbft_running, app_running (for a
        built-in app: same as cometbft_running), pids {"cometbft", "app"} (None when not running),
        height and app_hash (lowercase hex) from the node's RPC /status (None when unreachable),
        catching_up, node_id, home, ports {"p2p", "rpc", "abci", "prometheus"}.
        """
        return node_status(self, self._supervisor)
