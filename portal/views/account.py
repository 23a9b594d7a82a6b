"""Log in (decrypt your key file; the chain gives the role) and log out (forget the key)."""

from __future__ import annotations

import streamlit as st

from .. import session
from ..i18n import t
from ..login import login_form

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
        st.caption(t("flows.session.kept"))
        if st.button("Log out", type="primary"):
            session.sign_out()
            st.rerun()
        return
    st.title("Log in")
    st.caption("Government officials, companies and verification bodies log in with the portal user name and "
               "password they were given. The public pages need no login.")
    login_form(land=True)
