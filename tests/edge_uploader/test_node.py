"""The edge node's replay clock: exactly-once hours across restarts, identical roots after crashes."""

from __future__ import annotations

from edge_uploader.node import EdgeNode
from edge_uploader.sources.synthetic import SyntheticStack
from edge_uploader.spool import Spool
from edge_uploader.validity import Limits

from edge_helpers import START_DAY

LIMITS = Limits(max_kg_per_hour=120_000)


def stack() -> SyntheticStack:
    return SyntheticStack(seed=11, start_day=START_DAY, missing_per_mille=40, spike_per_mille=40, outages=[[30, 5]])


def replay(node: EdgeNode, source: SyntheticStack, hours: int) -> None:
    for _ in range(hours):
        node.replay_hour(source.measurement_for(node.clock_hour()))


def test_restarted_replay_equals_an_uninterrupted_one(tmp_path, signer):
    source = stack()
    hours = 24 * 4 + 1
    with Spool(tmp_path / "straight.sqlite", device=signer.address, public_key=signer.public_key, start_day=START_DAY) as spool:
        replay(EdgeNode(spool, signer, LIMITS), source, hours)
        straight = spool.days()
        straight_stats = spool.stats()
    done = 0
    for chunk in (7, 1, 30, 13, hours):  # "crash" (close without any shutdown step) after each chunk
        with Spool(tmp_path / "crashy.sqlite", device=signer.address, public_key=signer.public_key, start_day=START_DAY) as spool:
            node = EdgeNode(spool, signer, LIMITS)
            step = min(chunk, hours - done)
            replay(node, source, step)
            done += step
    with Spool.open_existing(tmp_path / "crashy.sqlite") as spool:
        assert spool.days() == straight, "same readings, same seqs, same substitutes, same roots"
        assert spool.stats() == straight_stats
        days = spool.days()
    assert [d.day for d in days if d.status == "sealed"] == ["2024-03-01", "2024-03-02", "2024-03-03", "2024-03-04"]
    assert all(d.readings == 24 for d in days if d.status == "sealed")
    assert straight_stats.rejected.get("out_of_range", 0) >= 1 and sum(d.substituted or 0 for d in days) >= 5


def test_record_seals_earlier_days_first(spool_factory, signer):
    from edge_uploader.sources import Measurement

    spool = spool_factory(signer)
    node = EdgeNode(spool, signer, LIMITS)
    start = node.monitoring_start
    result, sealed = node.record(Measurement(start + 5 * 3600, 40_000, "modbus"))
    assert result.accepted and sealed == []
    result, sealed = node.record(Measurement(start + 50 * 3600, 40_000, "modbus"))
    assert result.accepted and [d.day for d in sealed] == ["2024-03-01", "2024-03-02"]
    assert sealed[0].substituted == 23 and sealed[1].substituted == 24
    seqs = [s.reading.seq for s in spool.readings_of("2024-03-01")]
    assert seqs == sorted(seqs) and max(seqs) < spool.readings_of("2024-03-03")[0].reading.seq
    assert node.outage(start + 50 * 3600 + 3600).down_seconds == 0
