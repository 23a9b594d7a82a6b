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
_STATUS = ("proposed", "settled", "cancelled", "declined")


def _status(status: str) -> str:
    return ui.coded("block.status", status, _STATUS)


def _you(side: str) -> str:
    return t(f"block.you_{side}")


def _view_key(user) -> bool:
    """Show whether the account's view key is on chain, offering to register it; True when it is."""
    try:
        record = registry.account(cache.client(), user.address) or {}  # fresh: just registered, perhaps
    except ChainError as exc:
        show_chain_error(exc, t("block.doing_account"))
        return False
    own = view_public_hex(user.signer)
    if record.get("view_key") == own:
        st.caption(t("block.key_on_chain", prefix=own[:16]))
        return True
    if record.get("view_key"):
        st.warning(t("block.key_mismatch"))
    else:
        st.warning(t("block.key_missing"))
    if st.button(t("block.register_key"), type="primary", key="register_view_key"):
        submit(user.signer, SetViewKey(own), doing=t("block.doing_register"),
               done=lambda c: t("block.registered", height=c.height))
    return False


def _price_text(row) -> str:
    if pd.isna(row.price):
        return t("block.cannot_open", note=row.price_note)
    return t("block.price_value", price=ui.number(row.price), value=ui.number(row.value_krw))


def _history_table(trades: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        t("block.col_trade"): trades["trade_id"].map(lambda v: f"#{v}"),
        t("block.col_status"): trades["status"].map(_status),
        t("block.col_instrument"): trades["instrument"],
        t("block.col_seller"): trades["seller_name"], t("block.col_buyer"): trades["buyer_name"],
        t("block.col_tonnes"): trades["quantity"].map(ui.number),
        t("block.col_price"): trades["price"].map(lambda v: t("block.sealed") if pd.isna(v) else ui.number(v)),
        t("block.col_value"): trades["value_krw"].map(lambda v: "" if pd.isna(v) else ui.number(v)),
        t("block.col_check"): trades["price_note"],
        t("block.col_proposed"): trades["proposed_time"].map(ui.kst),
        t("block.col_closed"): trades["closed_time"].map(ui.kst),
    }).reset_index(drop=True)


# ---------------------------------------------------------------- company


def _company_options(user) -> dict[str, str]:
    keys = registry.view_keys(cache.client(), "company")
    out = {}
    for r in keys.itertuples():
        if r.address == user.address:
            continue
        missing = "" if isinstance(r.view_key, str) and r.view_key else t("block.no_view_key")
        out[r.address] = f"{r.name}{missing}"
    return out


def _propose(user) -> None:
    st.subheader(t("block.propose"))
    st.caption(t("block.propose_caption"))
    try:
        options = _company_options(user)
        owned = holdings.holdings(cache.client(), user.address, user.signer)
    except ChainError as exc:
        show_chain_error(exc, t("block.doing_registry"))
        return
    if not options:
        st.info(t("block.no_company"))
        return
    instruments = sorted(set(owned["instrument"]) | {"KAU25"})
    with st.form("block_trade_propose"):
        counterparty = st.selectbox(t("block.counterparty"), list(options), format_func=options.get, key="block_counterparty")
        c1, c2 = st.columns(2)
        instrument = c1.selectbox(t("common.instrument"), instruments, index=instruments.index("KAU25"), key="block_instrument")
        side = c2.radio(t("block.your_side"), ["Sell", "Buy"], horizontal=True, key="block_side",
                        format_func=lambda s: t(f"block.{s.lower()}"))
        c1, c2 = st.columns(2)
        quantity = c1.number_input(t("block.quantity"), min_value=0, value=0, step=1, key="block_quantity")
        price = c2.number_input(t("block.price"), min_value=0, value=0, step=1, key="block_price")
        submitted = st.form_submit_button(t("block.seal_and_propose"), type="primary")
    if not submitted:
        return
    side_key = side.lower()
    row = owned[owned["instrument"] == instrument]
    available = int(row["available"].iloc[0]) if not row.empty else 0
    if side_key == "sell" and 0 < int(quantity) and int(quantity) > available:
        st.error(t("block.not_enough", quantity=ui.number(quantity), instrument=instrument, available=ui.number(available)))
        return
    try:
        msg = blocktrades.block_trade_message(cache.client(), user.signer, counterparty, instrument, side_key,
                                              int(quantity), int(price))
    except blocktrades.BlockTradeError as exc:
        st.error(t("block.not_sent", error=exc))
        return
    except ChainError as exc:
        show_chain_error(exc, t("block.doing_view_keys"))
        return
    name = options[counterparty].split(" — ")[0]
    restated = t("flows.confirm.block_propose", counterparty=name, side=t(f"flows.confirm.side_{side_key}"),
                 instrument=instrument, quantity=ui.tonnes(quantity), price=ui.krw(price),
                 value=ui.krw(int(price) * int(quantity)))
    confirm.ask("block_trade", restated, msg, doing=t("block.doing_propose"),
                done=lambda c: t("block.proposed", id=json.loads(c.data or b"{}").get("trade_id"), name=name,
                                 side=_you(side_key), quantity=ui.number(quantity), instrument=instrument,
                                 price=ui.number(price), height=c.height))


