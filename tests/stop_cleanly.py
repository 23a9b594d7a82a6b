"""A test run that is told to stop (SIGTERM, SIGHUP: a CI job cancelled, a terminal closed) stops the way
Ctrl-C does: pytest interrupts the running test and runs every fixture's teardown, so the validators,
portals and uploaders the tests started are stopped, not left running without their test run."""

from __future__ import annotations

import signal


def _interrupt(signum: int, frame) -> None:
    raise KeyboardInterrupt(f"stopped by {signal.Signals(signum).name}")


def pytest_configure(config) -> None:
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _interrupt)
