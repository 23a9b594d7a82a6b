"""Stabilisation measures: applied at the m-th approval, ended by rule.

    reserve_auction  an auction of the market-stabilisation reserve joins the calendar (opens
                     ``opens_after`` seconds after the approval, for ``window`` seconds); at most
                     ``stabilisation_auction_share_bps`` (25%) of what is left of the reserve
    price_floor      ``market_price_floor`` = price: the market refuses orders below it
    price_ceiling    ``market_price_ceiling`` = price: the market refuses orders above it
    param            a holding-limit or banking/borrowing/offset parameter takes ``value``

Every measure but the auction records the parameter's previous value and expires at approval time +
``duration``: the end-block hook restores the previous value at the first block at or after it. A price
floor is also lifted by rule (DOMAIN.md) at the first block of a day once the last
``stabilisation_floor_lift_days`` trading days since it applied all closed at least
``stabilisation_floor_lift_bps`` above it. One measure per parameter is in force at a time.
"""

from __future__ import annotations

from typing import Any

from protocol.calendar import day_number
from protocol.codes import Code, TxRejected
from protocol.messages.auctions import AuctionEntry
from protocol.messages.stabilisation import StabilisationMeasure

from ...view import BlockContext, View, add_int, get_json, params, put_json
from ..auctions import keys as auction_keys
from ..auctions.calendar import check_reserve_auction, schedule
from ..core import keys as core_keys
from . import keys
from .events import MEASURE
from .triggers import evaluate_day, first_block_of_day, kau_instruments, recent_closes, stamp

__all__ = ["check_measure", "execute_measure", "expire_measures", "lift_floors", "daily", "active"]

_PARAM_OF = {"price_floor": "market_price_floor", "price_ceiling": "market_price_ceiling"}


def active(view: View) -> list[dict[str, Any]]:
    return [get_json(view, keys.measure(i)) for i in get_json(view, keys.ACTIVE) or []]


def _param(action: StabilisationMeasure) -> tuple[str, int]:
    return (_PARAM_OF[action.kind], action.price) if action.kind in _PARAM_OF else (action.param, action.value)


def _entry(action: StabilisationMeasure, ctx: BlockContext) -> AuctionEntry:
    opens = ctx.time + action.opens_after
    return AuctionEntry(action.instrument, opens, opens + action.window, action.volume)


def check_measure(view: View, action: StabilisationMeasure, ctx: BlockContext) -> None:
    if action.kind == "reserve_auction":
        check_reserve_auction(view, _entry(action, ctx), ctx)
        return
    from ...genesis import PARAM_LIMITS  # the limits every parameter keeps (genesis validates them)

    name, value = _param(action)
    p = params(view)
    if name not in p or name not in PARAM_LIMITS:
        raise TxRejected(Code.MEASURE_INVALID, f"this chain has no parameter {name}")
    low, high = PARAM_LIMITS[name]
    if not low <= value <= high:
        raise TxRejected(Code.MEASURE_INVALID, f"{name} must stay within [{low:,}, {high:,}]; {value:,} is outside")
    for measure in active(view):
        if measure.get("param") == name:
            raise TxRejected(Code.MEASURE_CONFLICT, f"measure {measure['id']} already sets {name} until {measure['expires']}")
    floor = value if name == "market_price_floor" else p.get("market_price_floor", 0)
    ceiling = value if name == "market_price_ceiling" else p.get("market_price_ceiling", 0)
    if floor and ceiling and floor >= ceiling:
        raise TxRejected(Code.MEASURE_INVALID, f"the price floor {floor:,} must stay below the ceiling {ceiling:,} KRW")


def _announce(ctx: BlockContext, record: dict[str, Any], status: str) -> None:
    ctx.emit(MEASURE(id=record["id"], kind=record["kind"], status=status, trigger=record["trigger"],
                     proposal_id=record["proposal_id"], param=record.get("param") or "",
                     value=record.get("value") if record.get("value") is not None else "", expires=record.get("expires") or ""))


def execute_measure(view: View, action: StabilisationMeasure, ctx: BlockContext, proposal: dict) -> None:
    check_measure(view, action, ctx)
    measure_id = add_int(view, keys.MEASURE_SEQ, 1)
    record: dict[str, Any] = {"id": measure_id, **action.to_json(), "proposal_id": proposal["id"], "applied": stamp(ctx)}
    del record["type"]
    if action.kind == "reserve_auction":
        add_int(view, auction_keys.RESERVE_USED, action.volume)
        record["auction_id"] = schedule(view, _entry(action, ctx), ctx, source="reserve", proposal_id=proposal["id"],
                                        measure=measure_id)
        record["status"] = "scheduled"
    else:
        name, value = _param(action)
        p = params(view)
        record.update(param=name, value=value, previous=p[name], expires=ctx.time + action.duration, status="in force")
        put_json(view, core_keys.PARAMS, {**p, name: value})
        put_json(view, keys.ACTIVE, sorted((get_json(view, keys.ACTIVE) or []) + [measure_id]))
    put_json(view, keys.measure(measure_id), record)
    _announce(ctx, record, "applied")


def _end(view: View, record: dict[str, Any], ctx: BlockContext, status: str) -> None:
    put_json(view, core_keys.PARAMS, {**params(view), record["param"]: record["previous"]})
    record.update(status=status, ended=stamp(ctx))
    put_json(view, keys.measure(record["id"]), record)
    put_json(view, keys.ACTIVE, [i for i in get_json(view, keys.ACTIVE) or [] if i != record["id"]])
    _announce(ctx, record, status)


def expire_measures(view: View, ctx: BlockContext) -> None:
    """End-block: restore the parameters of the measures whose expiry has come."""
    for record in active(view):
        if record["expires"] <= ctx.time:
            _end(view, record, ctx, "expired")


def lift_floors(view: View, ctx: BlockContext) -> None:
    """At the first block of a day: lift a price floor the market has stayed well above for long enough."""
    p = params(view)
    days = p["stabilisation_floor_lift_days"]
    for record in active(view):
        if record["kind"] != "price_floor":
            continue
        closes = recent_closes(view, day_number(ctx.time), days, since_day=day_number(record["applied"]["time"]))
        bar = record["value"] * (10_000 + p["stabilisation_floor_lift_bps"])
        if len(closes) == days and all(close * 10_000 >= bar for close in closes):
            _end(view, record, ctx, "lifted")


def daily(view: View, ctx: BlockContext) -> None:
    """Begin-block, at the first block of each KST day: lift floors by rule, then evaluate the triggers (nothing
    to evaluate, and no state change, before the first KAU order or the reference series)."""
    if not kau_instruments(view) and view.get(keys.SERIES) is None:
        return
    if first_block_of_day(view, ctx):
        lift_floors(view, ctx)
        evaluate_day(view, ctx, "daily")
