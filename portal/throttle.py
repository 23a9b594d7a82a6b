"""Login throttling: how many wrong passwords a user name, or one client, may try before it must wait.

Two scopes are counted, each on its own: the **user name** typed at the form (known or not, so
the throttle does not reveal which names exist) and the **client** (its IP address, or its
browser session when Streamlit cannot tell the address). A scope that reaches its limit of
failures within ``window`` seconds is locked: every attempt in it is refused before the password
is even looked at, so the right password is refused too until the lockout ends. The first lockout
lasts ``first_lockout`` seconds; after it, each further failure locks the scope again for twice as
long as the previous lockout, up to ``max_lockout``. A successful login clears its user name's
record (not the client's: one good account must not buy more guesses at other accounts). A record
with no failure for ``forget_after`` seconds is forgotten.

Attempts are counted when they start (``begin``) and settled when they end (``Attempt.finish``),
so parallel sessions cannot all slip through before the first failure is recorded.

The state is in memory, one ``LoginThrottle`` per process (``LOGIN_THROTTLE``, shared by every
Streamlit session; a lock makes it thread-safe), and bounded: each scope keeps at most
``max_keys`` records, dropping the least recently used one that is not locked. Everything takes
its time from an injectable ``clock`` (seconds, monotonic), so tests drive it with a fake clock.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import Callable

__all__ = ["ThrottlePolicy", "LoginThrottle", "Attempt", "Throttled", "LOGIN_THROTTLE", "lockout_message", "wait_text"]

USER, CLIENT = "user", "client"
_IN_FLIGHT_RETRY = 1.0  # seconds to wait when the remaining allowance is taken by attempts still running
_EVICTION_SCAN = 64  # how many of the oldest records eviction looks through for one that is not locked


@dataclass(frozen=True)
class ThrottlePolicy:
    """The limits; the defaults are the portal's."""

    max_failures: int = 5  # per user name within ``window``
    client_max_failures: int = 20  # per client within ``window``, whatever user names it tries
    window: float = 15 * 60.0
    first_lockout: float = 30.0
    max_lockout: float = 15 * 60.0
    forget_after: float = 60 * 60.0
    max_keys: int = 10_000  # records kept per scope

    def __post_init__(self) -> None:
        if self.max_failures < 1 or self.client_max_failures < 1 or self.max_keys < 1:
            raise ValueError("max_failures, client_max_failures and max_keys must be at least 1")
        if not 0 < self.first_lockout <= self.max_lockout:
            raise ValueError("first_lockout must be positive and at most max_lockout")
        if self.window <= 0 or self.forget_after < max(self.window, self.max_lockout):
            raise ValueError("window must be positive and forget_after at least window and max_lockout")

    def limit(self, scope: str) -> int:
        return self.max_failures if scope == USER else self.client_max_failures


def wait_text(seconds: float) -> tuple[str, str]:
    """A wait in Korean and in English, rounded up to the second: ("1분 30초", "1 min 30 s")."""
    total = max(1, math.ceil(seconds))
    minutes, secs = divmod(total, 60)
    if minutes and secs:
        return f"{minutes}분 {secs}초", f"{minutes} min {secs} s"
    if minutes:
        return f"{minutes}분", f"{minutes} min"
    return f"{secs}초", f"{secs} s"


def lockout_message(seconds: float) -> str:
    """The exception's words during a lockout (English, for logs; the form says it from the catalogue's
    ``account.login_paused`` in the visitor's language)."""
    return (f"Too many failed logins: logging in is paused. Try again in {wait_text(seconds)[1]}. "
            "Until then every login is refused, even with the right password.")


class Throttled(Exception):
    """The attempt was refused without checking the password; ``retry_after`` seconds remain."""

    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after
        super().__init__(lockout_message(retry_after))


@dataclass
class _Record:
    failures: deque = field(default_factory=deque)  # times of failures within the window (before a first lockout)
    level: int = 0  # lockouts so far
    locked_until: float = 0.0
    last_failure: float = 0.0
    in_flight: int = 0

    def allowance(self, limit: int) -> int:
        """How many attempts may run now (0 while locked is handled by the caller)."""
        return (1 if self.level else limit - len(self.failures)) - self.in_flight


class Attempt:
    """A login attempt let through by ``LoginThrottle.begin``; call ``finish(ok)`` exactly once when it ends."""

    def __init__(self, throttle: "LoginThrottle", keys: tuple[tuple[str, str], ...]) -> None:
        self._throttle, self._keys, self._done = throttle, keys, False
        self.lockout = 0.0  # seconds of the lockout this attempt's failure started (0: none)

    def finish(self, ok: bool) -> float:
        """Record the outcome (``ok``: the password was right); returns the lockout it started, in seconds."""
        if not self._done:
            self._done = True
            self.lockout = self._throttle._finish(self._keys, ok)
        return self.lockout


