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
from ..i18n import t
from ..submit import show_chain_error

__all__ = ["render"]


def _class(code: str) -> str:
    return ui.coded("makers.class", code, makers.CLASSES)


def _names(accounts) -> dict[str, str]:
    return {a: (cache.account_record(a) or {}).get("name") or a for a in accounts}


def _summary(month: dict) -> str:
    return t("makers.summary", month=month["month"], instrument=month["instrument"], met=month["days_met"],
             required=month["days_required"], seconds=ui.number(month["min_seconds"]),
             spread=ui.krw(month["max_spread_krw"]), tonnes=ui.tonnes(month["min_quote_tonnes"]))


def _report(user) -> None:
    st.subheader(t("makers.report"))
    table = cached(makers.makers)
    choices = [a for a, c in zip(table["account"], table["class"]) if c == "market_maker"]
    if user.role == "company":
        if user.address not in choices:
            st.caption(t("makers.not_a_maker"))
            return
        address = user.address
    else:
        if not choices:
            st.caption(t("makers.none_registered"))
            return
        names = _names(choices)
        address = st.selectbox(t("makers.maker"), choices, format_func=names.get, key="maker_account")
    try:
        answer = makers.report(cache.client(), address, user.signer)
    except ChainError as exc:
        show_chain_error(exc, t("makers.doing_report"))
        return
    if not answer["months"]:
        st.caption(t("makers.no_quoting"))
        return
    labels = [m["month"] for m in answer["months"]]
    month = answer["months"][labels.index(st.selectbox(t("common.month"), labels, index=len(labels) - 1,
                                                       key="maker_month"))]
    st.markdown(_summary(month))
    st.metric(t("makers.days_met"), f"{month['days_met']} / {month['days_required']}")
    days = makers.month_frame(month)
    ui.table(days.assign(met=days["met"].map(lambda m: t("makers.met") if m != "-" else "-")))


def render() -> None:
    st.title(t("page.market_makers"))
    st.caption(t("makers.caption"))
    try:
        listed = cached(makers.makers)
    except ChainError as exc:
        show_chain_error(exc, t("makers.doing_list"))
        return
    names = _names(listed["account"])
    ui.table(listed.assign(name=listed["account"].map(names), **{"class": listed["class"].map(_class),
                           "since (KST)": listed["since (KST)"].map(ui.kst)})[["name", "account", "class", "instrument",
                                                                                "since (KST)"]])
    user = session.current_user()
    if user is not None and user.role in ("company", "government"):
        _report(user)
