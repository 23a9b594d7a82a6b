"""Load and progress for fault runs: transfers in a loop, and the chain's height as it moves.

``Load`` sends signed transfers, one thread per route (sender, receiver, node), and keeps every
transaction acknowledged as committed (``Ack``: hash, signer, node, latency); a failed submission
(a commit timeout during a partition, a node that is down) is counted, never retried blindly.
``Progress`` polls the highest height any node reports and answers the longest stall in a window.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable

from ets.keys import Signer
from ets.rpc import ChainClient, ChainError
from protocol.messages import Transfer

__all__ = ["Ack", "Load", "Progress", "percentile"]


@dataclass(frozen=True)
class Ack:
    hash: str
    signer: Signer
    node: str
    sent: float  # time.monotonic()
    latency: float  # seconds from submission to the acknowledged commit


def percentile(values: list[float], q: float) -> float | None:
    """The ``q``-quantile (0..1) by the nearest rank; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(q * len(ordered) + 0.5)) - 1))]


class Load:
    def __init__(self, client_for: Callable[[str], ChainClient], keys: dict[str, Signer],
                 routes: list[tuple[str, str, str]], *, commit_timeout: float = 20, pause: float = 0.05):
        self.client_for, self.keys, self.routes = client_for, keys, routes
        self.commit_timeout, self.pause = commit_timeout, pause
        self.acks: list[Ack] = []
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=route, daemon=True) for route in routes]

    def _run(self, sender: str, receiver: str, node: str) -> None:
        signer, to = self.keys[sender], self.keys[receiver].address
        client = self.client_for(node)
        while not self._stop.is_set():
            sent = time.monotonic()
            try:
                commit = client.submit(signer, Transfer(to, "KAU25", 1), timeout=self.commit_timeout)
            except ChainError as exc:
                self.errors.append(f"{sender} via {node}: {type(exc).__name__}: {exc}")
                client.close()
                self._stop.wait(0.5)
                client = self.client_for(node)  # fresh nonces and connection after a failure
                continue
            self.acks.append(Ack(commit.hash, signer, node, sent, time.monotonic() - sent))
            self._stop.wait(self.pause)
        client.close()

    def latencies(self, since: float = 0.0, until: float = float("inf")) -> list[float]:
        return [a.latency for a in list(self.acks) if since <= a.sent < until]

    def start(self) -> "Load":
        for t in self._threads:
            t.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout=self.commit_timeout + 15)

    def __enter__(self) -> "Load":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class Progress:
    """The highest committed height any node reports, polled in the background: ``samples`` of
    (monotonic time, height) whenever it rises."""

    def __init__(self, heights: Callable[[], dict[str, int | None]], interval: float = 0.25):
        self._heights, self.interval = heights, interval
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            known = [h for h in self._heights().values() if h is not None]
            if known and (not self.samples or max(known) > self.samples[-1][1]):
                self.samples.append((time.monotonic(), max(known)))
            self._stop.wait(self.interval)

    def height_at(self, when: float) -> int:
        return max((h for t, h in list(self.samples) if t <= when), default=0)

    def longest_stall(self, since: float, until: float | None = None) -> float:
        """The longest time in [since, until] with no new height."""
        until = time.monotonic() if until is None else until
        rises = [since] + [t for t, _ in list(self.samples) if since < t < until] + [until]
        return max(b - a for a, b in zip(rises, rises[1:]))

    def first_rise_after(self, when: float) -> float | None:
        """When the height first rose after ``when`` (None: not yet)."""
        return next((t for t, _ in list(self.samples) if t > when), None)

    def start(self) -> "Progress":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