class LoginThrottle:
    """Failures per user name and per client, and their lockouts (thread-safe, bounded, injectable clock)."""

    def __init__(self, policy: ThrottlePolicy | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.policy = policy or ThrottlePolicy()
        self._clock = clock
        self._lock = threading.Lock()
        self._records: dict[str, OrderedDict[str, _Record]] = {USER: OrderedDict(), CLIENT: OrderedDict()}

    # ------------------------------------------------------------ public

    def begin(self, user: str, client: str | None = None) -> Attempt:
        """Let an attempt for ``user`` from ``client`` start, or raise ``Throttled`` saying how long to wait.

        ``client`` None counts the user name only."""
        keys = self._keys(user, client)
        with self._lock:
            now = self._clock()
            wait = self._wait(keys, now)
            if wait > 0:
                raise Throttled(wait)
            for scope, key in keys:
                self._get(scope, key, now, create=True).in_flight += 1
            return Attempt(self, keys)

    def retry_after(self, user: str, client: str | None = None) -> float:
        """Seconds until an attempt for ``user`` from ``client`` would be let through (0: now)."""
        with self._lock:
            return self._wait(self._keys(user, client), self._clock())

    def size(self, scope: str | None = None) -> int:
        """Records kept (in one scope, ``"user"`` or ``"client"``, or in both)."""
        with self._lock:
            return sum(len(r) for s, r in self._records.items() if scope in (None, s))

    def clear(self) -> None:
        with self._lock:
            for records in self._records.values():
                records.clear()

    # ------------------------------------------------------------ inside the lock

    @staticmethod
    def _keys(user: str, client: str | None) -> tuple[tuple[str, str], ...]:
        return ((USER, user),) + (((CLIENT, client),) if client is not None else ())

    def _wait(self, keys: tuple[tuple[str, str], ...], now: float) -> float:
        wait = 0.0
        for scope, key in keys:
            record = self._get(scope, key, now)
            if record is None:
                continue
            self._prune(record, now)
            if record.locked_until > now:
                wait = max(wait, record.locked_until - now)
            elif record.allowance(self.policy.limit(scope)) <= 0:
                wait = max(wait, _IN_FLIGHT_RETRY)
        return wait

    def _finish(self, keys: tuple[tuple[str, str], ...], ok: bool) -> float:
        started = 0.0
        with self._lock:
            now = self._clock()
            for scope, key in keys:
                record = self._get(scope, key, now, create=True)
                record.in_flight = max(0, record.in_flight - 1)
                if ok:
                    if scope == USER:
                        del self._records[scope][key]
                    continue
                started = max(started, self._fail(record, self.policy.limit(scope), now))
        return started

    def _fail(self, record: _Record, limit: int, now: float) -> float:
        """Count one failure; returns the lockout it starts (0: none)."""
        record.last_failure = now
        if record.level == 0:
            self._prune(record, now)
            record.failures.append(now)
            if len(record.failures) < limit:
                return 0.0
            record.failures.clear()
        lockout = min(self.policy.first_lockout * 2 ** min(record.level, 64), self.policy.max_lockout)
        record.level += 1
        record.locked_until = max(record.locked_until, now + lockout)
        return lockout

    def _prune(self, record: _Record, now: float) -> None:
        while record.failures and record.failures[0] <= now - self.policy.window:
            record.failures.popleft()

    def _stale(self, record: _Record, now: float) -> bool:
        return (not record.in_flight and record.locked_until <= now
                and now - record.last_failure >= self.policy.forget_after)

    def _get(self, scope: str, key: str, now: float, create: bool = False) -> _Record | None:
        records = self._records[scope]
        record = records.get(key)
        if record is not None and self._stale(record, now):
            del records[key]
            record = None
        if record is None:
            if not create:
                return None
            while len(records) >= self.policy.max_keys:
                self._evict(records, now)
            record = records[key] = _Record()
        else:
            records.move_to_end(key)
        return record

    def _evict(self, records: OrderedDict[str, _Record], now: float) -> None:
        """Drop the least recently used record that is not locked (looking at the oldest few), else the oldest."""
        for i, (key, record) in enumerate(records.items()):
            if i >= _EVICTION_SCAN:
                break
            if record.locked_until <= now and not record.in_flight:
                del records[key]
                return
        records.popitem(last=False)


LOGIN_THROTTLE = LoginThrottle()  # the portal process's throttle, shared by every session
