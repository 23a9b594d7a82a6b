"""Log in (decrypt your key file; the chain gives the role) and log out (forget the key)."""

from __future__ import annotations

import streamlit as st

from ets.rpc import ChainError

from .. import cache, session
from ..submit import show_chain_error
from ..auth import LoginError, login
from ..i18n import t

__all__ = ["render"]


def render() -> None:
    user = session.current_user()
    if user is not None:
        st.title(t("account.title"))
        st.markdown(
            t("account.details", username=user.username, name=user.name,
              role=session.ROLE_LABELS.get(user.role, user.role), address=user.address)
            + (t("account.company_id", company_id=user.company_id) if user.company_id else "")
        )
        st.caption(t("account.key_note"))
        if st.button(t("account.log_out"), type="primary"):
            session.sign_out()
            st.rerun()
        return
    st.title(t("account.log_in"))
    st.caption(t("account.intro"))
    with st.form("login", enter_to_submit=True):
        username = st.text_input(t("account.username"))
        password = st.text_input(t("account.password"), type="password")
        submitted = st.form_submit_button(t("account.log_in"), type="primary")
    if not submitted:
        return
    with st.spinner(t("account.unlocking")):
        try:
            user = login(cache.config().users_dir, username, password, cache.client(), client_key=session.client_key())
        except LoginError as exc:
            st.error(str(exc))
            return
        except ChainError as exc:
            show_chain_error(exc, t("account.doing_role"))
            return
    session.sign_in(user)
    st.rerun()
