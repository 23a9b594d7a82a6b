"""Public page: the compliance table of a year (EUTL-style), its CSV download, and the verifiers' scorecards.

Korean law publishes each company's allocation, certified emissions and, once the year is settled, what it
surrendered and its compliance status; so does this page. Positions before the deadline stay private.
"""

from __future__ import annotations

import streamlit as st

from ets.rpc import ChainError

from .. import ui
from ..cache import cached
from ..data import compliance
from ..i18n import t
from ..submit import show_chain_error

__all__ = ["render"]


def render() -> None:
    st.title(t("page.compliance"))
    st.caption(t("compliance.caption"))
    year = ui.year_input("compliance_year")
    try:
        record = cached(compliance.year_record, year)
        table = cached(compliance.table, year)
    except ChainError as exc:
        show_chain_error(exc, t("compliance.doing_table"))
        return
    text = t("compliance.deadline", deadline=ui.kst(record["surrender_due"]), status=record["status"])
    if "penalty_per_tonne" in record:
        text += t("compliance.penalty", price=ui.krw_per_t(record["average_price"]), source=record["price_source"],
                  penalty=ui.krw_per_t(record["penalty_per_tonne"]))
    st.caption(text)
    status = t("col.status")
    ui.table(table.drop(columns=["company", "company_id"]), column_config={status: st.column_config.TextColumn(
        status, help="; ".join(f"{k}: {ui.compliance_status(k)}" for k in compliance.STATUS_CODES))})
    st.download_button(t("compliance.download"), cached(compliance.table_csv, year), file_name=f"compliance-{year}.csv",
                       mime="text/csv", key="compliance_csv")
    with st.expander(t("compliance.status_codes")):
        for code in compliance.STATUS_CODES:
            st.markdown(f"**{code}** — {ui.compliance_status(code)}")
    st.subheader(t("compliance.scorecards"))
    st.caption(t("compliance.scorecards_caption"))
    ui.table(cached(compliance.scorecards).drop(columns=["verifier"]).rename(columns={"certified": "certified_statements"}))
