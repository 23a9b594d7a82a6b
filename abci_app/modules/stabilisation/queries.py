"""Answers of the stabilisation paths (all public): the overview, one day's evaluation, the series, measures."""

from __future__ import annotations

import json
import re
from typing import Any

from protocol.codes import Code

from ...query_args import Denied, json_at
from .. import QueryRequest
from . import keys

__all__ = ["overview", "day", "series", "measures"]

_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _measures(q: QueryRequest, latest: int = 200) -> list[Any]:
    last = int(q.store.get(keys.MEASURE_SEQ) or b"0")
    return [json_at(q.store, keys.measure(i)) for i in range(last, max(0, last - latest), -1)]


def overview(q: QueryRequest) -> Any:
    """The latest day's evaluation, the measures in force, the reference series' commitment."""
    last = (q.store.get(keys.LAST_DAY) or b"").decode()
    series = json_at(q.store, keys.SERIES)
    active = [json_at(q.store, keys.measure(i)) for i in json.loads(q.store.get(keys.ACTIVE) or b"[]")]
    return {
        "latest": json_at(q.store, keys.day(last)) if last else None,
        "active": active,
        "series": None if series is None else {k: v for k, v in series.items() if k != "months"} | {"months": len(series["months"])},
    }


def day(q: QueryRequest) -> Any:
    if len(q.args) != 1 or not _DAY.fullmatch(q.args[0]):
        raise Denied(Code.BAD_QUERY, "expected /stabilisation/day/<YYYY-MM-DD>")
    record = json_at(q.store, keys.day(q.args[0]))
    if record is None:
        raise Denied(Code.NOT_FOUND, f"the chain did not evaluate the triggers on {q.args[0]} (no block that day)")
    return record


def series(q: QueryRequest) -> Any:
    record = json_at(q.store, keys.SERIES)
    if record is None:
        raise Denied(Code.NOT_FOUND, "no reference series has been set (a governed set_reference_series)")
    return record


def measures(q: QueryRequest) -> Any:
    return _measures(q)
