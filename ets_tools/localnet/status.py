"""How a network is doing: one row per node (processes, height, app hash), and waiting for blocks.

Status is fast (short timeouts) and never raises because a node is down; every RPC request
goes straight to 127.0.0.1, never through a proxy.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .errors import LocalNetError
from .home import NetworkHome
from .ports import LOOPBACK
from .supervisor import Supervisor, tail

__all__ = ["node_status", "wait_height", "STATUS_TIMEOUT"]

STATUS_TIMEOUT = 0.75


def _rpc_status(port: int) -> dict[str, Any] | None:
    # No proxies, ever: the request must go straight to the loopback address.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"http://{LOOPBACK}:{port}/status", timeout=STATUS_TIMEOUT) as resp:
            body = json.loads(resp.read())
        return body["result"]["sync_info"]
    except (OSError, ValueError, KeyError, TypeError, urllib.error.URLError):
        return None


def node_status(net: NetworkHome, supervisor: Supervisor) -> list[dict[str, Any]]:
    """One dict per node; see ``LocalNet.status`` for the keys."""
    manifest = net.load_manifest()
    own_app = net.runs_own_app(manifest)
    rows: list[dict[str, Any]] = []
    for entry in manifest["nodes"]:
        name = entry["name"]
        cmt_pid = supervisor.pid(name, "cometbft")
        app_pid = supervisor.pid(name, "app") if own_app else None
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
                "home": str(net.home / name),
                "ports": dict(entry["ports"]),
            }
        )
    queried = [r for r in rows if r["cometbft_running"]]
    if queried:
        with ThreadPoolExecutor(max_workers=len(queried)) as pool:
            infos = list(pool.map(lambda r: _rpc_status(r["ports"]["rpc"]), queried))
        for row, info in zip(queried, infos):
            if info:
                try:
                    row["height"] = int(info.get("latest_block_height"))
                except (TypeError, ValueError):
                    pass
                row["app_hash"] = (info.get("latest_app_hash") or "").lower() or None
                row["catching_up"] = info.get("catching_up")
    return rows


def wait_height(net: NetworkHome, supervisor: Supervisor, names: list[str], height: int, deadline: float) -> None:
    """Wait until every node reports at least ``height`` *and* a block newer than the first one it
    reported (a restarted network already has old blocks in its store; they prove nothing)."""
    first: dict[str, int] = {}

    def done(r: dict[str, Any]) -> bool:
        h = r["height"]
        return h is not None and h >= height and (first[r["name"]] < height or h > first[r["name"]])

    while True:
        rows = [r for r in node_status(net, supervisor) if r["name"] in names]
        for r in rows:
            if r["height"] is not None:
                first.setdefault(r["name"], r["height"])
        for r in rows:
            if not r["running"]:
                proc = "cometbft" if not r["cometbft_running"] else "app"
                log = net.log_file(r["name"], proc)
                raise LocalNetError(f"{proc} of {r['name']} stopped while the network was starting; last lines of {log}:\n{tail(log)}")
        if all(done(r) for r in rows):
            return
        if time.monotonic() >= deadline:
            heights = ", ".join(f"{r['name']}={r['height']}" for r in rows)
            slow = next(r["name"] for r in rows if not done(r))
            log = net.log_file(slow, "cometbft")
            raise LocalNetError(
                f"the network did not reach height {height} in time (heights: {heights}); last lines of {log}:\n{tail(log)}"
            )
        time.sleep(0.2)
