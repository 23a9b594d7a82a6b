"""Log in (decrypt your key file; the chain gives the role) and log out (forget the key)."""

from __future__ import annotations

import streamlit as st

from ets.rpc import ChainError

from .. import cache, session
from ..submit import show_chain_error
from ..auth import LoginError, login

__all__ = ["render"]


def render() -> None:
    user = session.current_user()
    if user is not None:
        st.title("Your account")
        st.markdown(
            f"Logged in as **{user.username}** — {user.name}  \n"
            f"Role on chain: **{session.ROLE_LABELS.get(user.role, user.role)}**  \n"
            f"Address: `{user.address}`" + (f"  \nCompany id: {user.company_id}" if user.company_id else "")
        )
        st.caption("Your unlocked key is kept only in this browser session's server memory; logging out forgets it.")
        if st.button("Log out", type="primary"):
            session.sign_out()
            st.rerun()
        return
    st.title("Log in")
    st.caption("Government officials, companies and verification bodies log in with the portal user name and "
               "password they were given. The public pages need no login.")
    with st.form("login", enter_to_submit=True):
        username = st.text_input("User name")
        password = st.text_input("Password", type="password")
        submitted = st.form_submit_button("Log in", type="primary")
    if not submitted:
        return
    with st.spinner("Unlocking your key and reading your role from the chain…"):
        try:
            user = login(cache.config().users_dir, username, password, cache.client(), client_key=session.client_key())
        except LoginError as exc:
            st.error(str(exc))
            return
        except ChainError as exc:
            show_chain_error(exc, "reading your account's role")
            return
    session.sign_in(user)
    st.rerun()
