"""Company page: the account statement — every movement the chain records for the account, downloadable.

Current balances first (a signed query), then the movements of ``portal.data.statement`` oldest first (the
account's transfer record included: transfers in and out, surrenders with their height), filterable by
instrument and kind, with CSV and Excel downloads of exactly what is shown.
"""

from __future__ import annotations

import streamlit as st

from ets.rpc import ChainError

from .. import cache, session, ui
from ..data import holdings, statement
from ..i18n import t
from ..submit import show_chain_error

__all__ = ["render"]


def _kind(kind: str) -> str:
    """A movement's kind in words (``statement.KINDS``, each named in the catalogue)."""
    return t(f"flows.statement.kinds.{kind.replace(' ', '_')}") if kind in statement.KINDS else kind


def render() -> None:
    user = session.require_role("company")
    st.title(t("flows.statement.title"))
    st.caption(t("flows.statement.caption", name=user.name, address=user.address))
    client = cache.client()
    try:
        owned = holdings.holdings(client, user.address, user.signer)
        moves = statement.movements(client, user.address, user.signer)
    except ChainError as exc:
        show_chain_error(exc, t("flows.statement.doing_read"))
        return
    st.subheader(t("flows.statement.balances"))
    ui.table(owned)
    st.subheader(t("flows.statement.movements", count=len(moves)))
    left, right = st.columns(2)
    instruments = left.multiselect(t("flows.statement.instrument"), sorted(moves["instrument"].unique()),
                                   key="statement_instruments")
    kinds = right.multiselect(t("flows.statement.kind"), sorted(moves["kind"].unique(), key=_kind), format_func=_kind,
                              key="statement_kinds")
    chosen = moves[(moves["instrument"].isin(instruments) | (not instruments)) & (moves["kind"].isin(kinds) | (not kinds))]
    shown = chosen.assign(kind=chosen["kind"].map(_kind))  # the table and the downloads in the visitor's language
    ui.table(shown)
    name = f"statement-{user.address[:12]}"
    c1, c2, _ = st.columns([1, 1, 3])
    c1.download_button(t("flows.statement.csv"), statement.to_csv(shown), file_name=f"{name}.csv", mime="text/csv",
                       key="statement_csv")
    c2.download_button(t("flows.statement.excel"), statement.to_excel(shown), file_name=f"{name}.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="statement_xlsx")
