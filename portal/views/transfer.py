"""Company page: transfer allowances to another registered company, under the account's own controls.

The form shows what the chain will check first: the tonnes available per instrument and the account's
custody controls (four eyes, per-transaction and period limits, from ``/custody``). Without four eyes the
transfer moves at once (``transfer``); with four eyes it is initiated and waits, its tonnes held, for an
approver (``custody_transfer``). Either way the page restates recipient, instrument and tonnes and sends
nothing before the user confirms (``portal.confirm``).
"""

from __future__ import annotations

import json

import streamlit as st

from ets.rpc import ChainError
from protocol.messages import CustodyTransfer, Transfer

from .. import cache, confirm, session, ui
from ..cache import cached
from ..data import custody, holdings, registry
from ..i18n import t
from ..submit import flash, show_chain_error

__all__ = ["render"]

_KEY = "transfer"


def _controls(record: dict) -> None:
    limits, usage = record.get("limits") or {}, record.get("usage") or {}
    four_eyes = bool(record.get("four_eyes"))
    set_limits = {name: value for name, value in sorted(limits.items()) if value}
    st.info(t("flows.transfer.four_eyes_on" if four_eyes else "flows.transfer.four_eyes_off"), icon=":material/shield:")
    if set_limits:
        st.caption(t("flows.transfer.limits", limits=", ".join(
            t("flows.transfer.limit_item", period=_period(name), limit=ui.tonnes(value),
              used=ui.tonnes(usage.get(name, 0))) for name, value in set_limits.items())))


def _period(name: str) -> str:
    return ui.coded("custody.period", name, custody.LIMITS)


def _recipients(user) -> dict[str, str]:
    """Each other company's name by address (the select box adds the start of the address to tell two apart)."""
    companies = cached(registry.accounts, "company")
    return {r.address: r.name for r in companies.itertuples() if r.address != user.address}


def _done(commit, amount: int, instrument: str, name: str) -> str:
    result = json.loads(commit.data or b"{}") if commit.data else {}
    if result.get("status") == "waiting":
        return t("flows.transfer.waiting", transfer_id=result.get("transfer_id"), amount=ui.tonnes(amount),
                 instrument=instrument, name=name, height=commit.height)
    return t("flows.transfer.done", amount=ui.tonnes(amount), instrument=instrument, name=name, height=commit.height)


def render() -> None:
    user = session.require_role("company")
    st.title(t("flows.transfer.title"))
    st.caption(t("flows.transfer.caption"))
    flash()
    client = cache.client()
    try:
        owned = holdings.holdings(client, user.address, user.signer)
        record = custody.record(client, user.signer, user.address)
    except ChainError as exc:
        show_chain_error(exc, t("flows.transfer.doing_read"))
        return
    _controls(record)
    available = {r.instrument: int(r.available) for r in owned.itertuples() if int(r.available) > 0}
    recipients = _recipients(user)
    if not available or not recipients:
        st.info(t("flows.transfer.nothing" if not available else "flows.transfer.no_recipient"))
        return
    with st.form("transfer_form"):
        to = st.selectbox(t("flows.transfer.to"), list(recipients), format_func=lambda a: f"{recipients[a]} ({a[:12]}…)",
                          key="transfer_to")
        instrument = st.selectbox(t("flows.transfer.instrument"), list(available),
                                  format_func=lambda i: t("flows.transfer.instrument_option", instrument=i,
                                                          available=ui.tonnes(available[i])),
                                  key="transfer_instrument")
        amount = int(st.number_input(t("flows.transfer.amount"), min_value=1, step=1, key="transfer_amount"))
        submitted = st.form_submit_button(t("flows.transfer.send"), type="primary")
    confirm.pending(_KEY, user.signer)
    if not submitted:
        return
    if amount > available[instrument]:
        st.error(t("flows.transfer.too_much", amount=ui.tonnes(amount), instrument=instrument,
                   available=ui.tonnes(available[instrument])))
        return
    name = recipients[to]
    four_eyes = bool(record.get("four_eyes"))
    msg = CustodyTransfer(to, instrument, amount) if four_eyes else Transfer(to, instrument, amount)
    restated = t("flows.confirm.transfer_waits" if four_eyes else "flows.confirm.transfer", amount=ui.tonnes(amount),
                 instrument=instrument, name=name, address=to)
    confirm.ask(_KEY, restated, msg, doing=t("flows.transfer.doing_send"),
                done=lambda c: _done(c, amount, instrument, name))
