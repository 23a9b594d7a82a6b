"""State keys of market stabilisation; all public (anyone recomputes the triggers from them)."""

from __future__ import annotations

__all__ = ["PREFIXES", "LAST_DAY", "SERIES", "MEASURE_SEQ", "ACTIVE", "month", "day", "measure", "proposed"]

MONTHS = "stab/month/"  # the chain's own monthly statistics (KAU), aggregated once the month has ended
DAYS = "stab/day/"  # each KST day's evaluation: inputs and results
LAST_DAY = "stab/last"  # the last KST day evaluated
SERIES = "stab/series"  # the reference series: source, SHA-256, months, the proposal that set it
MEASURES = "stab/measure/"
MEASURE_SEQ = "stab/seq"
ACTIVE = "stab/active"  # ids of the measures in force, ascending
PROPOSED = "stab/proposed/"  # the proposal the chain opened for a trigger and month (once each)

PREFIXES = (MONTHS, DAYS, LAST_DAY, SERIES, MEASURES, MEASURE_SEQ, ACTIVE, PROPOSED)


def month(m: str) -> str:
    return f"{MONTHS}{m}"


def day(iso: str) -> str:
    return f"{DAYS}{iso}"


def measure(measure_id: int) -> str:
    return f"{MEASURES}{measure_id:06d}"


def proposed(trigger: str, m: str) -> str:
    return f"{PROPOSED}{trigger}/{m}"
