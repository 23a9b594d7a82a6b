"""Government page: the certification queue of a year (propose certifying it, m-of-n: approve under
Proposals), the compliance dashboard, and objections with the decision form."""

from __future__ import annotations

import streamlit as st

from ets.compliance import certification_batches
from ets.rpc import ChainError
from protocol.messages import Propose
from protocol.messages.compliance import DecideObjection

from .. import cache, session, ui
from ..cache import cached
from ..data import compliance
from ..i18n import t
from ..submit import flash, show_chain_error, submit

__all__ = ["render"]


def render() -> None:
    user = session.require_role("government")
    st.title(t("page.certification"))
    flash()
    year = ui.year_input("certification_year")
    try:
        queue = cached(compliance.queue, year)
        table = cached(compliance.table, year)
        objections = cached(compliance.objections)
    except ChainError as exc:
        show_chain_error(exc, t("certification.doing_queue"))
        return
    st.subheader(t("certification.dashboard"))
    counts = table["status"].value_counts().to_dict() if not table.empty else {}
    cols = st.columns(5)
    for col, code in zip(cols, ("open", "A", "B", "C", "D")):
        col.metric(code, counts.get(code, 0), help=ui.compliance_status(code))
    st.subheader(t("certification.awaiting", n=len(queue)))
    if queue.empty:
        st.caption(t("certification.none_waiting"))
    else:
        ui.table(queue.assign(company=queue["company"].map(_name)))
        with st.form("certify"):
            reason = st.text_input(t("common.reason"), value=t("certification.default_reason"))
            if st.form_submit_button(t("certification.propose")):
                (batch, *rest) = certification_batches(queue.assign(year=year).to_dict("records"), year, reason)
                submit(user.signer, Propose(batch), doing=t("certification.doing_propose"),
                       done=lambda c: t("certification.proposed", height=c.height)
                                      + (t("certification.more_batches", n=len(rest)) if rest else ""))
    st.subheader(t("certification.objections"))
    if objections.empty:
        st.caption(t("certification.no_objection"))
        return
    ui.table(objections.assign(company=objections["company"].map(_name)))
    open_ids = [int(i) for i in objections[objections["status"] == "open"]["id"]]
    if open_ids:
        with st.form("decide"):
            objection_id = st.selectbox(t("certification.objection"), open_ids)
            decision = st.radio(t("certification.decision"), ("upheld", "dismissed"), horizontal=True,
                                format_func=lambda d: t(f"certification.decision_{d}"))
            quantity = st.number_input(t("certification.quantity"), step=1)
            reason = st.text_input(t("common.reason"))
            if st.form_submit_button(t("certification.propose_decision")) and reason:
                msg = DecideObjection(int(objection_id), decision, reason, int(quantity) if decision == "upheld" else None)
                submit(user.signer, Propose(msg), doing=t("certification.doing_decision"),
                       done=lambda c: t("certification.decision_proposed", height=c.height))


def _name(address: str) -> str:
    """A company's name from the registry (its address when the chain has none)."""
    return (cache.account_record(address) or {}).get("name") or address
