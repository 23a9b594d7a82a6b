"""``scripts/up.sh`` as a real process: it keeps running and reporting, and a stop leaves nothing behind.

Each test starts the main job in its own process group on free ports (4 validators, demo data, 3 edge
uploaders, the portal), waits until the portal answers, checks that the job is still running and printing
status lines 45 s later (the SIGTERM test: 15 s), then stops it — Ctrl-C to the whole group, or SIGTERM to the script alone — and
checks that every process it started is gone and every port it used is free again.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable

import pytest

from tests.ports import network_base, port_free

REPO = Path(__file__).resolve().parents[2]
UP = REPO / "scripts" / "up.sh"
VALIDATORS = 4
NODES = [f"node{i}" for i in range(VALIDATORS)]
STARTUP_TIMEOUT = 300  # setup check, 4 validators, seeding 60 companies and a plan on a loaded 2-core machine
RUN_FOR = 45           # how long the job must keep running once the portal answers
STOP_TIMEOUT = 90

pytestmark = [pytest.mark.localnet, pytest.mark.timeout(STARTUP_TIMEOUT + RUN_FOR + STOP_TIMEOUT + 180),
              pytest.mark.long(seconds=240)]


# -- ports -------------------------------------------------------------------------------------

def _run_ports(base: int, portal: int) -> dict[int, str]:
    """Every port one run of up.sh listens on, with what uses it."""
    ports = {base + 10 * i + off: f"node{i} {kind}" for i in range(VALIDATORS)
             for off, kind in ((5, "app metrics"), (6, "p2p"), (7, "rpc"), (8, "abci"), (9, "cometbft metrics"))}
    ports.update({base + i: f"edge uploader {i} metrics" for i in (1, 2, 3)})
    ports[portal] = "portal"
    return ports


def _free_layout() -> tuple[int, int]:
    """A base port and a portal port (base + 4, unused by the nodes) whose every run port is free
    (the suite's one allocator checks base+1..base+4 and every node port)."""
    base = network_base(VALIDATORS)
    assert all(port_free(p) for p in _run_ports(base, base + 4))
    return base, base + 4


# -- processes -----------------------------------------------------------------------------------

def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError:  # gone meanwhile, or not ours to read
        return b""


def _printable(cmdline: bytes) -> str:
    return cmdline.replace(b"\0", b" ").decode(errors="replace").strip()


def _processes_referencing(text: str) -> list[str]:
    """Processes (other than this one) whose command line or environment mentions ``text``."""
    needle = text.encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        cmdline = _read(f"/proc/{entry}/cmdline")
        if needle in cmdline or needle in _read(f"/proc/{entry}/environ"):
            found.append(f"{entry}: {_printable(cmdline)}")
    return found


def _group_members(pgid: int) -> list[str]:
    """Live (non-zombie) processes in process group ``pgid``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        stat = _read(f"/proc/{entry}/stat").decode(errors="replace")
        fields = stat[stat.rfind(")") + 2:].split()  # after "pid (comm) ": state, ppid, pgrp, ...
        if len(fields) > 2 and fields[0] != "Z" and int(fields[2]) == pgid:
            found.append(f"{entry}: {_printable(_read(f'/proc/{entry}/cmdline'))}")
    return found


# -- helpers ---------------------------------------------------------------------------------------

def _wait_until(condition: Callable[[], object], timeout: float, interval: float = 0.5) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def _portal_healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=3) as response:
            return response.status == 200
    except (OSError, urllib.error.URLError):
        return False


def _tail(path: Path, lines: int = 60) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return f"({path} missing)"


def _report(log: Path, home: Path) -> str:
    parts = [f"--- up.sh output (last lines of {log}):\n{_tail(log)}"]
    for extra in sorted((home / "demo").glob("*.log")) + sorted(home.glob("node*/app.log"))[:1]:
        parts.append(f"--- {extra}:\n{_tail(extra, 15)}")
    return "\n".join(parts)


def _status_lines(text: str) -> dict[str, int]:
    """How many status lines the loop printed for each node (``ets localnet status``: one row per node)."""
    return {node: len(re.findall(rf"^{node}\s+(yes|no|cometbft only|app only)\s", text, re.MULTILINE)) for node in NODES}


def _force_cleanup(proc: subprocess.Popen, home: Path) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(30)
    python = str(REPO / ".venv" / "bin" / "python")
    subprocess.run([python, "-m", "ets_tools.demo", "down", "--home", str(home)], cwd=REPO, timeout=60,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if (home / "localnet.json").exists():
        subprocess.run([str(REPO / ".venv" / "bin" / "ets"), "localnet", "stop", "--home", str(home)], cwd=REPO,
                       timeout=60, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _as_from_a_terminal() -> None:
    """In the child before exec: Ctrl-C and Ctrl-\\ back to their defaults, as a terminal's shell gives them. A suite
    started in the background inherits them ignored, and bash cannot trap a signal ignored when it started."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGQUIT, signal.SIG_DFL)


def _run_then_stop(tmp_path: Path, stop: Callable[[subprocess.Popen], None], run_for: int = RUN_FOR) -> None:
    if not (REPO / ".venv" / "bin" / "ets").exists():
        pytest.skip(".venv is missing: run ./scripts/setup.sh")
    home = tmp_path / "net"
    log = tmp_path / "up.log"
    base, portal = _free_layout()
    ports = _run_ports(base, portal)
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            ["bash", str(UP), "--home", str(home), "--base-port", str(base), "--portal-port", str(portal)],
            cwd=REPO, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            preexec_fn=_as_from_a_terminal,
        )
    try:
        assert _wait_until(lambda: proc.poll() is not None or _portal_healthy(portal), STARTUP_TIMEOUT), \
            f"the portal did not answer on port {portal} within {STARTUP_TIMEOUT} s\n{_report(log, home)}"
        assert proc.poll() is None, f"up.sh exited with code {proc.returncode} while starting\n{_report(log, home)}"

        time.sleep(run_for)  # the job must keep running (the old status loop died after ~25 s)
        assert proc.poll() is None, f"up.sh exited with code {proc.returncode} while running\n{_report(log, home)}"
        counts = _status_lines(log.read_text(errors="replace"))
        least = 2 if run_for >= 25 else 1  # a status line every ~10 s
        assert all(n >= least for n in counts.values()), f"too few status lines per node: {counts}\n{_report(log, home)}"

        stop(proc)
        try:
            code = proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            pytest.fail(f"up.sh did not exit within {STOP_TIMEOUT} s of the stop signal\n{_report(log, home)}")
        assert code in (0, 130), f"up.sh exited with code {code}\n{_report(log, home)}"

        _wait_until(lambda: not _processes_referencing(str(home)) and not _group_members(proc.pid), 45)
        left = _processes_referencing(str(home)) + _group_members(proc.pid)
        assert not left, "processes left running after up.sh stopped:\n" + "\n".join(left) + "\n" + _report(log, home)
        _wait_until(lambda: all(port_free(p) for p in ports), 45)
        busy = {p: what for p, what in ports.items() if not port_free(p)}
        assert not busy, f"ports still in use after up.sh stopped: {busy}\n{_report(log, home)}"
        assert not (home / "demo" / "services.json").exists()
        assert "Stopping the edge uploaders, the portal and the network" in log.read_text(errors="replace")
    finally:
        _force_cleanup(proc, home)


def test_ctrl_c_to_the_process_group_stops_everything(tmp_path):
    """SIGINT to the whole group, as a terminal's Ctrl-C sends it: it reaches the loop's children too."""
    _run_then_stop(tmp_path, lambda proc: os.killpg(proc.pid, signal.SIGINT))


def test_sigterm_to_the_script_alone_stops_everything(tmp_path):
    """SIGTERM to the script's pid only, as a supervisor sends it: the script stops its children itself."""
    _run_then_stop(tmp_path, lambda proc: os.kill(proc.pid, signal.SIGTERM), run_for=15)  # the long run is the other test's
