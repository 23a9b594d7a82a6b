"""Local networks of validators on one machine: create, start, watch, break and stop them.

N CometBFT validators on 127.0.0.1, each paired with its own ``abci_app`` process, every
process on its own ports (node i: app metrics = base+10i+5, p2p = base+10i+6, rpc = base+10i+7,
abci = base+10i+8, cometbft metrics = base+10i+9). Nothing here talks to any address other than
127.0.0.1. One module per job:

    manager     ``LocalNet``, the one object callers use
    home        the home folder's layout and its manifest (``localnet.json``)
    network     creating a network: cometbft init, genesis, per-node config.toml, manifest
    toml_edit   the config.toml editor (layout-preserving, checked by re-reading)
    supervisor  the processes: pid files, start, SIGTERM/SIGKILL, restart
    status      per-node status rows and waiting for blocks
    ports       the port plan and loopback port probes
    errors      ``LocalNetError``
"""

from __future__ import annotations

from .errors import LocalNetError
from .home import BUILTIN_APPS, DEFAULT_BASE_PORT, DEFAULT_CHAIN_ID
from .manager import LocalNet
from .ports import node_ports
from .toml_edit import apply_toml_overrides, load_config_overrides

__all__ = [
    "LocalNet",
    "LocalNetError",
    "BUILTIN_APPS",
    "DEFAULT_BASE_PORT",
    "DEFAULT_CHAIN_ID",
    "node_ports",
    "apply_toml_overrides",
    "load_config_overrides",
]
