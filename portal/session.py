"""The logged-in user of one browser session, and the role check every restricted page runs.

The unlocked signer lives only in ``st.session_state`` (server memory of this browser
session): never on disk, never in a cache shared between sessions. Logging out removes it.
Pages are just code, so each restricted page calls ``require_role`` itself; the router hiding a
page is not the protection.

``client_key`` names who is at the login form for the login throttle: the client's IP address
as Streamlit sees it (``st.context.ip_address``; behind a reverse proxy on the same host, the
address it forwards), else, when Streamlit gives none (visitors on this machine), the browser
session.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from protocol.constants import REPRESENTATIVE

from .auth import PortalUser
from .cache import account_record
from .i18n import t

__all__ = ["current_user", "sign_in", "sign_out", "require_role", "client_key", "ROLE_LABELS"]

_KEY = "portal_user"
class _RoleLabels(Mapping):
    """Each chain role's name in the visitor's language (``role.<role>`` in the text catalogue)."""

    _ROLES = ("government", "company", "verifier", "exchange", "bank", "validator_operator", "edge_device",
              "representative")

    def __getitem__(self, role: str) -> str:
        if role not in self._ROLES:
            raise KeyError(role)
        return t(f"role.{role}")

    def __iter__(self) -> Iterator[str]:
        return iter(self._ROLES)

    def __len__(self) -> int:
        return len(self._ROLES)


ROLE_LABELS = _RoleLabels()


def current_user() -> PortalUser | None:
    user = st.session_state.get(_KEY)
    return user if isinstance(user, PortalUser) else None


def client_key() -> str:
    """The login throttle's name for this visitor: ``ip:<address>``, or ``session:<id>`` without one."""
    try:
        address = st.context.ip_address
    except Exception:  # outside a script run there is no client to name
        address = None
    if address:
        return f"ip:{address}"
    ctx = get_script_run_ctx()
    return f"session:{ctx.session_id}" if ctx is not None else "session:none"


def sign_in(user: PortalUser) -> None:
    st.session_state[_KEY] = user


def sign_out() -> None:
    """Forget the user and everything this session kept (form inputs, selections)."""
    for key in list(st.session_state.keys()):
        del st.session_state[key]


def require_role(*roles: str) -> PortalUser:
    """The logged-in user if the chain gives them one of ``roles``; otherwise stop the page here.

    The role is re-read from the chain (cached briefly), so a change on chain takes effect."""
    user = current_user()
    if user is None:
        st.error(t("session.needs_login"))
        st.stop()
    record = account_record(user.address)
    role = record["role"] if record else None
    if role is None and user.acts_for:  # a representative: each of its reads is checked by the chain itself
        role = REPRESENTATIVE
    if role not in roles:
        wanted = t("session.or").join(ROLE_LABELS.get(r, r) for r in roles)
        st.error(t("session.wrong_role", wanted=wanted, role=ROLE_LABELS.get(role, role or t("role.none"))))
        st.stop()
    return user