def _incoming(user, trades: pd.DataFrame) -> None:
    st.subheader(t("block.to_you"))
    waiting = trades[(trades["status"] == blocktrades.BLOCK_OPEN) & (trades["counterparty"] == user.address)]
    if waiting.empty:
        st.caption(t("block.none_waiting"))
    for row in waiting.itertuples():
        you = "buy" if row.buyer == user.address else "sell"
        with st.container(border=True):
            st.markdown(t("block.incoming", id=row.trade_id, proposer=row.proposer_name, you=_you(you),
                          quantity=ui.number(row.quantity), instrument=row.instrument, price=_price_text(row),
                          time=ui.kst(row.proposed_time)))
            c1, c2, _ = st.columns([1, 1, 4])
            if pd.isna(row.price):
                st.error(t("block.price_unusable"))
            elif c1.button(t("block.accept", id=row.trade_id), type="primary", key=f"accept_block_{row.trade_id}"):
                confirm.ask("block_trade", _accept_text(row, you), BlockTradeAccept(int(row.trade_id)),
                            doing=t("block.doing_accept", id=row.trade_id),
                            done=lambda c, r=row: t("block.settled", id=r.trade_id, height=c.height,
                                                    quantity=ui.number(r.quantity), instrument=r.instrument,
                                                    value=ui.number(r.value_krw)))
            if c2.button(t("block.decline", id=row.trade_id), key=f"decline_block_{row.trade_id}"):
                confirm.ask("block_trade", _decline_text(row, row.proposer_name), BlockTradeCancel(int(row.trade_id)),
                            doing=t("block.doing_decline", id=row.trade_id),
                            done=lambda c, r=row: t("block.declined", id=r.trade_id, height=c.height))


def _outgoing(user, trades: pd.DataFrame) -> None:
    mine = trades[(trades["status"] == blocktrades.BLOCK_OPEN) & (trades["proposer"] == user.address)]
    if mine.empty:
        return
    st.subheader(t("block.your_open"))
    for row in mine.itertuples():
        you = "buy" if row.buyer == user.address else "sell"
        left, right = st.columns([5, 1])
        left.markdown(t("block.outgoing", id=row.trade_id, counterparty=row.counterparty_name, you=_you(you),
                        quantity=ui.number(row.quantity), instrument=row.instrument, price=_price_text(row),
                        time=ui.kst(row.proposed_time)))
        if right.button(t("block.withdraw", id=row.trade_id), key=f"cancel_block_{row.trade_id}"):
            confirm.ask("block_trade", _decline_text(row, row.counterparty_name), BlockTradeCancel(int(row.trade_id)),
                        doing=t("block.doing_withdraw", id=row.trade_id),
                        done=lambda c, r=row: t("block.withdrawn", id=r.trade_id, height=c.height))


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
        show_chain_error(exc, t("block.doing_yours"))
        return
    _incoming(user, trades)
    _outgoing(user, trades)
    st.subheader(t("block.history"))
    if trades.empty:
        st.caption(t("block.none_yet"))
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
    st.warning(t("block.access_warning"))
    with st.form("record_access"):
        reason = st.text_input(t("block.reason"), max_chars=300)
        if st.form_submit_button(t("block.record_and_read")):
            if len(reason.strip()) < MIN_REASON:
                st.error(t("block.reason_short", n=MIN_REASON))
                return
            submit(user.signer, RecordAccess(EVERY_ACCOUNT, reason.strip()), doing=t("block.doing_record"),
                   done=lambda commit: t("block.recorded", height=ui.number(commit.height)))


def _regulator_live(user) -> None:
    try:
        trades = blocktrades.regulator_block_trades(cache.client(), user.signer)
    except QueryError as exc:
        if exc.code == Code.ACCESS_NOT_RECORDED:
            _record_access(user)
        else:
            show_chain_error(exc, t("block.doing_read"))
        return
    except ChainError as exc:
        show_chain_error(exc, t("block.doing_read"))
        return
    if trades.empty:
        st.info(t("block.none_on_chain"))
        return
    settled = trades[trades["status"] == "settled"]
    opened = trades["price"].notna()
    c1, c2, c3 = st.columns(3)
    c1.metric(t("block.trades"), ui.number(len(trades)), help=t("block.settled_help", n=ui.number(len(settled))))
    c2.metric(t("block.settled_tonnes"), ui.tonnes(settled["quantity"].sum()))
    c3.metric(t("block.can_open"), t("block.can_open_value", opened=ui.number(opened.sum()), total=ui.number(len(trades))))
    if not opened.all():
        st.caption(t("block.stays_sealed"))
    st.table(_history_table(trades))


def _regulator(user) -> None:
    st.caption(t("block.regulator_caption"))
    _view_key(user)
    _regulator_live(user)


def render() -> None:
    user = session.require_role("company", "government")
    st.title(t("page.block_trades"))
    flash()
    record = cache.account_record(user.address) or {}
    if record.get("role") == "government":
        _regulator(user)
    else:
        st.caption(t("block.company_caption", name=user.name, address=user.address))
        _company(user)
