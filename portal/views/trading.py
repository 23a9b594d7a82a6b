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
        show_chain_error(exc, "reading your cash and allowances")
        return
    cols = st.columns(2 + max(1, len(held)))
    cols[0].metric("Cash available", ui.krw(money.available), help="KRW you can put behind new buy orders")
    cols[1].metric("Cash held", ui.krw(money.held), help="KRW held behind your open buy orders")
    for col, row in zip(cols[2:], held.itertuples()):
        col.metric(f"{row.instrument} available", f"{row.available:,} t",
                   help=f"{row.held:,} t held behind open sells and your block-trade sell proposals; {row.total:,} t in all")
    if held["held"].sum():
        st.caption("Held: " + ", ".join(f"{r.instrument} {r.held:,} t" for r in held.itertuples() if r.held)
                   + " (behind open sell orders or block-trade proposals; released when they are cancelled).")


def _order_line(row) -> str:
    verb = "Buy" if row.side == "buy" else "Sell"
    done = f", {row.filled:,} t filled" if row.filled else ""
    return (f"**#{row.order_id}** {verb} {row.instrument} — {row.remaining:,} of {row.quantity:,} t left at "
            f"{row.price:,} KRW/t{done} · placed at block {row.placed_height}")


def _cancel(row) -> None:
    order_id = int(row.order_id)

    def done(commit) -> str:
        released = json.loads(commit.data or b"{}").get("released")
        return (f"Order #{order_id} cancelled at block {commit.height}"
                + (f"; {int(released):,} t unfilled, its escrow released." if released is not None else "."))

    confirm.ask("cancel_order", t("flows.confirm.cancel_order", order_id=order_id, line=_order_line(row)),
                CancelOrder(order_id), doing=f"cancelling order #{order_id}", done=done)


def _fills_table(fills: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "time (KST)": fills["time"].map(lambda t: t.strftime("%Y-%m-%d %H:%M:%S")),
        "instrument": fills["instrument"],
        "you": fills["side"].map({"buy": "bought", "sell": "sold"}),
        "price (KRW/t)": fills["price"].map(lambda v: f"{int(v):,}"),
        "tonnes": fills["quantity"].map(lambda v: f"{int(v):,}"),
        "value (KRW)": fills["value_krw"].map(lambda v: f"{int(v):,}"),
        "counterparty": fills["counterparty_name"].where(fills["counterparty_name"] != "", fills["counterparty"]),
        "your order": fills["order_id"].map(lambda v: f"#{v}"),
        "how": fills["auction"].map(lambda a: "call auction" if a else "continuous"),
        "block": fills["height"],
    }).reset_index(drop=True)


@st.fragment(run_every=_LIVE_SECONDS)
def _live(user) -> None:
    """Open orders (each with its cancel button) and fills, read fresh (signed) every few seconds."""
    client = cache.client()
    try:
        orders = trading.orders(client, user.address, user.signer)
        fills = trading.fills(client, user.address, user.signer)
    except ChainError as exc:
        show_chain_error(exc, "reading your orders and fills")
        return
    st.subheader("Open orders")
    open_orders = orders[orders["open"]]
    if open_orders.empty:
        st.caption("You have no order in the book.")
    for row in open_orders.itertuples():
        left, right = st.columns([5, 1])
        left.markdown(_order_line(row))
        if right.button(f"Cancel #{row.order_id}", key=f"cancel_order_{row.order_id}"):
            _cancel(row)
    st.subheader("Fills")
    if fills.empty:
        st.caption("No fill yet.")
    else:
        st.caption("Your trades, with the price and the counterparty (visible only to you, the counterparty and the "
                   "regulator).")
        st.table(_fills_table(fills))
    if not orders.empty:
        with st.expander("All your orders"):
            ui.table(orders[["order_id", "instrument", "side", "price", "quantity", "remaining", "filled", "status",
                             "placed_height", "placed_time"]])


