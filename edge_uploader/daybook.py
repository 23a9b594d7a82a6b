"""Sealing a finished day: substitutes for the missing hours, the total, the Merkle root.

``seal_day`` moves one day from open to sealed in a single spool transaction:

1. the day's stored readings (measured, or flagged substituted by the data logger);
2. every hour of the day without a reading gets a substitute reading (``validity``:
   mean + 2σ of the day's valid measured hours, else the last earlier day's substitute
   value, else the configured fallback), numbered after every stored seq, signed with the
   device key, ``substituted = true``, source ``substitute``;
3. total = Σ co2_kg of all the day's readings; readings = their count; substituted = how
   many are substituted; merkle_root over all of them in seq order (``merkle``).

Days are sealed strictly in order from the site's first day, so a gap day (meter down all
day) is sealed too, with 24 substituted hours. Sealing a day that is already sealed or
posted changes nothing.
"""

from __future__ import annotations

from protocol.merkle import root_of_leaves
from protocol.readings import Reading, sign_reading, SignedReading

from ets.keys import Signer

from .days import hours_of, next_day
from .spool import DayRecord, Spool
from .validity import Limits, substitute_value

__all__ = ["SUBSTITUTE_SOURCE", "seal_day", "seal_days_before", "day_root"]

SUBSTITUTE_SOURCE = "substitute"


def day_root(readings: list[SignedReading]) -> bytes:
    """Merkle root of a day's readings (already in seq order)."""
    return root_of_leaves(s.reading.canonical_bytes() for s in readings)


def seal_day(spool: Spool, signer: Signer, day: str, limits: Limits) -> DayRecord:
    existing = spool.day(day)
    if existing is not None and existing.status != "open":
        return existing
    stored = spool.readings_of(day)
    present = {s.reading.timestamp for s in stored}
    valid = [s.reading.co2_kg for s in stored if not s.reading.substituted]
    if valid:
        basis = substitute_value(valid)
    else:
        earlier = spool.last_substitute_kg(day)
        basis = limits.fallback if earlier is None else earlier
    seq = spool.next_seq()
    substitutes = [
        sign_reading(signer, Reading(spool.device, seq + i, hour, basis, True, SUBSTITUTE_SOURCE))
        for i, hour in enumerate(h for h in hours_of(day) if h not in present)
    ]
    leaves = stored + substitutes
    return spool.seal(
        day,
        substitutes,
        total=sum(s.reading.co2_kg for s in leaves),
        readings=len(leaves),
        substituted=sum(1 for s in leaves if s.reading.substituted),
        merkle_root=day_root(leaves).hex(),
        substitute_kg=basis,
    )


def seal_days_before(spool: Spool, signer: Signer, day: str, limits: Limits) -> list[DayRecord]:
    """Seal every unsealed day before ``day``, oldest first; returns the newly sealed days."""
    sealed: list[DayRecord] = []
    current = spool.first_unsealed_day()
    while current < day:
        sealed.append(seal_day(spool, signer, current, limits))
        current = next_day(current)
    return sealed
