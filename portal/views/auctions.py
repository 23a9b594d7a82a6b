"""Government auctions (유상할당): the calendar and results for everyone; for a company, the sealed-bid form with
its escrow and cap shown, and its own bids.

The calendar and the results are public (no bidder is ever named). A bid is a private transaction: sealed to
the validators and the regulator, so nobody else learns its price or size, or even that it exists, before the
close. The form shows what the bid will escrow (price × tonnes) against the company's available cash and what
is left of its per-bidder cap; the chain checks both again. The company's cash and bids are read with queries
signed by its own key and never cached.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ets.rpc import ChainError
from protocol.messages import AuctionBid, AuctionCancelBid

from datasets.errors import DatasetError

from .. import cache, session, ui
from ..cache import cached
from ..data import auctions, holdings
from ..i18n import t
from ..submit import flash, show_chain_error, submit

__all__ = ["render"]

_STATUS = ("scheduled", "open", "settled")


def _status(status: str) -> str:
    return ui.coded("auctions.status", status, _STATUS)


def _calendar() -> None:
    calendar = cached(auctions.calendar)
    summary = cached(auctions.summary)
    cols = st.columns(3)
    cols[0].metric(t("auctions.treasury"), ui.krw(summary["treasury_krw"]))
    cols[1].metric(t("auctions.reserve_left"), ui.tonnes(summary["reserve"]["left"]))
    cap = summary["bidder_cap_bps"]
    cols[2].metric(t("auctions.bidder_cap"), t("auctions.bidder_cap_value", percent=f"{cap // 100}.{cap % 100:02d}"
                                                                                  .rstrip("0").rstrip(".")))
    if calendar.empty:
        st.info(t("auctions.no_calendar"))
        return
    shown = calendar.assign(status=calendar["status"].map(_status), opens=calendar["opens"].map(ui.kst),
                            closes=calendar["closes"].map(ui.kst))
    ui.table(shown)
    st.caption(t("auctions.rules"))


def _bid_form(user, open_rows, money, mine) -> None:
    """Not a ``st.form``: the escrow beside the fields follows every change before anything is signed."""
    st.markdown(t("auctions.sealed_bid"))
    labels = [t("auctions.auction_label", id=r.id, instrument=r.instrument, reserve=ui.krw(r.reserve_price),
                volume=ui.tonnes(r.volume)) for r in open_rows.itertuples()]
    row = open_rows.iloc[labels.index(st.selectbox(t("auctions.auction"), labels, key="auction_choice"))]
    cap = int(row["volume"]) * cached(auctions.summary)["bidder_cap_bps"] // 10_000
    used = (mine.get(int(row["id"])) or {}).get("tonnes", 0)
    left, right = st.columns(2)
    price = left.number_input(t("auctions.price"), min_value=int(row["reserve_price"]), step=5,
                              value=int(row["reserve_price"]), key="auction_price")
    quantity = right.number_input(t("common.tonnes_label"), min_value=1, step=1, key="auction_tonnes")
    escrow = int(price) * int(quantity)
    st.caption(t("auctions.escrow", escrow=ui.krw(escrow), available=ui.krw(money.available), cap=ui.tonnes(cap),
                 used=ui.tonnes(used)))
    if escrow > money.available:
        st.warning(t("auctions.escrow_short"))
    if st.button(t("auctions.place"), key="auction_submit"):
        auction_id = int(row["id"])
        submit(user.signer, AuctionBid(auction_id, int(price), int(quantity)), doing=t("auctions.doing_bid"),
               done=lambda c: t("auctions.bid_done", id=auction_id, height=c.height, escrow=ui.krw(escrow)))


def _my_bids(user, bids) -> None:
    if bids.empty:
        return
    st.subheader(t("auctions.your_bids"))
    ui.table(bids.assign(status=bids["status"].map(_status)))
    open_bids = bids[bids["status"] == "open"]
    if not open_bids.empty:
        with st.form("auction_cancel"):
            choices = {(int(r.auction), int(r.bid_id)): t("auctions.bid_label", auction=r.auction, bid=r.bid_id)
                       for r in open_bids.itertuples()}
            choice = st.selectbox(t("auctions.withdraw_choice"), list(choices), format_func=choices.get)
            if st.form_submit_button(t("auctions.withdraw")):
                auction_id, bid_id = choice
                submit(user.signer, AuctionCancelBid(auction_id, bid_id), doing=t("auctions.doing_withdraw"),
                       done=lambda c: t("auctions.withdrawn", bid=bid_id, height=c.height))


def _company(user) -> None:
    client = cache.client()
    try:
        money = holdings.cash(client, user.address, user.signer)
        bids, mine = auctions.my_bids(client, user.address, user.signer)
    except ChainError as exc:
        show_chain_error(exc, t("auctions.doing_cash"))
        return
    cols = st.columns(2)
    cols[0].metric(t("auctions.cash_available"), ui.krw(money.available))
    cols[1].metric(t("auctions.cash_held"), ui.krw(money.held))
    calendar = cached(auctions.calendar)
    open_rows = calendar[calendar["status"] == "open"] if not calendar.empty else calendar
    if open_rows.empty:
        st.info(t("auctions.none_open"))
    else:
        _bid_form(user, open_rows, money, mine)
    _my_bids(user, bids)


def _published_history() -> None:
    """The ministry's published results of past auctions (a file set by ETS_PORTAL_AUCTION_RESULTS), apart from
    the chain's own: the chain did not record them and does not vouch for them."""
    st.header(t("auctions.published"))
    path = cache.config().auction_results
    if path is None:
        st.info(t("auctions.no_file"))
        return
    try:
        rows = cache.auction_results(path)
    except (OSError, DatasetError) as exc:
        st.error(t("auctions.file_unreadable", name=path.name, error=exc))
        return
    if not rows:
        st.info(t("auctions.file_empty", name=path.name))
        return
    st.caption(t("auctions.file_caption", source=rows[0].source, name=path.name, n=ui.number(len(rows)),
                 first=rows[0].date, last=rows[-1].date))
    ui.table(pd.DataFrame([{
        t("auctions.col_date"): r.date, t("auctions.col_instrument"): r.instrument or "",
        t("auctions.col_offered"): ui.number(r.offered), t("auctions.col_bid"): ui.number(r.bid),
        t("auctions.col_sold"): ui.number(r.sold), t("auctions.col_price"): ui.number(r.clearing_price)}
        for r in reversed(rows)]))


def render() -> None:
    st.title(t("page.auctions"))
    st.caption(t("auctions.caption"))
    flash()
    _calendar()
    user = session.current_user()
    if user is not None and user.role == "company":
        _company(user)
    st.divider()
    _published_history()
