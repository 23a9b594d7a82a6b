"""Company page: the logged-in company's holdings, read with a query signed by its own key.

Holdings are confidential: the chain answers only the holder and the regulator, and this page
only ever asks for the logged-in company's own address. The answer is never cached. Each shown
balance is then proven against a header the validators signed (``portal.verified``) and the
badge under the figures says at which block, or what failed.
"""

from __future__ import annotations

import streamlit as st

from ets.rpc import ChainError

from .. import session, verified
from ..submit import show_chain_error

__all__ = ["render"]


def render() -> None:
    user = session.require_role("company")
    st.title("My holdings")
    st.caption(f"{user.name} · account {user.address}. Read with a query signed by your key; only you and the "
               "regulator can read these figures.")
    with st.spinner("Signing the query, reading your holdings and proving them against a signed header…"):
        try:
            holdings, check = verified.holdings(user)
        except ChainError as exc:
            show_chain_error(exc, "reading your holdings")
            return
    if holdings.empty:
        st.info("This account holds no allowances.")
        return
    cols = st.columns(max(1, len(holdings)))
    for col, row in zip(cols, holdings.itertuples()):
        col.metric(row.instrument, f"{row.amount:,} t")
    st.table(holdings.assign(amount=holdings["amount"].map(lambda v: f"{int(v):,}")).reset_index(drop=True))
    verified.show(check, "holdings")
