"""Faults between hosts on a real 4-validator network, one validator per network namespace, each host run
by the compose entrypoint: partitions, a slow and lossy wire, a full disk, a damaged database.

Every test runs under load and ends with the same checks (``FaultRun.check``): every node holds the
same block and app hash at every height, and every acknowledged tx is committed on every node. Each
prints its figures as one JSON line (what was injected, how long the chain stalled, catch-up time).
"""

from __future__ import annotations

import time
from datetime import datetime

import pytest

from ets_tools.netns.hosts import HostNet
from ets_tools.netns.load import percentile

from .netns import FaultRun, catch_up, damage_state, fill, host_net

pytestmark = [pytest.mark.localnet, pytest.mark.long(seconds=150)]

BOTH_SIDES = [("company-1", "company-2", "node0"), ("company-3", "company-4", "node2")]
SMALL_DISK_MB = 16  # node3's app data folder: a tmpfs, filled by the disk test
FIRST_TWO = [("company-1", "company-2", "node0"), ("company-3", "company-4", "node1")]


@pytest.fixture(scope="module")
def hosts(tmp_path_factory) -> HostNet:
    yield from host_net(tmp_path_factory.mktemp("partitions") / "net", "ets-partitions", small_disks={"node3": SMALL_DISK_MB})


@pytest.fixture(autouse=True)
def healed(hosts: HostNet):
    """Whatever a test broke is mended after it, so one failure does not break the next test."""
    yield
    hosts.lab.heal()
    hosts.set_profile()
    for node in hosts.nodes:
        if not hosts.running(node):
            hosts.start_host(node)


def _top(net: HostNet, nodes: list[str] | None = None) -> int:
    return max(net.height(n) or 0 for n in (nodes or net.nodes))


def test_a_2_2_partition_commits_nothing_and_the_chain_resumes_without_a_fork(hosts: HostNet):
    net = hosts
    with FaultRun(net, BOTH_SIDES, "2-2 partition") as run:
        at_cut = _top(net)
        net.lab.partition([[0, 1], [2, 3]])
        cut = time.monotonic()
        time.sleep(10)
        during = _top(net)
        assert during <= at_cut + 1, f"blocks were committed during the 2-2 partition: {at_cut} -> {during}"
        acks_during = run.acks_since(cut + 2)
        net.lab.heal()
        healed = time.monotonic()
        HostNet.wait(lambda: _top(net) >= during + 3 and run.acks_since(healed) >= 3, 120, "the chain to resume")
        resumed = run.progress.first_rise_after(healed) or time.monotonic()
    assert acks_during == 0, "txs were acknowledged while no side held two thirds of the power"
    run.figures.update(injected="nodes {0,1} | {2,3} for 10 s", stall_s=round(resumed - cut, 1),
                       resumed_after_heal_s=round(resumed - healed, 1))
    run.check()


def test_a_3_1_partition_keeps_the_majority_committing_and_the_isolated_validator_catches_up(hosts: HostNet):
    net = hosts
    majority = ["node0", "node1", "node2"]
    with FaultRun(net, FIRST_TWO, "3-1 partition") as run:
        net.lab.cut(3)
        cut = time.monotonic()
        isolated_at = net.height("node3") or 0
        start = _top(net, majority)
        HostNet.wait(lambda: _top(net, majority) >= start + 8 and run.acks_since(cut + 1) >= 5, 90,
                     "the majority to keep committing")
        time.sleep(3)
        assert (net.height("node3") or 0) <= isolated_at + 1, "the isolated validator moved on alone"
        majority_stall = run.progress.longest_stall(cut)
        behind = _top(net, majority) - isolated_at
        net.lab.mend(3)
        mended = time.monotonic()
        caught_up_s = catch_up(net, "node3", majority)
    run.figures.update(injected=f"node3's link down for {mended - cut:.0f} s", majority_longest_stall_s=round(majority_stall, 1),
                       isolated_behind_by=behind, catch_up_s=round(caught_up_s, 1))
    run.check()


def _block_times(net: HostNet, low: int, high: int) -> list[float]:
    """Header times (seconds) of heights low..high, from RFC 3339 stamps with nanoseconds."""
    times = []
    for h in range(low, high + 1, 20):
        for meta in net.rpc("node0", "blockchain", minHeight=h, maxHeight=min(high, h + 19))["block_metas"]:
            head, _, fraction = meta["header"]["time"].rstrip("Z").partition(".")
            times.append(datetime.fromisoformat(head + "+00:00").timestamp() + float("0." + (fraction or "0")))
    return sorted(times)


