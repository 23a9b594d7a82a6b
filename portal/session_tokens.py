"""The portal's server-side session table: a signed token names one logged-in session.

    table = SessionTable()                  a secret of its own, 30 min idle / 8 h absolute
    token = table.issue(user)               after a login: the token the browser keeps (a cookie)
    table.resume(token)                     the user again, or None (forged, expired, logged out)
    table.revoke(token)                     logging out: the token is dead everywhere at once

The token is ``v1.<session id>.<HMAC-SHA256 of the id>``: 32 random bytes and a tag under a secret
that lives only in this portal process (so a restart ends every session). It carries neither the
key, nor the password, nor the user name: the unlocked signer stays in the table, in server memory,
and only until the session's idle or absolute expiry, whichever comes first. A token whose tag does
not check is refused before the table is looked at; an id not in the table (never issued, expired,
revoked) is refused the same way, so a token of one session never yields another's.

The table is bounded (``capacity``): a full table first drops expired sessions, then the session
idle the longest. It is shared by the sessions of the process, behind a lock.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Callable

from .auth import PortalUser

__all__ = ["SessionTable", "IDLE_SECONDS", "ABSOLUTE_SECONDS", "CAPACITY", "MAX_TOKEN_LENGTH", "SESSIONS"]

IDLE_SECONDS = 30 * 60
ABSOLUTE_SECONDS = 8 * 3600
CAPACITY = 1000
MAX_TOKEN_LENGTH = 128  # a real token is 3 + 43 + 1 + 43 characters; anything longer is refused unread
_VERSION = "v1"
_DOMAIN = b"ets-portal-session/v1|"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


@dataclass
class _Entry:
    user: PortalUser
    created: float
    seen: float


class SessionTable:
    """Tokens to logged-in users, with idle and absolute expiry (``clock`` in seconds, monotonic)."""

    def __init__(self, secret: bytes | None = None, *, idle: float = IDLE_SECONDS, absolute: float = ABSOLUTE_SECONDS,
                 capacity: int = CAPACITY, clock: Callable[[], float] = time.monotonic) -> None:
        if capacity < 1 or idle <= 0 or absolute <= 0:
            raise ValueError("a session table needs a positive capacity and positive expiry times")
        self._secret = secret if secret is not None else secrets.token_bytes(32)
        if len(self._secret) < 32:
            raise ValueError("the session secret must be at least 32 bytes")
        self._idle, self._absolute, self._capacity, self._clock = idle, absolute, capacity, clock
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def _tag(self, session_id: str) -> str:
        return _b64(hmac.new(self._secret, _DOMAIN + session_id.encode("ascii"), hashlib.sha256).digest())

    def _session_id(self, token: object) -> str | None:
        """The id of a well-formed token whose tag checks, else None."""
        if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH or not token.isascii():
            return None
        parts = token.split(".")
        if len(parts) != 3 or parts[0] != _VERSION or not parts[1]:
            return None
        return parts[1] if hmac.compare_digest(parts[2], self._tag(parts[1])) else None

    def _alive(self, entry: _Entry, now: float) -> bool:
        return now - entry.seen < self._idle and now - entry.created < self._absolute

    def issue(self, user: PortalUser) -> str:
        """A new session for ``user``; its token."""
        session_id = _b64(secrets.token_bytes(32))
        now = self._clock()
        with self._lock:
            if len(self._entries) >= self._capacity:
                self._make_room(now)
            self._entries[session_id] = _Entry(user, now, now)
        return f"{_VERSION}.{session_id}.{self._tag(session_id)}"

    def _make_room(self, now: float) -> None:
        for key in [k for k, e in self._entries.items() if not self._alive(e, now)]:
            del self._entries[key]
        while len(self._entries) >= self._capacity:
            oldest = min(self._entries, key=lambda k: (self._entries[k].seen, k))
            del self._entries[oldest]

    def resume(self, token: object) -> PortalUser | None:
        """The user of a live session named by ``token`` (its idle time starts again), else None."""
        session_id = self._session_id(token)
        if session_id is None:
            return None
        now = self._clock()
        with self._lock:
            entry = self._entries.get(session_id)
            if entry is None:
                return None
            if not self._alive(entry, now):
                del self._entries[session_id]
                return None
            entry.seen = now
            return entry.user

    def revoke(self, token: object) -> bool:
        """End the session of ``token``; True if there was one."""
        session_id = self._session_id(token)
        if session_id is None:
            return False
        with self._lock:
            return self._entries.pop(session_id, None) is not None

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


SESSIONS = SessionTable()  # the portal process's one table
