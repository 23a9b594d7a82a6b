"""Group commit: many readings in one durable spool transaction, judged exactly as one by one, and
nothing reported accepted before it is on disk (an import killed with SIGKILL loses nothing)."""

from __future__ import annotations

import contextlib
import json
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from protocol import hotpath
from protocol.readings import Reading, SignedReading, sign_reading

from edge_uploader.cli import IMPORT_GROUP
from edge_uploader.ingest import BACKGROUND_FROM, Ingestor
from edge_uploader.validity import Limits

from edge_helpers import HOUR0, REPO, START_DAY, device_signer, site_config

LIMITS = Limits(max_kg_per_hour=100_000)


def _signed(signer, seq, hour, kg=50_000):
    return sign_reading(signer, Reading(signer.address, seq, HOUR0 + 3600 * hour, kg, False, "csv"))


def _mixed(signer):
    stranger = device_signer(9)
    good = [_signed(signer, i, i) for i in range(6)]
    forged = SignedReading(Reading(signer.address, 6, HOUR0 + 3600 * 6, 1, False, "csv"), good[0].signature)
    return [good[0], good[1], good[1], good[2], _signed(signer, 1, 9), _signed(signer, 7, 2), forged,
            _signed(stranger, 8, 8), _signed(signer, 9, 10, kg=100_001), good[3], good[4], good[5]]


def _tables(spool):
    return (list(spool._db.execute("SELECT * FROM readings ORDER BY seq")),
            list(spool._db.execute("SELECT reason, detail FROM rejected ORDER BY id")),
            list(spool._db.execute("SELECT * FROM days ORDER BY day")))


def test_a_group_is_judged_exactly_as_one_by_one(spool_factory, signer):
    batch = _mixed(signer)
    one_by_one = spool_factory(signer, name="single.sqlite")
    single = [Ingestor(one_by_one, LIMITS).ingest(s) for s in batch]
    grouped_spool = spool_factory(signer, name="group.sqlite")
    grouped = Ingestor(grouped_spool, LIMITS).ingest_many(batch)
    assert grouped == single
    assert [r.reason for r in grouped] == ["", "", "duplicate", "", "stale_seq", "duplicate_hour", "bad_signature",
                                           "wrong_device", "out_of_range", "", "", ""]
    assert _tables(grouped_spool) == _tables(one_by_one)


def _large_mixed(signer):
    """More readings than BACKGROUND_FROM: a forgery whose seq a later honest reading takes, replays, a stranger."""
    out = []
    for i in range(3 * BACKGROUND_FROM):
        reading = _signed(signer, i, i)
        if i % 23 == 5:
            out.append(SignedReading(Reading(signer.address, i, HOUR0 + 3600 * i, 1, False, "csv"), reading.signature))
        if i % 31 == 7:
            out.append(_signed(device_signer(9), i, i))
        out.append(reading)
        if i % 17 == 3:
            out.append(reading)
    return out


@pytest.mark.parametrize("reference", [False, True], ids=["hot path", "python reference"])
def test_a_large_group_with_forgeries_is_judged_exactly_as_one_by_one(spool_factory, signer, reference):
    batch = _large_mixed(signer)
    one_by_one = spool_factory(signer, name="single.sqlite")
    single = [Ingestor(one_by_one, LIMITS).ingest(s) for s in batch]
    grouped_spool = spool_factory(signer, name="group.sqlite")
    with hotpath.python_only() if reference else contextlib.nullcontext():
        grouped = Ingestor(grouped_spool, LIMITS).ingest_many(batch)
    assert grouped == single
    reasons = [r.reason for r in grouped]
    assert reasons.count("") == 3 * BACKGROUND_FROM and "bad_signature" in reasons and "wrong_device" in reasons
    assert "duplicate" in reasons
    assert _tables(grouped_spool) == _tables(one_by_one)


def test_a_failure_inside_a_group_stores_none_of_it(spool_factory, signer):
    spool = spool_factory(signer)
    ingestor = Ingestor(spool, LIMITS)

    def readings_then_a_crash():
        yield _signed(signer, 0, 0)
        yield _signed(signer, 1, 1)
        raise OSError("the source went away mid-group")

    with pytest.raises(OSError):
        ingestor.ingest_many(readings_then_a_crash())
    assert spool.next_seq() == 0 and spool.rejections() == []
    assert [r.accepted for r in ingestor.ingest_many([_signed(signer, 0, 0), _signed(signer, 1, 1)])] == [True, True]


def _count(path) -> int:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as db:
            return db.execute("SELECT COUNT(*) FROM readings").fetchone()[0]
    except sqlite3.OperationalError:
        return 0  # not created yet


def test_an_import_killed_mid_file_keeps_whole_groups_and_loses_nothing(tmp_path):
    device = device_signer(5)
    total = 5 * IMPORT_GROUP
    lines = [_signed(device, i, i, kg=40_000 + i % 97).to_line() for i in range(total)]
    (tmp_path / "readings.jsonl").write_text("\n".join(lines) + "\n")
    config = site_config(tmp_path, device, node="http://127.0.0.1:9", source={"source": {"kind": "none"}},
                         schedule={"start_day": START_DAY, "end_day": START_DAY, "mode": "simulated", "seconds_per_hour": 0.01})
    spool = tmp_path / "spool.sqlite"
    command = [sys.executable, "-m", "edge_uploader", "import", "--config", str(config), str(tmp_path / "readings.jsonl")]
    proc = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while _count(spool) < IMPORT_GROUP and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    kept = _count(spool)
    assert IMPORT_GROUP <= kept < total, "killed after its first group and before its last"
    assert kept % IMPORT_GROUP == 0, "a group is on disk whole or not at all"
    again = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout) == {"accepted": total - kept, "duplicates": kept, "rejected": {}}
    assert _count(spool) == total
