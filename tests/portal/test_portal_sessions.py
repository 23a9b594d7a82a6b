"""The portal's session table (portal/session_tokens.py): signed tokens an attacker cannot forge, stretch or replay."""

from __future__ import annotations

import hashlib

import pytest

from ets.keys import Signer
from portal.auth import PortalUser
from portal.session_tokens import MAX_TOKEN_LENGTH, SessionTable


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _user(name: str) -> PortalUser:
    signer = Signer.from_seed(hashlib.sha256(f"session-test/{name}".encode()).digest())
    return PortalUser(name, signer.address, "company", f"{name} Co.", signer=signer)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def table(clock: Clock) -> SessionTable:
    return SessionTable(b"k" * 32, idle=1800, absolute=8 * 3600, capacity=3, clock=clock)


def test_a_token_resumes_its_own_user_and_no_other(table: SessionTable):
    alice, bob = _user("alice"), _user("bob")
    ta, tb = table.issue(alice), table.issue(bob)
    assert ta != tb
    assert table.resume(ta) is alice and table.resume(tb) is bob


def test_the_token_carries_no_name_key_or_password(table: SessionTable):
    user = _user("alice")
    token = table.issue(user)
    assert len(token) <= MAX_TOKEN_LENGTH and token.startswith("v1.")
    for secret in ("alice", user.address, user.signer.public_key.hex()):
        assert secret not in token


@pytest.mark.parametrize("tamper", [
    lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),                   # tag changed
    lambda t: "v1." + ("A" * 43) + "." + t.split(".")[2],                # id changed, old tag
    lambda t: "v2." + ".".join(t.split(".")[1:]),                        # unknown version
    lambda t: t + ".x",                                                  # an extra part
    lambda t: t.split(".")[0] + "." + t.split(".")[1],                   # no tag
    lambda t: t + "A" * 200,                                             # enormous
    lambda t: t.replace("v1", "v１"),                                    # non-ASCII look-alike
    lambda t: "",
])
def test_a_forged_token_is_refused(table: SessionTable, tamper):
    token = table.issue(_user("alice"))
    assert table.resume(tamper(token)) is None
    assert table.resume(token) is not None  # the real one still works


@pytest.mark.parametrize("value", [None, 42, b"v1.a.b", ["v1"], {"token": 1}])
def test_a_token_that_is_not_text_is_refused(table: SessionTable, value):
    assert table.resume(value) is None and table.revoke(value) is False


def test_a_token_of_another_portal_process_is_refused(table: SessionTable, clock: Clock):
    other = SessionTable(b"o" * 32, clock=clock)
    token = other.issue(_user("alice"))
    assert table.resume(token) is None


def test_idle_expiry_and_activity_keeps_a_session_alive(table: SessionTable, clock: Clock):
    token = table.issue(_user("alice"))
    for _ in range(5):  # active every 29 minutes: alive well past the first 30
        clock.now += 29 * 60
        assert table.resume(token) is not None
    clock.now += 30 * 60
    assert table.resume(token) is None
    clock.now -= 30 * 60  # even if the clock came back, the expired session is gone
    assert table.resume(token) is None and len(table) == 0


def test_absolute_expiry_however_active(table: SessionTable, clock: Clock):
    token = table.issue(_user("alice"))
    while clock.now < 1000 + 8 * 3600 - 60:
        clock.now += 20 * 60
        if clock.now - 1000 < 8 * 3600:
            assert table.resume(token) is not None
    clock.now = 1000 + 8 * 3600
    assert table.resume(token) is None


def test_logout_revokes_and_a_replayed_token_fails(table: SessionTable):
    token = table.issue(_user("alice"))
    copy = str(token)
    assert table.revoke(token) is True
    assert table.resume(copy) is None
    assert table.revoke(copy) is False


def test_the_table_is_bounded_dropping_expired_then_the_longest_idle(table: SessionTable, clock: Clock):
    first = table.issue(_user("a"))
    clock.now += 10
    second = table.issue(_user("b"))
    clock.now += 10
    third = table.issue(_user("c"))
    clock.now += 10
    table.resume(first)  # first is now the most recently active
    fourth = table.issue(_user("d"))
    assert len(table) == 3
    assert table.resume(second) is None  # the longest idle went
    assert all(table.resume(t) is not None for t in (first, third, fourth))
    clock.now += 3600  # every session expired: a new one clears them all out
    table.issue(_user("e"))
    assert len(table) == 1


@pytest.mark.parametrize("kwargs", [{"capacity": 0}, {"idle": 0}, {"absolute": -1}])
def test_a_table_needs_sane_limits(kwargs):
    with pytest.raises(ValueError):
        SessionTable(b"k" * 32, **kwargs)


def test_a_short_secret_is_refused():
    with pytest.raises(ValueError, match="at least 32 bytes"):
        SessionTable(b"short")


def _who_page():
    import streamlit as st

    from portal import session

    user = session.current_user()
    session.keep_cookie()
    st.write(f"user={user.username if user else None}")


@pytest.mark.parametrize("end", ["idle", "revoked"])
def test_a_browser_session_ends_with_its_table_entry(monkeypatch, table: SessionTable, clock: Clock, end: str):
    from streamlit.testing.v1 import AppTest

    from portal import session

    monkeypatch.setattr(session, "SESSIONS", table)
    monkeypatch.setenv("ETS_PORTAL_LANGUAGE", "en")
    user = _user("alice")
    token = table.issue(user)
    app = AppTest.from_function(_who_page, default_timeout=30)
    app.session_state["portal_user"], app.session_state["portal_session_token"] = user, token
    app.run()
    assert [m.value for m in app.markdown] == ["user=alice"]
    if end == "idle":
        clock.now += 31 * 60
    else:
        table.revoke(token)  # logged out in another tab
    app.run()
    assert not app.exception
    assert [m.value for m in app.markdown] == ["user=None"]
    assert [i.value for i in app.info] == ["Your session has ended (30 minutes without activity, or 8 hours after "
                                           "login). Log in again."]
    assert "portal_user" not in app.session_state and "portal_session_token" not in app.session_state
    app.run()
    assert [m.value for m in app.markdown] == ["user=None"] and not app.info  # said once
