"""``scripts/suite_runs.sh`` as a real process: it runs the test command again and again, keeps one line per
run, and stops at the first failing run unless told to keep going. Here on a tiny pytest selection in this
checkout (``--here``: setup is already done); the full runs are what the closing notes report."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

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
