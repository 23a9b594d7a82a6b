"""The login form, shared by the account page and by a restricted page reached while logged out.

A restricted page opened by its address shows this form under a line naming the login it needs; a
successful login reruns the same address, so the visitor lands on the page they asked for.
"""

from __future__ import annotations

import streamlit as st

from ets.rpc import ChainError

from . import cache, session
from .auth import LoginError, LoginThrottled, login
from .i18n import language, t
from .throttle import wait_text
from .submit import show_chain_error

__all__ = ["login_form", "LANDING"]

LANDING = "portal_landing"  # set by a login on the account page: the router sends the user to their role's start


def login_form(*, land: bool) -> None:
    """User name and password; on success the session opens and the page is drawn again.

    ``land``: go on to the role's landing page (the account page); otherwise stay on this page."""
    with st.form("login", enter_to_submit=True):
        username = st.text_input(t("account.username"))
        password = st.text_input(t("account.password"), type="password")
        submitted = st.form_submit_button(t("account.log_in"), type="primary")
    if not submitted:
        return
    with st.spinner(t("account.unlocking")):
        try:
            user = login(cache.config().users_dir, username, password, cache.client(), client_key=session.client_key())
        except LoginThrottled as exc:
            ko, en = wait_text(exc.retry_after)
            st.error(t("account.login_paused", wait=ko if language() == "ko" else en))
            return
        except LoginError:  # the one message for an unknown name and a wrong password: neither is revealed
            st.error(t("account.login_failed"))
            return
        except ChainError as exc:
            show_chain_error(exc, t("account.doing_role"))
            return
    session.sign_in(user)
    if land:
        st.session_state[LANDING] = True
    st.rerun()
