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
        st.title(t("account.title"))
        st.markdown(
            t("account.details", username=user.username, name=user.name,
              role=session.ROLE_LABELS.get(user.role, user.role), address=user.address)
            + (t("account.company_id", company_id=user.company_id) if user.company_id else "")
        )
        st.caption(t("flows.session.kept"))
        if st.button(t("account.log_out"), type="primary"):
            session.sign_out()
            st.rerun()
        return
    st.title(t("account.log_in"))
    st.caption(t("account.intro"))
    login_form(land=True)
