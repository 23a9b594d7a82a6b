"""Company page: trade allowances on the chain's market — positions, order entry, open orders, fills.

Today's rules for the chosen instrument (reference price, price band, tick, size limit, session)
are shown before an order is written, and the order is checked against them (the chain's own
rules: ``abci_app.market`` with the chain's parameters, ``portal.data.market.OrderLimits``) and
against the company's available cash or allowances before anything is signed; the chain checks it again
and its answer (code and log) is shown in full. Positions, open orders (each with a cancel
button) and fills sit in a live panel that follows the chain. Every private figure is read with
a query signed by the company's own key and never cached.
"""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from ets.rpc import ChainError
from protocol.messages import CancelOrder, PlaceOrder

from .. import cache, confirm, session, ui
from ..cache import cached
from ..data import holdings, market, trading
from ..i18n import t
from ..submit import flash, show_chain_error

__all__ = ["render"]

_LIVE_SECONDS = 2
_DEFAULT_INSTRUMENT = "KAU25"


@st.fragment(run_every=_LIVE_SECONDS)
def _positions(user) -> None:
    """Cash and allowances, read fresh (signed) every few seconds."""
    client = cache.client()
    try:
        money = holdings.cash(client, user.address, user.signer)
        held = holdings.holdings(client, user.address, user.signer)
    except ChainError as exc:
        show_chain_error(exc, t("trading.doing_positions"))
        return
    cols = st.columns(2 + max(1, len(held)))
    cols[0].metric(t("trading.cash_available"), ui.krw(money.available), help=t("trading.cash_available_help"))
    cols[1].metric(t("trading.cash_held"), ui.krw(money.held), help=t("trading.cash_held_help"))
    for col, row in zip(cols[2:], held.itertuples()):
        col.metric(t("trading.available", instrument=row.instrument), ui.tonnes(row.available),
                   help=t("trading.available_help", held=ui.number(row.held), total=ui.number(row.total)))
    if held["held"].sum():
        st.caption(t("trading.held", list=", ".join(f"{r.instrument} {ui.tonnes(r.held)}" for r in held.itertuples()
                                                    if r.held)))


def _order_line(row) -> str:
    verb = t("trading.buy" if row.side == "buy" else "trading.sell")
    done = t("trading.filled_part", filled=ui.number(row.filled)) if row.filled else ""
    return t("trading.order_line", id=row.order_id, verb=verb, instrument=row.instrument,
             remaining=ui.number(row.remaining), quantity=ui.number(row.quantity), price=ui.number(row.price), done=done,
             time=ui.kst(row.placed_time))


def _cancel(row) -> None:
    order_id = int(row.order_id)

    def done(commit) -> str:
        released = json.loads(commit.data or b"{}").get("released")
        return (t("trading.cancelled", id=order_id, height=commit.height)
                + (t("trading.released", tonnes=ui.number(released)) if released is not None else "."))

    confirm.ask("cancel_order", t("flows.confirm.cancel_order", order_id=order_id, line=_order_line(row)),
                CancelOrder(order_id), doing=t("trading.doing_cancel", id=order_id), done=done)


def _fills_table(fills: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        t("trading.col_time"): fills["time"].map(lambda when: when.strftime("%Y-%m-%d %H:%M:%S")),
        t("trading.col_instrument"): fills["instrument"],
        t("trading.col_you"): fills["side"].map({"buy": t("trading.bought"), "sell": t("trading.sold")}),
        t("trading.col_price"): fills["price"].map(ui.number),
        t("trading.col_tonnes"): fills["quantity"].map(ui.number),
        t("trading.col_value"): fills["value_krw"].map(ui.number),
        t("trading.col_counterparty"): fills["counterparty_name"].where(fills["counterparty_name"] != "",
                                                                         fills["counterparty"]),
        t("trading.col_order"): fills["order_id"].map(lambda v: f"#{v}"),
        t("trading.col_how"): fills["auction"].map(lambda a: t("trading.how_call" if a else "trading.how_continuous")),
    }).reset_index(drop=True)


