"""Public page: allocation plans on chain and the allocations issued to each company, by vintage.

Allocations (할당량) are published under Korean law; holdings and trades are not, and are not here.
"""

from __future__ import annotations

import streamlit as st

from .. import charts, ui
from ..cache import cached
from ..data import allocations

__all__ = ["render"]


def render() -> None:
    st.title("Allocations")
    st.caption("Allocation plans and the allowances issued under them (e-orders), as recorded on chain.")
    plans = cached(allocations.plans)
    if plans.empty:
        st.info("No allocation plan is on chain yet.")
        return
    st.subheader("Allocation plans")
    ui.table(plans[["plan_hash", "kind", "status", "vintages", "lines", "opened_height", "issued_height", "issued_time"]])
    issued = plans[plans["status"] == "issued"].reset_index(drop=True)
    if issued.empty:
        st.info("No plan has been issued yet; allocations appear here once the government approves a plan.")
        return
    labels = {r["plan_hash"]: ui.plan_label(r) for _, r in issued.iterrows()}
    plan_hash = st.selectbox("Issued plan", list(labels), format_func=labels.get, key="alloc_plan")
    lines = cached(allocations.plan_lines, plan_hash)
    record = cached(allocations.eorder, plan_hash) or {}
    if record:
        st.caption(f"Issued at block {record['issued']['height']} by proposal #{record['proposal_id']} with "
                   f"{len(record['approvals'])} approvals. Totals: "
                   + ", ".join(f"{v} {t:,} t" for v, t in record["totals"].items()))
    search = st.text_input("Search company (name, company id or sector)", key="alloc_search")
    wide = allocations.allocation_table(lines, search)
    st.subheader("Allocation by company and vintage (t)")
    ui.table(wide)
    st.altair_chart(charts.allocation_by_sector(allocations.plan_sector_totals(lines), "Allocation by sector"), width="stretch")
