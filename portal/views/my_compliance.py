"""Company page: the compliance position of a year and the forms that change it — the annual report,
surrender, borrowing and banking — each with the limit the chain enforces shown beside it, and objections.

The position is read with a query signed by the company's key (only the company and the regulator may read
it) and never cached; every form sends one transaction and shows the chain's answer in full.
"""

from __future__ import annotations

import hashlib

import streamlit as st

from ets.rpc import ChainError
from protocol.messages.compliance import Bank, Borrow, EmissionsReport, Objection, OtherSource, Surrender

from .. import cache, confirm, session, ui
from ..data import compliance
from ..data._base import to_kst
from ..i18n import t
from ..submit import flash, show_chain_error, submit

__all__ = ["render"]


def _report_form(user, year: int) -> None:
    with st.form("compliance_report"):
        st.markdown("**Annual emissions report** — your sites' daily totals on chain are added by the chain; declare "
                    "other sources here.")
        source = st.text_input("Other source", value="")
        method = st.text_input("Method", value="")
        quantity = st.number_input("Tonnes", min_value=0, step=1, key="report_tonnes")
        evidence = st.file_uploader("Evidence file (its SHA-256 goes on chain)", key="report_evidence")
        if st.form_submit_button("Submit report"):
            sources = ()
            if source and quantity:
                digest = hashlib.sha256(evidence.getvalue() if evidence else b"").hexdigest()
                sources = (OtherSource(source, method or "declared", int(quantity), digest),)
            submit(user.signer, EmissionsReport(year, sources), doing="submitting your report",
                   done=lambda c: f"Report for {year} committed at block {c.height}.")


def _amount_form(user, key: str, label: str, limit: int, build, doing: str, instruments: list[str] | None = None) -> None:
    with st.form(key):
        st.markdown(f"**{label}** — you may now: **{limit:,} t**")
        instrument = st.selectbox("Instrument", instruments, key=f"{key}_instrument") if instruments else None
        amount = st.number_input("Tonnes", min_value=1, step=1, key=f"{key}_amount")
        submitted = st.form_submit_button(label)
    confirm.pending(key, user.signer)
    if submitted:
        msg = build(int(amount), instrument)
        restated = t("flows.confirm.compliance", action=label, year=getattr(msg, "year", ""), amount=ui.tonnes(amount),
                     instrument=f" {instrument}" if instrument else "")
        confirm.ask(key, restated, msg, doing=doing,
                    done=lambda c: f"{label}: {int(amount):,} t committed at block {c.height}.")


def render() -> None:
    user = session.require_role("company")
    st.title("My compliance")
    flash()
    year = ui.year_input("my_compliance_year")
    try:
        answer = compliance.position(cache.client(), user.address, user.signer)
    except ChainError as exc:
        show_chain_error(exc, "reading your compliance position")
        return
    if answer["blocked_years"]:
        st.error(f"Your account is blocked for transfers out: shortfall past the deadline of "
                 f"{', '.join(map(str, answer['blocked_years']))}. Surrender the shortfall to lift the block.")
    position = answer["years"].get(str(year))
    if position is None:
        st.info(f"Nothing on chain yet for {year}: submit your report.")
        _report_form(user, year)
        return
    cols = st.columns(5)
    cols[0].metric("Certified", "-" if position["certified"] is None else ui.tonnes(position["certified"]))
    cols[1].metric("Surrendered", ui.tonnes(position["surrendered_total"]))
    cols[2].metric("Shortfall", "-" if position["shortfall"] is None else ui.tonnes(position["shortfall"]))
    cols[3].metric("Penalty if unpaid", "-" if position["penalty_if_unpaid"] is None else ui.krw(position["penalty_if_unpaid"]),
                   help=f"{position['penalty_per_tonne']:,} KRW per tonne of shortfall at the deadline")
    cols[4].metric("Status", position["status"])
    st.caption(f"Deadline {to_kst(position['deadline']):%Y-%m-%d %H:%M} KST · reported {position['reported']} t · "
               f"verified {position['verified']} t · borrowed {position['borrowed']:,} t · banked {position['banked']:,} t")
    limits = position["limits"]
    if position["certified"] is None:
        if position["verified"] is None:
            _report_form(user, year)
        st.info("Surrender, borrowing and banking open once the government certifies your emissions.")
        return
    eligible = [i for i, held in position["eligible"].items() if held and (i[3:] == str(year)[2:] or i.startswith("KCU")
                                                                           or position["status"] != "open")]
    _amount_form(user, "compliance_surrender", "Surrender", limits["may_surrender"],
                 lambda amount, instrument: Surrender(year, instrument, amount), "surrendering allowances",
                 eligible or [f"KAU{str(year)[2:]}"])
    st.caption(f"KCU may cover {limits['offset_cap']:,} t ({limits['offset_cap_bps'] // 100}% of the obligation); "
               f"{limits['may_surrender_kcu']:,} t of it remain. Holdings: "
               + ", ".join(f"{i} {t:,} t" for i, t in position["eligible"].items()))
    left, right = st.columns(2)
    with left:
        _amount_form(user, "compliance_borrow", "Borrow", limits["may_borrow"], lambda amount, _: Borrow(year, amount),
                     "borrowing from the next vintage")
        st.caption(f"Limit {limits['borrow_limit']:,} t ({limits['borrow_limit_bps'] // 100}% of the obligation).")
    with right:
        _amount_form(user, "compliance_bank", "Bank", limits["may_bank"], lambda amount, _: Bank(year, amount),
                     "banking into the next vintage")
        st.caption(f"Limit {limits['bank_limit']:,} t (a multiple of your net sales of the vintage).")
    with st.expander("Object to the certification"):
        with st.form("compliance_objection"):
            reason = st.text_area("Reason")
            requested = st.number_input("Figure you ask for (t)", min_value=0, step=1)
            evidence = st.file_uploader("Evidence file", key="objection_evidence")
            if st.form_submit_button("File objection") and reason:
                digest = hashlib.sha256(evidence.getvalue() if evidence else b"").hexdigest()
                submit(user.signer, Objection("certification", year, reason, digest, int(requested) or None),
                       doing="filing your objection", done=lambda c: f"Objection filed at block {c.height}.")
