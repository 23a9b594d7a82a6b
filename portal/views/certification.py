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
from ..submit import flash, show_chain_error, submit

__all__ = ["render"]


def render() -> None:
    user = session.require_role("government")
    st.title("Certification")
    flash()
    year = ui.year_input("certification_year")
    try:
        queue = cached(compliance.queue, year)
        table = cached(compliance.table, year)
        objections = cached(compliance.objections)
    except ChainError as exc:
        show_chain_error(exc, "reading the certification queue")
        return
    st.subheader("Dashboard")
    counts = table["status"].value_counts().to_dict() if not table.empty else {}
    cols = st.columns(5)
    for col, code in zip(cols, ("open", "A", "B", "C", "D")):
        col.metric(code, counts.get(code, 0), help=compliance.STATUS_CODES[code])
    st.subheader(f"Awaiting certification ({len(queue)})")
    if queue.empty:
        st.caption("No current statement awaits certification.")
    else:
        ui.table(queue)
        with st.form("certify"):
            reason = st.text_input("Reason", value="as verified")
            if st.form_submit_button("Propose certification at the verified figures"):
                (batch, *rest) = certification_batches(queue.assign(year=year).to_dict("records"), year, reason)
                submit(user.signer, Propose(batch), doing="proposing the certification",
                       done=lambda c: f"Proposed at block {c.height}: another official approves it under Proposals"
                                      + (f" ({len(rest)} more batches to propose)" if rest else ""))
    st.subheader("Objections")
    if objections.empty:
        st.caption("No objection has been filed.")
        return
    ui.table(objections)
    open_ids = [int(i) for i in objections[objections["status"] == "open"]["id"]]
    if open_ids:
        with st.form("decide"):
            objection_id = st.selectbox("Objection", open_ids)
            decision = st.radio("Decision", ("upheld", "dismissed"), horizontal=True)
            quantity = st.number_input("Upheld: new certified figure, or allocation adjustment (± t)", step=1)
            reason = st.text_input("Reason")
            if st.form_submit_button("Propose decision") and reason:
                msg = DecideObjection(int(objection_id), decision, reason, int(quantity) if decision == "upheld" else None)
                submit(user.signer, Propose(msg), doing="proposing the decision",
                       done=lambda c: f"Decision proposed at block {c.height}.")
