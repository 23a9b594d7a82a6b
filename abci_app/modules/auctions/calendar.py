"""The auction calendar: governed scheduling and amendment, reserve auctions of the stabilisation reserve,
and the reserve price fixed when an auction opens.

An entry is published in advance by ``schedule_auctions`` (m-of-n) and may be amended by notice
(``amend_auction``) until it opens. Unsold tonnes waiting in the instrument's pool (``auc/carry/``)
join the next auction scheduled for it. The reserve price (``abci_app.market.allowance_auction``) is
fixed at the first block at or after ``opens``, from the bars of the days before the opening day,
and published with its three inputs so anyone can recompute it.
"""

from __future__ import annotations

from typing import Any

from protocol.calendar import day_number, iso_day
from protocol.codes import Code, TxRejected
from protocol.constants import MAX_HOLDING, MAX_OPEN_AUCTIONS
from protocol.messages.auctions import AmendAuction, AuctionEntry, ScheduleAuctions

from ...market.allowance_auction import reserve_price, vwap_of
from ...view import BlockContext, View, add_int, get_int, get_json, params, put_json
from ..trading import keys as trading_keys
from ..transfers import keys as ledger_keys
from . import keys
from .events import GOVERNMENT_AUCTION

__all__ = ["check_schedule", "execute_schedule", "check_amend", "execute_amend", "schedule", "announce",
           "reserve_inputs", "open_auction", "pending", "reserve_left", "check_reserve_auction"]

_DAYS_3M, _DAYS_1M, _BARS_3D = 90, 30, 3


def pending(view: View) -> list[int]:
    return get_json(view, keys.PENDING) or []


def _stamp(ctx: BlockContext) -> dict[str, int]:
    return {"height": ctx.height, "time": ctx.time}


def _check_entry(entry: AuctionEntry | AmendAuction, ctx: BlockContext) -> None:
    if entry.opens <= ctx.time:
        raise TxRejected(Code.AUCTION_SCHEDULE_CONFLICT, f"an auction must open after the current block time "
                                                         f"({ctx.time}); opens {entry.opens} is not in the future")


def _check_supply(view: View, entries: list[AuctionEntry]) -> None:
    """What all waiting auctions of an instrument could issue keeps its supply within ``MAX_HOLDING``."""
    for instrument in sorted({e.instrument for e in entries}):
        waiting = sum(a["volume"] + a["carried_in"] for a in (get_json(view, keys.auction(i)) for i in pending(view))
                      if a["instrument"] == instrument)
        total = (get_int(view, ledger_keys.supply(instrument)) + get_int(view, keys.carry(instrument)) + waiting
                 + sum(e.volume for e in entries if e.instrument == instrument))
        if total > MAX_HOLDING:
            raise TxRejected(Code.AUCTION_SCHEDULE_CONFLICT, f"{instrument}: supply and the auctions' volumes would "
                                                             f"exceed {MAX_HOLDING:,} t")


def check_schedule(view: View, action: ScheduleAuctions, ctx: BlockContext) -> None:
    for entry in action.auctions:
        _check_entry(entry, ctx)
    _check_supply(view, list(action.auctions))
    if len(pending(view)) + len(action.auctions) > MAX_OPEN_AUCTIONS:
        raise TxRejected(Code.AUCTION_SCHEDULE_CONFLICT, f"at most {MAX_OPEN_AUCTIONS} auctions may wait in the calendar")


def announce(ctx: BlockContext, record: dict[str, Any], status: str) -> None:
    result = record.get("result") or {}
    ctx.emit(GOVERNMENT_AUCTION(
        id=record["id"], instrument=record["instrument"], status=status, opens=record["opens"], closes=record["closes"],
        volume=record["volume"] + record["carried_in"], reserve_price=record.get("reserve_price") or "",
        price=result.get("price") or "", sold=result.get("sold", ""), unsold=result.get("unsold", "")))


def schedule(view: View, entry: AuctionEntry, ctx: BlockContext, *, source: str, proposal_id: int, measure: int = 0) -> int:
    """Add one auction to the calendar; it takes the instrument's waiting unsold tonnes with it."""
    auction_id = add_int(view, keys.AUCTION_SEQ, 1)
    carried = get_int(view, keys.carry(entry.instrument)) if source == "calendar" else 0
    if carried:
        view.set(keys.carry(entry.instrument), None)
    record = {"id": auction_id, **entry.to_json(), "carried_in": carried, "source": source, "measure": measure,
              "proposal_id": proposal_id, "status": "scheduled", "scheduled": _stamp(ctx), "amendments": []}
    put_json(view, keys.auction(auction_id), record)
    put_json(view, keys.PENDING, sorted(pending(view) + [auction_id]))
    announce(ctx, record, "scheduled")
    return auction_id