def test_200ms_delay_with_jitter_and_1_percent_loss_on_every_link_keeps_the_chain_committing(hosts: HostNet):
    net = hosts
    with FaultRun(net, BOTH_SIDES, "200 ms ± 50 ms delay, 1% loss") as run:
        before = run.load.latencies()
        net.set_profile(delay_ms=200, jitter_ms=50, loss_permille=10)
        slowed = time.monotonic()
        time.sleep(3)  # txs already under way when the wire slowed down are not counted
        low, window_start = _top(net), time.monotonic()
        time.sleep(20)
        high, window_end = _top(net), time.monotonic()
        net.set_profile()
    assert high - low >= 5, f"only {high - low} blocks in 20 s under delay and loss"
    latencies = run.load.latencies(window_start, window_end)
    assert len(latencies) >= 5, f"only {len(latencies)} txs acknowledged in 20 s under delay and loss"
    times = _block_times(net, low, high)
    run.figures.update(injected="every peer link 200±50 ms each way, 1% of segments lost", blocks=high - low,
                       block_interval_s=round((times[-1] - times[0]) / max(1, len(times) - 1), 2),
                       p99_latency_under_fault_s=round(percentile(latencies, 0.99), 2),
                       p50_latency_under_fault_s=round(percentile(latencies, 0.5), 2),
                       p99_latency_before_s=round(percentile(before, 0.99) or 0, 2),
                       longest_stall_under_fault_s=round(run.progress.longest_stall(slowed, window_end), 1))
    run.check()


def test_a_full_app_disk_stops_its_validator_cleanly_and_it_catches_up_once_space_is_freed(hosts: HostNet):
    net = hosts
    others = ["node0", "node1", "node2"]
    disk = net.node_home("node3") / "app"  # on its own small filesystem (the module's fixture)
    with FaultRun(net, FIRST_TWO, "app data disk full") as run:
        ballast = fill(disk, leave=64 * 1024)
        try:
            filled = time.monotonic()
            HostNet.wait(lambda: net.exit_status("node3") is not None, 120, "node3 to stop on the full disk")
            stopped = time.monotonic()
            log = net.log("node3").read_text(errors="replace")
            assert "storage failure, stopping: disk full: commit of block" in log, log[-3000:]
            assert "Free space on the filesystem of" in log
            start = _top(net, others)
            HostNet.wait(lambda: _top(net, others) >= start + 5 and run.acks_since(stopped) >= 3, 90,
                         "the others to continue")
        finally:
            ballast.unlink()
        net.start_host("node3")
        freed = time.monotonic()
        caught_up_s = catch_up(net, "node3", others)
    run.figures.update(injected=f"node3's {SMALL_DISK_MB} MB app disk filled to 64 KB free",
                       stopped_after_s=round(stopped - filled, 1),
                       others_longest_stall_s=round(run.progress.longest_stall(filled, freed), 1),
                       catch_up_s=round(caught_up_s, 1))
    run.check()


@pytest.mark.parametrize("damage, node", [("flipped page", "node2"), ("truncated", "node3")])
def test_a_damaged_app_database_is_refused_and_the_node_recovers_by_replay(hosts: HostNet, damage: str, node: str):
    net = hosts
    others = [n for n in net.nodes if n != node]
    state = net.node_home(node) / "app" / "state.sqlite"
    with FaultRun(net, FIRST_TWO, f"damaged app database ({damage})") as run:
        net.stop_host(node)
        damage_state(state, damage)
        mark = net.log(node).stat().st_size
        net.start_host(node)
        HostNet.wait(lambda: net.exit_status(node) is not None, 60, f"{node} to refuse its damaged database")
        refusal = net.log(node).read_text(errors="replace")[mark:]
        assert net.exit_status(node) != 0
        assert "abci_app: damaged database:" in refusal and "refuses to start" in refusal, refusal[-3000:]
        assert "stopped before cometbft started" in refusal and "Starting Node" not in refusal
        assert net.height(node) is None  # it never served anything
        # the operator's remedy, as the message says: move the file aside; CometBFT replays the chain
        for part in state.parent.glob("state.sqlite*"):
            part.rename(part.with_name(part.name + ".damaged"))
        net.start_host(node)
        replayed = catch_up(net, node, others, timeout=180)
    log = net.log(node).read_text(errors="replace")[mark:]
    assert "init_chain chain_id=ets-partitions" in log  # a new database, filled by replay from genesis
    run.figures.update(injected=f"{node}'s state.sqlite {damage}", replayed_heights=net.height(node),
                       replay_s=round(replayed, 1))
    run.check()