def _rules_box(limits: market.OrderLimits) -> None:
    best = []
    if limits.best_bid is not None:
        best.append(f"best bid {limits.best_bid:,}")
    if limits.best_ask is not None:
        best.append(f"best ask {limits.best_ask:,}")
    st.info(
        f"**Today's rules for {limits.instrument}** — price band **{limits.band_low:,} – {limits.band_high:,} KRW/t** "
        f"({limits.band_pct} of the reference price {limits.reference_price:,} KRW/t) · tick **{limits.tick:,} KRW** · "
        f"at most **{limits.max_quantity:,} t** per order · session: {ui.phase_text(limits.phase)}"
        + (f" · {', '.join(best)} KRW/t" if best else ""),
        icon=":material/rule:")


def _order_entry(user, instruments: list[str]) -> None:
    st.subheader("New order")
    default = instruments.index(_DEFAULT_INSTRUMENT) if _DEFAULT_INSTRUMENT in instruments else 0
    instrument = st.selectbox("Instrument", instruments, index=default, key="trade_instrument")
    limits: market.OrderLimits = cached(market.order_limits, instrument)
    _rules_box(limits)
    with st.form("place_order"):
        side = st.radio("Side", ["Buy", "Sell"], horizontal=True, key="order_side")
        c1, c2 = st.columns(2)
        price = c1.number_input("Limit price (KRW per tonne)", min_value=0, value=limits.reference_price,
                                step=limits.tick, key="order_price")
        quantity = c2.number_input("Quantity (tonnes)", min_value=0, value=0, step=1, key="order_quantity")
        st.caption("A day limit order: whatever is not filled today expires at the close and its escrow is released. "
                   "A buy holds price × tonnes of your cash; a sell holds the tonnes.")
        submitted = st.form_submit_button("Place order", type="primary")
    confirm.pending("place_order", user.signer)
    if not submitted:
        return
    side_key = side.lower()
    client = cache.client()
    try:
        money = holdings.cash(client, user.address, user.signer)
        held = holdings.holdings(client, user.address, user.signer)
    except ChainError as exc:
        show_chain_error(exc, "checking your cash and allowances")
        return
    row = held[held["instrument"] == instrument]
    problems = limits.problems(side_key, int(price), int(quantity), available_cash=money.available,
                               available_tonnes=int(row["available"].iloc[0]) if not row.empty else 0)
    if problems:
        st.error("The order was not sent:\n" + "\n".join(f"- {p}" for p in problems))
        return
    def done(commit) -> str:
        result = json.loads(commit.data or b"{}")
        status = str(result.get("status", "")).replace("_", " ")
        return (f"Order #{result.get('order_id')} ({side_key} {int(quantity):,} t {instrument} at {int(price):,} KRW/t) "
                f"is {status}: {int(result.get('filled', 0)):,} t filled in {int(result.get('fills', 0))} trade(s), "
                f"block {commit.height}.")

    restated = t("flows.confirm.order", side=t(f"flows.confirm.side_{side_key}"), instrument=instrument,
                 quantity=ui.tonnes(quantity), price=ui.krw(price), value=ui.krw(int(price) * int(quantity)))
    confirm.ask("place_order", restated, PlaceOrder(instrument, side_key, int(price), int(quantity)),
                doing=f"placing your {side_key} order", done=done)


def render() -> None:
    user = session.require_role("company")
    st.title("Trading")
    st.caption(f"{user.name} · account {user.address}. Your cash, allowances, orders and fills are read with queries "
               "signed by your key: only you and the regulator can read them.")
    flash()
    try:
        owned = holdings.holdings(cache.client(), user.address, user.signer)
    except ChainError as exc:
        show_chain_error(exc, "reading your allowances")
        return
    listed = cached(market.instruments)
    instruments = sorted(set(owned["instrument"]) | set(listed["instrument"]) | {_DEFAULT_INSTRUMENT})
    _positions(user)
    _order_entry(user, instruments)
    st.divider()
    confirm.pending("cancel_order", user.signer)
    _live(user)
