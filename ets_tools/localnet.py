"""Local networks of validators on one machine: create, start, watch, break and stop them.

This module owns the *local network manager*: N CometBFT validators on 127.0.0.1, each
paired with its own ``abci_app`` process, every process on its own ports. It is used by
``ets localnet ...`` (see :mod:`ets_tools.cli_localnet`), by the tests that need a real chain and
by the benchmarks. Nothing here talks to any address other than 127.0.0.1.

Layout of a network home::

    <home>/localnet.json          manifest: chain id, validators, base port, proxy app, per-node ports
    <home>/genesis.json           copy of the genesis every node uses
    <home>/keys/                  encrypted keys of the genesis accounts (see ets_tools.devnet)
    <home>/node<i>/               CometBFT home of validator i (``cometbft init --home``)
    <home>/node<i>/app/           data folder of validator i's ABCI app
    <home>/node<i>/cometbft.log   <home>/node<i>/app.log
    <home>/node<i>/cometbft.pid   <home>/node<i>/app.pid

Ports of node i: app metrics = base+10i+5, p2p = base+10i+6, rpc = base+10i+7, abci = base+10i+8, cometbft metrics = base+10i+9.

Tuned CometBFT settings live in ``cometbft-config/localnet.toml`` (applied to every node's
``config.toml``), then the per-node settings, then the caller's ``config_overrides``.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

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

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_COMETBFT = REPO_ROOT / "bin" / "cometbft"
TUNED_CONFIG = REPO_ROOT / "cometbft-config" / "localnet.toml"
DEFAULT_BASE_PORT = 26650
DEFAULT_CHAIN_ID = "ets-localnet"
MANIFEST = "localnet.json"
MANIFEST_VERSION = 1
VALIDATOR_POWER = 10
BUILTIN_APPS = ("kvstore", "persistent_kvstore", "noop")
_PORT_OFFSETS = {"app_metrics": 5, "p2p": 6, "rpc": 7, "abci": 8, "prometheus": 9}
LOOPBACK = "127.0.0.1"
APP_READY_TIMEOUT = 30.0
RPC_READY_TIMEOUT = 60.0
STATUS_TIMEOUT = 0.75
KILL_WAIT = 5.0
LOG_TAIL_LINES = 20


class LocalNetError(Exception):
    """An expected failure (ports in use, unknown node, no network, a process that died); the message says what to do."""


# ---------------------------------------------------------------------------------------------
# ports


def node_ports(base_port: int, index: int) -> dict[str, int]:
    """The ports of node ``index`` for a network on ``base_port`` (app metrics, p2p, rpc, abci, cometbft metrics)."""
    return {kind: base_port + 10 * index + off for kind, off in _PORT_OFFSETS.items()}


def _port_free(port: int) -> bool:
    # SO_REUSEADDR like Go's listener, so sockets lingering in TIME_WAIT do not count as "in use";
    # a socket listening on the port (on 127.0.0.1 or any wildcard address) does.
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((LOOPBACK, port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def _port_accepts(port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((LOOPBACK, port), timeout=timeout):
            return True
    except OSError:
        return False


def _suggest_base_port(validators: int, avoid: int) -> int | None:
    span = 10 * validators
    for candidate in range(26650, 65535 - span, 1000):
        if abs(candidate - avoid) < span:
            continue
        if all(_port_free(p) for i in range(validators) for p in node_ports(candidate, i).values()):
            return candidate
    return None


# ---------------------------------------------------------------------------------------------
# config.toml editing: a careful line-based editor, checked by re-reading the result with tomllib

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_TABLE = re.compile(r"^\s*\[\s*([A-Za-z0-9_.-]+)\s*\]\s*(?:#.*)?$")
_ARRAY_TABLE = re.compile(r"^\s*\[\[\s*([A-Za-z0-9_.-]+)\s*\]\]\s*(?:#.*)?$")
_KEY_LINE = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=")
_ROOT_ALIASES = ("", "base", "main")


def _toml_string(s: str) -> str:
    out = ['"']
    for ch in s:
        code = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch in "\b\t\n\f\r":
            out.append({"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}[ch])
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"config value {value!r} is not a finite number")
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise ValueError(f"config value {value!r} of type {type(value).__name__} cannot be written to config.toml")


def _lookup(doc: Mapping[str, Any], section: str, key: str) -> Any:
    node: Any = doc
    for part in [p for p in section.split(".") if p]:
        node = node.get(part) if isinstance(node, Mapping) else None
    if not isinstance(node, Mapping) or key not in node:
        raise KeyError(key)
    return node[key]


def apply_toml_overrides(text: str, overrides: Mapping[str, Mapping[str, Any]]) -> str:
    """Return ``text`` (a CometBFT config.toml) with ``overrides`` (section → {key: value}) applied.

    Section ``""`` (aliases ``"base"``, ``"main"``) is the top level; dotted names such as
    ``"p2p.libp2p"`` are sub-tables. Existing keys are replaced in place (comments and layout are
    kept), missing keys are added to their section, missing sections are appended. Keys inside
    arrays of tables (``[[...]]``) cannot be set. The result is parsed back and checked.
    """
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    wanted: list[tuple[str, str, Any]] = []
    for section, keys in overrides.items():
        sec = "" if section in _ROOT_ALIASES else section
        if sec and not re.fullmatch(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*", sec):
            raise ValueError(f"config section name {section!r} is not a plain dotted TOML table name")
        if not isinstance(keys, Mapping):
            raise ValueError(f"config overrides for section {section!r} must be a mapping of key to value")
        for key, value in keys.items():
            if not _BARE_KEY.match(key):
                raise ValueError(f"config key {key!r} in section {section!r} is not a bare TOML key")
            if isinstance(value, Mapping):
                raise ValueError(f"config value for {section}.{key} is a table; name it as its own section instead")
            _toml_value(value)  # fail early on values that cannot be written
            wanted.append((sec, key, value))

    for sec, key, value in wanted:
        new_line = f"{key} = {_toml_value(value)}\n"
        # Map each line to its table; arrays of tables are marked so nothing is edited inside them.
        current: str | None = ""
        header_at: dict[str, int] = {}
        last_key_at: dict[str, int] = {}
        found: int | None = None
        for i, line in enumerate(lines):
            m = _TABLE.match(line)
            if m:
                current = m.group(1)
                header_at.setdefault(current, i)
                continue
            if _ARRAY_TABLE.match(line):
                if _ARRAY_TABLE.match(line).group(1) == sec:  # type: ignore[union-attr]
                    raise ValueError(f"[[{sec}]] is an array of tables; it cannot be set key by key")
                current = None
                continue
            km = _KEY_LINE.match(line)
            if km and current is not None:
                last_key_at[current] = i
                if current == sec and km.group(1) == key:
                    if found is not None:
                        raise ValueError(f"config.toml sets {sec or '<top level>'}.{key} twice")
                    found = i
        if found is not None:
            # A value may span lines (multi-line arrays or strings): extend until the line parses alone.
            end = found
            while True:
                try:
                    tomllib.loads("".join(lines[found : end + 1]))
                    break
                except tomllib.TOMLDecodeError:
                    end += 1
                    if end >= len(lines):
                        raise ValueError(f"cannot find the end of the value of {sec or '<top level>'}.{key}") from None
            indent = lines[found][: len(lines[found]) - len(lines[found].lstrip())]
            lines[found : end + 1] = [indent + new_line]
        elif sec in last_key_at:
            lines.insert(last_key_at[sec] + 1, new_line)
        elif sec in header_at:
            lines.insert(header_at[sec] + 1, new_line)
        elif sec == "":
            first_table = next((i for i, line in enumerate(lines) if _TABLE.match(line) or _ARRAY_TABLE.match(line)), len(lines))
            lines.insert(first_table, new_line)
        else:
            lines.extend(["\n", f"[{sec}]\n", new_line])

    result = "".join(lines)
    try:
        doc = tomllib.loads(result)
    except tomllib.TOMLDecodeError as exc:  # pragma: no cover - guards the editor itself
        raise ValueError(f"editing config.toml produced invalid TOML: {exc}") from None
    for sec, key, value in wanted:
        expected = list(value) if isinstance(value, tuple) else value
        try:
            got = _lookup(doc, sec, key)
        except KeyError:
            raise ValueError(f"config.toml edit of {sec or '<top level>'}.{key} did not take effect") from None
        if got != expected:
            raise ValueError(f"config.toml edit of {sec or '<top level>'}.{key} reads back as {got!r}, not {expected!r}")
    return result


def load_config_overrides(path: str | Path = TUNED_CONFIG) -> dict[str, dict[str, Any]]:
    """Read a TOML file of CometBFT settings into section → {key: value} (top-level keys under ``""``)."""
    path = Path(path)
    try:
        doc = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise LocalNetError(f"tuned CometBFT settings not found at {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise LocalNetError(f"{path} is not valid TOML: {exc}") from None
    out: dict[str, dict[str, Any]] = {}

    def walk(prefix: str, table: Mapping[str, Any]) -> None:
        for key, value in table.items():
            if isinstance(value, Mapping):
                walk(f"{prefix}.{key}" if prefix else key, value)
            elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
                raise LocalNetError(f"{path}: arrays of tables ({prefix}.{key}) are not supported")
            else:
                out.setdefault(prefix, {})[key] = value

    walk("", doc)
    return out


def _merge(*layers: Mapping[str, Mapping[str, Any]] | None) -> dict[str, dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {}
    for layer in layers:
        for section, keys in (layer or {}).items():
            sec = "" if section in _ROOT_ALIASES else section
            merged.setdefault(sec, {}).update(keys)
    return merged


# ---------------------------------------------------------------------------------------------
# processes


def _read_cmdline(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    if not raw:
        return None  # zombie or kernel thread
    return raw.rstrip(b"\0").decode(errors="replace").split("\0")


def _is_zombie_or_gone(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat[stat.rfind(")") + 2 :][:1] in ("Z", "X")


def _has_option(argv: list[str], option: str, value: str) -> bool:
    return any(a == option and i + 1 < len(argv) and argv[i + 1] == value for i, a in enumerate(argv))


def _tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - 64 * 1024))
            data = fh.read().decode(errors="replace")
    except OSError:
        return f"(no log at {path})"
    return "\n".join(data.splitlines()[-lines:]) or f"({path} is empty)"


# Processes this Python process started (any LocalNet instance), so exited ones can be reaped.
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


def _write_atomic(path: Path, data: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(data)
    os.replace(tmp, path)


class LocalNet:
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
        self.home = Path(home).expanduser().resolve()
        self.base_port = int(base_port)
        self.cometbft = Path(cometbft).expanduser().resolve() if cometbft else DEFAULT_COMETBFT
        self.python = python or sys.executable
        self._procs = _CHILDREN
        if self.exists():  # an existing network keeps the ports it was created with
            try:
                self.base_port = int(self._manifest()["base_port"])
            except (LocalNetError, KeyError, TypeError, ValueError):
                pass

    # -- manifest ------------------------------------------------------------------------------

    @property
    def manifest_path(self) -> Path:
        return self.home / MANIFEST

    def exists(self) -> bool:
        """Whether ``home`` holds a created network."""
        return self.manifest_path.is_file()

    def _manifest(self) -> dict[str, Any]:
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
        return json.loads(json.dumps(self._manifest()))

    @property
    def chain_id(self) -> str:
        return str(self._manifest()["chain_id"])

    @property
    def proxy_app(self) -> str | None:
        return self._manifest().get("proxy_app")

    def nodes(self) -> list[str]:
        return [n["name"] for n in self._manifest()["nodes"]]

    def _node(self, node: str) -> dict[str, Any]:
        manifest = self._manifest()
        for entry in manifest["nodes"]:
            if entry["name"] == node:
                return entry
        names = [n["name"] for n in manifest["nodes"]]
        raise LocalNetError(f"unknown node {node!r}: this network has {', '.join(names)}")

    def rpc_url(self, node: str) -> str:
        return f"http://{LOOPBACK}:{self._node(node)['ports']['rpc']}"

    def node_home(self, node: str) -> Path:
        self._node(node)
        return self.home / node

    def _own_app(self, manifest: Mapping[str, Any] | None = None) -> bool:
        """True when nodes talk to our own app process (not a built-in or external app)."""
        return (manifest or self._manifest()).get("proxy_app") is None

    # -- create --------------------------------------------------------------------------------

    def _check_cometbft(self) -> None:
        if not (self.cometbft.is_file() and os.access(self.cometbft, os.X_OK)):
            raise LocalNetError(f"cometbft binary not found at {self.cometbft}; run ./scripts/setup.sh first")

    def _check_ports(self, wanted: Iterable[tuple[str, str, int]], validators: int, base_port: int) -> None:
        busy = [(node, kind, port) for node, kind, port in wanted if not _port_free(port)]
        if not busy:
            return
        listed = ", ".join(f"{port} ({node} {kind})" for node, kind, port in busy)
        hint = _suggest_base_port(validators, base_port)
        suggestion = f"--base-port {hint}" if hint else "another --base-port"
        raise LocalNetError(
            f"port{'s' if len(busy) > 1 else ''} {listed} on {LOOPBACK} already in use; "
            f"stop whatever listens there or choose other ports with {suggestion} "
            f"(node i uses base+10i+5 .. base+10i+9)"
        )

    def create(
        self,
        validators: int = 4,
        *,
        chain_id: str = DEFAULT_CHAIN_ID,
        app_state: dict | None = None,
        proxy_app: str | None = None,
        config_overrides: dict | None = None,
        hosts: list[str] | None = None,
    ) -> None:
        """Create a network of ``validators`` nodes in ``home`` (which must be empty or missing).

        With ``hosts`` (one host name per validator) the network is laid out for one validator per
        host instead — the docker-compose layout: every node uses the default ports on its own host,
        listens on all of that host's interfaces, and dials its peers by host name. Such a network is
        started by its hosts (``cometbft-config/compose-node.sh``), not by ``start()``.
        """
        validators = int(validators)
        if hosts is not None:
            if len(hosts) != validators or len(set(hosts)) != validators or not all(re.fullmatch(r"[a-z0-9][a-z0-9.-]{0,62}", h) for h in hosts):
                raise LocalNetError(f"--hosts needs {validators} distinct lowercase host names (letters, digits, '.', '-')")
        if not 1 <= validators <= 100:
            raise LocalNetError(f"--validators must be between 1 and 100, not {validators}")
        if not chain_id or len(chain_id) > 50 or not re.fullmatch(r"[A-Za-z0-9._-]+", chain_id):
            raise LocalNetError(f"chain id {chain_id!r} must be 1-50 letters, digits, '.', '_' or '-'")
        if proxy_app is not None and proxy_app not in BUILTIN_APPS and not re.match(r"^(tcp|unix)://", proxy_app):
            raise LocalNetError(
                f"proxy_app {proxy_app!r} is neither a built-in app ({', '.join(BUILTIN_APPS)}) nor a tcp:// or unix:// address"
            )
        if not (1024 <= self.base_port and self.base_port + 10 * validators < 65536):
            raise LocalNetError(f"--base-port must be 1024 or more and leave room for {validators} nodes below 65536")
        if self.exists():
            raise LocalNetError(f"{self.home} already holds a local network; start it, or choose an empty folder")
        if self.home.exists() and (not self.home.is_dir() or any(self.home.iterdir())):
            raise LocalNetError(f"{self.home} is not empty; a new network needs an empty or missing folder")
        self._check_cometbft()
        own_app = proxy_app is None
        if hosts is None:
            self._check_ports(
                (
                    (f"node{i}", kind, port)
                    for i in range(validators)
                    for kind, port in node_ports(self.base_port, i).items()
                    if own_app or kind not in ("abci", "app_metrics")
                ),
                validators,
                self.base_port,
            )
        tuned = load_config_overrides(TUNED_CONFIG)
        created_home = not self.home.exists()
        self.home.mkdir(parents=True, exist_ok=True)
        try:
            self._create(validators, chain_id, app_state, proxy_app, tuned, config_overrides, hosts)
        except BaseException:
            # Leave the folder as we found it (it was empty or missing), so a retry can start clean.
            for child in list(self.home.iterdir()):
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child)
                else:
                    child.unlink()
            if created_home:
                self.home.rmdir()
            raise

    def _run(self, *args: str) -> str:
        try:
            proc = subprocess.run([str(self.cometbft), *args], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise LocalNetError(f"`cometbft {' '.join(args)}` did not finish in 60 s") from None
        if proc.returncode != 0:
            raise LocalNetError(f"`cometbft {' '.join(args)}` failed ({proc.returncode}): {proc.stderr.strip() or proc.stdout.strip()}")
        return proc.stdout

    def _create(
        self,
        validators: int,
        chain_id: str,
        app_state: dict | None,
        proxy_app: str | None,
        tuned: Mapping[str, Mapping[str, Any]],
        config_overrides: Mapping[str, Mapping[str, Any]] | None,
        hosts: list[str] | None = None,
    ) -> None:
        names = [f"node{i}" for i in range(validators)]
        node_ids: list[str] = []
        for name in names:
            self._run("init", "--home", str(self.home / name))
            node_ids.append(self._run("show-node-id", "--home", str(self.home / name)).strip().splitlines()[-1])
            (self.home / name / "app").mkdir(mode=0o700, exist_ok=True)

        if app_state is None:
            from .devnet import create_localnet_accounts
            from ets.keys import Keystore

            app_state = create_localnet_accounts(Keystore(self.home / "keys"), companies=4)

        # One genesis for everyone: cometbft init's consensus params, our chain id, time and validators.
        genesis = json.loads((self.home / names[0] / "config" / "genesis.json").read_text())
        genesis["genesis_time"] = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        genesis["chain_id"] = chain_id
        genesis["validators"] = []
        for name in names:
            key = json.loads((self.home / name / "config" / "priv_validator_key.json").read_text())
            genesis["validators"].append(
                {"address": key["address"], "pub_key": key["pub_key"], "power": str(VALIDATOR_POWER), "name": name}
            )
        genesis["app_hash"] = ""
        genesis["app_state"] = app_state
        genesis_text = json.dumps(genesis, indent=2) + "\n"
        for name in names:
            _write_atomic(self.home / name / "config" / "genesis.json", genesis_text)
        _write_atomic(self.home / "genesis.json", genesis_text)

        ports = [node_ports(self.base_port, i) for i in range(validators)]
        if hosts is not None:  # one validator per host: the same default ports on every host
            ports = [node_ports(DEFAULT_BASE_PORT, 0) for _ in range(validators)]
        for i, name in enumerate(names):
            peers = ",".join(f"{node_ids[j]}@{hosts[j] if hosts else LOOPBACK}:{ports[j]['p2p']}" for j in range(validators) if j != i)
            per_node = {
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
            config = self.home / name / "config" / "config.toml"
            try:
                text = apply_toml_overrides(config.read_text(), _merge(tuned, per_node, config_overrides))
            except ValueError as exc:
                raise LocalNetError(f"cannot write {config}: {exc}") from None
            _write_atomic(config, text)

        manifest = {
            "version": MANIFEST_VERSION,
            "chain_id": chain_id,
            "validators": validators,
            "base_port": self.base_port,
            "proxy_app": proxy_app,
            "cometbft_version": self._run("version").strip(),
            "created": genesis["genesis_time"],
            "nodes": [
                {"name": name, "node_id": node_ids[i], "ports": ports[i], **({"host": hosts[i]} if hosts else {})}
                for i, name in enumerate(names)
            ],
        }
        _write_atomic(self.manifest_path, json.dumps(manifest, indent=2) + "\n")

    # -- process bookkeeping -------------------------------------------------------------------

    def _pid_file(self, node: str, proc: str) -> Path:
        return self.home / node / f"{proc}.pid"

    def _matcher(self, node: str, proc: str) -> Callable[[list[str]], bool]:
        if proc == "cometbft":
            home = str(self.home / node)
            return lambda argv: "start" in argv and _has_option(argv, "--home", home)
        app_home = str(self.home / node / "app")
        return lambda argv: "abci_app" in argv and _has_option(argv, "--home", app_home)

    def _pid(self, node: str, proc: str) -> int | None:
        """The pid of ``proc`` ("cometbft" or "app") of ``node`` if it is running (pid file + cmdline check)."""
        try:
            pid = int(self._pid_file(node, proc).read_text().strip())
        except (OSError, ValueError):
            return None
        child = self._procs.get(pid)
        if child is not None and child.poll() is not None:
            self._procs.pop(pid, None)  # reaped: our own child has exited
            return None
        argv = _read_cmdline(pid)
        if argv is None or not self._matcher(node, proc)(argv) or _is_zombie_or_gone(pid):
            return None
        return pid

    def _gone(self, pid: int) -> bool:
        child = self._procs.get(pid)
        if child is not None:
            if child.poll() is None:
                return False
            self._procs.pop(pid, None)
            return True
        return _is_zombie_or_gone(pid)

    @staticmethod
    def _signal(pid: int, sig: int) -> None:
        try:
            # Each process leads its own session (start_new_session), so signal its whole group.
            if os.getpgid(pid) == pid:
                os.killpg(pid, sig)
            else:
                os.kill(pid, sig)
        except ProcessLookupError:
            pass

    def _wait_gone(self, pids: Iterable[int], timeout: float) -> list[int]:
        """Wait until every pid has exited; return those still alive at the deadline."""
        left = list(pids)
        deadline = time.monotonic() + timeout
        while left:
            left = [p for p in left if not self._gone(p)]
            if not left or time.monotonic() >= deadline:
                break
            time.sleep(0.05)
        return left

    def _terminate(self, targets: list[tuple[str, str]], timeout: float) -> None:
        """SIGTERM the given (node, proc) processes, wait up to ``timeout``, SIGKILL leftovers."""
        pids = {(n, p): self._pid(n, p) for n, p in targets}
        running = [pid for pid in pids.values() if pid is not None]
        for pid in running:
            self._signal(pid, signal.SIGTERM)
        leftovers = self._wait_gone(running, timeout)
        for pid in leftovers:
            self._signal(pid, signal.SIGKILL)
        stuck = self._wait_gone(leftovers, KILL_WAIT)
        for (n, p), pid in pids.items():
            if pid is None or pid not in stuck:
                self._pid_file(n, p).unlink(missing_ok=True)
        if stuck:
            raise LocalNetError(f"processes {stuck} did not exit even after SIGKILL")

    def _terminate_now(self, targets: list[tuple[str, str]]) -> None:
        pids = {(n, p): self._pid(n, p) for n, p in targets}
        for pid in pids.values():
            if pid is not None:
                self._signal(pid, signal.SIGKILL)
        stuck = self._wait_gone([p for p in pids.values() if p is not None], KILL_WAIT)
        for (n, p), pid in pids.items():
            if pid is None or pid not in stuck:
                self._pid_file(n, p).unlink(missing_ok=True)
        if stuck:
            raise LocalNetError(f"processes {stuck} did not exit after SIGKILL")

    # -- starting ------------------------------------------------------------------------------

    def _spawn(self, node: str, proc: str, argv: list[str], log: Path) -> subprocess.Popen[bytes]:
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        with open(log, "ab") as fh:
            fh.write(f"\n=== localnet: starting {proc} of {node} at {datetime.now(timezone.utc).isoformat()} ===\n".encode())
            fh.flush()
            child = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=fh, stderr=subprocess.STDOUT,
                cwd=REPO_ROOT, env=env, start_new_session=True,
            )
        self._procs[child.pid] = child
        _write_atomic(self._pid_file(node, proc), f"{child.pid}\n")
        return child

    def _spawn_app(self, node: str, manifest: Mapping[str, Any]) -> subprocess.Popen[bytes]:
        entry = self._node(node)
        argv = [
            self.python, "-m", "abci_app",
            "--home", str(self.home / node / "app"),
            "--listen", f"tcp://{LOOPBACK}:{entry['ports']['abci']}",
            "--chain-id", str(manifest["chain_id"]),
        ]
        if "app_metrics" in entry["ports"]:  # networks created before app metrics existed have no such port
            argv += ["--metrics", f"{LOOPBACK}:{entry['ports']['app_metrics']}"]
        (self.home / node / "app").mkdir(mode=0o700, exist_ok=True)
        return self._spawn(node, "app", argv, self.home / node / "app.log")

    def _spawn_cometbft(self, node: str) -> subprocess.Popen[bytes]:
        argv = [str(self.cometbft), "start", "--home", str(self.home / node)]
        return self._spawn(node, "cometbft", argv, self.home / node / "cometbft.log")

    def _await_port(self, node: str, proc: str, child: subprocess.Popen[bytes], port: int, timeout: float) -> None:
        log = self.home / node / f"{proc}.log"
        deadline = time.monotonic() + timeout
        while True:
            if child.poll() is not None:
                raise LocalNetError(
                    f"{proc} of {node} exited with code {child.returncode} before listening on port {port}; "
                    f"last lines of {log}:\n{_tail(log)}"
                )
            if _port_accepts(port, timeout=0.25):
                return
            if time.monotonic() >= deadline:
                raise LocalNetError(
                    f"{proc} of {node} did not listen on port {port} within {timeout:.0f} s; last lines of {log}:\n{_tail(log)}"
                )
            time.sleep(0.05)

    def _plan(self, names: list[str], manifest: Mapping[str, Any]) -> list[tuple[str, str]]:
        """Which (node, proc) need starting, after checking that their ports are free."""
        own_app = self._own_app(manifest)
        plan: list[tuple[str, str]] = []
        wanted: list[tuple[str, str, int]] = []
        for name in names:
            ports = self._node(name)["ports"]
            if own_app and self._pid(name, "app") is None:
                plan.append((name, "app"))
                wanted.append((name, "abci", ports["abci"]))
                if "app_metrics" in ports:
                    wanted.append((name, "app_metrics", ports["app_metrics"]))
            if self._pid(name, "cometbft") is None:
                plan.append((name, "cometbft"))
                wanted += [(name, kind, ports[kind]) for kind in ("p2p", "rpc", "prometheus")]
        self._check_ports(wanted, len(manifest["nodes"]), int(manifest["base_port"]))
        return plan

    def _start(self, names: list[str]) -> list[tuple[str, str]]:
        """Start what is not running on ``names``: every app first, then every cometbft. Returns what was started."""
        self._check_cometbft()
        manifest = self._manifest()
        plan = self._plan(names, manifest)
        started: list[tuple[str, str]] = []
        try:
            apps = [(n, self._spawn_app(n, manifest)) for n, p in plan if p == "app"]
            started += [(n, "app") for n, _ in apps]
            for n, child in apps:
                self._await_port(n, "app", child, self._node(n)["ports"]["abci"], APP_READY_TIMEOUT)
            comets = [(n, self._spawn_cometbft(n)) for n, p in plan if p == "cometbft"]
            started += [(n, "cometbft") for n, _ in comets]
            for n, child in comets:
                self._await_port(n, "cometbft", child, self._node(n)["ports"]["rpc"], RPC_READY_TIMEOUT)
        except BaseException:
            self._cleanup(started)
            raise
        return started

    def _cleanup(self, started: list[tuple[str, str]]) -> None:
        try:
            self._terminate([t for t in started if t[1] == "cometbft"], 5.0)
            self._terminate([t for t in started if t[1] == "app"], 5.0)
        except LocalNetError:
            pass

    def start(self, *, wait_blocks: bool = True, timeout: float = 90) -> None:
        """Start every node (creating a default network first if ``home`` is empty or missing).

        With ``wait_blocks`` returns once every node reports ``latest_block_height >= 2`` (and, for a
        network restarted with blocks in its store, a block newer than the first it reports). If the
        network does not come up, the processes started by this call are stopped again and the
        error quotes the relevant log.
        """
        if not self.exists():
            if self.home.exists() and (not self.home.is_dir() or any(self.home.iterdir())):
                raise LocalNetError(
                    f"{self.home} is not empty and holds no local network ({MANIFEST} is missing); "
                    "use an empty or missing folder to create one"
                )
            self.create()
        if any("host" in n for n in self._manifest()["nodes"]):
            raise LocalNetError(f"{self.home} is laid out for one validator per host; start it on its hosts (docker compose up)")
        deadline = time.monotonic() + timeout
        names = self.nodes()
        started = self._start(names)
        if not wait_blocks:
            return
        try:
            self._wait_height(names, 2, deadline)
        except BaseException:
            self._cleanup(started)
            raise

    def _wait_height(self, names: list[str], height: int, deadline: float) -> None:
        """Wait until every node reports at least ``height`` *and* a block newer than the first one it
        reported (a restarted network already has old blocks in its store; they prove nothing)."""
        first: dict[str, int] = {}
        while True:
            rows = [r for r in self.status() if r["name"] in names]
            for r in rows:
                if r["height"] is not None:
                    first.setdefault(r["name"], r["height"])
            for r in rows:
                if not r["running"]:
                    proc = "cometbft" if not r["cometbft_running"] else "app"
                    log = self.home / r["name"] / f"{proc}.log"
                    raise LocalNetError(f"{proc} of {r['name']} stopped while the network was starting; last lines of {log}:\n{_tail(log)}")
            def done(r: dict[str, Any]) -> bool:
                h = r["height"]
                return h is not None and h >= height and (first[r["name"]] < height or h > first[r["name"]])

            if all(done(r) for r in rows):
                return
            if time.monotonic() >= deadline:
                heights = ", ".join(f"{r['name']}={r['height']}" for r in rows)
                slow = next(r["name"] for r in rows if not done(r))
                log = self.home / slow / "cometbft.log"
                raise LocalNetError(
                    f"the network did not reach height {height} in time (heights: {heights}); last lines of {log}:\n{_tail(log)}"
                )
            time.sleep(0.2)

    def start_node(self, node: str) -> None:
        """Start ``node``'s app (if not running), then its cometbft (if not running)."""
        self._node(node)
        self._start([node])

    # -- stopping ------------------------------------------------------------------------------

    def stop(self, timeout: float = 20) -> None:
        """SIGTERM every cometbft, then every app; SIGKILL whatever is left after ``timeout`` seconds."""
        names = self.nodes()
        self._terminate([(n, "cometbft") for n in names], timeout)
        self._terminate([(n, "app") for n in names], timeout)

    def kill(self, node: str) -> None:
        """SIGKILL ``node``'s cometbft and app processes (a crash, not a shutdown)."""
        self._node(node)
        self._terminate_now([(node, "cometbft"), (node, "app")])

    def kill_app(self, node: str) -> None:
        """SIGKILL only ``node``'s app process (CometBFT then shuts itself down when it loses the app)."""
        self._node(node)
        if not self._own_app():
            raise LocalNetError(f"{node} runs the built-in app {self.proxy_app!r}; there is no separate app process to kill")
        self._terminate_now([(node, "app")])

    def restart(self, node: str, timeout: float = 20) -> None:
        """Stop ``node`` (SIGTERM, SIGKILL after ``timeout``), then start it again."""
        self._node(node)
        self._terminate([(node, "cometbft")], timeout)
        self._terminate([(node, "app")], timeout)
        self.start_node(node)

    # -- status --------------------------------------------------------------------------------

    def _rpc_status(self, port: int) -> dict[str, Any] | None:
        # No proxies, ever: the request must go straight to the loopback address.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(f"http://{LOOPBACK}:{port}/status", timeout=STATUS_TIMEOUT) as resp:
                body = json.loads(resp.read())
            return body["result"]["sync_info"]
        except (OSError, ValueError, KeyError, TypeError, urllib.error.URLError):
            return None

    def status(self) -> list[dict[str, Any]]:
        """One dict per node; fast (short timeouts) and never raises because a node is down.

        Keys: name, rpc, running (cometbft and app both alive), cometbft_running, app_running (for a
        built-in app: same as cometbft_running), pids {"cometbft", "app"} (None when not running),
        height and app_hash (lowercase hex) from the node's RPC /status (None when unreachable),
        catching_up, node_id, home, ports {"p2p", "rpc", "abci", "prometheus"}.
        """
        manifest = self._manifest()
        own_app = self._own_app(manifest)
        rows: list[dict[str, Any]] = []
        for entry in manifest["nodes"]:
            name = entry["name"]
            cmt_pid = self._pid(name, "cometbft")
            app_pid = self._pid(name, "app") if own_app else None
            app_running = app_pid is not None if own_app else cmt_pid is not None
            rows.append(
                {
                    "name": name,
                    "rpc": f"http://{LOOPBACK}:{entry['ports']['rpc']}",
                    "running": cmt_pid is not None and app_running,
                    "cometbft_running": cmt_pid is not None,
                    "app_running": app_running,
                    "pids": {"cometbft": cmt_pid, "app": app_pid},
                    "height": None,
                    "app_hash": None,
                    "catching_up": None,
                    "node_id": entry.get("node_id"),
                    "home": str(self.home / name),
                    "ports": dict(entry["ports"]),
                }
            )
        queried = [r for r in rows if r["cometbft_running"]]
        if queried:
            with ThreadPoolExecutor(max_workers=len(queried)) as pool:
                infos = list(pool.map(lambda r: self._rpc_status(r["ports"]["rpc"]), queried))
            for row, info in zip(queried, infos):
                if info:
                    try:
                        row["height"] = int(info.get("latest_block_height"))
                    except (TypeError, ValueError):
                        pass
                    row["app_hash"] = (info.get("latest_app_hash") or "").lower() or None
                    row["catching_up"] = info.get("catching_up")
        return rows
