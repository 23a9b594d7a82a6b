"""Government page: every governed proposal (registrations, issues, plans) with its votes."""

from __future__ import annotations

import streamlit as st

from .. import session, ui
from ..cache import cached
from ..data import chain, governance
from ..i18n import t

__all__ = ["render"]


def render() -> None:
    session.require_role("government")
    st.title(t("page.proposals"))
    params = cached(chain.params)
    st.caption(t("proposals.caption", required=params["approvals_required"], days=params["proposal_ttl_seconds"] // 86400))
    proposals = cached(governance.proposals)
    if proposals.empty:
        st.info(t("proposals.none"))
        return
    statuses = sorted(proposals["status"].unique())
    shown = st.multiselect(t("proposals.status"), statuses, default=statuses, key="proposal_status",
                           format_func=ui.proposal_status)
    table = proposals[proposals["status"].isin(shown)]
    ui.table(table[["proposal_id", "status", "summary", "proposer_name", "approvals", "rejections", "created_time",
                    "expires_time"]].assign(status=table["status"].map(ui.proposal_status),
                                            created_time=table["created_time"].map(ui.kst),
                                            expires_time=table["expires_time"].map(ui.kst)))
    st.subheader(t("proposals.votes"))
    ids = list(table["proposal_id"])
    if not ids:
        return
    chosen = st.selectbox(t("proposals.proposal"), ids, format_func=lambda i: f"#{i} — "
                          + table.loc[table["proposal_id"] == i, "summary"].iloc[0], key="proposal_votes")
    votes = cached(governance.proposal_votes, int(chosen))
    st.table(ui.columns(votes[["vote", "official_name", "reason", "time"]].assign(time=votes["time"].map(ui.kst)))
             .reset_index(drop=True))
