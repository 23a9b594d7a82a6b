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
from ..submit import flash, show_chain_error, submit

__all__ = ["render"]

_STATUS = {"scheduled": "scheduled · 예정", "open": "taking sealed bids · 입찰 중", "settled": "settled · 낙찰 완료"}


def _calendar() -> None:
    calendar = cached(auctions.calendar)
    summary = cached(auctions.summary)
    cols = st.columns(3)
    cols[0].metric("Paid to the government", ui.krw(summary["treasury_krw"]))
    cols[1].metric("Stabilisation reserve left", ui.tonnes(summary["reserve"]["left"]))
    cols[2].metric("Per-bidder cap", f"{summary['bidder_cap_bps'] / 100:g}% of the volume")
    if calendar.empty:
        st.info("No auction is in the calendar yet. Officials publish it by proposal (m-of-n).")
        return
    shown = calendar.assign(status=calendar["status"].map(lambda s: _STATUS.get(s, s)))
    ui.table(shown, column_config={"opens": st.column_config.DatetimeColumn("Opens (KST)", format="YYYY-MM-DD HH:mm"),
                                   "closes": st.column_config.DatetimeColumn("Closes (KST)", format="YYYY-MM-DD HH:mm")})
    st.caption("Uniform price = the lowest winning bid; fill from the highest price down; pro rata in whole tonnes "
               "at the margin, the rounding remainder by bid sequence. Unsold tonnes roll to the next auction.")


def _bid_form(user, open_rows, money, mine) -> None:
    """Not a ``st.form``: the escrow beside the fields follows every change before anything is signed."""
    st.markdown("**Sealed bid** · 밀봉 입찰")
    labels = [f"#{r.id} {r.instrument} · reserve {r.reserve_price:,} KRW · {r.volume:,} t" for r in open_rows.itertuples()]
    row = open_rows.iloc[labels.index(st.selectbox("Auction", labels, key="auction_choice"))]
    cap = int(row["volume"]) * cached(auctions.summary)["bidder_cap_bps"] // 10_000
    used = (mine.get(int(row["id"])) or {}).get("tonnes", 0)
    left, right = st.columns(2)
    price = left.number_input("Price (KRW per tonne)", min_value=int(row["reserve_price"]), step=5,
                              value=int(row["reserve_price"]), key="auction_price")
    quantity = right.number_input("Tonnes", min_value=1, step=1, key="auction_tonnes")
    escrow = int(price) * int(quantity)
    st.caption(f"Escrow of this bid: **{ui.krw(escrow)}** of your available {ui.krw(money.available)} · "
               f"your cap {cap:,} t, of which {used:,} t already bid · 입찰 보증금")
    if escrow > money.available:
        st.warning("Your available cash does not cover this escrow: the chain would refuse the bid.")
    if st.button("Place sealed bid", key="auction_submit"):
        auction_id = int(row["id"])
        submit(user.signer, AuctionBid(auction_id, int(price), int(quantity)), doing="placing your sealed bid",
               done=lambda c: f"Sealed bid in auction #{auction_id} committed at block {c.height}; {ui.krw(escrow)} escrowed.")


def _my_bids(user, bids) -> None:
    if bids.empty:
        return
    st.subheader("Your bids · 내 입찰")
    ui.table(bids)
    open_bids = bids[bids["status"] == "open"]
    if not open_bids.empty:
        with st.form("auction_cancel"):
            choice = st.selectbox("Bid to withdraw", [f"auction #{r.auction} bid {r.bid_id}" for r in open_bids.itertuples()])
            if st.form_submit_button("Withdraw bid (release escrow)"):
                auction_id, bid_id = (int(part) for part in choice.removeprefix("auction #").split(" bid "))
                submit(user.signer, AuctionCancelBid(auction_id, bid_id), doing="withdrawing your bid",
                       done=lambda c: f"Bid {bid_id} withdrawn at block {c.height}; its escrow is released.")


def _company(user) -> None:
    client = cache.client()
    try:
        money = holdings.cash(client, user.address, user.signer)
        bids, mine = auctions.my_bids(client, user.address, user.signer)
    except ChainError as exc:
        show_chain_error(exc, "reading your cash and bids")
        return
    cols = st.columns(2)
    cols[0].metric("Cash available", ui.krw(money.available))
    cols[1].metric("Cash held (orders and bids)", ui.krw(money.held))
    calendar = cached(auctions.calendar)
    open_rows = calendar[calendar["status"] == "open"] if not calendar.empty else calendar
    if open_rows.empty:
        st.info("No auction takes bids now.")
    else:
        _bid_form(user, open_rows, money, mine)
    _my_bids(user, bids)


def _published_history() -> None:
    """The ministry's published results of past auctions (a file set by ETS_PORTAL_AUCTION_RESULTS), apart from
    the chain's own: the chain did not record them and does not vouch for them."""
    st.header("Published auction results · 공표된 경매 결과 (imported file, not chain data)")
    path = cache.config().auction_results
    if path is None:
        st.info("No published auction-results file is configured (ETS_PORTAL_AUCTION_RESULTS: JSON or CSV, one row "
                "per auction). · 공표된 경매 결과 파일이 설정되지 않았습니다.")
        return
    try:
        rows = cache.auction_results(path)
    except (OSError, DatasetError) as exc:
        st.error(f"The auction-results file {path.name} cannot be read: {exc}")
        return
    if not rows:
        st.info(f"{path.name} holds no auction.")
        return
    st.caption(f"Source: {rows[0].source}. File {path.name}, {len(rows):,} auctions, {rows[0].date} to {rows[-1].date}. "
               "Historical data, not recorded on or checked by the chain.")
    ui.table(pd.DataFrame([{
        "date": r.date, "instrument": r.instrument or "", "offered (t)": f"{r.offered:,}", "bid (t)": f"{r.bid:,}",
        "sold (t)": f"{r.sold:,}", "clearing price (KRW/t)": f"{r.clearing_price:,}"} for r in reversed(rows)]))


def render() -> None:
    st.title("Government auctions")
    st.caption("정부 유상할당 경매 · sealed bids, one uniform price, results published without bidders' names")
    flash()
    _calendar()
    user = session.current_user()
    if user is not None and user.role == "company":
        _company(user)
    st.divider()
    _published_history()
