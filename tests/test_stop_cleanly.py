"""A test run stopped by SIGTERM or SIGHUP tears down what its tests started (tests/stop_cleanly.py): a real
pytest process whose session fixture starts a real child process is signalled in the middle of a test."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.procs import running

TESTS = Path(__file__).resolve().parent

SUITE = '''
import os, subprocess, sys, time
from pathlib import Path
import pytest

OUT = Path(os.environ["STOP_TEST_OUT"])

@pytest.fixture(scope="session")
def server():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    (OUT / "child").write_text(str(child.pid))
    yield child
    child.terminate()
    child.wait(timeout=30)
    time.sleep(0.5)  # a teardown that takes a moment: a repeated stop signal arrives while it runs
    (OUT / "torn-down").write_text("yes")

def test_runs_long(server):
    (OUT / "running").write_text("yes")
    time.sleep(600)
'''


@pytest.mark.parametrize("workers, group", [(0, False), (2, False), (2, True)],
                         ids=["one process", "two workers", "two workers, the whole group"])
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_signalled_run_stops_its_servers(tmp_path, signum, workers, group):
    """Signalled as CI cancels a job: to the pytest process alone (with workers, the controller), or twice to its
    whole process group, when each worker gets it directly, passed on, and again during its teardown."""
    (tmp_path / "test_long.py").write_text(SUITE)
    env = {**os.environ, "STOP_TEST_OUT": str(tmp_path), "PYTHONPATH": str(TESTS)}
    side_by_side = ["-n", str(workers), "--dist", "loadfile"] if workers else []
    run = subprocess.Popen([sys.executable, "-m", "pytest", "-p", "stop_cleanly", "-p", "no:cacheprovider", "-q",
                            *side_by_side, str(tmp_path / "test_long.py")], cwd=tmp_path, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    deadline = time.monotonic() + 120
    while not (tmp_path / "running").exists():
        assert run.poll() is None, run.stdout.read()
        assert time.monotonic() < deadline, "the inner test never started"
        time.sleep(0.2)
    child = int((tmp_path / "child").read_text())
    assert running(child)
    if group:  # and once more a moment later, while the teardown runs: the same request, not a harder one
        os.killpg(run.pid, signum)
        time.sleep(0.25)
        os.killpg(run.pid, signum)
    else:
        run.send_signal(signum)
    output, _ = run.communicate(timeout=120)
    assert run.returncode == 2, output  # pytest's "interrupted"
    assert (tmp_path / "torn-down").read_text() == "yes", output
    assert not running(child)
    assert f"stopped by {signal.Signals(signum).name}" in output
    if workers:
        assert "worker(s) interrupt their tests and tear down" in output and "keyboard-interrupt" in output, output
