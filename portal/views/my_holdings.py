"""Company page: the logged-in company's holdings, read with a query signed by its own key.

Holdings are confidential: the chain answers only the holder and the regulator, and this page
only ever asks for the logged-in company's own address. The answer is never cached. Each shown
balance is then proven against a header the validators signed (``portal.verified``) and the
badge under the figures says at which block, or what failed.
"""

from __future__ import annotations

import streamlit as st

from ets.rpc import ChainError

from .. import session, ui, verified
from ..submit import show_chain_error
from ..i18n import t

__all__ = ["render"]


def render() -> None:
    user = session.require_role("company")
    st.title(t("page.my_holdings"))
    st.caption(t("holdings.caption", name=user.name, address=user.address))
    with st.spinner(t("holdings.reading")):
        try:
            holdings, check = verified.holdings(user)
        except ChainError as exc:
            show_chain_error(exc, t("holdings.doing"))
            return
    if holdings.empty:
        st.info(t("holdings.none"))
        return
    cols = st.columns(max(1, len(holdings)))
    for col, row in zip(cols, holdings.itertuples()):
        col.metric(row.instrument, ui.tonnes(row.amount))
    st.table(ui.columns(holdings.assign(amount=holdings["amount"].map(ui.number))).reset_index(drop=True))
    verified.show(check, "holdings")
