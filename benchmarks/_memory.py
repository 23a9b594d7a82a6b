"""Peak memory of a local network's app processes, for the benchmarks' figures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["app_peak_rss_mb"]


def _vm_hwm_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def app_peak_rss_mb(net: Any) -> dict[str, Any]:
    """{"per_node": {node: MB}, "max": MB}: the peak resident set (``VmHWM``) of each node's running
    ``abci_app`` process so far (read before the network stops)."""
    per_node = {}
    for node in net.nodes():
        pid = net.pid(node, "app")
        kb = _vm_hwm_kb(pid) if pid is not None else None
        if kb is not None:
            per_node[node] = round(kb / 1024)
    return {"per_node": per_node, "max": max(per_node.values(), default=None)}
