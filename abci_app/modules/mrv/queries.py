"""Answers of the public emission paths: daily records, monthly and yearly sums, every sector's or company's months."""

from __future__ import annotations

import json
import re
from typing import Any

from ...query_args import MAX_ROWS, bounds, json_at, one_of, query_params
from .. import QueryRequest
from . import keys

__all__ = ["daily", "monthly", "yearly", "sectors", "companies"]

_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_MONTH = re.compile(r"^[0-9]{4}-[0-9]{2}$")


def daily(q: QueryRequest) -> Any:
    p = query_params(q.path, {"device", "company", "site", "from", "to"})
    low, high = bounds(p, _DAY, "dates written YYYY-MM-DD")
    store = q.store
    if "device" in p and "company" not in p:
        _, who = one_of(p, ("device",))
        rows = [json.loads(v) for _, v in store.scan_range(keys.daily_total(who, low), keys.daily_total(who, high) + "~", MAX_ROWS)]
    else:
        _, who = one_of(p, ("company",))
        index = store.scan_range(keys.company_reports_from(who, low), keys.company_reports_from(who, high) + "~", MAX_ROWS)
        rows = [json_at(store, keys.daily_total(device, day)) for day, device in (keys.company_report_in(k) for k, _ in index)]
        if "device" in p:
            rows = [r for r in rows if r["device"] == p["device"]]
    return [r for r in rows if "site" not in p or r["site"] == p["site"]]


def _months(q: QueryRequest, p: dict[str, str], low: str, high: str) -> list[tuple[str, dict[str, int]]]:
    by, who = one_of(p, ("company", "sector"))
    prefix = keys.months_of(by, who)
    return [(k[len(prefix):], json.loads(v)) for k, v in q.store.scan_range(prefix + low, prefix + high + "~", MAX_ROWS)]


def monthly(q: QueryRequest) -> Any:
    p = query_params(q.path, {"company", "sector", "from", "to"})
    low, high = bounds(p, _MONTH, "months written YYYY-MM")
    return [{"month": m, **totals} for m, totals in _months(q, p, low, high)]


def yearly(q: QueryRequest) -> Any:
    p = query_params(q.path, {"company", "sector", "from", "to"})
    years: dict[str, dict[str, int]] = {}
    for month, totals in _months(q, p, "0000", "9999"):
        year = years.setdefault(month[:4], {"total": 0, "readings": 0, "substituted": 0, "reports": 0})
        for field in year:
            year[field] += totals[field]
    return [{"year": y, **totals} for y, totals in sorted(years.items())]


def _every(q: QueryRequest, by: str) -> Any:
    low, high = bounds(query_params(q.path, {"from", "to"}), _MONTH, "months written YYYY-MM")
    out = []
    for key, value in q.store.scan(keys.MONTHS[by], MAX_ROWS * 4):
        who, month = keys.month_in(key)
        if low <= month <= high:
            out.append({by: who, "month": month, **json.loads(value)})
    return out


def sectors(q: QueryRequest) -> Any:
    return _every(q, "sector")


def companies(q: QueryRequest) -> Any:
    return _every(q, "company")
