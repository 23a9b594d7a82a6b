"""Government page, an official's landing page: every task waiting for a decision, each linking to its page.

Open proposals the official has not voted on, sealed plans with no proposal yet, open objections and
verification statements awaiting certification (``portal.data.inbox``), counted at the top.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from .. import links, session
from ..cache import cached
from ..data import inbox
from ..data._base import KST
from ..data.chain import chain_status
from ..i18n import t

__all__ = ["render"]

def _years() -> tuple[int, ...]:
    latest = datetime.fromtimestamp(cached(chain_status).time, KST).year
    return tuple(range(latest - 2, latest + 1))  # statements of the last three compliance years


def render() -> None:
    user = session.require_role("government")
    st.title(t("flows.inbox.title"))
    st.caption(t("flows.inbox.caption", name=user.name or user.username))
    tasks = cached(inbox.tasks, user.address, _years())
    cols = st.columns(len(inbox.KINDS))
    for col, kind in zip(cols, inbox.KINDS):
        col.metric(t(f"flows.inbox.kind_{kind}"), int((tasks["kind"] == kind).sum()))
    if tasks.empty:
        st.success(t("flows.inbox.empty"))
        return
    for kind in inbox.KINDS:
        mine = tasks[tasks["kind"] == kind]
        if mine.empty:
            continue
        st.subheader(f"{t(f'flows.inbox.kind_{kind}')} ({len(mine)})")
        st.markdown("\n".join(f"- **{row.item}** — {row.detail}" + (
            f" · {t('flows.inbox.since', height=f'{int(row.since_height):,}')}" if pd.notna(row.since_height) else "")
            for row in mine.itertuples()))
        for page in sorted(set(mine["page"])):
            links.link(page, t("flows.inbox.open", page=t(f"page.{page}")))
