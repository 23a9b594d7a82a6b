"""Market stabilisation (Decree Art. 38): the historical reference series and the measures, both governed.

``set_reference_series`` commits the monthly statistics of the years before the chain (built from KRX's
public daily files by ``ets stabilisation series``) with their SHA-256. ``stabilisation_measure`` is a
measure: a reserve auction, a price floor or ceiling, or a temporary change of a holding-limit or
banking/borrowing/offset parameter. The chain proposes one itself when a trigger trips; it runs only at
the m-th approval, and every measure but an auction ends by rule after ``duration`` seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..constants import MAX_AMOUNT, MAX_PRICE, MAX_REASON, MAX_REFERENCE_MONTHS
from ..stabilisation import MONTH, TRIGGERS, series_hash
from ._base import _count, _fields, _hex64, _instrument, _invalid, _text, action, Wire

__all__ = ["SetReferenceSeries", "StabilisationMeasure", "MEASURE_KINDS", "MEASURE_PARAMS"]

MEASURE_KINDS = ("reserve_auction", "price_floor", "price_ceiling", "param")
# parameters a measure may change for a while (DOMAIN.md: holding limits, banking/borrowing/offset limits)
MEASURE_PARAMS = ("holding_limit_market_maker", "holding_limit_third_party", "holding_limit_company",
                  "compliance_bank_net_sales_multiple",
                  "compliance_borrow_first_year_bps", "compliance_offset_cap_bps")
_MIN_DURATION, _MAX_DURATION = 60, 366 * 86400
_MAX_MONTH_VALUE = 10**18  # KRW traded in one month: a bound, not a policy
_MAX_PARAM = 10**15


def _row(kind: str, i: int, row: Any) -> tuple[str, int, int, int]:
    where = f"{kind}.months[{i}]"
    if not isinstance(row, list) or len(row) != 4 or not isinstance(row[0], str) or not MONTH.fullmatch(row[0]):
        raise _invalid(f"{where} must be [\"YYYY-MM\", value KRW, volume t, trading days]")
    value, volume, days = (_count(where, name, v, high) for name, v, high in
                           (("value", row[1], _MAX_MONTH_VALUE), ("volume", row[2], MAX_AMOUNT), ("days", row[3], 31)))
    if (volume == 0) != (days == 0) or (volume == 0) != (value == 0):
        raise _invalid(f"{where}: a month with trades has value, volume and days; one without has none")
    return row[0], value, volume, days


@action
@dataclass(frozen=True, slots=True)
class SetReferenceSeries(Wire):
    """Governed action: the monthly reference series (KAU, all vintages) for the years before the chain."""

    source: str  # where it comes from: the KRX files and how they were read
    sha256: str  # SHA-256 of the canonical JSON of ``months`` (protocol.stabilisation.series_hash)
    months: tuple[tuple[str, int, int, int], ...]
    TYPE = "set_reference_series"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "SetReferenceSeries":
        kind = cls.TYPE
        _fields(obj, kind, ("source", "sha256", "months"))
        months = obj["months"]
        if not isinstance(months, list) or not 1 <= len(months) <= MAX_REFERENCE_MONTHS:
            raise _invalid(f"{kind}.months must be a list of 1 to {MAX_REFERENCE_MONTHS} monthly rows")
        rows = tuple(_row(kind, i, row) for i, row in enumerate(months))
        if any(a[0] >= b[0] for a, b in zip(rows, rows[1:])):
            raise _invalid(f"{kind}.months must be in ascending order, one row per month")
        digest = _hex64(kind, "sha256", obj["sha256"])
        if series_hash(rows) != digest:
            raise _invalid(f"{kind}.sha256 is not the SHA-256 of the months' canonical JSON: the series was altered")
        return cls(_text(kind, "source", obj["source"], MAX_REASON), digest, rows)

    def to_json(self) -> dict[str, Any]:
        return {"type": self.TYPE, "source": self.source, "sha256": self.sha256, "months": [list(r) for r in self.months]}


@action
@dataclass(frozen=True, slots=True)
class StabilisationMeasure(Wire):
    """Governed action: one stabilisation measure.

    reserve_auction  instrument, volume (≤ the share of the reserve), opens_after and window in seconds
    price_floor      price (orders below it are refused), duration seconds
    price_ceiling    price (orders above it are refused), duration seconds
    param            param (one of MEASURE_PARAMS), value, duration seconds"""

    kind: str
    trigger: str  # the trigger that tripped (TRIGGERS) or "manual"
    reason: str
    instrument: str | None = None
    volume: int | None = None
    opens_after: int | None = None
    window: int | None = None
    price: int | None = None
    param: str | None = None
    value: int | None = None
    duration: int | None = None
    TYPE = "stabilisation_measure"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "StabilisationMeasure":
        kind, measure = cls.TYPE, obj.get("kind")
        fields = {"reserve_auction": ("instrument", "volume", "opens_after", "window"), "price_floor": ("price", "duration"),
                  "price_ceiling": ("price", "duration"), "param": ("param", "value", "duration")}
        if not isinstance(measure, str) or measure not in fields:
            raise _invalid(f"{kind}.kind must be one of {', '.join(MEASURE_KINDS)}")
        _fields(obj, kind, ("kind", "trigger", "reason") + fields[measure])
        if obj["trigger"] not in TRIGGERS + ("manual",):
            raise _invalid(f"{kind}.trigger must be one of {', '.join(TRIGGERS)} or manual")
        out: dict[str, Any] = {"kind": measure, "trigger": obj["trigger"], "reason": _text(kind, "reason", obj["reason"], MAX_REASON)}
        if measure == "reserve_auction":
            out["instrument"] = _instrument(kind, obj["instrument"])
            if not out["instrument"].startswith("KAU"):
                raise _invalid(f"{kind}.instrument must be a KAU vintage")
            out["volume"] = _count(kind, "volume", obj["volume"], MAX_AMOUNT, 1)
            out["opens_after"] = _count(kind, "opens_after", obj["opens_after"], _MAX_DURATION, 60)
            out["window"] = _count(kind, "window", obj["window"], 7 * 86400, 60)
            return cls(**out)
        out["duration"] = _count(kind, "duration", obj["duration"], _MAX_DURATION, _MIN_DURATION)
        if measure == "param":
            if obj["param"] not in MEASURE_PARAMS:
                raise _invalid(f"{kind}.param must be one of {', '.join(MEASURE_PARAMS)}")
            out["param"], out["value"] = obj["param"], _count(kind, "value", obj["value"], _MAX_PARAM)
        else:
            out["price"] = _count(kind, "price", obj["price"], MAX_PRICE, 1)
        return cls(**out)
