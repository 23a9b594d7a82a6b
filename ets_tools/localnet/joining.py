"""Adding a node to a running network: its home, config and manifest entry, optionally joined by state sync.

The new node ``node<N>`` gets the network's genesis, state blinding key and execution keys (an observer
node gets neither key: ``abci_app.observer``), the tuned config with
every existing node as a persistent peer and the next block of ports. With ``state_sync`` its
CometBFT restores the app from a peer's snapshot instead of replaying every block: the root of
trust (height and header hash) comes from a running node's RPC, and two running nodes serve the
light client (``[statesync] rpc_servers``). It joins as a full node; to make it a validator,
officials propose ``set_validator_power`` with the consensus key ``join_node`` returns.
"""

from __future__ import annotations

import base64
import json
import shutil
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from abci_app.blinding import BLINDING_KEY_FILE
from abci_app.privacy import EXECUTION_KEYS_FILE

from .errors import LocalNetError
from .home import TUNED_CONFIG, NetworkHome, write_atomic
from .network import _node_settings, _run, check_cometbft
from .ports import LOOPBACK, check_ports_free, node_ports
from .toml_edit import apply_toml_overrides, load_config_overrides, merge_overrides

__all__ = ["join_node", "validator_key", "TRUST_LAG", "STATE_SYNC_SETTINGS"]

TRUST_LAG = 2  # the trusted header is this many heights below the latest: every running node has it
STATE_SYNC_SETTINGS = {
    "trust_period": "168h0m0s",
    "discovery_time": "5s",  # CometBFT's minimum: the snapshots of a loopback network are found at once
    "chunk_request_timeout": "10s",
}


def _rpc(port: int, path: str) -> dict[str, Any]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # straight to loopback, never a proxy
    try:
        with opener.open(f"http://{LOOPBACK}:{port}{path}", timeout=5) as resp:
            return json.loads(resp.read())["result"]
    except (OSError, ValueError, KeyError, TypeError, urllib.error.URLError) as exc:
        raise LocalNetError(f"RPC {path} on {LOOPBACK}:{port} failed: {exc}") from None


def validator_key(node_home: Path) -> dict[str, str]:
    """The consensus key of a node (``config/priv_validator_key.json``): address and public key."""
    key = json.loads((node_home / "config" / "priv_validator_key.json").read_text())
    raw = base64.b64decode(key["pub_key"]["value"])
    return {"address": key["address"], "pub_key_base64": key["pub_key"]["value"], "pub_key_hex": raw.hex(),
            "type": key["pub_key"]["type"]}


def _trust(running: list[dict[str, Any]]) -> tuple[int, str]:
    """A trusted (height, header hash) from a running node: a few blocks below its latest."""
    port = running[0]["ports"]["rpc"]
    latest = int(_rpc(port, "/status")["sync_info"]["latest_block_height"])
    if latest < TRUST_LAG + 1:
        raise LocalNetError(f"the network is at height {latest}; wait for a few blocks before adding a node")
    height = latest - TRUST_LAG
    block = _rpc(port, f"/block?height={height}")
    return height, block["block_id"]["hash"]


def join_node(net: NetworkHome, cometbft: Path, running: list[dict[str, Any]], *, state_sync: bool,
              observer: bool = False) -> dict[str, Any]:
    """Create the home and manifest entry of the next node (not started); returns what was set up.

    ``running`` are the status rows of the nodes that are up (peers, trust and light-client servers)."""
    check_cometbft(cometbft)
    manifest = net.load_manifest()
    if any("host" in n for n in manifest["nodes"]):
        raise LocalNetError(f"{net.home} is laid out for one validator per host; add a host there instead")
    if not net.runs_own_app(manifest):
        raise LocalNetError("this network runs a built-in app; nodes can only be added to networks of the ETS app")
    if not running:
        raise LocalNetError(f"no node of {net.home} is running; start the network first (`ets localnet start --home {net.home}`)")
    if state_sync and len(running) < 2:
        raise LocalNetError("state sync needs two running nodes to serve the light client; start more nodes or omit --state-sync")
    index = len(manifest["nodes"])
    name = f"node{index}"
    ports = node_ports(int(manifest["base_port"]), index)
    check_ports_free(((name, kind, port) for kind, port in ports.items()), index + 1, int(manifest["base_port"]))
    home = net.home / name
    if home.exists():
        raise LocalNetError(f"{home} already exists but is not in the manifest; remove it or restore localnet.json")
    trust = _trust(running) if state_sync else None
    try:
        _run(cometbft, "init", "--home", str(home))
        node_id = _run(cometbft, "show-node-id", "--home", str(home)).strip().splitlines()[-1]
        (home / "app").mkdir(mode=0o700)
        shutil.copyfile(net.home / "genesis.json", home / "config" / "genesis.json")
        for secret in () if observer else (BLINDING_KEY_FILE, EXECUTION_KEYS_FILE):
            # the validators' shared secrets: the state blinding key (without it no app hash matches) and the
            # execution keys (without them no private tx opens)
            source = net.home / manifest["nodes"][0]["name"] / "app" / secret
            if source.is_file():
                shutil.copyfile(source, home / "app" / secret)
                (home / "app" / secret).chmod(0o600)
        all_ports = [n["ports"] for n in manifest["nodes"]] + [ports]
        node_ids = [n["node_id"] for n in manifest["nodes"]] + [node_id]
        layers = merge_overrides(load_config_overrides(TUNED_CONFIG), _node_settings(name, index, all_ports, node_ids, None, None))
        if trust is not None:
            servers = ",".join(f"http://{LOOPBACK}:{r['ports']['rpc']}" for r in running[:2])
            layers = merge_overrides(layers, {
                "statesync": {"enable": True, "rpc_servers": servers, "trust_height": trust[0], "trust_hash": trust[1],
                              **STATE_SYNC_SETTINGS},
                "": {"log_level": "main:info,state:info,p2p:info,statesync:info,*:error"},  # "Snapshot restored" shows
            })
        config = home / "config" / "config.toml"
        try:
            text = apply_toml_overrides(config.read_text(), layers)
        except ValueError as exc:
            raise LocalNetError(f"cannot write {config}: {exc}") from None
        write_atomic(config, text)
        entry = {"name": name, "node_id": node_id, "ports": ports, "added": {"state_sync": state_sync}}
        if observer:
            entry["observer"] = True
        if trust is not None:
            entry["added"].update(trust_height=trust[0], trust_hash=trust[1])
        manifest["nodes"].append(entry)
        write_atomic(net.manifest_path, json.dumps(manifest, indent=2) + "\n")
    except BaseException:  # leave no half-made node behind: the manifest is written last
        if home.exists() and name not in [n["name"] for n in net.load_manifest()["nodes"]]:
            shutil.rmtree(home)
        raise
    return {"name": name, "node_id": node_id, "rpc": f"http://{LOOPBACK}:{ports['rpc']}", "ports": ports,
            "state_sync": state_sync, "observer": observer, "trust": None if trust is None else {"height": trust[0], "hash": trust[1]},
            "validator_key": validator_key(home)}