@st.fragment(run_every=_LIVE_SECONDS)
def _live(user) -> None:
    """Open orders (each with its cancel button) and fills, read fresh (signed) every few seconds."""
    client = cache.client()
    try:
        orders = trading.orders(client, user.address, user.signer)
        fills = trading.fills(client, user.address, user.signer)
    except ChainError as exc:
        show_chain_error(exc, t("trading.doing_live"))
        return
    st.subheader(t("trading.open_orders"))
    open_orders = orders[orders["open"]]
    if open_orders.empty:
        st.caption(t("trading.no_order"))
    for row in open_orders.itertuples():
        left, right = st.columns([5, 1])
        left.markdown(_order_line(row))
        if right.button(t("trading.cancel", id=row.order_id), key=f"cancel_order_{row.order_id}"):
            _cancel(row)
    st.subheader(t("trading.fills"))
    if fills.empty:
        st.caption(t("trading.no_fill"))
    else:
        st.caption(t("trading.fills_caption"))
        st.table(_fills_table(fills))
    if not orders.empty:
        with st.expander(t("trading.all_orders")):
            ui.table(orders[["order_id", "instrument", "side", "price", "quantity", "remaining", "filled", "status",
                             "placed_time"]].assign(placed_time=orders["placed_time"].map(ui.kst)))


def _rules_box(limits: market.OrderLimits) -> None:
    best = []
    if limits.best_bid is not None:
        best.append(t("trading.best_bid", price=ui.number(limits.best_bid)))
    if limits.best_ask is not None:
        best.append(t("trading.best_ask", price=ui.number(limits.best_ask)))
    st.info(
        t("trading.rules", instrument=limits.instrument, low=ui.number(limits.band_low), high=ui.number(limits.band_high),
          pct=limits.band_pct, reference=ui.number(limits.reference_price), tick=ui.number(limits.tick),
          max=ui.number(limits.max_quantity), phase=ui.phase_text(limits.phase))
        + (t("trading.rules_best", best=", ".join(best)) if best else ""),
        icon=":material/rule:")


def _order_entry(user, instruments: list[str]) -> None:
    st.subheader(t("trading.new_order"))
    default = instruments.index(_DEFAULT_INSTRUMENT) if _DEFAULT_INSTRUMENT in instruments else 0
    instrument = st.selectbox(t("common.instrument"), instruments, index=default, key="trade_instrument")
    limits: market.OrderLimits = cached(market.order_limits, instrument)
    _rules_box(limits)
    with st.form("place_order"):
        side = st.radio(t("trading.side"), ["Buy", "Sell"], horizontal=True, key="order_side",
                        format_func=lambda s: t(f"trading.{s.lower()}"))
        c1, c2 = st.columns(2)
        price = c1.number_input(t("trading.limit_price"), min_value=0, value=limits.reference_price,
                                step=limits.tick, key="order_price")
        quantity = c2.number_input(t("trading.quantity"), min_value=0, value=0, step=1, key="order_quantity")
        st.caption(t("trading.day_order"))
        submitted = st.form_submit_button(t("trading.place"), type="primary")
    confirm.pending("place_order", user.signer)
    if not submitted:
        return
    side_key = side.lower()
    client = cache.client()
    try:
        money = holdings.cash(client, user.address, user.signer)
        held = holdings.holdings(client, user.address, user.signer)
    except ChainError as exc:
        show_chain_error(exc, t("trading.doing_check"))
        return
    row = held[held["instrument"] == instrument]
    problems = limits.problems(side_key, int(price), int(quantity), available_cash=money.available,
                               available_tonnes=int(row["available"].iloc[0]) if not row.empty else 0)
    if problems:
        st.error(t("trading.not_sent") + "\n" + "\n".join(f"- {p}" for p in problems))
        return
    def done(commit) -> str:
        result = json.loads(commit.data or b"{}")
        status = str(result.get("status", "")).replace("_", " ")
        return t("trading.placed", id=result.get("order_id"), side=t(f"trading.{side_key}").lower(),
                 quantity=ui.number(quantity), instrument=instrument, price=ui.number(price), status=status,
                 filled=ui.number(result.get("filled", 0)), trades=int(result.get("fills", 0)), height=commit.height)

    restated = t("flows.confirm.order", side=t(f"flows.confirm.side_{side_key}"), instrument=instrument,
                 quantity=ui.tonnes(quantity), price=ui.krw(price), value=ui.krw(int(price) * int(quantity)))
    confirm.ask("place_order", restated, PlaceOrder(instrument, side_key, int(price), int(quantity)),
                doing=t("trading.doing_place", side=t(f"trading.{side_key}").lower()), done=done)


def render() -> None:
    user = session.require_role("company")
    st.title(t("page.trading"))
    st.caption(t("trading.caption", name=user.name, address=user.address))
    flash()
    try:
        owned = holdings.holdings(cache.client(), user.address, user.signer)
    except ChainError as exc:
        show_chain_error(exc, t("trading.doing_allowances"))
        return
    listed = cached(market.instruments)
    instruments = sorted(set(owned["instrument"]) | set(listed["instrument"]) | {_DEFAULT_INSTRUMENT})
    _positions(user)
    _order_entry(user, instruments)
    st.divider()
    confirm.pending("cancel_order", user.signer)
    _live(user)
