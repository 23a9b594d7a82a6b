"""Verification body page: the companies assigned to it for a year, each report (with its versions), and the
statement form. The statement document is sealed on chain to the company and the regulator; its hash is public."""

from __future__ import annotations

import streamlit as st

from ets.compliance import build_statement
from ets.rpc import ChainError
from protocol.messages.compliance import OPINIONS

from .. import cache, session, ui
from ..cache import cached
from ..data import compliance
from ..submit import flash, show_chain_error, submit

__all__ = ["render"]


def render() -> None:
    user = session.require_role("verifier")
    st.title("Verification")
    flash()
    year = ui.year_input("verification_year")
    try:
        assigned = cached(compliance.assignments, user.address, year)
    except ChainError as exc:
        show_chain_error(exc, "reading your assignments")
        return
    if assigned.empty:
        st.info(f"No company is assigned to you for {year}.")
        return
    names = {a: (cache.account_record(a) or {}).get("name", a) for a in assigned["company"]}
    ui.table(assigned.assign(name=assigned["company"].map(names)))
    company = st.selectbox("Company", list(names), format_func=lambda a: f"{names[a]} ({a[:10]}…)", key="verify_company")
    report = cached(compliance.report, company, year)
    if report is None:
        st.info("This company has not submitted its report yet.")
        return
    st.subheader(f"Report v{report['version']}: {report['total']:,} t")
    st.caption(f"Sites {report['sites_tonnes']:,} t from {report['daily_reports']} daily totals "
               f"({report['substituted']} substituted hours) · other sources {report['other_tonnes']:,} t")
    if report["other_sources"]:
        ui.table(report["other_sources"])
    with st.form("statement"):
        verified = st.number_input("Verified emissions (t)", min_value=0, value=int(report["total"]), step=1)
        opinion = st.selectbox("Opinion", OPINIONS)
        findings = st.number_input("Findings", min_value=0, step=1)
        document = st.text_area("Statement document", value=f"Verification statement {year}")
        if st.form_submit_button("Issue statement"):
            try:
                msg = build_statement(cache.client(), company, year, int(verified), opinion, int(findings), document.encode())
            except (ChainError, ValueError) as exc:
                show_chain_error(exc, "sealing the statement")
                return
            submit(user.signer, msg, doing="issuing the statement",
                   done=lambda c: f"Statement on {names[company]} for {year} committed at block {c.height}.")
