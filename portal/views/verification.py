"""Verification body page: the companies assigned to it for a year, each report (with its versions), and the
statement form. The statement document is sealed on chain to the company and the regulator; its hash is public.
The page restates the statement (company, year, verified tonnes, opinion) and sends it only once confirmed
(``portal.confirm``)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ets.compliance import build_statement
from ets.rpc import ChainError
from protocol.messages.compliance import OPINIONS

from .. import cache, confirm, session, ui
from ..cache import cached
from ..data import compliance
from ..i18n import t
from ..submit import flash, show_chain_error

__all__ = ["render"]

_KEY = "verification_statement"
STATEMENT_STATUSES = ("issued", "superseded")  # a statement's (catalogue: verification.statement_status.*)


def _statement_status(status: str | None) -> str:
    return ui.coded("verification.statement_status", status, STATEMENT_STATUSES)


def render() -> None:
    user = session.require_role("verifier")
    st.title(t("page.verification"))
    flash()
    year = ui.year_input("verification_year")
    try:
        assigned = cached(compliance.assignments, user.address, year)
    except ChainError as exc:
        show_chain_error(exc, t("verification.doing_assignments"))
        return
    if assigned.empty:
        st.info(t("verification.none_assigned", year=year))
        return
    names = {a: (cache.account_record(a) or {}).get("name", a) for a in assigned["company"]}
    ui.table(assigned.assign(company=assigned["company"].map(names), statement=assigned["statement"].map(_statement_status)))
    company = st.selectbox(t("common.company"), list(names), format_func=names.get, key="verify_company")
    report = cached(compliance.report, company, year)
    if report is None:
        st.info(t("verification.not_submitted"))
        return
    st.subheader(t("verification.report", version=report["version"], total=ui.tonnes(report["total"])))
    st.caption(t("verification.report_caption", sites=ui.tonnes(report["sites_tonnes"]), daily=report["daily_reports"],
                 substituted=report["substituted"], other=ui.tonnes(report["other_tonnes"])))
    if report["other_sources"]:
        ui.table(pd.DataFrame(report["other_sources"]).rename(columns={"method": "estimation"}))  # not an allocation method
    with st.form("statement"):
        verified = st.number_input(t("verification.verified"), min_value=0, value=int(report["total"]), step=1,
                                   key="statement_verified")
        opinion = st.selectbox(t("verification.opinion"), OPINIONS, format_func=lambda o: t(f"verification.opinions.{o}"),
                               key="statement_opinion")
        findings = st.number_input(t("verification.findings"), min_value=0, step=1, key="statement_findings")
        document = st.text_area(t("verification.document"), value=t("verification.default_document", year=year),
                                key="statement_document")
        submitted = st.form_submit_button(t("verification.issue"), type="primary")
    confirm.pending(_KEY, user.signer)
    if not submitted:
        return
    try:
        msg = build_statement(cache.client(), company, year, int(verified), opinion, int(findings), document.encode())
    except (ChainError, ValueError) as exc:
        show_chain_error(exc, t("verification.doing_seal"))
        return
    restated = t("verification.confirm", company=names[company], year=year, verified=ui.tonnes(int(verified)),
                 opinion=t(f"verification.opinions.{opinion}"), findings=ui.number(int(findings)),
                 version=report["version"], reported=ui.tonnes(report["total"]))
    confirm.ask(_KEY, restated, msg, doing=t("verification.doing_issue"),
                done=lambda c: t("verification.issued", company=names[company], year=year, height=c.height))
