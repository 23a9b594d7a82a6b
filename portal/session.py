"""The logged-in user of one browser session, and the role check every restricted page runs.

A login opens a session in the portal process's table (``portal.session_tokens.SESSIONS``): the
unlocked signer lives there, in server memory, until 30 minutes without activity or 8 hours after
login, whichever comes first, never on disk and never in a cache shared between sessions. The
browser keeps only the signed token, in the ``ets_portal_session`` cookie (set by a script, read
back through ``st.context.cookies``), so a reload or a new tab of the same browser finds its session
again. Logging out revokes the token in the table (a copy of it kept anywhere is dead) and clears
the cookie. Pages are just code, so each restricted page calls ``require_role`` itself; the router
hiding a page is not the protection.

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
from .session_tokens import ABSOLUTE_SECONDS, SESSIONS

__all__ = ["current_user", "sign_in", "sign_out", "require_role", "client_key", "keep_cookie", "roles_text",
           "ROLE_LABELS", "COOKIE"]

_KEY = "portal_user"
_TOKEN = "portal_session_token"
_ENDED = "portal_session_ended"  # the session expired: say so once on the next page
_CLEAR = "portal_session_clear_cookie"
COOKIE = "ets_portal_session"


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


def _cookie() -> str | None:
    try:
        return st.context.cookies.get(COOKIE)
    except Exception:  # outside a browser session (in-process page tests) there are no cookies
        return None


def _forget() -> None:
    for key in list(st.session_state.keys()):
        del st.session_state[key]


def current_user() -> PortalUser | None:
    """The user of this browser session: its live session token, else the browser's cookie; None if neither."""
    token = st.session_state.get(_TOKEN)
    if token is not None:
        user = SESSIONS.resume(token)
        if user is None:  # expired (idle or absolute) or revoked in another tab
            _forget()
            st.session_state[_ENDED] = True
            st.session_state[_CLEAR] = True
        return user
    user = st.session_state.get(_KEY)
    if isinstance(user, PortalUser):  # put into server memory directly (in-process page tests)
        return user
    cookie = _cookie()
    if cookie and not st.session_state.get(_CLEAR):
        user = SESSIONS.resume(cookie)
        if user is not None:
            st.session_state[_KEY], st.session_state[_TOKEN] = user, cookie
            return user
    return None


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
    """Open a session for ``user``; the browser gets its token on the next page drawn (``keep_cookie``)."""
    st.session_state.pop(_CLEAR, None)
    st.session_state.pop(_ENDED, None)
    st.session_state[_KEY] = user
    st.session_state[_TOKEN] = SESSIONS.issue(user)


def sign_out() -> None:
    """End the session everywhere (the token is revoked) and forget everything this browser session kept."""
    for token in {st.session_state.get(_TOKEN), _cookie()} - {None}:
        SESSIONS.revoke(token)
    _forget()
    st.session_state[_CLEAR] = True


def keep_cookie() -> None:
    """Give the browser this session's token (or take it away after a logout); call once per page run."""
    token = st.session_state.get(_TOKEN)
    if token is not None:
        secure = "; Secure" if str(getattr(st.context, "url", "") or "").startswith("https:") else ""
        _script(f"{COOKIE}={token}; Path=/; Max-Age={ABSOLUTE_SECONDS}; SameSite=Strict{secure}")
    elif st.session_state.get(_CLEAR) or _cookie():
        _script(f"{COOKIE}=; Path=/; Max-Age=0; SameSite=Strict")
    if st.session_state.pop(_ENDED, False):
        st.info(t("flows.session.ended"))


def _script(cookie: str) -> None:
    # the token is our own base64url text: nothing in it can end the string
    st.html(f"<script>document.cookie = {cookie!r};</script>", unsafe_allow_javascript=True)


def roles_text(roles) -> str:
    return " / ".join(ROLE_LABELS.get(r, r) for r in roles)


def require_role(*roles: str) -> PortalUser:
    """The logged-in user if the chain gives them one of ``roles``; otherwise stop the page here.

    The role is re-read from the chain (cached briefly), so a change on chain takes effect."""
    user = current_user()
    if user is None:
        st.error(t("flows.login.needed", roles=roles_text(roles)))
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
