"""Government page: every governed proposal (registrations, issues, plans) with its votes."""

from __future__ import annotations

import streamlit as st

from .. import session, ui
from ..cache import cached
from ..data import chain, governance

__all__ = ["render"]


def render() -> None:
    session.require_role("government")
    st.title("Proposals")
    params = cached(chain.params)
    st.caption(f"A governed action runs once {params['approvals_required']} officials have approved it; proposals "
               f"expire after {params['proposal_ttl_seconds'] // 86400} days of block time.")
    proposals = cached(governance.proposals)
    if proposals.empty:
        st.info("No proposal has been made yet.")
        return
    statuses = sorted(proposals["status"].unique())
    shown = st.multiselect("Status", statuses, default=statuses, key="proposal_status")
    table = proposals[proposals["status"].isin(shown)]
    ui.table(table[["proposal_id", "status", "summary", "proposer_name", "approvals", "rejections", "created_height",
                    "created_time", "expires_time", "executed_height", "closed_height"]])
    st.subheader("Votes")
    ids = list(table["proposal_id"])
    if not ids:
        return
    chosen = st.selectbox("Proposal", ids, format_func=lambda i: f"#{i} — "
                          + table.loc[table["proposal_id"] == i, "summary"].iloc[0], key="proposal_votes")
    votes = cached(governance.proposal_votes, int(chosen))
    st.table(votes[["vote", "official_name", "official", "reason", "height", "time"]].reset_index(drop=True))
