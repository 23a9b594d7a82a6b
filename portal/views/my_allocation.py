"""Company page: the allowances allocated to the logged-in company, by vintage, and the e-orders behind them."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from .. import session, ui
from ..cache import cached
from ..data import allocations as alloc
from ..data import registry, to_kst

__all__ = ["render"]


def render() -> None:
    user = session.require_role("company")
    st.title("My allocation")
    st.caption(f"{user.name}" + (f" · company id {user.company_id}" if user.company_id else "")
               + f" · account {user.address}")
    allocations = cached(alloc.allocations, user.address)
    if allocations.empty:
        st.info("No allocation has been issued to this company yet.")
        return
    per_vintage = allocations.groupby("vintage", as_index=False)["amount"].sum()
    cols = st.columns(max(1, len(per_vintage)))
    for col, row in zip(cols, per_vintage.itertuples()):
        col.metric(f"{row.vintage} allocated", f"{row.amount:,} t")
    st.subheader("By plan and vintage")
    shown = pd.DataFrame({
        "plan": allocations["plan_hash"].map(lambda h: ui.short(h, 16)), "kind": allocations["kind"],
        "vintage": allocations["vintage"], "allocated (t)": allocations["amount"].map(lambda v: f"{int(v):,}"),
        "proposal": allocations["proposal_id"].map(lambda v: f"#{v}"), "issued at block": allocations["issued_height"],
        "issued (KST)": allocations["issued_time"].map(lambda t: t.strftime("%Y-%m-%d %H:%M:%S") if t is not None else ""),
    })
    st.table(shown)
    st.subheader("E-orders")
    accounts = cached(registry.accounts)
    names = dict(zip(accounts["address"], accounts["name"]))
    for plan_hash in allocations["plan_hash"].unique():
        record = cached(alloc.eorder, plan_hash)
        if not record:
            continue
        approvals = "; ".join(f"{names.get(v['official'], v['official'])} at block {v['height']}" for v in record["approvals"])
        with st.expander(f"Plan {plan_hash[:16]}… — proposal #{record['proposal_id']}, issued at block "
                         f"{record['issued']['height']}", expanded=True):
            st.markdown(f"Plan hash `{plan_hash}`  \nProposed by {names.get(record['proposer'], record['proposer'])}  \n"
                        f"Approvals: {approvals}  \nIssued at block {record['issued']['height']} "
                        f"({to_kst(record['issued']['time']):%Y-%m-%d %H:%M:%S} KST), "
                        f"{record['lines']:,} e-orders in the batch")
