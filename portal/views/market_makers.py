"""Public page with a private part: the registered market makers (시장조성자) and third-party traders, and — for the
maker itself or an official — the maker's monthly obligation report: days its two-sided quote met the duty
(spread, tonnes, time) over the month's trading days, day by day.

The class list is public (Korea publishes its market makers); the report is read with a query signed by the
user's key and never cached.
"""

from __future__ import annotations

import streamlit as st

from ets.rpc import ChainError

from .. import cache, session, ui
from ..cache import cached
from ..data import makers
from ..submit import show_chain_error

__all__ = ["render"]


def _report(user) -> None:
    st.subheader("Obligation report 시장조성 의무 보고")
    table = cached(makers.makers)
    choices = [a for a, c in zip(table["account"], table["class"]) if c == makers.CLASS_LABELS["market_maker"]]
    if user.role == "company":
        if user.address not in choices:
            st.caption("Your account is not a registered market maker: no obligation report.")
            return
        address = user.address
    else:
        if not choices:
            st.caption("No market maker is registered yet.")
            return
        address = st.selectbox("Market maker", choices, key="maker_account")
    try:
        answer = makers.report(cache.client(), address, user.signer)
    except ChainError as exc:
        show_chain_error(exc, "reading the obligation report")
        return
    if not answer["months"]:
        st.caption("No quoting recorded yet.")
        return
    labels = [m["month"] for m in answer["months"]]
    month = answer["months"][labels.index(st.selectbox("Month", labels, index=len(labels) - 1, key="maker_month"))]
    st.markdown(makers.summary(month))
    st.metric("Days met 충족일", f"{month['days_met']} / {month['days_required']}")
    ui.table(makers.month_frame(month))


def render() -> None:
    st.title("Market makers 시장조성자")
    st.caption("Accounts with a participant class, set by the government (m-of-n). Market makers quote both sides of "
               "their instrument every trading day; holding limits apply by class.")
    try:
        ui.table(cached(makers.makers))
    except ChainError as exc:
        show_chain_error(exc, "reading the market makers")
        return
    user = session.current_user()
    if user is not None and user.role in ("company", "government"):
        _report(user)
