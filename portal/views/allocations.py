"""Public page: allocation plans on chain and the allocations issued to each company, by vintage.

Allocations (할당량) are published under Korean law; holdings and trades are not, and are not here.
"""

from __future__ import annotations

import streamlit as st

from .. import charts, ui
from ..cache import cached
from ..data import allocations
from ..i18n import t

__all__ = ["render"]


def render() -> None:
    st.title(t("page.allocations"))
    st.caption(t("allocations.caption"))
    plans = cached(allocations.plans)
    if plans.empty:
        st.info(t("allocations.no_plan"))
        return
    st.subheader(t("allocations.plans"))
    ui.table(plans[["plan_hash", "kind", "status", "vintages", "lines", "opened_time", "issued_time"]]
             .assign(status=plans["status"].map(ui.status_text), opened_time=plans["opened_time"].map(ui.kst),
                     issued_time=plans["issued_time"].map(ui.kst)))
    issued = plans[plans["status"] == "issued"].reset_index(drop=True)
    if issued.empty:
        st.info(t("allocations.none_issued"))
        return
    labels = {r["plan_hash"]: ui.plan_label(r) for _, r in issued.iterrows()}
    plan_hash = st.selectbox(t("allocations.issued_plan"), list(labels), format_func=labels.get, key="alloc_plan")
    lines = cached(allocations.plan_lines, plan_hash)
    record = cached(allocations.eorder, plan_hash) or {}
    if record:
        st.caption(t("allocations.issued_caption", time=ui.kst(record["issued"]["time"]), proposal=record["proposal_id"],
                     approvals=len(record["approvals"]),
                     totals=", ".join(f"{v} {ui.tonnes(n)}" for v, n in record["totals"].items())))
    search = st.text_input(t("allocations.search"), key="alloc_search")
    wide = allocations.allocation_table(lines, search)
    st.subheader(t("allocations.by_company"))
    ui.table(wide)
    st.altair_chart(charts.allocation_by_sector(allocations.plan_sector_totals(lines), t("allocations.by_sector")), width="stretch")
