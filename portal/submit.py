"""Sending a transaction from a page, the one way every form does it (Streamlit).

``submit(signer, msg, doing=..., done=...)`` signs ``msg.to_json()`` (a ``protocol.messages``
object), shows progress in an ``st.status`` box while the chain takes it, then redraws the
page: on commit with ``done(commit)`` flashed as a success and every cached chain answer
dropped; on refusal with the chain's answer in plain words (what it means, its log, that
nothing changed). ``flash()`` shows that outcome where the page wants it, once.
``show_chain_error`` is how every page reports a refused query or an unreachable node.

The validator's RPC address is never shown in the browser (block contents are visible to
whoever reaches it, so it stays private); errors name it only in the server's log.
"""

from __future__ import annotations

import logging
from typing import Callable, NoReturn

import streamlit as st

from ets.keys import Signer
from ets.rpc import ChainError, QueryError, RpcUnavailable, TxCommit, TxRejectedError
from protocol.messages import Wire

from . import cache
from .code_text import meaning
from .i18n import t

__all__ = ["submit", "flash", "show_chain_error"]

_DONE = "portal_submit_done"
_FAILED = "portal_submit_failed"
_LOG = logging.getLogger(__name__)


def submit(signer: Signer, msg: Wire, *, doing: str, done: Callable[[TxCommit], str]) -> NoReturn:
    """Send ``msg`` signed by ``signer`` and wait for its block; then redraw the page with the outcome.

    ``doing`` says what is being done ("placing your order"); ``done(commit)`` is the success message."""
    with st.status(t("submit.progress", doing=f"{doing[:1].upper()}{doing[1:]}"), expanded=True) as progress:
        try:
            commit = cache.client().submit(signer, msg.to_json())
        except ChainError as exc:
            progress.update(label=t("submit.not_done"), state="error")
            st.session_state[_FAILED] = (exc, doing)
            st.rerun()
        progress.update(label=t("submit.committed"), state="complete")
    assert isinstance(commit, TxCommit)
    st.session_state[_DONE] = done(commit)
    cache.forget_chain_data()
    st.rerun()


def flash() -> None:
    """The outcome of the last ``submit`` of this session, shown once."""
    if _DONE in st.session_state:
        st.success(st.session_state.pop(_DONE))
    if _FAILED in st.session_state:
        exc, doing = st.session_state.pop(_FAILED)
        show_chain_error(exc, doing)


def show_chain_error(exc: BaseException, doing: str) -> None:
    """Tell the user what the chain said, in full: code, meaning and log."""
    if isinstance(exc, TxRejectedError):
        st.error(t("submit.rejected", doing=doing, code=exc.code, meaning=meaning(exc.code), log=exc.log)
                 + (f"  \n{t('submit.transaction', hash=exc.hash)}" if exc.hash else "") + f"  \n{t('submit.nothing_changed')}")
    elif isinstance(exc, QueryError):
        st.error(t("submit.query_refused", doing=doing, path=exc.path, code=exc.code, meaning=meaning(exc.code),
                   log=exc.log))
    elif isinstance(exc, RpcUnavailable):
        _LOG.warning("chain node unreachable while %s: %s", doing, exc)  # names the RPC address: log only
        st.error(t("submit.unreachable", doing=doing))
    else:
        st.error(t("submit.client_failed", doing=doing, error=exc))
