"""Creating a network: keys and genesis accounts, ``cometbft init`` per node, one genesis, tuned configs, the manifest.

Tuned CometBFT settings live in ``cometbft-config/localnet.toml`` (applied to every node's
``config.toml``), then the per-node settings (ports, peers, moniker), then the caller's
``config_overrides``. A failed creation leaves the folder as it was (empty or missing).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping

from abci_app.blinding import new_blinding_key, write_blinding_key
from abci_app.genesis import genesis_app_hash
from abci_app.privacy import new_execution_key, write_execution_key
from abci_app.server import MAX_BACKLOG, MIN_BACKLOG
from protocol.private_tx import public_bytes

from .errors import LocalNetError
from .home import BUILTIN_APPS, DEFAULT_BASE_PORT, DEFAULT_CHAIN_ID, MANIFEST_VERSION, TUNED_CONFIG, NetworkHome, write_atomic
from .ports import LOOPBACK, check_ports_free, node_ports
from .toml_edit import apply_toml_overrides, load_config_overrides, merge_overrides

__all__ = ["create_network", "check_cometbft", "VALIDATOR_POWER"]

VALIDATOR_POWER = 10
_HOST = re.compile(r"[a-z0-9][a-z0-9.-]{0,62}")


def check_cometbft(cometbft: Path) -> None:
    if not (cometbft.is_file() and os.access(cometbft, os.X_OK)):
        raise LocalNetError(f"cometbft binary not found at {cometbft}; run ./scripts/setup.sh first")


def _run(cometbft: Path, *args: str) -> str:
    try:
        proc = subprocess.run([str(cometbft), *args], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise LocalNetError(f"`cometbft {' '.join(args)}` did not finish in 60 s") from None
    if proc.returncode != 0:
        raise LocalNetError(f"`cometbft {' '.join(args)}` failed ({proc.returncode}): {proc.stderr.strip() or proc.stdout.strip()}")
    return proc.stdout


APP_OPTIONS = {  # manifest key: the app's flag, the least and most it takes, its unit
    "snapshot_interval": ("--snapshot-interval", 0, 1_000_000, "heights (0: off)"),
    "snapshot_keep": ("--snapshot-keep", 1, 1000, "snapshots"),
    "check_backlog": ("--check-backlog", MIN_BACKLOG, MAX_BACKLOG, "bytes"),
}


def create_network(
    net: NetworkHome,
    cometbft: Path,
    base_port: int,
    validators: int = 4,
    *,
    chain_id: str = DEFAULT_CHAIN_ID,
    app_state: dict | None = None,
    proxy_app: str | None = None,
    config_overrides: dict | None = None,
    hosts: list[str] | None = None,
    snapshot_interval: int | None = None,
    snapshot_keep: int | None = None,
    check_backlog: int | None = None,
) -> None:
    """Create a network of ``validators`` nodes in ``net.home`` (which must be empty or missing).

    ``snapshot_interval``, ``snapshot_keep`` and ``check_backlog`` (kept in the manifest) are passed to
    every app as ``--snapshot-interval`` / ``--snapshot-keep`` / ``--check-backlog`` (``APP_OPTIONS``): the
    heights between the state-sync snapshots new nodes join from, how many stay on disk, and the bytes of
    waiting CheckTx before new ones are refused (None: the app's defaults).

    With ``hosts`` (one host name per validator) the network is laid out for one validator per
    host instead — the docker-compose layout: every node uses the default ports on its own host,
    listens on all of that host's interfaces, and dials its peers by host name.
    """
    validators = int(validators)
    if hosts is not None:
        if len(hosts) != validators or len(set(hosts)) != validators or not all(_HOST.fullmatch(h) for h in hosts):
            raise LocalNetError(f"--hosts needs {validators} distinct lowercase host names (letters, digits, '.', '-')")
    if not 1 <= validators <= 100:
        raise LocalNetError(f"--validators must be between 1 and 100, not {validators}")
    if not chain_id or len(chain_id) > 50 or not re.fullmatch(r"[A-Za-z0-9._-]+", chain_id):
        raise LocalNetError(f"chain id {chain_id!r} must be 1-50 letters, digits, '.', '_' or '-'")
    if proxy_app is not None and proxy_app not in BUILTIN_APPS and not re.match(r"^(tcp|unix)://", proxy_app):
        raise LocalNetError(
            f"proxy_app {proxy_app!r} is neither a built-in app ({', '.join(BUILTIN_APPS)}) nor a tcp:// or unix:// address"
        )
    given = {"snapshot_interval": snapshot_interval, "snapshot_keep": snapshot_keep, "check_backlog": check_backlog}
    app_options = {key: int(value) for key, value in given.items() if value is not None}
    for key, value in app_options.items():
        flag, least, most, unit = APP_OPTIONS[key]
        if not least <= value <= most:
            raise LocalNetError(f"{flag} must be {least:,} to {most:,} {unit}, not {value:,}")
    if not (1024 <= base_port and base_port + 10 * validators < 65536):
        raise LocalNetError(f"--base-port must be 1024 or more and leave room for {validators} nodes below 65536")
    if net.exists():
        raise LocalNetError(f"{net.home} already holds a local network; start it, or choose an empty folder")
    if not net.is_empty():
        raise LocalNetError(f"{net.home} is not empty; a new network needs an empty or missing folder")
    check_cometbft(cometbft)
    own_app = proxy_app is None
    if hosts is None:
        check_ports_free(
            (
                (f"node{i}", kind, port)
                for i in range(validators)
                for kind, port in node_ports(base_port, i).items()
                if own_app or kind not in ("abci", "app_metrics")
            ),
            validators,
            base_port,
        )
    tuned = load_config_overrides(TUNED_CONFIG)
    created_home = not net.home.exists()
    net.home.mkdir(parents=True, exist_ok=True)
    try:
        _create(net, cometbft, base_port, validators, chain_id, app_state, proxy_app, tuned, config_overrides, hosts,
                app_options)
    except BaseException:
        # Leave the folder as we found it (it was empty or missing), so a retry can start clean.
        for child in list(net.home.iterdir()):
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
        if created_home:
            net.home.rmdir()
        raise


def _genesis(home: Path, names: list[str], chain_id: str, app_state: dict[str, Any]) -> dict[str, Any]:
    """One genesis for everyone: cometbft init's consensus params, our chain id, time and validators."""
    genesis = json.loads((home / names[0] / "config" / "genesis.json").read_text())
    genesis["genesis_time"] = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    genesis["chain_id"] = chain_id
    genesis["validators"] = []
    for name in names:
        key = json.loads((home / name / "config" / "priv_validator_key.json").read_text())
        genesis["validators"].append(
            {"address": key["address"], "pub_key": key["pub_key"], "power": str(VALIDATOR_POWER), "name": name}
        )
    genesis["app_hash"] = ""
    genesis["app_state"] = app_state
    return genesis


def _node_settings(name: str, i: int, ports: list[dict[str, int]], node_ids: list[str], hosts: list[str] | None,
                   proxy_app: str | None) -> dict[str, dict[str, Any]]:
    """The settings of one node's config.toml that differ between nodes: ports, peers, moniker."""
    peers = ",".join(f"{node_ids[j]}@{hosts[j] if hosts else LOOPBACK}:{ports[j]['p2p']}" for j in range(len(ports)) if j != i)
    per_node: dict[str, dict[str, Any]] = {
        "": {
            "proxy_app": proxy_app or f"tcp://{LOOPBACK}:{ports[i]['abci']}",
            "moniker": name,
        },
        "rpc": {"laddr": f"tcp://{LOOPBACK}:{ports[i]['rpc']}"},
        "p2p": {
            "laddr": f"tcp://{LOOPBACK}:{ports[i]['p2p']}",
            "persistent_peers": peers,
            "addr_book_strict": False,
            "allow_duplicate_ip": True,
            "pex": False,
        },
        "instrumentation": {"prometheus": True, "prometheus_listen_addr": f"{LOOPBACK}:{ports[i]['prometheus']}"},
    }
    if hosts is not None:  # inside its own host (container): reachable by the other hosts
        per_node["rpc"]["laddr"] = f"tcp://0.0.0.0:{ports[i]['rpc']}"
        per_node["p2p"]["laddr"] = f"tcp://0.0.0.0:{ports[i]['p2p']}"
        per_node["p2p"]["allow_duplicate_ip"] = False
        per_node["instrumentation"]["prometheus_listen_addr"] = f"0.0.0.0:{ports[i]['prometheus']}"
    return per_node


def _create(
    net: NetworkHome,
    cometbft: Path,
    base_port: int,
    validators: int,
    chain_id: str,
    app_state: dict | None,
    proxy_app: str | None,
    tuned: Mapping[str, Mapping[str, Any]],
    config_overrides: Mapping[str, Mapping[str, Any]] | None,
    hosts: list[str] | None = None,
    app_options: Mapping[str, int] | None = None,
) -> None:
    home = net.home
    names = [f"node{i}" for i in range(validators)]
    node_ids: list[str] = []
    blinding_key = new_blinding_key()  # the validators' shared state blinding key (protocol.smt)
    for name in names:
        _run(cometbft, "init", "--home", str(home / name))
        node_ids.append(_run(cometbft, "show-node-id", "--home", str(home / name)).strip().splitlines()[-1])
        (home / name / "app").mkdir(mode=0o700, exist_ok=True)
        write_blinding_key(home / name / "app", blinding_key)

    if app_state is None:
        from ets.keys import Keystore

        from ..devnet import create_localnet_accounts

        app_state = create_localnet_accounts(Keystore(home / "keys"), companies=4)

    privacy = dict(app_state.get("privacy") or {"epoch": 1})
    app_state = {**app_state, "privacy": privacy}
    execution_key = None
    if "execution_key" not in privacy:  # the validators' first execution key: every node holds its private half
        execution_key = new_execution_key()
        privacy["execution_key"] = public_bytes(execution_key).hex()
    for name in names:
        if execution_key is not None:
            write_execution_key(home / name / "app", privacy["epoch"], execution_key)
    genesis = _genesis(home, names, chain_id, app_state)
    if proxy_app is None:  # the ETS app: observer nodes, which hold no blinding key, start from this app hash
        genesis["app_hash"] = genesis_app_hash(genesis, blinding_key).hex().upper()
    genesis_text = json.dumps(genesis, indent=2) + "\n"
    for name in names:
        write_atomic(home / name / "config" / "genesis.json", genesis_text)
    write_atomic(home / "genesis.json", genesis_text)

    ports = [node_ports(base_port, i) for i in range(validators)]
    if hosts is not None:  # one validator per host: the same default ports on every host
        ports = [node_ports(DEFAULT_BASE_PORT, 0) for _ in range(validators)]
    for i, name in enumerate(names):
        config = home / name / "config" / "config.toml"
        layers = merge_overrides(tuned, _node_settings(name, i, ports, node_ids, hosts, proxy_app), config_overrides)
        try:
            text = apply_toml_overrides(config.read_text(), layers)
        except ValueError as exc:
            raise LocalNetError(f"cannot write {config}: {exc}") from None
        write_atomic(config, text)

    manifest = {
        "version": MANIFEST_VERSION,
        "chain_id": chain_id,
        "validators": validators,
        "base_port": base_port,
        "proxy_app": proxy_app,
        **(app_options or {}),
        "cometbft_version": _run(cometbft, "version").strip(),
        "created": genesis["genesis_time"],
        "nodes": [
            {"name": name, "node_id": node_ids[i], "ports": ports[i], **({"host": hosts[i]} if hosts else {})}
            for i, name in enumerate(names)
        ],
    }
    write_atomic(net.manifest_path, json.dumps(manifest, indent=2) + "\n")
