"""Answers of the makers' paths: the public class list; a maker's monthly obligation report (private)."""

from __future__ import annotations

import datetime as _dt
import json
from typing import Any

from protocol.calendar import KST_OFFSET

from ...query_args import json_at
from .. import QueryRequest
from ..trading.market_state import market_schedule
from ..core import keys as core_keys
from . import keys

__all__ = ["makers", "report", "monthly_report", "months_of"]

_EPOCH = _dt.date(1970, 1, 1).toordinal()


def makers(q: QueryRequest) -> Any:
    """Every account with a participant class other than company."""
    return [{"account": k[len(keys.CLASSES):], **json.loads(v)} for k, v in q.store.scan(keys.CLASSES, 1_000)]


def _trading_days(month: str, schedule) -> list[str]:
    first = _dt.date.fromisoformat(f"{month}-01")
    days, day = [], first
    while day.month == first.month:
        if schedule.is_trading_day(day.toordinal() - _EPOCH):
            days.append(day.isoformat())
        day += _dt.timedelta(days=1)
    return days


def monthly_report(store: Any, address: str, month: str) -> dict[str, Any]:
    """Days met / trading days of ``month`` ("YYYY-MM") for one maker, with each day's quoting seconds."""
    params = json.loads(store.get(core_keys.PARAMS))
    needed = params["mm_min_quote_seconds"]
    recorded = {k.rsplit("/", 1)[1]: json.loads(v) for k, v in store.scan(keys.days_of(address, month), 40)}
    days = [{"day": day, "seconds": recorded.get(day, {}).get("seconds", 0),
             "met": recorded.get(day, {}).get("seconds", 0) >= needed} for day in _trading_days(month, market_schedule(store))]
    record = json_at(store, keys.participant_class(address))
    return {"account": address, "month": month, "class": record["class"] if record else "company",
            "instrument": record["instrument"] if record else "", "days_met": sum(d["met"] for d in days),
            "days_required": len(days), "min_seconds": needed, "max_spread_krw": params["mm_max_spread_krw"],
            "min_quote_tonnes": params["mm_min_quote_tonnes"], "days": days}


MAX_MONTHS = 24  # months one report answer covers (the latest)


def months_of(store: Any, address: str) -> list[str]:
    """Months with a day record, and the current month (block time, KST) for a registered maker: the latest 24."""
    found = {k[len(keys.days_of(address)):][:7] for k, _ in store.scan(keys.days_of(address), 31 * MAX_MONTHS * 2)}
    record = json_at(store, keys.participant_class(address))
    if record is not None and record["class"] == "market_maker":
        found.add(_dt.date.fromordinal(_EPOCH + (store.block_time + KST_OFFSET) // 86_400).isoformat()[:7])
    return sorted(found)[-MAX_MONTHS:]


def report(q: QueryRequest) -> Any:
    """The maker's obligation report: each month's days met / trading days, the latest month last."""
    return {"account": q.subject, "months": [monthly_report(q.store, q.subject, month) for month in months_of(q.store, q.subject)]}
