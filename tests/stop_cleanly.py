"""A test run that is told to stop (SIGTERM, SIGHUP: a CI job cancelled, a terminal closed) stops the way
Ctrl-C does: pytest interrupts the running test and runs every fixture's teardown, so the validators,
portals and uploaders the tests started are stopped, not left running without their test run.

With side-by-side workers (pytest-xdist) the tests and their fixtures live in the worker processes, so the
controller passes the signal on to each of its workers instead of stopping itself: each worker interrupts
its test and tears down, reports that it was interrupted, and the controller ends the run once all have.
A signal sent to the whole process group reaches a worker twice (directly and passed on); a repeat within
``REPEAT_SECONDS`` is the same request and does not cut the teardown short. A later one interrupts again
(the controller then stops at once)."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

REPEAT_SECONDS = 5.0
_state: dict[str, object] = {"controller": False, "first": None}  # an xdist controller? when the first stop came


def _children(pid: int) -> list[int]:
    """The live child processes of ``pid`` (its xdist workers, in the controller)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue  # a thread that ended while it was read
    return found


def _interrupt(signum: int, frame) -> None:
    name = signal.Signals(signum).name
    now, first = time.monotonic(), _state["first"]
    if first is not None and now - first < REPEAT_SECONDS:
        return  # the same stop, received again
    _state["first"] = now if first is None else first
    if _state["controller"] and first is None:
        workers = _children(os.getpid())
        print(f"\nstopped by {name}: the {len(workers)} worker(s) interrupt their tests and tear down", file=sys.stderr,
              flush=True)
        for worker in workers:
            try:
                os.kill(worker, signum)
            except ProcessLookupError:
                continue
        return  # the workers tear down and report; xdist then ends the run as interrupted
    raise KeyboardInterrupt(f"stopped by {name}")


def pytest_configure(config) -> None:
    is_worker = hasattr(config, "workerinput")
    _state["controller"] = not is_worker and bool(getattr(config.option, "numprocesses", None))
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _interrupt)
