"""Public page: allocation plans on chain and the allocations issued to each company, by vintage.

Allocations (할당량) are published under Korean law; holdings and trades are not, and are not here.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from .. import charts, ui
from ..queries import allocation_table, plan_sector_totals

__all__ = ["render", "plan_label"]

_STATUS = {"uploading": "uploading", "sealed": "awaiting approval", "issued": "issued", "rejected": "rejected"}


def plan_label(row: pd.Series) -> str:
    kind = f" · {row['kind']}" if row["kind"] else ""
    return f"{row['plan_hash'][:12]}…{kind} · {_STATUS.get(row['status'], row['status'])} · opened at block {row['opened_height']}"


def render() -> None:
    st.title("Allocations")
    st.caption("Allocation plans and the allowances issued under them (e-orders), as recorded on chain.")
    plans = ui.cached("plans")
    if plans.empty:
        st.info("No allocation plan is on chain yet.")
        return
    st.subheader("Allocation plans")
    ui.table(plans[["plan_hash", "kind", "status", "vintages", "lines", "opened_height", "issued_height", "issued_time"]])
    issued = plans[plans["status"] == "issued"].reset_index(drop=True)
    if issued.empty:
        st.info("No plan has been issued yet; allocations appear here once the government approves a plan.")
        return
    labels = {r["plan_hash"]: plan_label(r) for _, r in issued.iterrows()}
    plan_hash = st.selectbox("Issued plan", list(labels), format_func=labels.get, key="alloc_plan")
    lines = ui.cached("plan_lines", plan_hash)
    record = ui.cached("eorder", plan_hash) or {}
    if record:
        st.caption(f"Issued at block {record['issued']['height']} by proposal #{record['proposal_id']} with "
                   f"{len(record['approvals'])} approvals. Totals: "
                   + ", ".join(f"{v} {t:,} t" for v, t in record["totals"].items()))
    search = st.text_input("Search company (name, company id or sector)", key="alloc_search")
    wide = allocation_table(lines, search)
    st.subheader("Allocation by company and vintage (t)")
    ui.table(wide)
    st.altair_chart(charts.allocation_by_sector(plan_sector_totals(lines), "Allocation by sector"), width="stretch")
