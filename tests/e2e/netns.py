"""Test harness for validators as separate hosts (``ets_tools.netns``): the network fixture, a fault run
under load with its end checks, a small filesystem for one node's app data, and a damaged database.

Every namespace, link, mount and process a test makes is removed by a finalizer, also when it fails.
"""

from __future__ import annotations

import contextlib
import errno
import json
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Iterator

import pytest

from ets_tools.netns.audit import chain_divergences, lost_txs
from ets_tools.netns.hosts import HostNet
from ets_tools.netns.links import namespaces_unavailable
from ets_tools.netns.load import Load, Progress, percentile

from .conftest import COMETBFT

__all__ = ["host_net", "FaultRun", "small_disk", "fill", "damage_state", "catch_up"]


def host_net(home: Path, chain_id: str, small_disks: dict[str, int] | None = None) -> Iterator[HostNet]:
    """A started 4-host network (skips where namespaces cannot be made); closed after use. ``small_disks``
    puts those nodes' app data folders on a tmpfs of that many MB each (unmounted after use)."""
    reason = namespaces_unavailable()
    if reason:
        pytest.skip(reason)
    if not COMETBFT.exists():
        pytest.skip("bin/cometbft is missing: run ./scripts/setup.sh (the README's test command does)")
    net = HostNet(home, chain_id=chain_id)
    with contextlib.ExitStack() as mounts:
        try:
            for node, size_mb in (small_disks or {}).items():
                mounts.enter_context(small_disk(net.node_home(node) / "app", size_mb))
            net.start()
            yield net
        finally:
            net.close()  # before the mounts go: nothing may still write there


def catch_up(net: HostNet, node: str, of: list[str], timeout: float = 120) -> float:
    """Wait until ``node`` has committed the highest height any of ``of`` has now; returns the seconds it took."""
    began = time.monotonic()
    target = max(net.height(n) or 0 for n in of)
    HostNet.wait(lambda: (net.height(node) or 0) >= target, timeout, f"{node} to reach height {target}")
    return time.monotonic() - began


class FaultRun:
    """Load through ``routes`` and the chain's progress while a fault is injected; ``check`` then asserts
    that every node holds the same chain (block and app hash at every height) and every acknowledged tx."""

    def __init__(self, net: HostNet, routes: list[tuple[str, str, str]], name: str):
        self.net, self.name = net, name
        self.load = Load(net.client, net.keys, routes)
        self.progress = Progress(net.heights)
        self.began = self.ended = time.monotonic()
        self.figures: dict[str, object] = {"fault": name}

    def __enter__(self) -> "FaultRun":
        self.progress.start()
        self.load.start()
        try:
            HostNet.wait(lambda: len(self.load.acks) >= 3, 90, "load to commit before the fault")
        except TimeoutError as exc:
            self.__exit__()
            raise AssertionError(f"{exc}: {len(self.load.errors)} failed submissions, last {self.load.errors[-1:]}") from None
        return self

    def __exit__(self, *exc: object) -> None:
        self.load.stop()
        self.progress.stop()
        self.ended = time.monotonic()

    def acks_since(self, when: float) -> int:
        return sum(1 for a in list(self.load.acks) if a.sent >= when)

    def check(self) -> None:
        net = self.net
        for node in net.nodes:
            catch_up(net, node, net.nodes)
        heights, divergences = chain_divergences(net.rpc, net.nodes)
        assert not divergences, divergences
        lost = lost_txs(net.client, net.nodes, self.load.acks)
        assert not lost, lost
        self.figures.update(heights_compared=heights, acknowledged_txs=len(self.load.acks),
                            failed_submissions=len(self.load.errors),
                            p99_latency_s=_round(percentile(self.load.latencies(), 0.99)),
                            longest_stall_s=_round(self.progress.longest_stall(self.began, self.ended)))
        self.report()

    def report(self) -> None:
        line = json.dumps(self.figures, ensure_ascii=False)
        print(f"\n{line}")
        with (self.net.home / "figures.jsonl").open("a") as out:
            out.write(line + "\n")


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


@contextlib.contextmanager
def small_disk(folder: Path, size_mb: int) -> Iterator[Path]:
    """``folder`` (and what it holds) on a tmpfs of ``size_mb`` MB until the block ends; then unmounted."""
    aside = folder.with_name(folder.name + ".before")
    folder.rename(aside)
    folder.mkdir(mode=0o700)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m,mode=0700", "tmpfs", str(folder)], check=True)
    try:
        shutil.copytree(aside, folder, dirs_exist_ok=True)
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def fill(folder: Path, leave: int) -> Path:
    """Write a ballast file into ``folder`` until only ``leave`` bytes stay free on its filesystem."""
    ballast = folder / "ballast"
    with ballast.open("wb") as out:
        while (room := shutil.disk_usage(folder).free - leave) > 0:
            try:
                out.write(bytes(min(room, 1 << 20)))
                out.flush()
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
                break  # the node wrote meanwhile: the disk is as full as wanted
    return ballast


def damage_state(path: Path, how: str) -> None:
    """Damage a state database as a disk does: ``truncated`` to half, or one ``flipped page`` of its
    key/value table (every bit of it inverted). The file is checkpointed first, so the damage is not
    hidden behind a newer copy of the page in the write-ahead log."""
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages = [row[0] for row in db.execute("SELECT pageno FROM dbstat WHERE name = 'kv' AND pagetype = 'leaf'")]
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
    finally:
        db.close()
    with open(path, "r+b") as f:
        if how == "truncated":
            f.truncate(path.stat().st_size // 2)
        elif how == "flipped page":
            offset = (pages[len(pages) // 2] - 1) * page_size
            f.seek(offset)
            page = f.read(page_size)
            f.seek(offset)
            f.write(bytes(b ^ 0xFF for b in page))
        else:
            raise ValueError(how)
