"""The suite's own check of whether a process runs: alive, zombie, gone, and a name that looks like /proc's fields."""

from __future__ import annotations

import os
import shutil
import subprocess
import time

from tests.procs import running


def test_alive_zombie_and_reaped(tmp_path):
    # a program named with a space and a parenthesis: "/proc/PID/stat" puts the name between parentheses
    odd = tmp_path / "z) X y"
    shutil.copy("/bin/sleep", odd)
    child = subprocess.Popen([str(odd), "30"])
    try:
        assert running(child.pid) and running(os.getpid())
    finally:
        child.kill()
    deadline = time.monotonic() + 10
    while running(child.pid):  # killed but not reaped: a zombie, which does not count as running
        assert time.monotonic() < deadline, "a killed, unreaped child still counts as running"
        time.sleep(0.05)
    assert os.path.exists(f"/proc/{child.pid}")  # still there as a zombie until waited for
    child.wait()
    assert not running(child.pid)
