"""The suite's one port allocator: every server a test starts takes its ports from here.

Ports are handed out in blocks of ``BLOCK`` consecutive ports between ``LOW`` and ``HIGH``, below
Linux's ephemeral range (32768+), so that the kernel does not give them to outgoing connections
meanwhile. A block is claimed with an exclusive ``flock`` on a file named after it in the machine's
temp directory, held until this process exits: two test runs on one machine (two checkouts, a
benchmark beside the suite) never get the same block. Every port of a block that a caller will use
is checked before it is handed out (nothing listening, bindable on 127.0.0.1), and a block that
fails the check is skipped, not retried.

A local network of ``n`` validators on ``base`` uses ``base + 10i + 5 .. base + 10i + 9`` for node
``i`` (``ets_tools.localnet.ports.node_ports``); ``base + 1 .. base + 4`` are left for the services
around it (edge uploader metrics, the portal), so ``network_base`` checks those too.
"""

from __future__ import annotations

import fcntl
import os
import socket
import tempfile
from pathlib import Path
from typing import IO

from ets_tools.localnet.ports import node_ports

__all__ = ["network_base", "free_port", "free_ports", "port_free", "LOW", "HIGH", "BLOCK"]

LOW, HIGH, BLOCK = 20_000, 32_700, 100
_LOCKS = Path(tempfile.gettempdir()) / "ets-test-ports"
_held: list[IO[bytes]] = []  # the lock files of this process's blocks (kept open: the locks last as long)
_singles: list[int] = []  # ports left in this process's current block for ``free_port``
_next = [LOW + (os.getpid() * BLOCK) % (HIGH - LOW) // BLOCK * BLOCK]  # processes start at different blocks


def port_free(port: int) -> bool:
    """Nothing listens on 127.0.0.1:``port`` and it can be bound (TIME_WAIT sockets do not count,
    as for the servers themselves, which set SO_REUSEADDR)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) != 0


def _claim(span: int, used: list[int] | None = None) -> int:
    """The start of a block of ``span`` (a multiple of BLOCK) ports that this process now owns and
    whose ``used`` offsets (default: all) are free."""
    _LOCKS.mkdir(exist_ok=True)
    tries = (HIGH - LOW) // BLOCK
    for _ in range(tries):
        start = _next[0]
        _next[0] = start + span if start + 2 * span <= HIGH else LOW
        if start + span > HIGH:
            continue
        handles = []
        try:
            for block in range(start, start + span, BLOCK):
                handle = open(_LOCKS / f"{block}.lock", "wb")
                handles.append(handle)
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # another process holds one of the blocks
            for handle in handles:
                handle.close()
            continue
        if all(port_free(start + offset) for offset in (used if used is not None else range(span))):
            _held.extend(handles)
            return start
        for handle in handles:
            handle.close()
    raise RuntimeError(f"no free block of {span} ports between {LOW} and {HIGH} on 127.0.0.1: "
                       "stop other local networks or test runs and try again")


def network_base(validators: int = 4) -> int:
    """A base port for a local network of ``validators`` nodes (every node port and base+1..base+4 free)."""
    span = -(-(10 * validators + 10) // BLOCK) * BLOCK
    used = [1, 2, 3, 4] + [p for i in range(validators) for p in node_ports(0, i).values()]
    return _claim(span, used)


def free_port() -> int:
    """One free port on 127.0.0.1, owned by this process."""
    while True:
        if not _singles:
            start = _claim(BLOCK, used=[])
            _singles.extend(range(start + BLOCK - 1, start - 1, -1))
        port = _singles.pop()
        if port_free(port):
            return port


def free_ports(count: int) -> list[int]:
    return [free_port() for _ in range(count)]
