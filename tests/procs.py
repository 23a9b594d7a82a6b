"""Whether a process still runs, read from /proc the way the tests that kill processes need it."""

from __future__ import annotations

__all__ = ["running"]


def running(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie (exited, not yet reaped by its parent). A process that
    goes away while its entry is read counts as gone, not as an error."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return False
    state = stat[stat.rfind(b")") + 2:].split(b" ", 1)[0]  # after "pid (comm) ": the state; comm may hold spaces
    return state not in (b"Z", b"X")
