"""``scripts/suite_runs.sh`` as a real process: it runs the test command again and again, keeps one line per
run, and stops at the first failing run unless told to keep going. Here on a tiny pytest selection in this
checkout (``--here``: setup is already done); the full runs are what the closing notes report."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

from tests.procs import running

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "suite_runs.sh"
LINE = re.compile(r"^run (\d+)/(\d+)  \S+Z  \d+ min \d+ s  exit (\d+)  (.*)$")


def _runs(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess, list[tuple[int, int, int, str]]]:
    done = subprocess.run(["bash", str(SCRIPT), "--here", "--log", str(tmp_path / "log"), *args], cwd=REPO,
                          capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
    lines = (tmp_path / "log" / "summary.txt").read_text().splitlines()
    runs = [(int(m[1]), int(m[2]), int(m[3]), m[4]) for m in map(LINE.match, lines) if m]
    return done, runs


def test_every_run_gets_its_line_with_pytests_summary(tmp_path):
    done, runs = _runs(tmp_path, "--runs", "2", "--", "tests/protocol/test_channel_box.py", "-q", "-k", "limits")
    assert done.returncode == 0, done.stderr
    assert [(n, total, rc) for n, total, rc, _ in runs] == [(1, 2, 0), (2, 2, 0)]
    # one process reports what -k left out; side-by-side workers (the default) report only what ran
    assert all(re.fullmatch(r"1 passed(, 4 deselected)? in [0-9.]+s", summary) for *_, summary in runs), runs
    assert (tmp_path / "log" / "run-2.log").is_file() and "0 failing run(s)" in done.stdout


def test_a_failing_run_stops_the_series_unless_told_to_keep_going(tmp_path):
    done, runs = _runs(tmp_path, "--runs", "3", "--", "tests/protocol/test_channel_box.py", "-q", "-k", "no_test_has_this_name")
    assert done.returncode == 1 and [(n, rc) for n, _, rc, _ in runs] == [(1, 5)]  # pytest: no tests collected
    assert re.fullmatch(r"(5 deselected|no tests ran) in [0-9.]+s", runs[0][3]), runs
    assert "1 failing run(s)" in done.stdout
    done, runs = _runs(tmp_path / "again", "--keep-going", "--runs", "2", "--", "tests/protocol/test_channel_box.py", "-q", "-k",
                       "no_test_has_this_name")
    assert done.returncode == 1 and [(n, rc) for n, _, rc, _ in runs] == [(1, 5), (2, 5)]


def test_bad_arguments_are_refused_with_what_to_give(tmp_path):
    done = subprocess.run(["bash", str(SCRIPT), "--runs", "0"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "--runs needs a whole number from 1, got '0'" in done.stderr
    done = subprocess.run(["bash", str(SCRIPT), "--frobnicate"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "unknown argument '--frobnicate' (see --help)" in done.stderr
    helped = subprocess.run(["bash", str(SCRIPT), "--help"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert helped.returncode == 0 and "--keep-going" in helped.stdout and "--here" in helped.stdout


def test_a_stopped_series_stops_its_suite_first_and_says_so(tmp_path):
    """SIGTERM to the series while a suite runs: the suite is stopped and waited for (its teardown runs before the
    clone would be removed), the summary says which run was stopped, and the series exits 130."""
    long_test = tmp_path / "suite" / "test_long.py"
    long_test.parent.mkdir()
    pid_file = tmp_path / "pytest.pid"
    long_test.write_text("import os, time\n\ndef test_long():\n"
                         f"    open({str(pid_file)!r}, 'w').write(str(os.getpid()))\n    time.sleep(600)\n")
    env = {**os.environ, "PYTHONPATH": str(REPO / "tests")}  # the suite's own stop plugin, for a file outside it
    series = subprocess.Popen(["bash", str(SCRIPT), "--here", "--log", str(tmp_path / "log"), "--runs", "2", "--",
                               str(long_test), "-q", "-p", "no:cacheprovider", "-p", "stop_cleanly"], cwd=REPO, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while not pid_file.exists() or not pid_file.read_text():
        assert series.poll() is None, series.stdout.read()
        assert time.monotonic() < deadline, "the suite never started its test"
        time.sleep(0.2)
    inner = int(pid_file.read_text())
    series.send_signal(signal.SIGTERM)
    output, _ = series.communicate(timeout=120)
    assert series.returncode == 130, output
    assert not running(inner), output
    lines = (tmp_path / "log" / "summary.txt").read_text().splitlines()
    assert lines[-1].startswith("# stopped during run 1; logs in ") and not any(LINE.match(line) for line in lines), lines
