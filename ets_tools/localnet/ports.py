"""Which ports a node uses, and whether they are free on 127.0.0.1.

Node i of a network on ``base`` listens on app metrics = base+10i+5, p2p = base+10i+6,
rpc = base+10i+7, abci = base+10i+8 and CometBFT metrics = base+10i+9, all on 127.0.0.1.
"""

from __future__ import annotations

import socket
from typing import Iterable

from .errors import LocalNetError

__all__ = ["LOOPBACK", "node_ports", "port_free", "port_accepts", "suggest_base_port", "check_ports_free"]

LOOPBACK = "127.0.0.1"
_PORT_OFFSETS = {"app_metrics": 5, "p2p": 6, "rpc": 7, "abci": 8, "prometheus": 9}


def node_ports(base_port: int, index: int) -> dict[str, int]:
    """The ports of node ``index`` for a network on ``base_port`` (app metrics, p2p, rpc, abci, cometbft metrics)."""
    return {kind: base_port + 10 * index + off for kind, off in _PORT_OFFSETS.items()}


def port_free(port: int) -> bool:
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


def port_accepts(port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((LOOPBACK, port), timeout=timeout):
            return True
    except OSError:
        return False


def suggest_base_port(validators: int, avoid: int) -> int | None:
    span = 10 * validators
    for candidate in range(26650, 65535 - span, 1000):
        if abs(candidate - avoid) < span:
            continue
        if all(port_free(p) for i in range(validators) for p in node_ports(candidate, i).values()):
            return candidate
    return None


def check_ports_free(wanted: Iterable[tuple[str, str, int]], validators: int, base_port: int) -> None:
    """Raise ``LocalNetError`` naming every busy (node, kind, port) and a base port that would work."""
    busy = [(node, kind, port) for node, kind, port in wanted if not port_free(port)]
    if not busy:
        return
    listed = ", ".join(f"{port} ({node} {kind})" for node, kind, port in busy)
    hint = suggest_base_port(validators, base_port)
    suggestion = f"--base-port {hint}" if hint else "another --base-port"
    raise LocalNetError(
        f"port{'s' if len(busy) > 1 else ''} {listed} on {LOOPBACK} already in use; "
        f"stop whatever listens there or choose other ports with {suggestion} "
        f"(node i uses base+10i+5 .. base+10i+9)"
    )
