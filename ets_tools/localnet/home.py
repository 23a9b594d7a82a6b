"""A network's home folder: where everything lives, and the manifest that describes it.

    <home>/localnet.json          manifest: chain id, validators, base port, proxy app, per-node ports
    <home>/genesis.json           copy of the genesis every node uses
    <home>/keys/                  encrypted keys of the genesis accounts (see ets_tools.devnet)
    <home>/node<i>/               CometBFT home of validator i (``cometbft init --home``)
    <home>/node<i>/app/           data folder of validator i's ABCI app
    <home>/node<i>/cometbft.log   <home>/node<i>/app.log
    <home>/node<i>/cometbft.pid   <home>/node<i>/app.pid

``NetworkHome`` reads the manifest (every read checks it) and names the paths; it never starts,
stops or creates anything.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Mapping

from .errors import LocalNetError
from .ports import LOOPBACK

__all__ = [
    "NetworkHome", "write_atomic", "REPO_ROOT", "DEFAULT_COMETBFT", "TUNED_CONFIG", "DEFAULT_BASE_PORT",
    "DEFAULT_CHAIN_ID", "MANIFEST", "MANIFEST_VERSION", "BUILTIN_APPS", "PROCESSES",
]

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_COMETBFT = REPO_ROOT / "bin" / "cometbft"
TUNED_CONFIG = REPO_ROOT / "cometbft-config" / "localnet.toml"
DEFAULT_BASE_PORT = 26650
DEFAULT_CHAIN_ID = "ets-localnet"
MANIFEST = "localnet.json"
MANIFEST_VERSION = 1
BUILTIN_APPS = ("kvstore", "persistent_kvstore", "noop")
PROCESSES = ("cometbft", "app")  # the two processes of a node


def write_atomic(path: Path, data: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(data)
    os.replace(tmp, path)


class NetworkHome:
    """The home folder of one local network and its manifest (``localnet.json``)."""

    def __init__(self, home: str | Path):
        self.home = Path(home).expanduser().resolve()

    @property
    def manifest_path(self) -> Path:
        return self.home / MANIFEST

    def exists(self) -> bool:
        """Whether ``home`` holds a created network."""
        return self.manifest_path.is_file()

    def is_empty(self) -> bool:
        """Whether ``home`` is missing or an empty folder (a new network may be created there)."""
        return not self.home.exists() or (self.home.is_dir() and not any(self.home.iterdir()))

    def load_manifest(self) -> dict[str, Any]:
        """The manifest as read from disk now, checked (``LocalNetError`` when missing or not understood)."""
        try:
            manifest = json.loads(self.manifest_path.read_text())
        except FileNotFoundError:
            raise LocalNetError(
                f"no local network in {self.home} (no {MANIFEST}); create one with `ets localnet start --home {self.home}`"
            ) from None
        except (OSError, ValueError) as exc:
            raise LocalNetError(f"{self.manifest_path} cannot be read: {exc}") from None
        if not isinstance(manifest, dict) or manifest.get("version") != MANIFEST_VERSION or not manifest.get("nodes"):
            raise LocalNetError(f"{self.manifest_path} is not a local network manifest this tool understands")
        return manifest

    def manifest(self) -> dict[str, Any]:
        """A copy of the network's manifest (``localnet.json``)."""
        return json.loads(json.dumps(self.load_manifest()))

    @property
    def chain_id(self) -> str:
        return str(self.load_manifest()["chain_id"])

    @property
    def proxy_app(self) -> str | None:
        return self.load_manifest().get("proxy_app")

    def nodes(self) -> list[str]:
        return [n["name"] for n in self.load_manifest()["nodes"]]

    def node_entry(self, node: str) -> dict[str, Any]:
        manifest = self.load_manifest()
        for entry in manifest["nodes"]:
            if entry["name"] == node:
                return entry
        names = [n["name"] for n in manifest["nodes"]]
        raise LocalNetError(f"unknown node {node!r}: this network has {', '.join(names)}")

    def rpc_url(self, node: str) -> str:
        return f"http://{LOOPBACK}:{self.node_entry(node)['ports']['rpc']}"

    def node_home(self, node: str) -> Path:
        self.node_entry(node)
        return self.home / node

    def runs_own_app(self, manifest: Mapping[str, Any] | None = None) -> bool:
        """True when nodes talk to our own app process (not a built-in or external app)."""
        return (manifest or self.load_manifest()).get("proxy_app") is None

    def pid_file(self, node: str, proc: str) -> Path:
        return self.home / node / f"{proc}.pid"

    def log_file(self, node: str, proc: str) -> Path:
        return self.home / node / f"{proc}.log"
