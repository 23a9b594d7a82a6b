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

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Iterable

from protocol.calendar import day_number, iso_day
from protocol.hotpath import native
from protocol.readings import PublicKeyVerifier, SignedReading

from .days import day_start
from .errors import ReadingRejected
from .spool import Spool
from .validity import Limits, at_alarm_level, check_range

__all__ = ["Ingestor", "IngestResult"]

BACKGROUND_FROM = 64  # readings in a group from which signatures are checked beside the other checks


@dataclass(frozen=True, slots=True)
class IngestResult:
    accepted: bool
    reason: str = ""  # "" when accepted; "duplicate" for an identical replay
    detail: str = ""
    alarm: bool = False


_ACCEPTED, _ACCEPTED_ALARM = IngestResult(True), IngestResult(True, alarm=True)


class _Group:
    """What the checks of one group read from the spool, read once and updated as readings are accepted."""

    def __init__(self, spool: Spool, readings: list[SignedReading]):
        self.spool = spool
        self.next_seq = spool.next_seq()
        self.first_unsealed = spool.first_unsealed_day()
        self.hours = spool.hours_taken(s.reading.timestamp for s in readings)
        self.accepted: dict[int, tuple[SignedReading, str]] = {}
        self.results: list[IngestResult] = []
        self.rejections: list[tuple[str, str, str]] = []
        self._days: dict[int, str] = {}
        self._status: dict[str, str | None] = {}

    def day_of(self, timestamp: int) -> str:
        number = day_number(timestamp)
        day = self._days.get(number)
        if day is None:
            day = self._days[number] = iso_day(timestamp)
        return day

    def stored(self, seq: int) -> SignedReading | None:
        mine = self.accepted.get(seq)
        return mine[0] if mine else self.spool.reading(seq)

    def day_status(self, day: str) -> str | None:
        if day not in self._status:
            record = self.spool.day(day)
            self._status[day] = None if record is None else record.status
        return self._status[day]

    def accept(self, signed: SignedReading, day: str) -> None:
        r = signed.reading
        self.accepted[r.seq] = (signed, day)
        self.next_seq = r.seq + 1
        self.hours.add(r.timestamp)
        self._status.setdefault(day, "open")


class Ingestor:
    """Verifies, validates and stores readings of one device."""

    def __init__(self, spool: Spool, limits: Limits):
        self.spool = spool
        self.limits = limits
        self.verifier = PublicKeyVerifier(spool.public_key)
        self._start = day_start(spool.start_day)
        self._background: ThreadPoolExecutor | None = None

    def _check(self, signed: SignedReading, signature_ok: bool, group: _Group) -> bool:
        """Raise ReadingRejected, or return True for an identical duplicate."""
        r = signed.reading
        if r.device != self.spool.device:
            raise ReadingRejected("wrong_device", f"reading {r.seq} names device {r.device}; this uploader serves {self.spool.device}")
        if not signature_ok:
            raise ReadingRejected("bad_signature", f"reading {r.seq} at {r.timestamp}: signature does not match the device key "
                                                   "(tampered, or signed with another key)")
        if r.seq < group.next_seq:
            if group.stored(r.seq) == signed:
                return True
            raise ReadingRejected("stale_seq", f"reading {r.seq} is not above the last stored seq {group.next_seq - 1}")
        if r.timestamp < self._start:
            raise ReadingRejected("before_start", f"reading {r.seq} at {r.timestamp} is before the first monitored day {self.spool.start_day}")
        day = group.day_of(r.timestamp)
        status = group.day_status(day)
        if status is not None and status != "open":
            raise ReadingRejected("day_sealed", f"reading {r.seq} is for {day}, which is already {status}")
        if day < group.first_unsealed:
            raise ReadingRejected("day_sealed", f"reading {r.seq} is for {day}, which is already sealed")
        if r.timestamp in group.hours:
            raise ReadingRejected("duplicate_hour", f"reading {r.seq}: hour {r.timestamp} already has a reading")
        if not r.substituted:
            check_range(r, self.limits)
        group.accept(signed, day)
        return False

    def _judge(self, readings: list[SignedReading], verdicts: list[bool] | None) -> _Group:
        """Every check of every reading, in order (``verdicts`` None: every signature taken as valid)."""
        group = _Group(self.spool, readings)
        results, rejections, limits = group.results, group.rejections, self.limits
        for i, signed in enumerate(readings):
            try:
                duplicate = self._check(signed, verdicts is None or verdicts[i], group)
            except ReadingRejected as exc:
                rejections.append((exc.reason, exc.detail, signed.to_line()))
                results.append(IngestResult(False, exc.reason, exc.detail))
                continue
            if duplicate:
                results.append(IngestResult(False, "duplicate", f"reading {signed.reading.seq} is already stored"))
            else:
                r = signed.reading
                results.append(_ACCEPTED_ALARM if not r.substituted and at_alarm_level(r, limits) else _ACCEPTED)
        return group

    def _verdicts(self, readings: list[SignedReading]) -> Future | None:
        """The signature check of a large group, started beside the other checks (the native check frees the GIL)."""
        if len(readings) < BACKGROUND_FROM or native() is None:
            return None
        if self._background is None:
            self._background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="reading-signatures")
        return self._background.submit(self.verifier.verify_many, readings)

    def ingest(self, signed: SignedReading) -> IngestResult:
        """Ingest one reading in its own durable transaction (or the caller's)."""
        return self.ingest_many([signed])[0]

    def ingest_many(self, batch: Iterable[SignedReading]) -> list[IngestResult]:
        """Ingest a group of readings in one spool transaction: one durable commit (one fsync) for all.

        Each reading is judged in order, seeing the ones before it, exactly as one by one. A large
        group's signatures are checked in one batch while the other checks run taking them as valid;
        if any signature fails, the group is judged again with the verdicts. The accepted readings
        and the rejections are then written with one statement each. The results come back only
        after the commit, so a reading reported accepted is on disk; a crash before it leaves none of
        the group stored (whoever holds them sends them again)."""
        with self.spool.transaction():
            readings = list(batch)
            pending = self._verdicts(readings)
            if pending is None:
                group = self._judge(readings, self.verifier.verify_many(readings))
            else:
                group = self._judge(readings, None)
                verdicts = pending.result()
                if not all(verdicts):
                    group = self._judge(readings, verdicts)
            self.spool.store_readings(list(group.accepted.values()))
            self.spool.record_rejections(group.rejections)
            return group.results

    def reject_unparsed(self, reason: str, detail: str, raw: str | None) -> IngestResult:
        """Record input that could not even be parsed as a reading (malformed line, bad Modbus block)."""
        self.spool.record_rejection(reason, detail, raw)
        return IngestResult(False, reason, detail)
