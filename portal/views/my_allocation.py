"""Company page: the allowances allocated to the logged-in company, by vintage, and the e-orders behind them."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from .. import session, ui
from ..cache import cached
from ..data import allocations as alloc
from ..i18n import t
from ..data import registry

__all__ = ["render"]


def render() -> None:
    user = session.require_role("company")
    st.title(t("page.my_allocation"))
    st.caption(t("my_allocation.caption_company", name=user.name, company_id=user.company_id) if user.company_id
               else user.name)
    allocations = cached(alloc.allocations, user.address)
    if allocations.empty:
        st.info(t("my_allocation.none"))
        return
    per_vintage = allocations.groupby("vintage", as_index=False)["amount"].sum()
    cols = st.columns(max(1, len(per_vintage)))
    for col, row in zip(cols, per_vintage.itertuples()):
        col.metric(t("my_allocation.allocated", vintage=row.vintage), ui.tonnes(row.amount))
    st.subheader(t("my_allocation.by_plan"))
    shown = pd.DataFrame({
        t("my_allocation.col_plan"): allocations["plan_hash"].map(lambda h: ui.short(h, 16)),
        t("my_allocation.col_kind"): allocations["kind"], t("my_allocation.col_vintage"): allocations["vintage"],
        t("my_allocation.col_allocated"): allocations["amount"].map(ui.number),
        t("my_allocation.col_proposal"): allocations["proposal_id"].map(lambda v: f"#{v}"),
        t("my_allocation.col_issued"): allocations["issued_time"].map(lambda when: ui.kst(when, seconds=True)),
    })
    st.table(shown)
    st.subheader(t("my_allocation.eorders"))
    accounts = cached(registry.accounts)
    names = dict(zip(accounts["address"], accounts["name"]))
    for plan_hash in allocations["plan_hash"].unique():
        record = cached(alloc.eorder, plan_hash)
        if not record:
            continue
        approvals = "; ".join(t("my_allocation.approval", official=names.get(v["official"], v["official"]),
                                  time=ui.kst(v["time"]) if v.get("time") is not None else v["height"])
                              for v in record["approvals"])
        issued = ui.kst(record["issued"]["time"], seconds=True)
        with st.expander(t("my_allocation.eorder_title", plan=plan_hash[:16], proposal=record["proposal_id"],
                           time=issued), expanded=True):
            st.markdown(t("my_allocation.eorder_body", plan=plan_hash,
                          proposer=names.get(record["proposer"], record["proposer"]), approvals=approvals,
                          height=record["issued"]["height"], time=issued, lines=ui.number(record["lines"])))
