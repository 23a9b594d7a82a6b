"""The login throttle (``portal.throttle``) on a fake clock: lockouts, their growth, resets, scopes, bounds.

Each table row is a scenario: a list of steps ``(time, user, client, outcome, expected)``, where
``outcome`` is what the password check would say (``"fail"`` or ``"ok"``) and ``expected`` is
``None`` when the attempt must be let through, or the seconds ``Throttled.retry_after`` must say.
"""

from __future__ import annotations

import threading

import pytest

from portal.throttle import LoginThrottle, Throttled, ThrottlePolicy, lockout_message, wait_text

POLICY = ThrottlePolicy(max_failures=5, client_max_failures=20, window=900, first_lockout=30, max_lockout=900,
                        forget_after=3600, max_keys=10_000)


class FakeClock:
    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def fails(user: str, times, client: str | None = "ip:198.51.100.1"):
    return [(t, user, client, "fail", None) for t in times]


SCENARIOS = {
    "five failures lock the user; the right password is refused until the lockout ends": [
        *fails("steel", range(5)),
        (5, "steel", "ip:198.51.100.1", "ok", 29.0),
        (33.5, "steel", "ip:198.51.100.1", "ok", 0.5),
        (34, "steel", "ip:198.51.100.1", "ok", None),
    ],
    "four failures do not lock": [
        *fails("steel", range(4)),
        (4, "steel", "ip:198.51.100.1", "ok", None),
    ],
    "the user's lock holds from any client and from none": [
        *fails("steel", range(5)),
        (10, "steel", "ip:203.0.113.9", "ok", 24.0),
        (10, "steel", None, "ok", 24.0),
        (10, "power", "ip:203.0.113.9", "ok", None),  # another user name is not locked
    ],
    "each failure after a lockout locks again for twice as long, up to 15 min": [
        *fails("steel", range(5)),  # locked 4 → 34 (30 s)
        (34, "steel", None, "fail", None),  # locked 34 → 94 (60 s)
        (93, "steel", None, "ok", 1.0),
        (94, "steel", None, "fail", None),  # 120 s → 214
        (214, "steel", None, "fail", None),  # 240 s → 454
        (454, "steel", None, "fail", None),  # 480 s → 934
        (933, "steel", None, "ok", 1.0),
        (934, "steel", None, "fail", None),  # 960 s capped at 900 → 1834
        (935, "steel", None, "ok", 899.0),
        (1834, "steel", None, "fail", None),  # still capped: → 2734
        (1835, "steel", None, "ok", 899.0),
    ],
    "a success resets the user's count": [
        *fails("steel", range(4)),
        (4, "steel", None, "ok", None),
        *fails("steel", range(5, 9)),
        (9, "steel", None, "ok", None),
    ],
    "a success after a lockout resets the lockout's growth too": [
        *fails("steel", range(5)),  # locked until 34
        (34, "steel", None, "ok", None),
        *fails("steel", range(40, 44)),
        (44, "steel", None, "fail", None),  # the fifth failure again: 30 s, not 60 s
        (45, "steel", None, "ok", 29.0),
    ],
    "failures older than the window do not count": [
        *fails("steel", (0, 250, 500, 750)),
        (1000, "steel", None, "fail", None),  # the one at 0 has left the 900 s window: four in it
        (1001, "steel", None, "ok", None),
    ],
    "a quiet hour forgets a lockout's growth": [
        *fails("steel", range(5)),
        (34, "steel", None, "fail", None),  # level 2, locked until 94
        (94 + 3600, "steel", None, "fail", None),  # forgotten: a first failure, no lock
        (94 + 3601, "steel", None, "ok", None),
    ],
    "one client trying many user names is locked after 20 failures": [
        *[(i, f"user-{i}", "ip:198.51.100.1", "fail", None) for i in range(20)],
        (20, "user-new", "ip:198.51.100.1", "ok", 29.0),  # a fresh user name from that client: refused
        (20, "user-new", "ip:203.0.113.9", "ok", None),  # the same name from another client: let through
        (50, "user-new2", "ip:198.51.100.1", "fail", None),  # after 30 s one more failure: 60 s
        (51, "user-new3", "ip:198.51.100.1", "ok", 59.0),
    ],
    "a success does not reset the client's count": [
        *[(i, f"user-{i}", "ip:198.51.100.1", "fail", None) for i in range(19)],
        (19, "mine", "ip:198.51.100.1", "ok", None),
        (20, "user-x", "ip:198.51.100.1", "fail", None),  # the 20th failure from this client
        (21, "mine", "ip:198.51.100.1", "ok", 29.0),
    ],
}


