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
from ..data._base import to_kst
from ..submit import show_chain_error

__all__ = ["render"]


def render() -> None:
    st.title("Compliance")
    st.caption("Per company and year: allocated, certified emissions, surrendered allowances and the compliance status "
               "code, as the chain records them. Surrendered tonnes are published once the year's deadline has passed.")
    year = ui.year_input("compliance_year")
    try:
        record = cached(compliance.year_record, year)
        table = cached(compliance.table, year)
    except ChainError as exc:
        show_chain_error(exc, "reading the compliance table")
        return
    deadline = to_kst(record["surrender_due"])
    text = f"Surrender deadline {deadline:%Y-%m-%d %H:%M} KST · settlement: {record['status']}"
    if "penalty_per_tonne" in record:
        text += (f" · average market price {record['average_price']:,} KRW/t ({record['price_source']}) · "
                 f"penalty {record['penalty_per_tonne']:,} KRW/t")
    st.caption(text)
    ui.table(table, column_config={"status": st.column_config.TextColumn("status", help="; ".join(
        f"{k}: {v}" for k, v in compliance.STATUS_CODES.items()))})
    st.download_button("Download CSV", cached(compliance.table_csv, year), file_name=f"compliance-{year}.csv",
                       mime="text/csv", key="compliance_csv")
    with st.expander("Status codes"):
        for code, meaning in compliance.STATUS_CODES.items():
            st.markdown(f"**{code}** — {meaning}")
    st.subheader("Verification bodies' scorecards")
    st.caption("How far the government's certification moved each body's verified figures (error in basis points "
               "of the verified tonnes).")
    ui.table(cached(compliance.scorecards))
