"""Two steps for every irreversible action: the page restates what will happen, the user confirms.

    confirm.ask("place_order", restated, msg, doing=..., done=...)   instead of ``submit(...)``
    confirm.pending("place_order", user.signer)                      where the box is drawn, every run

``ask`` keeps the message (a ``protocol.messages`` object) and its restatement in this browser
session and draws the page again; ``pending`` then shows the restatement with *Confirm* and *Go back*.
Only *Confirm* sends it (``portal.submit``: progress while it commits, the chain's reason in plain
words if refused); *Go back* drops it. Nothing is sent by the first click, and the form's inputs keep
their values either way (the forms' widgets have keys). A confirmation belongs to the page that asked
for it: opening another action of the same key replaces it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import streamlit as st

from ets.keys import Signer
from ets.rpc import TxCommit
from protocol.messages import Wire

from .i18n import t
from .submit import submit

__all__ = ["ask", "pending", "waiting"]

_PREFIX = "portal_confirm/"


@dataclass(frozen=True)
class _Pending:
    restated: str
    msg: Wire
    doing: str
    done: Callable[[TxCommit], str]


def ask(key: str, restated: str, msg: Wire, *, doing: str, done: Callable[[TxCommit], str]) -> None:
    """Keep ``msg`` until the user confirms ``restated`` (markdown: what will happen); draw the page again."""
    st.session_state[_PREFIX + key] = _Pending(restated, msg, doing, done)
    st.rerun()


def waiting(key: str) -> bool:
    """Whether an action of ``key`` awaits confirmation."""
    return isinstance(st.session_state.get(_PREFIX + key), _Pending)


def pending(key: str, signer: Signer) -> None:
    """The confirmation box of ``key``, if one is waiting: *Confirm* sends the message signed by ``signer``."""
    action = st.session_state.get(_PREFIX + key)
    if not isinstance(action, _Pending):
        return
    with st.container(border=True, key=f"confirm_box_{key}"):
        st.warning(t("flows.confirm.title"), icon=":material/warning:")
        st.markdown(action.restated)
        left, right, _ = st.columns([1, 1, 3])
        confirmed = left.button(t("flows.confirm.yes"), type="primary", key=f"confirm_yes_{key}")
        back = right.button(t("flows.confirm.back"), key=f"confirm_back_{key}")
    if back:
        del st.session_state[_PREFIX + key]
        st.rerun()
    if confirmed:
        del st.session_state[_PREFIX + key]
        submit(signer, action.msg, doing=action.doing, done=action.done)
