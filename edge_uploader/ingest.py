"""Ingest: the gate every reading passes before the spool stores it as valid.

Checks, in order (the first failure decides; each has a stable ``reason`` tag for metrics):

    wrong_device    the reading names another device than this spool's
    bad_signature   the Ed25519 signature does not verify with the device's public key
    duplicate       the identical signed reading is already stored (a replay; not an error,
                    nothing is stored twice and it is not counted as rejected)
    stale_seq       seq is not above every seq already stored
    before_start    the hour is before the site's first monitored day
    day_sealed      the day was already sealed (a late reading cannot change a sealed root)
    duplicate_hour  another reading already covers that hour
    out_of_range    a measured value outside the configured limits (the hour gets substituted)

Rejected readings are recorded in the spool's ``rejected`` table (for audit) and never in
``readings``. A valid value at or above the alarm level is accepted and flagged as an alarm.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from protocol.readings import PublicKeyVerifier, SignedReading

from .days import day_start
from .errors import ReadingRejected, SpoolError
from .spool import Spool
from .validity import Limits, at_alarm_level, check_range

__all__ = ["Ingestor", "IngestResult"]


@dataclass(frozen=True, slots=True)
class IngestResult:
    accepted: bool
    reason: str = ""  # "" when accepted; "duplicate" for an identical replay
    detail: str = ""
    alarm: bool = False


class Ingestor:
    """Verifies, validates and stores readings of one device."""

    def __init__(self, spool: Spool, limits: Limits):
        self.spool = spool
        self.limits = limits
        self.verifier = PublicKeyVerifier(spool.public_key)
        self._start = day_start(spool.start_day)

    def _check(self, signed: SignedReading) -> bool:
        """Raise ReadingRejected, or return True for an identical duplicate."""
        r = signed.reading
        if r.device != self.spool.device:
            raise ReadingRejected("wrong_device", f"reading {r.seq} names device {r.device}; this uploader serves {self.spool.device}")
        if not self.verifier.verify(signed):
            raise ReadingRejected("bad_signature", f"reading {r.seq} at {r.timestamp}: signature does not match the device key "
                                                   "(tampered, or signed with another key)")
        stored = self.spool.reading(r.seq)
        if stored == signed:
            return True
        next_seq = self.spool.next_seq()
        if r.seq < next_seq:
            raise ReadingRejected("stale_seq", f"reading {r.seq} is not above the last stored seq {next_seq - 1}")
        if r.timestamp < self._start:
            raise ReadingRejected("before_start", f"reading {r.seq} at {r.timestamp} is before the first monitored day {self.spool.start_day}")
        record = self.spool.day(r.day)
        if record is not None and record.status != "open":
            raise ReadingRejected("day_sealed", f"reading {r.seq} is for {r.day}, which is already {record.status}")
        if r.day < self.spool.first_unsealed_day():
            raise ReadingRejected("day_sealed", f"reading {r.seq} is for {r.day}, which is already sealed")
        if self.spool.has_hour(r.timestamp):
            raise ReadingRejected("duplicate_hour", f"reading {r.seq}: hour {r.timestamp} already has a reading")
        if not r.substituted:
            check_range(r, self.limits)
        return False

    def ingest(self, signed: SignedReading) -> IngestResult:
        try:
            if self._check(signed):
                return IngestResult(False, "duplicate", f"reading {signed.reading.seq} is already stored")
            self.spool.store_reading(signed)
        except ReadingRejected as exc:
            self.spool.record_rejection(exc.reason, exc.detail, signed.to_line())
            return IngestResult(False, exc.reason, exc.detail)
        except SpoolError as exc:
            self.spool.record_rejection("spool_conflict", str(exc), signed.to_line())
            return IngestResult(False, "spool_conflict", str(exc))
        return IngestResult(True, alarm=not signed.reading.substituted and at_alarm_level(signed.reading, self.limits))

    def ingest_many(self, batch: Iterable[SignedReading]) -> list[IngestResult]:
        """Ingest a group of readings in one spool transaction: one durable commit (one fsync) for all.

        Each reading is judged exactly as ``ingest`` would, in order, seeing the ones before it. The
        results come back only after the commit, so a reading reported accepted is on disk; a crash
        before it leaves none of the group stored (whoever holds them sends them again)."""
        with self.spool.transaction():
            return [self.ingest(signed) for signed in batch]

    def reject_unparsed(self, reason: str, detail: str, raw: str | None) -> IngestResult:
        """Record input that could not even be parsed as a reading (malformed line, bad Modbus block)."""
        self.spool.record_rejection(reason, detail, raw)
        return IngestResult(False, reason, detail)
