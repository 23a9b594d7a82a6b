"""Block (OTC, 협의) trades with sealed prices: companies propose, accept, decline; the regulator reads.

A company proposes a trade to another company: quantity in clear on chain, the price encrypted
(``protocol.sealed``) to the proposer, the counterparty and the regulator's view keys, with a hash
commitment on chain. The counterparty sees the DECRYPTED price (checked against the commitment)
before it accepts or declines; the allowances move on acceptance (cash is settled by the banks
off chain). A government official sees every block trade sealed to its view key, decrypted.
Each account first publishes its view key (one ``set_view_key`` transaction; the key is derived
from the account's signing key, so nothing new is stored).
"""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from ets.rpc import ChainError, QueryError
from protocol.codes import Code
from protocol.messages import BlockTradeAccept, BlockTradeCancel, RecordAccess, SetViewKey
from protocol.messages.access import EVERY_ACCOUNT, MIN_REASON
from protocol.sealed import view_public_hex

from .. import cache, confirm, session, ui
from ..data import blocktrades, holdings, registry
from ..i18n import t
from ..submit import flash, show_chain_error, submit

__all__ = ["render"]

_LIVE_SECONDS = 3
_STATUS = {"proposed": "waiting for the counterparty", "settled": "settled", "cancelled": "cancelled by the proposer",
           "declined": "declined by the counterparty"}


def _view_key(user) -> bool:
    """Show whether the account's view key is on chain, offering to register it; True when it is."""
    try:
        record = registry.account(cache.client(), user.address) or {}  # fresh: just registered, perhaps
    except ChainError as exc:
        show_chain_error(exc, "reading your account")
        return False
    own = view_public_hex(user.signer)
    if record.get("view_key") == own:
        st.caption(f"Your view key is on chain ({own[:16]}…): prices sealed to it open here.")
        return True
    if record.get("view_key"):
        st.warning("The view key on chain for your account is not the one your signing key derives; prices sealed "
                   "to it cannot be opened here. Register your view key again.")
    else:
        st.warning("Your account has no view key on chain yet. Register it (one transaction) so that block-trade "
                   "prices can be sealed to you.")
    if st.button("Register my view key", type="primary", key="register_view_key"):
        submit(user.signer, SetViewKey(own), doing="registering your view key",
               done=lambda c: f"Your view key is on chain (block {c.height}).")
    return False


def _price_text(row) -> str:
    if pd.isna(row.price):
        return f"cannot be opened: {row.price_note}"
    return f"{int(row.price):,} KRW/t (value {int(row.value_krw):,} KRW)"


def _history_table(trades: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "trade": trades["trade_id"].map(lambda v: f"#{v}"),
        "status": trades["status"].map(lambda s: _STATUS.get(s, s)),
        "instrument": trades["instrument"],
        "seller": trades["seller_name"], "buyer": trades["buyer_name"],
        "tonnes": trades["quantity"].map(lambda v: f"{int(v):,}"),
        "price (KRW/t)": trades["price"].map(lambda v: "sealed" if pd.isna(v) else f"{int(v):,}"),
        "value (KRW)": trades["value_krw"].map(lambda v: "" if pd.isna(v) else f"{int(v):,}"),
        "price check": trades["price_note"],
        "proposed at block": trades["proposed_height"],
        "closed at block": trades["closed_height"].map(lambda v: "" if pd.isna(v) else str(int(v))),
    }).reset_index(drop=True)


# ---------------------------------------------------------------- company


def _company_options(user) -> dict[str, str]:
    keys = registry.view_keys(cache.client(), "company")
    out = {}
    for r in keys.itertuples():
        if r.address == user.address:
            continue
        ident = f" ({r.company_id})" if isinstance(r.company_id, str) and r.company_id else ""
        missing = "" if isinstance(r.view_key, str) and r.view_key else " — no view key yet"
        out[r.address] = f"{r.name}{ident}{missing}"
    return out


