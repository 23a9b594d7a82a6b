"""The edge node of one device: numbers and signs measurements, ingests them, seals days.

``EdgeNode`` is the synchronous core the service drives (and tests use directly):

* ``record(measurement)`` — seals every earlier unfinished day first (a reading of a later
  day means the earlier days are over), signs the measurement as the next reading with the
  device key, and passes it through ``Ingestor`` (signature, order, limits);
* ``seal_before(day)`` — seals every unsealed day before ``day`` (clock-driven sealing);
* ``outage(now)`` — how long the meter has been silent.

The simulated clock's position (the next hour to replay) is kept in the spool's meta table
and advanced in the same transaction as the hour's reading, so a replay restarted after a
crash continues exactly where it stopped: no hour skipped, none ingested twice.
"""

from __future__ import annotations

from protocol.readings import Reading, sign_reading

from ets.keys import Signer

from .daybook import seal_days_before
from .days import HOUR, day_of, day_start
from .ingest import IngestResult, Ingestor
from .sources import Measurement
from .spool import DayRecord, Spool
from .validity import Limits, Outage, outage

__all__ = ["EdgeNode", "CLOCK_KEY"]

CLOCK_KEY = "clock_next_hour"


class EdgeNode:
    def __init__(self, spool: Spool, signer: Signer, limits: Limits):
        if signer.address != spool.device:
            raise ValueError(f"the device key {signer.address} is not the spool's device {spool.device}")
        self.spool = spool
        self.signer = signer
        self.limits = limits
        self.ingestor = Ingestor(spool, limits)
        self.monitoring_start = day_start(spool.start_day)

    # ------------------------------------------------------------------ readings

    def sign(self, m: Measurement) -> Reading:
        return Reading(self.spool.device, self.spool.next_seq(), m.timestamp, m.co2_kg, m.substituted, m.source)

    def record(self, m: Measurement) -> tuple[IngestResult, list[DayRecord]]:
        """Seal finished days, then sign and ingest ``m``; returns the result and the days sealed."""
        sealed = self.seal_before(day_of(m.timestamp))
        signed = sign_reading(self.signer, self.sign(m))
        return self.ingestor.ingest(signed), sealed

    def seal_before(self, day: str) -> list[DayRecord]:
        return seal_days_before(self.spool, self.signer, day, self.limits)

    def outage(self, now: int) -> Outage:
        return outage(self.spool.last_measured_hour(), self.monitoring_start, now, self.limits)

    # ------------------------------------------------------------------ simulated clock

    def clock_hour(self) -> int:
        """The next hour the simulated clock will replay."""
        value = self.spool.get_meta(CLOCK_KEY)
        return self.monitoring_start if value is None else int(value)

    def replay_hour(self, m: Measurement | None) -> tuple[int, IngestResult | None, list[DayRecord]]:
        """Replay the clock's next hour: seal days before it, ingest ``m`` (if any), advance the clock.

        The reading and the clock move in one transaction. Returns (hour, result, sealed days).
        """
        hour = self.clock_hour()
        sealed = self.seal_before(day_of(hour))
        result = None
        with self.spool.transaction():
            if m is not None:
                if m.timestamp != hour:
                    raise ValueError(f"measurement for {m.timestamp} replayed at clock hour {hour}")
                result = self.ingestor.ingest(sign_reading(self.signer, self.sign(m)))
            self.spool.set_meta(CLOCK_KEY, str(hour + HOUR))
        return hour, result, sealed