def execute_schedule(view: View, action: ScheduleAuctions, ctx: BlockContext, proposal: dict) -> None:
    check_schedule(view, action, ctx)
    for entry in action.auctions:
        schedule(view, entry, ctx, source="calendar", proposal_id=proposal["id"])


def reserve_left(view: View) -> int:
    """Tonnes of the market-stabilisation reserve not yet put up for auction."""
    return params(view)["stabilisation_reserve"] - get_int(view, keys.RESERVE_USED)


def check_reserve_auction(view: View, entry: AuctionEntry, ctx: BlockContext) -> None:
    """A reserve auction opens in the future and takes at most its share of what is left of the reserve."""
    _check_entry(entry, ctx)
    share = params(view)["stabilisation_auction_share_bps"]
    most = reserve_left(view) * share // 10_000
    if entry.volume > most:
        raise TxRejected(Code.RESERVE_EXCEEDED, f"a reserve auction may offer at most {share / 100:g}% of the "
                                                f"{reserve_left(view):,} t left in the reserve: {most:,} t, not {entry.volume:,} t")
    if len(pending(view)) >= MAX_OPEN_AUCTIONS:
        raise TxRejected(Code.AUCTION_SCHEDULE_CONFLICT, f"at most {MAX_OPEN_AUCTIONS} auctions may wait in the calendar")
    _check_supply(view, [entry])


def _scheduled(view: View, auction_id: int) -> dict[str, Any]:
    record = get_json(view, keys.auction(auction_id))
    if record is None:
        raise TxRejected(Code.AUCTION_NOT_FOUND, f"auction {auction_id} is not in the calendar")
    if record["status"] != "scheduled":
        raise TxRejected(Code.AUCTION_SCHEDULE_CONFLICT, f"auction {auction_id} is already {record['status']}; "
                                                         "only an auction that has not opened can be amended")
    return record


def check_amend(view: View, action: AmendAuction, ctx: BlockContext) -> None:
    _scheduled(view, action.auction_id)
    _check_entry(action, ctx)


def execute_amend(view: View, action: AmendAuction, ctx: BlockContext, proposal: dict) -> None:
    check_amend(view, action, ctx)
    record = _scheduled(view, action.auction_id)
    _check_supply(view, [AuctionEntry(record["instrument"], action.opens, action.closes, max(0, action.volume - record["volume"]))])
    if record["source"] == "reserve" and action.volume != record["volume"]:
        raise TxRejected(Code.AUCTION_SCHEDULE_CONFLICT, "a reserve auction's volume is set by its stabilisation measure")
    previous = {k: record[k] for k in ("opens", "closes", "volume")}
    record["amendments"] = record["amendments"][-19:] + [{**previous, "proposal_id": proposal["id"], **_stamp(ctx)}]
    record.update(opens=action.opens, closes=action.closes, volume=action.volume)
    put_json(view, keys.auction(action.auction_id), record)
    announce(ctx, record, "amended")


def _bars(view: View, instrument: str, first_day: int, last_day: int) -> list[tuple[int, int]]:
    """(value, volume) of the instrument's daily bars of KST days first_day..last_day, oldest first."""
    out = []
    for day in range(first_day, last_day + 1):
        bar = get_json(view, trading_keys.bar(instrument, iso_day(day * 86400)))
        if bar:
            out.append((bar["value"], bar["volume"]))
    return out


def reserve_inputs(view: View, instrument: str, opens: int) -> dict[str, Any]:
    """The three averages of the reserve price (days before the opening day) and the price itself."""
    day = day_number(opens)
    fallback_raw = view.get(trading_keys.reference_price(instrument))
    p = params(view)
    fallback = int(fallback_raw) if fallback_raw is not None else p["market_initial_reference_price"]
    months3 = _bars(view, instrument, day - _DAYS_3M, day - 1)
    averages = {
        "three_months": vwap_of(months3),
        "last_month": vwap_of(_bars(view, instrument, day - _DAYS_1M, day - 1)),
        "three_days": vwap_of(months3[-_BARS_3D:]),
    }
    used = {name: value if value is not None else fallback for name, value in averages.items()}
    return {"averages": used, "from_bars": {name: value is not None for name, value in averages.items()},
            "fallback_reference_price": fallback, "before_day": iso_day(opens), "bars_3m": len(months3),
            "tick": p["market_tick_size"],
            "reserve_price": reserve_price(used["three_months"], used["last_month"], used["three_days"], p["market_tick_size"])}


def open_auction(view: View, auction_id: int, ctx: BlockContext) -> None:
    record = get_json(view, keys.auction(auction_id))
    inputs = reserve_inputs(view, record["instrument"], record["opens"])
    record.update(status="open", reserve_price=inputs["reserve_price"], reserve_inputs=inputs, opened=_stamp(ctx))
    put_json(view, keys.auction(auction_id), record)
    announce(ctx, record, "open")
