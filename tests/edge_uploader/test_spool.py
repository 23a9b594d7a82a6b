"""The spool: durability settings, the open → sealed → posted state machine, restarts, the ingest gate."""

from __future__ import annotations

import sqlite3

import pytest

from protocol.readings import Reading, sign_reading

from edge_uploader.daybook import day_root, seal_day, seal_days_before
from edge_uploader.days import hours_of
from edge_uploader.errors import SpoolError
from edge_uploader.ingest import Ingestor
from edge_uploader.spool import Spool
from edge_uploader.validity import Limits, substitute_value

from edge_helpers import HOUR0, START_DAY, device_signer

LIMITS = Limits(max_kg_per_hour=100_000)


def signed(signer, seq, hour, kg=50_000, substituted=False):
    return sign_reading(signer, Reading(signer.address, seq, HOUR0 + 3600 * hour, kg, substituted, "csv"))


def test_wal_and_full_sync(spool_factory, signer):
    spool = spool_factory(signer)
    assert spool._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert spool._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_a_spool_belongs_to_one_device_and_start_day(tmp_path, signer):
    Spool(tmp_path / "s.sqlite", device=signer.address, public_key=signer.public_key, start_day=START_DAY).close()
    other = device_signer(2)
    with pytest.raises(SpoolError, match="device"):
        Spool(tmp_path / "s.sqlite", device=other.address, public_key=other.public_key, start_day=START_DAY)
    with pytest.raises(SpoolError, match="start_day"):
        Spool(tmp_path / "s.sqlite", device=signer.address, public_key=signer.public_key, start_day="2024-03-02")
    (tmp_path / "junk.sqlite").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(SpoolError, match="not a usable SQLite file"):
        Spool(tmp_path / "junk.sqlite", device=signer.address, public_key=signer.public_key, start_day=START_DAY)
    reopened = Spool.open_existing(tmp_path / "s.sqlite")
    assert reopened.device == signer.address and reopened.start_day == START_DAY
    reopened.close()


def test_ingest_gate_reasons(spool_factory, signer):
    spool = spool_factory(signer)
    ing = Ingestor(spool, LIMITS)
    first = signed(signer, 5, 0)
    assert ing.ingest(first).accepted
    alarm = ing.ingest(signed(signer, 6, 1, kg=95_000))
    assert alarm.accepted and alarm.alarm
    tampered = signed(signer, 7, 2)
    tampered = type(tampered)(Reading(signer.address, 7, tampered.reading.timestamp, 1, False, "csv"), tampered.signature)
    stranger = device_signer(3)
    cases = [
        (first, "duplicate"),
        (tampered, "bad_signature"),
        (sign_reading(stranger, Reading(stranger.address, 7, HOUR0 + 7200, 1, False, "csv")), "wrong_device"),
        (type(first)(Reading(signer.address, 7, HOUR0 + 7200, 1, False, "csv"), sign_reading(stranger, Reading(stranger.address, 7, HOUR0 + 7200, 1, False, "csv")).signature), "bad_signature"),
        (signed(signer, 4, 2), "stale_seq"),
        (signed(signer, 6, 3), "stale_seq"),
        (signed(signer, 7, -1), "before_start"),
        (signed(signer, 7, 1), "duplicate_hour"),
        (signed(signer, 7, 2, kg=100_001), "out_of_range"),
    ]
    for reading, reason in cases:
        result = ing.ingest(reading)
        assert not result.accepted and result.reason == reason, (reason, result)
    assert ing.ingest(signed(signer, 7, 2, kg=100_001, substituted=True)).accepted, "a logger-substituted value is not range-checked"
    stats = spool.stats()
    assert stats.readings == 3
    assert stats.rejected == {"bad_signature": 2, "before_start": 1, "duplicate_hour": 1, "out_of_range": 1, "stale_seq": 2,
                              "wrong_device": 1}
    assert all(r[2] for r in spool.rejections()), "rejected readings are kept for audit (in their own table)"


