"""Soak: load on 4 validators, one per network namespace, through a seeded schedule of faults.

Each validator is a host of its own (``ets_tools.netns``: its namespace, the compose entrypoint, a
delay/loss proxy on its peer links). Transfers flow through two nodes the whole time while the
schedule repeats: a quiet spell, then one fault held for ``--fault-seconds`` and undone — a host
killed (SIGKILL) and restarted, a 2-2 partition, one host cut off (3-1), or every link slowed to
200 ± 50 ms with 1% loss — then the wait until every node is level again. At the end every node's
chain is compared height by height and every acknowledged tx is looked up on every node.
Prints the figures and writes ``benchmarks/results/soak-<time>.json``: blocks, txs, failed
submissions, longest stall, latency, divergences, lost txs, and each fault with its stall and
recovery time. Needs root (network namespaces).

    .venv/bin/python benchmarks/soak.py [--seconds 1800] [--quiet 20] [--fault-seconds 15] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ets_tools.netns.audit import chain_divergences, lost_txs  # noqa: E402
from ets_tools.netns.hosts import HostNet  # noqa: E402
from ets_tools.netns.links import namespaces_unavailable  # noqa: E402
from ets_tools.netns.load import Load, Progress, percentile  # noqa: E402
from _results import write_figures  # noqa: E402

FAULTS = ("kill", "partition 2-2", "partition 3-1", "delay 200±50 ms, 1% loss")
LOAD_NODES = ("node0", "node2")
ROUTES = [("company-1", "company-2", "node0"), ("company-3", "company-4", "node2")]


def _level(net: HostNet, timeout: float = 180) -> float | None:
    """Seconds until every node has committed a height above the highest any has now (None: not within
    ``timeout``): the chain moves again and every node follows it."""
    began = time.monotonic()
    target = max(h or 0 for h in net.heights().values()) + 1
    try:
        HostNet.wait(lambda: all((h or 0) >= target for h in net.heights().values()), timeout, f"every node at {target}")
    except TimeoutError:
        return None
    return round(time.monotonic() - began, 1)


def _inject(net: HostNet, fault: str, rnd: random.Random) -> tuple[str, callable]:
    """Start ``fault``; returns (what was done, how to undo it)."""
    if fault == "kill":
        node = rnd.choice(net.nodes)
        net.kill_host(node)
        return f"SIGKILL {node}", lambda: net.start_host(node)
    if fault == "partition 2-2":
        order = rnd.sample(range(len(net.nodes)), len(net.nodes))
        net.lab.partition([sorted(order[:2]), sorted(order[2:])])
        return f"partition {sorted(order[:2])} | {sorted(order[2:])}", net.lab.heal
    if fault == "partition 3-1":
        i = rnd.randrange(len(net.nodes))
        net.lab.cut(i)
        return f"node{i}'s link down", lambda: net.lab.mend(i)
    net.set_profile(delay_ms=200, jitter_ms=50, loss_permille=10)
    return "every link 200±50 ms, 1% loss", net.set_profile


def soak(net: HostNet, seconds: float, quiet: float, fault_seconds: float, seed: int) -> dict:
    rnd = random.Random(seed)
    progress = Progress(net.heights).start()
    load = Load(net.client, net.keys, ROUTES).start()
    began = time.monotonic()
    first = max(h or 0 for h in net.heights().values())
    events = []
    try:
        while time.monotonic() - began < seconds:
            time.sleep(quiet)
            fault = rnd.choice(FAULTS)
            start = time.monotonic()
            what, undo = _inject(net, fault, rnd)
            time.sleep(fault_seconds)
            undo()
            undone = time.monotonic()
            recovered = _level(net)
            events.append({"fault": what, "at_s": round(start - began, 1), "held_s": round(undone - start, 1),
                           "longest_stall_s": round(progress.longest_stall(start), 1), "level_again_after_s": recovered})
            print(f"{events[-1]['at_s']:>7.1f} s  {what:<36} stall {events[-1]['longest_stall_s']:>5.1f} s  "
                  f"level again after {recovered} s", flush=True)
    finally:
        load.stop()
        progress.stop()
    ran = time.monotonic() - began
    if _level(net) is None:
        raise TimeoutError("the nodes did not reach a common height within 180 s after the soak")
    heights, divergences = chain_divergences(net.rpc, net.nodes)
    lost = lost_txs(net.client, net.nodes, load.acks)
    latencies = load.latencies()
    return {
        "seconds": round(ran, 1), "seed": seed, "validators": len(net.nodes), "blocks": heights - first,
        "heights_compared": heights, "txs_acknowledged": len(load.acks), "failed_submissions": len(load.errors),
        "tx_per_s": round(len(load.acks) / ran, 2), "p50_latency_s": _round(percentile(latencies, 0.5)),
        "p99_latency_s": _round(percentile(latencies, 0.99)),
        "longest_stall_s": round(progress.longest_stall(began, began + ran), 1),
        "divergences": divergences, "lost_txs": lost, "faults": events,
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=1800, help="how long the load and faults run")
    parser.add_argument("--quiet", type=float, default=20, help="seconds without a fault before each fault")
    parser.add_argument("--fault-seconds", type=float, default=15, help="how long each fault is held")
    parser.add_argument("--seed", type=int, default=1, help="seeds the fault schedule and the proxies' delays")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    args = parser.parse_args()
    reason = namespaces_unavailable()
    if reason:
        print(f"soak: {reason}", file=sys.stderr)
        return 2
    home = Path(tempfile.mkdtemp(prefix="ets-soak-"))
    net = HostNet(home / "net", chain_id="ets-soak", seed=args.seed)
    try:
        net.start()
        figures = soak(net, args.seconds, args.quiet, args.fault_seconds, args.seed)
    finally:
        net.close()
    shutil.rmtree(home, ignore_errors=True)
    print(f"\n{figures['seconds']:.0f} s, {len(figures['faults'])} faults: {figures['blocks']} blocks, "
          f"{figures['txs_acknowledged']} txs acknowledged ({figures['failed_submissions']} submissions failed), "
          f"longest stall {figures['longest_stall_s']} s, p99 latency {figures['p99_latency_s']} s, "
          f"{len(figures['divergences'])} divergences, {len(figures['lost_txs'])} acknowledged txs lost")
    write_figures(args.out, "soak", figures, log=None)
    return 0 if not figures["divergences"] and not figures["lost_txs"] else 1


if __name__ == "__main__":
    sys.exit(main())