def _propose(user) -> None:
    st.subheader("Propose a block trade")
    st.caption("The quantity goes on chain in clear; the price is encrypted to you, the counterparty and the "
               "regulator before it leaves this page, with a hash commitment on chain. Selling holds your allowances "
               "until the counterparty accepts or declines (or you cancel).")
    try:
        options = _company_options(user)
        owned = holdings.holdings(cache.client(), user.address, user.signer)
    except ChainError as exc:
        show_chain_error(exc, "reading the company registry")
        return
    if not options:
        st.info("No other company is registered.")
        return
    instruments = sorted(set(owned["instrument"]) | {"KAU25"})
    with st.form("block_trade_propose"):
        counterparty = st.selectbox("Counterparty", list(options), format_func=options.get, key="block_counterparty")
        c1, c2 = st.columns(2)
        instrument = c1.selectbox("Instrument", instruments, index=instruments.index("KAU25"), key="block_instrument")
        side = c2.radio("Your side", ["Sell", "Buy"], horizontal=True, key="block_side")
        c1, c2 = st.columns(2)
        quantity = c1.number_input("Quantity (tonnes)", min_value=0, value=0, step=1, key="block_quantity")
        price = c2.number_input("Price (KRW per tonne, sealed)", min_value=0, value=0, step=1, key="block_price")
        submitted = st.form_submit_button("Seal price and propose", type="primary")
    if not submitted:
        return
    side_key = side.lower()
    row = owned[owned["instrument"] == instrument]
    available = int(row["available"].iloc[0]) if not row.empty else 0
    if side_key == "sell" and 0 < int(quantity) and int(quantity) > available:
        st.error(f"Nothing was sent: selling {int(quantity):,} t {instrument} needs {int(quantity):,} t available, but "
                 f"you have {available:,} t available.")
        return
    try:
        msg = blocktrades.block_trade_message(cache.client(), user.signer, counterparty, instrument, side_key,
                                              int(quantity), int(price))
    except blocktrades.BlockTradeError as exc:
        st.error(f"Nothing was sent: {exc}")
        return
    except ChainError as exc:
        show_chain_error(exc, "reading the view keys")
        return
    name = options[counterparty].split(" — ")[0]
    restated = t("flows.confirm.block_propose", counterparty=name, side=t(f"flows.confirm.side_{side_key}"),
                 instrument=instrument, quantity=ui.tonnes(quantity), price=ui.krw(price),
                 value=ui.krw(int(price) * int(quantity)))
    confirm.ask("block_trade", restated, msg, doing="proposing the block trade",
           done=lambda c: f"Block trade #{json.loads(c.data or b'{}').get('trade_id')} proposed to {name}: you "
                          f"{side_key} {int(quantity):,} t {instrument} at {int(price):,} KRW/t (sealed; block {c.height}).")


def _incoming(user, trades: pd.DataFrame) -> None:
    st.subheader("Proposals to you")
    waiting = trades[(trades["status"] == blocktrades.BLOCK_OPEN) & (trades["counterparty"] == user.address)]
    if waiting.empty:
        st.caption("No proposal is waiting for your answer.")
    for row in waiting.itertuples():
        you = "buy" if row.buyer == user.address else "sell"
        with st.container(border=True):
            st.markdown(f"**Block trade #{row.trade_id}** from **{row.proposer_name}**: you {you} **{row.quantity:,} t "
                        f"{row.instrument}** at **{_price_text(row)}** · proposed at block {row.proposed_height}")
            c1, c2, _ = st.columns([1, 1, 4])
            if pd.isna(row.price):
                st.error("The price sealed for you cannot be opened or does not match its commitment: do not accept; "
                         "decline and ask the proposer to propose again.")
            elif c1.button(f"Accept #{row.trade_id}", type="primary", key=f"accept_block_{row.trade_id}"):
                confirm.ask("block_trade", _accept_text(row, you), BlockTradeAccept(int(row.trade_id)),
                            doing=f"accepting block trade #{row.trade_id}",
                            done=lambda c, r=row: f"Block trade #{r.trade_id} settled at block {c.height}: "
                                                  f"{r.quantity:,} t {r.instrument} moved. Settle the "
                                                  f"{int(r.value_krw):,} KRW through your bank.")
            if c2.button(f"Decline #{row.trade_id}", key=f"decline_block_{row.trade_id}"):
                confirm.ask("block_trade", _decline_text(row, row.proposer_name), BlockTradeCancel(int(row.trade_id)),
                            doing=f"declining block trade #{row.trade_id}",
                            done=lambda c, r=row: f"Block trade #{r.trade_id} declined (block {c.height}).")