def test_seal_substitutes_missing_hours_with_mean_plus_two_sigma(spool_factory, signer):
    spool = spool_factory(signer)
    ing = Ingestor(spool, LIMITS)
    values = {h: 40_000 + 1000 * (h % 5) for h in range(24) if h not in (3, 4, 17)}
    for seq, (h, kg) in enumerate(sorted(values.items())):
        assert ing.ingest(signed(signer, seq, h, kg)).accepted
    assert ing.ingest(signed(signer, 100, 5 + 24)).accepted  # a reading of the next day, stays open
    record = seal_day(spool, signer, START_DAY, LIMITS)
    sub = substitute_value(list(values.values()))
    readings = spool.readings_of(START_DAY)
    assert [s.reading.seq for s in readings] == sorted(s.reading.seq for s in readings)
    subs = [s.reading for s in readings if s.reading.substituted]
    assert [r.timestamp for r in subs] == [HOUR0 + 3600 * h for h in (3, 4, 17)]
    assert all(r.co2_kg == sub and r.source == "substitute" for r in subs)
    assert [r.seq for r in subs] == [101, 102, 103], "substitutes are numbered after every stored seq"
    assert record.status == "sealed" and record.readings == 24 and record.substituted == 3
    assert record.total == sum(values.values()) + 3 * sub
    assert record.merkle_root == day_root(readings).hex()
    assert {s.reading.timestamp for s in readings} == set(hours_of(START_DAY))
    assert seal_day(spool, signer, START_DAY, LIMITS) == record, "sealing twice changes nothing"
    late = ing.ingest(signed(signer, 104, 3))
    assert not late.accepted and late.reason == "day_sealed"
    assert record.daily_total_msg().to_json() == {"type": "daily_total", "day": START_DAY, "total": record.total, "unit": "kg",
                                                  "readings": 24, "substituted": 3, "merkle_root": record.merkle_root}


def test_days_without_data_are_sealed_in_order_with_carried_or_fallback_values(spool_factory, signer):
    limits = Limits(max_kg_per_hour=100_000, fallback_kg_per_hour=77_777)
    spool = spool_factory(signer)
    sealed = seal_days_before(spool, signer, "2024-03-03", limits)
    assert [d.day for d in sealed] == ["2024-03-01", "2024-03-02"]
    assert sealed[0].substituted == 24 and sealed[0].total == 24 * 77_777, "no earlier day: the fallback"
    ing = Ingestor(spool, limits)
    assert ing.ingest(signed(signer, 100, 48 + 2, kg=30_000)).accepted
    assert ing.ingest(signed(signer, 101, 48 + 3, kg=30_002)).accepted
    day3 = seal_day(spool, signer, "2024-03-03", limits)
    day4 = seal_day(spool, signer, "2024-03-04", limits)
    assert day3.substitute_kg == substitute_value([30_000, 30_002]) and day3.substituted == 22
    assert day4.substitute_kg == day3.substitute_kg, "a day without valid hours carries the last substitute value"
    with pytest.raises(SpoolError, match="in order"):
        spool.seal("2024-03-06", [], total=0, readings=0, substituted=0, merkle_root="00" * 32, substitute_kg=None)


def test_exactly_once_state_machine_survives_restarts(tmp_path, signer):
    path = tmp_path / "spool.sqlite"
    spool = Spool(path, device=signer.address, public_key=signer.public_key, start_day=START_DAY)
    seal_days_before(spool, signer, "2024-03-04", LIMITS)
    spool.close()
    spool = Spool(path, device=signer.address, public_key=signer.public_key, start_day=START_DAY)
    assert spool.oldest_unposted().day == "2024-03-01"
    spool.mark_posted("2024-03-01", tx_hash="ab" * 32, height=7, note="posted")
    with pytest.raises(SpoolError, match="not sealed"):
        spool.mark_posted("2024-03-01", tx_hash="cd" * 32, height=8, note="posted")
    with pytest.raises(SpoolError):
        spool.mark_posted("2024-03-05", tx_hash=None, height=None, note="posted")
    spool.close()
    spool = Spool.open_existing(path)
    assert [d.day for d in spool.days("sealed")] == ["2024-03-02", "2024-03-03"]
    record = spool.day("2024-03-01")
    assert (record.status, record.tx_hash, record.height) == ("posted", "ab" * 32, 7)
    assert spool.oldest_unposted().day == "2024-03-02"
    stats = spool.stats()
    assert (stats.unposted_days, stats.last_posted_day, stats.last_sealed_day) == (2, "2024-03-01", "2024-03-03")
    spool.close()


def test_a_failed_seal_leaves_nothing_behind(spool_factory, signer):
    spool = spool_factory(signer)
    bad = signed(signer, 0, 24)  # belongs to the next day
    with pytest.raises(SpoolError):
        spool.seal(START_DAY, [sign_reading(signer, Reading(signer.address, 0, HOUR0, 1, True, "substitute")), bad],
                   total=1, readings=2, substituted=2, merkle_root="00" * 32, substitute_kg=1)
    assert spool.stats().readings == 0 and spool.day(START_DAY) is None, "the whole seal rolled back"
    with pytest.raises(sqlite3.IntegrityError):
        spool._db.execute("INSERT INTO days(day, status) VALUES ('2024-01-01', 'done')")
