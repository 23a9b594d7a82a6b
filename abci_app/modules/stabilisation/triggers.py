"""The daily evaluation of the Decree Art. 38 triggers, from the chain's bars and the reference series.

At the first block of each KST day (begin-block, after the market's own session work) the chain:

 1. aggregates the last complete month M of its own daily bars (every KAU instrument: value, volume,
    trading days) into ``stab/month/M``, once;
 2. takes for every month the triggers read (``protocol.stabilisation.months_needed``) the chain's own
    statistics where it traded that month, else the reference series' row (months before the chain);
 3. evaluates the triggers (``protocol.stabilisation.evaluate``) and publishes inputs and results in
    ``stab/day/<YYYY-MM-DD>``, so anyone recomputes them;
 4. for a trigger that tripped, opens once per trigger and month a governance proposal of a measure
    (proposer: the chain): a price floor for ``price_slump``, a reserve auction for the two upward triggers.

Setting the reference series (a governed action) re-evaluates the current day with it at once.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from protocol.calendar import day_number, iso_day
from protocol.codes import TxRejected
from protocol.messages.stabilisation import SetReferenceSeries, StabilisationMeasure
from protocol.stabilisation import evaluate, month_price, daily_volume, months_needed, previous_month

from ...view import BlockContext, View, get_json, params, put_json
from ..auctions.calendar import reserve_left
from ..governance.handlers import open_by_chain
from ..trading import keys as trading_keys
from . import keys
from .events import STABILISATION_DAY

__all__ = ["THRESHOLDS", "evaluate_day", "first_block_of_day", "check_series", "execute_series", "kau_instruments",
           "recent_closes", "stamp"]

THRESHOLDS = ("stabilisation_surge_multiple", "stabilisation_surge_months", "stabilisation_volume_multiple",
              "stabilisation_high_multiple", "stabilisation_low_bps")
_LOOKBACK_DAYS = 60  # how far back the floor looks for its last trading days


def stamp(ctx: BlockContext) -> dict[str, int]:
    return {"height": ctx.height, "time": ctx.time}


def kau_instruments(view: View) -> list[str]:
    return [i for i in (get_json(view, trading_keys.BOOKS) or []) if i.startswith("KAU")]


def _day_bars(view: View, iso: str) -> list[dict[str, Any]]:
    return [bar for bar in (get_json(view, trading_keys.bar(i, iso)) for i in kau_instruments(view)) if bar]


def _aggregate_month(view: View, month: str, ctx: BlockContext) -> None:
    if view.get(keys.month(month)) is not None:
        return
    value = volume = days = 0
    day = date(int(month[:4]), int(month[5:]), 1)
    while day.strftime("%Y-%m") == month:
        bars = _day_bars(view, day.isoformat())
        value, volume, days = value + sum(b["value"] for b in bars), volume + sum(b["volume"] for b in bars), days + bool(bars)
        day += timedelta(days=1)
    put_json(view, keys.month(month), {"value": value, "volume": volume, "days": days, "aggregated": stamp(ctx)})


def _stats(view: View, months: list[str]) -> dict[str, dict[str, Any]]:
    series = (get_json(view, keys.SERIES) or {}).get("months", {})
    out = {}
    for month in months:
        own = get_json(view, keys.month(month))
        if own and own["volume"]:
            out[month] = {"value": own["value"], "volume": own["volume"], "days": own["days"], "source": "chain"}
        elif month in series:
            value, volume, days = series[month]
            out[month] = {"value": value, "volume": volume, "days": days, "source": "reference"}
    for stat in out.values():
        stat.update(price=month_price((stat["value"], stat["volume"], stat["days"])),
                    daily_volume=daily_volume((stat["value"], stat["volume"], stat["days"])))
    return out


def recent_closes(view: View, before_day: int, count: int, since_day: int = 0) -> list[int]:
    """The lowest KAU close of each of the last ``count`` trading days before KST day ``before_day`` (and not
    before ``since_day``), newest first."""
    out = []
    for day in range(before_day - 1, max(since_day, before_day - _LOOKBACK_DAYS) - 1, -1):
        bars = _day_bars(view, iso_day(day * 86400))
        if bars:
            out.append(min(b["close"] for b in bars))
            if len(out) == count:
                break
    return out


def _floor_price(view: View, today: int) -> int:
    p = params(view)
    closes = recent_closes(view, today, 5)
    if not closes:  # no trading day yet: the reference prices the market would band around
        refs = [int(view.get(trading_keys.reference_price(i)) or 0) for i in kau_instruments(view)]
        closes = [r for r in refs if r] or [p["market_initial_reference_price"]]
    tick = p["market_tick_size"]
    floor = min(closes) * (10_000 - p["stabilisation_floor_discount_bps"]) // 10_000 // tick * tick
    return max(tick, floor)


def _measure_for(view: View, trigger: str, month: str, today: int) -> StabilisationMeasure | None:
    p = params(view)
    reason = f"trigger {trigger} tripped on the statistics of {month} (Decree Art. 38), evaluated by the chain"
    if trigger == "price_slump":
        return StabilisationMeasure("price_floor", trigger, reason, price=_floor_price(view, today),
                                    duration=p["stabilisation_measure_seconds"])
    volume = reserve_left(view) * p["stabilisation_auction_share_bps"] // 10_000
    if volume <= 0:
        return None
    instrument = f"KAU{iso_day(today * 86400)[2:4]}"
    return StabilisationMeasure("reserve_auction", trigger, reason, instrument=instrument, volume=volume,
                                opens_after=7 * 86400, window=3600)


def _propose(view: View, tripped: list[str], month: str, today: int, ctx: BlockContext) -> list[dict[str, Any]]:
    out = []
    for trigger in tripped:
        if view.get(keys.proposed(trigger, month)) is not None:
            continue
        measure = _measure_for(view, trigger, month, today)
        if measure is None:
            out.append({"trigger": trigger, "refused": "the stabilisation reserve is empty"})
        else:
            try:
                inner = view.child()  # a refused proposal leaves nothing behind
                out.append({"trigger": trigger, "proposal_id": open_by_chain(inner, measure, ctx), "measure": measure.kind})
                inner.merge()
            except TxRejected as exc:
                out.append({"trigger": trigger, "refused": exc.log})
        view.set(keys.proposed(trigger, month), str(out[-1].get("proposal_id", 0)).encode())
    return out


def evaluate_day(view: View, ctx: BlockContext, reason: str) -> dict[str, Any]:
    """Evaluate the triggers for the current KST day, publish inputs and results, open proposals."""
    iso, today = iso_day(ctx.time), day_number(ctx.time)
    month = previous_month(iso[:7])
    _aggregate_month(view, month, ctx)
    p = params(view)
    thresholds = {name: p[name] for name in THRESHOLDS}
    stats = _stats(view, months_needed(month, thresholds["stabilisation_surge_months"]))
    results = evaluate({m: (s["value"], s["volume"], s["days"]) for m, s in stats.items()}, month, thresholds)
    tripped = [r["trigger"] for r in results if r["tripped"]]
    proposals = _propose(view, tripped, month, today, ctx)
    record = {"day": iso, "month": month, "evaluated": {**stamp(ctx), "reason": reason}, "thresholds": thresholds,
              "series_sha256": (get_json(view, keys.SERIES) or {}).get("sha256"), "stats": stats, "triggers": results,
              "tripped": tripped, "proposals": proposals}
    put_json(view, keys.day(iso), record)
    view.set(keys.LAST_DAY, iso.encode())
    ctx.emit(STABILISATION_DAY(day=iso, month=month, tripped=",".join(tripped) or "none",
                               proposals=",".join(str(x["proposal_id"]) for x in proposals if "proposal_id" in x)))
    return record


def first_block_of_day(view: View, ctx: BlockContext) -> bool:
    last = view.get(keys.LAST_DAY)
    return last is None or last.decode() < iso_day(ctx.time)


def check_series(view: View, action: SetReferenceSeries, ctx: BlockContext) -> None:
    """Nothing to check against state: the series' hash and order were checked when it was parsed."""


def execute_series(view: View, action: SetReferenceSeries, ctx: BlockContext, proposal: dict) -> None:
    put_json(view, keys.SERIES, {"source": action.source, "sha256": action.sha256, "proposal_id": proposal["id"],
                                 "set": stamp(ctx), "months": {m: [v, q, d] for m, v, q, d in action.months}})
    evaluate_day(view, ctx, f"reference series set by proposal {proposal['id']}")