def _outgoing(user, trades: pd.DataFrame) -> None:
    mine = trades[(trades["status"] == blocktrades.BLOCK_OPEN) & (trades["proposer"] == user.address)]
    if mine.empty:
        return
    st.subheader("Your open proposals")
    for row in mine.itertuples():
        you = "buy" if row.buyer == user.address else "sell"
        left, right = st.columns([5, 1])
        left.markdown(f"**#{row.trade_id}** to {row.counterparty_name}: you {you} {row.quantity:,} t {row.instrument} at "
                      f"{_price_text(row)} · waiting since block {row.proposed_height}")
        if right.button(f"Withdraw #{row.trade_id}", key=f"cancel_block_{row.trade_id}"):
            confirm.ask("block_trade", _decline_text(row, row.counterparty_name), BlockTradeCancel(int(row.trade_id)),
                        doing=f"withdrawing block trade #{row.trade_id}",
                        done=lambda c, r=row: f"Block trade #{r.trade_id} withdrawn (block {c.height}); held "
                                              "allowances released.")


def _accept_text(row, you: str) -> str:
    return t("flows.confirm.block_accept", trade_id=row.trade_id, counterparty=row.proposer_name,
             side=t(f"flows.confirm.side_{you}"), instrument=row.instrument, quantity=ui.tonnes(row.quantity),
             price=ui.krw(row.price), value=ui.krw(row.value_krw))


def _decline_text(row, other: str) -> str:
    return t("flows.confirm.block_decline", trade_id=row.trade_id, counterparty=other, instrument=row.instrument,
             quantity=ui.tonnes(row.quantity))


@st.fragment(run_every=_LIVE_SECONDS)
def _company_live(user) -> None:
    try:
        trades = blocktrades.block_trades(cache.client(), user.address, user.signer)
    except ChainError as exc:
        show_chain_error(exc, "reading your block trades")
        return
    _incoming(user, trades)
    _outgoing(user, trades)
    st.subheader("History")
    if trades.empty:
        st.caption("No block trade yet.")
    else:
        st.table(_history_table(trades))


def _company(user) -> None:
    has_key = _view_key(user)
    if has_key:
        _propose(user)
    confirm.pending("block_trade", user.signer)
    st.divider()
    _company_live(user)


# ---------------------------------------------------------------- regulator


@st.fragment(run_every=_LIVE_SECONDS)
def _record_access(user) -> None:
    """The form an official fills before reading every company's block trades: the reason goes on chain."""
    st.warning("Reading every company's block trades is recorded on chain first: each company sees who looked, "
               "when and why.  \n기업의 비공개 정보를 조회하기 전에 사유를 기록합니다. 기업은 누가, 언제, 왜 조회했는지 볼 수 있습니다.")
    with st.form("record_access"):
        reason = st.text_input("Reason (at least 10 characters) · 조회 사유", max_chars=300)
        if st.form_submit_button("Record and read · 기록하고 조회"):
            if len(reason.strip()) < MIN_REASON:
                st.error(f"Say why in at least {MIN_REASON} characters; the companies will read it.")
                return
            submit(user.signer, RecordAccess(EVERY_ACCOUNT, reason.strip()), doing="recording why you read the block trades",
                   done=lambda commit: f"Recorded at height {commit.height:,}: the block trades below are yours to read "
                                       "for the access window.")


def _regulator_live(user) -> None:
    try:
        trades = blocktrades.regulator_block_trades(cache.client(), user.signer)
    except QueryError as exc:
        if exc.code == Code.ACCESS_NOT_RECORDED:
            _record_access(user)
        else:
            show_chain_error(exc, "reading the block trades")
        return
    except ChainError as exc:
        show_chain_error(exc, "reading the block trades")
        return
    if trades.empty:
        st.info("No block trade has been proposed on chain.")
        return
    settled = trades[trades["status"] == "settled"]
    opened = trades["price"].notna()
    c1, c2, c3 = st.columns(3)
    c1.metric("Block trades", f"{len(trades):,}", help=f"{len(settled):,} settled")
    c2.metric("Settled tonnes", f"{int(settled['quantity'].sum()):,} t")
    c3.metric("Prices you can open", f"{int(opened.sum()):,} of {len(trades):,}")
    if not opened.all():
        st.caption("A price stays sealed when it was not sealed to your view key (it was sealed to the officials who "
                   "had one when the trade was proposed).")
    st.table(_history_table(trades))


def _regulator(user) -> None:
    st.caption("Every block trade between companies, with the price sealed to your view key opened and checked "
               "against its commitment on chain. The public sees only daily counts and tonnes.")
    _view_key(user)
    _regulator_live(user)


def render() -> None:
    user = session.require_role("company", "government")
    st.title("Block trades")
    flash()
    record = cache.account_record(user.address) or {}
    if record.get("role") == "government":
        _regulator(user)
    else:
        st.caption(f"{user.name} · account {user.address}. Block trades are agreed between two companies; their "
                   "prices are readable only by the two parties and the regulator.")
        _company(user)