@pytest.mark.parametrize("steps", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_scenarios(steps):
    clock = FakeClock()
    throttle = LoginThrottle(POLICY, clock=clock)
    for i, (t, user, client, outcome, expected) in enumerate(steps):
        clock.now = t
        try:
            attempt = throttle.begin(user, client)
        except Throttled as exc:
            assert expected is not None, f"step {i} (t={t}, {user}, {client}) was refused ({exc.retry_after} s)"
            assert exc.retry_after == pytest.approx(expected), f"step {i} (t={t}): wait"
            assert throttle.retry_after(user, client) == pytest.approx(expected)
            continue
        assert expected is None, f"step {i} (t={t}, {user}, {client}) was let through, expected a {expected} s wait"
        attempt.finish(outcome == "ok")


def test_finish_reports_the_lockout_it_started_and_counts_once():
    clock = FakeClock()
    throttle = LoginThrottle(POLICY, clock=clock)
    for _ in range(4):
        assert throttle.begin("steel").finish(False) == 0
    attempt = throttle.begin("steel")
    assert attempt.finish(False) == 30
    assert attempt.finish(False) == 30  # a second finish records nothing more
    clock.now = 30
    assert throttle.begin("steel").finish(False) == 60


def test_attempts_still_running_count_against_the_allowance():
    """Parallel sessions cannot all get past the check before the first failure is recorded."""
    throttle = LoginThrottle(POLICY, clock=FakeClock())
    running = [throttle.begin("steel") for _ in range(5)]
    with pytest.raises(Throttled) as exc:
        throttle.begin("steel")
    assert exc.value.retry_after == 1.0
    running.pop().finish(True)  # a success frees the user name
    throttle.begin("steel").finish(False)
    for attempt in running:
        attempt.finish(False)
    assert throttle.retry_after("steel") == 30


def test_many_threads_get_exactly_the_allowance_through():
    throttle = LoginThrottle(POLICY, clock=FakeClock())
    through, refused = [], []
    barrier = threading.Barrier(40)

    def attempt():
        barrier.wait()
        try:
            a = throttle.begin("steel", "ip:198.51.100.1")
        except Throttled:
            refused.append(1)
            return
        through.append(1)
        a.finish(False)

    threads = [threading.Thread(target=attempt) for _ in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert (len(through), len(refused)) == (5, 35)
    assert throttle.retry_after("steel") == 30


@pytest.mark.parametrize("scope,prefix,client", [("user", "user-", None), ("client", "ip:10.0.0.", "fixed")])
def test_records_are_bounded_and_the_oldest_go_first(scope, prefix, client):
    clock = FakeClock()
    policy = ThrottlePolicy(max_keys=100, client_max_failures=5)
    throttle = LoginThrottle(policy, clock=clock)
    for i in range(1000):
        clock.now = i
        user, who = (f"{prefix}{i}", None) if scope == "user" else (f"u{i}", f"{prefix}{i}")
        throttle.begin(user, who).finish(False)
        assert throttle.size(scope) <= 100
    assert throttle.size(scope) == 100
    # the newest records are kept: four failures already, the fifth locks
    user, who = (f"{prefix}999", None) if scope == "user" else ("u-new", f"{prefix}999")
    throttle.begin(user, who).finish(False)
    throttle.begin(user, who).finish(False)
    throttle.begin(user, who).finish(False)
    throttle.begin(user, who).finish(False)
    assert throttle.retry_after(user, who) == 30


def test_eviction_keeps_locked_records():
    """Spraying new user names does not flush a locked user's lockout."""
    clock = FakeClock()
    throttle = LoginThrottle(ThrottlePolicy(max_keys=50), clock=clock)
    for _ in range(5):
        throttle.begin("steel").finish(False)
    for i in range(500):
        throttle.begin(f"spray-{i}").finish(False)
    assert throttle.size("user") == 50
    assert throttle.retry_after("steel") == 30


def test_the_default_bound_is_ten_thousand_records_per_scope():
    throttle = LoginThrottle(clock=FakeClock())
    assert throttle.policy.max_keys == 10_000
    for i in range(10_050):
        throttle.begin(f"user-{i}", f"ip:10.0.{i // 256}.{i % 256}").finish(False)
    assert throttle.size("user") == 10_000 and throttle.size("client") == 10_000


@pytest.mark.parametrize("seconds,ko,en", [
    (0.2, "1초", "1 s"), (29.01, "30초", "30 s"), (60, "1분", "1 min"), (90, "1분 30초", "1 min 30 s"),
    (899.5, "15분", "15 min"),
])
def test_the_wait_is_said_in_korean_and_english(seconds, ko, en):
    assert wait_text(seconds) == (ko, en)
    message = lockout_message(seconds)
    assert f"Try again in {en}." in message and "even with the right password" in message
    assert str(Throttled(seconds)) == message


@pytest.mark.parametrize("kwargs", [{"max_failures": 0}, {"first_lockout": 0}, {"first_lockout": 1000},
                                    {"forget_after": 60}, {"max_keys": 0}, {"window": 0}])
def test_policies_that_cannot_work_are_refused(kwargs):
    with pytest.raises(ValueError):
        ThrottlePolicy(**kwargs)
