"""The market-maker duty measured in block time (see the package docstring): the end-block hook."""

from __future__ import annotations

from ...market import Side, trading_day_at
from ...market.session import DAY, KST_OFFSET
from ...view import BlockContext, View, get_json, params, put_json
from ..trading import book_state
from ..trading.market_state import market_schedule
from . import keys

__all__ = ["quote_meets_duty", "measure_makers"]


def quote_meets_duty(view: View, maker: str, instrument: str, p: dict) -> bool:
    """Whether the maker rests both sides now within the spread, each side's best price with enough tonnes."""
    bid = book_state.own_best(view, maker, instrument, Side.BUY)
    if bid is None:
        return False
    ask = book_state.own_best(view, maker, instrument, Side.SELL)
    if ask is None:
        return False
    least = p["mm_min_quote_tonnes"]
    return ask[0] - bid[0] <= p["mm_max_spread_krw"] and bid[1] >= least and ask[1] >= least


def _credit(view: View, maker: str, since: int, until: int, schedule) -> None:
    """Credit [since, until) to the KST day of ``since``, cut at that day's close (day orders expire then)."""
    day = trading_day_at(since, schedule)
    close = (since + KST_OFFSET) // DAY * DAY - KST_OFFSET + schedule.close
    seconds = min(until, close) - since
    if day is None or seconds <= 0:
        return
    entry = get_json(view, keys.day(maker, day)) or {"seconds": 0, "blocks": 0}
    put_json(view, keys.day(maker, day), {"seconds": entry["seconds"] + seconds, "blocks": entry["blocks"] + 1})


def measure_makers(view: View, ctx: BlockContext) -> None:
    """After the block's txs: credit the time since the last block to each maker whose quote met the duty then,
    and record whether it meets the duty now."""
    makers = get_json(view, keys.MAKERS)
    if not makers:
        return
    p, schedule = params(view), market_schedule(view)
    for maker in makers:
        record = get_json(view, keys.participant_class(maker))
        last = get_json(view, keys.quoting(maker))
        if last is not None and last["met"]:
            _credit(view, maker, last["time"], ctx.time, schedule)
        met = quote_meets_duty(view, maker, record["instrument"], p)
        if last is None or last["met"] != met or last["met"]:
            put_json(view, keys.quoting(maker), {"time": ctx.time, "met": met})
