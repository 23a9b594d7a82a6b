"""The processes of a network: start, find, signal and stop every node's ``cometbft`` and app.

Each process runs in its own session and outlives whoever started it; its pid is kept in
``<home>/node<i>/<proc>.pid`` and is only believed when ``/proc/<pid>/cmdline`` shows the
process for that node (so a reused pid is never mistaken for a node). Apps start before
cometbft, cometbft stops before the apps; whatever a failed start began is stopped again.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from .errors import LocalNetError
from .home import REPO_ROOT, NetworkHome, write_atomic
from .network import APP_OPTIONS, check_cometbft
from .ports import LOOPBACK, check_ports_free, port_accepts

__all__ = ["Supervisor", "tail", "APP_READY_TIMEOUT", "RPC_READY_TIMEOUT", "KILL_WAIT"]

APP_READY_TIMEOUT = 30.0
RPC_READY_TIMEOUT = 60.0
KILL_WAIT = 5.0
LOG_TAIL_LINES = 20

# Processes this Python process started (any Supervisor), so exited ones can be reaped.
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


def _read_cmdline(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    if not raw:
        return None  # zombie or kernel thread
    return raw.rstrip(b"\0").decode(errors="replace").split("\0")


def _is_zombie_or_gone(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat[stat.rfind(")") + 2 :][:1] in ("Z", "X")


def _has_option(argv: list[str], option: str, value: str) -> bool:
    return any(a == option and i + 1 < len(argv) and argv[i + 1] == value for i, a in enumerate(argv))


def tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    """The last ``lines`` lines of a log file (for error messages)."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - 64 * 1024))
            data = fh.read().decode(errors="replace")
    except OSError:
        return f"(no log at {path})"
    return "\n".join(data.splitlines()[-lines:]) or f"({path} is empty)"


def _signal(pid: int, sig: int) -> None:
    try:
        # Each process leads its own session (start_new_session), so signal its whole group.
        if os.getpgid(pid) == pid:
            os.killpg(pid, sig)
        else:
            os.kill(pid, sig)
    except ProcessLookupError:
        pass


class Supervisor:
    """Starts and stops the (node, proc) processes of one network; ``proc`` is "cometbft" or "app"."""

    def __init__(self, net: NetworkHome, cometbft: Path, python: str):
        self.net = net
        self.home = net.home
        self.cometbft = cometbft
        self.python = python
        self._procs = _CHILDREN

    # -- finding ------------------------------------------------------------------------------

    def _matcher(self, node: str, proc: str) -> Callable[[list[str]], bool]:
        if proc == "cometbft":
            home = str(self.home / node)
            return lambda argv: "start" in argv and _has_option(argv, "--home", home)
        app_home = str(self.home / node / "app")
        return lambda argv: "abci_app" in argv and _has_option(argv, "--home", app_home)

    def pid(self, node: str, proc: str) -> int | None:
        """The pid of ``proc`` ("cometbft" or "app") of ``node`` if it is running (pid file + cmdline check)."""
        try:
            pid = int(self.net.pid_file(node, proc).read_text().strip())
        except (OSError, ValueError):
            return None
        child = self._procs.get(pid)
        if child is not None and child.poll() is not None:
            self._procs.pop(pid, None)  # reaped: our own child has exited
            return None
        argv = _read_cmdline(pid)
        if argv is None or not self._matcher(node, proc)(argv) or _is_zombie_or_gone(pid):
            return None
        return pid

    def _gone(self, pid: int) -> bool:
        child = self._procs.get(pid)
        if child is not None:
            if child.poll() is None:
                return False
            self._procs.pop(pid, None)
            return True
        return _is_zombie_or_gone(pid)

    def _wait_gone(self, pids: Iterable[int], timeout: float) -> list[int]:
        """Wait until every pid has exited; return those still alive at the deadline."""
        left = list(pids)
        deadline = time.monotonic() + timeout
        while left:
            left = [p for p in left if not self._gone(p)]
            if not left or time.monotonic() >= deadline:
                break
            time.sleep(0.05)
        return left

    # -- stopping -----------------------------------------------------------------------------

    def terminate(self, targets: list[tuple[str, str]], timeout: float) -> None:
        """SIGTERM the given (node, proc) processes, wait up to ``timeout``, SIGKILL leftovers."""
        pids = {(n, p): self.pid(n, p) for n, p in targets}
        running = [pid for pid in pids.values() if pid is not None]
        for pid in running:
            _signal(pid, signal.SIGTERM)
        leftovers = self._wait_gone(running, timeout)
        for pid in leftovers:
            _signal(pid, signal.SIGKILL)
        self._forget(pids, self._wait_gone(leftovers, KILL_WAIT), "did not exit even after SIGKILL")

    def kill(self, targets: list[tuple[str, str]]) -> None:
        """SIGKILL the given (node, proc) processes at once (a crash, not a shutdown)."""
        pids = {(n, p): self.pid(n, p) for n, p in targets}
        running = [pid for pid in pids.values() if pid is not None]
        for pid in running:
            _signal(pid, signal.SIGKILL)
        self._forget(pids, self._wait_gone(running, KILL_WAIT), "did not exit after SIGKILL")

    def _forget(self, pids: Mapping[tuple[str, str], int | None], stuck: list[int], problem: str) -> None:
        """Remove the pid files of every process that is gone; raise for those still there."""
        for (n, p), pid in pids.items():
            if pid is None or pid not in stuck:
                self.net.pid_file(n, p).unlink(missing_ok=True)
        if stuck:
            raise LocalNetError(f"processes {stuck} {problem}")

    def cleanup(self, started: list[tuple[str, str]]) -> None:
        """Stop what a failed start began (cometbft first), ignoring what will not stop."""
        try:
            self.terminate([t for t in started if t[1] == "cometbft"], 5.0)
            self.terminate([t for t in started if t[1] == "app"], 5.0)
        except LocalNetError:
            pass

    # -- starting -----------------------------------------------------------------------------

    def _spawn(self, node: str, proc: str, argv: list[str]) -> subprocess.Popen[bytes]:
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        with open(self.net.log_file(node, proc), "ab") as fh:
            fh.write(f"\n=== localnet: starting {proc} of {node} at {datetime.now(timezone.utc).isoformat()} ===\n".encode())
            fh.flush()
            child = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=fh, stderr=subprocess.STDOUT,
                cwd=REPO_ROOT, env=env, start_new_session=True,
            )
        self._procs[child.pid] = child
        write_atomic(self.net.pid_file(node, proc), f"{child.pid}\n")
        return child

    def _spawn_app(self, node: str, manifest: Mapping[str, Any]) -> subprocess.Popen[bytes]:
        entry = self.net.node_entry(node)
        argv = [
            self.python, "-m", "abci_app",
            "--home", str(self.home / node / "app"),
            "--listen", f"tcp://{LOOPBACK}:{entry['ports']['abci']}",
            "--chain-id", str(manifest["chain_id"]),
        ]
        if entry.get("observer"):  # no secrets: follows the chain from the blocks' outcomes
            argv += ["--observer", str(self.home / node / "config" / "genesis.json")]
        for key, (flag, *_) in APP_OPTIONS.items():
            if manifest.get(key) is not None:
                argv += [flag, str(int(manifest[key]))]
        if "app_metrics" in entry["ports"]:  # networks created before app metrics existed have no such port
            argv += ["--metrics", f"{LOOPBACK}:{entry['ports']['app_metrics']}"]
        (self.home / node / "app").mkdir(mode=0o700, exist_ok=True)
        return self._spawn(node, "app", argv)

    def _spawn_cometbft(self, node: str) -> subprocess.Popen[bytes]:
        return self._spawn(node, "cometbft", [str(self.cometbft), "start", "--home", str(self.home / node)])

    def _await_port(self, node: str, proc: str, child: subprocess.Popen[bytes], port: int, timeout: float) -> None:
        log = self.net.log_file(node, proc)
        deadline = time.monotonic() + timeout
        while True:
            if child.poll() is not None:
                raise LocalNetError(
                    f"{proc} of {node} exited with code {child.returncode} before listening on port {port}; "
                    f"last lines of {log}:\n{tail(log)}"
                )
            if port_accepts(port, timeout=0.25):
                return
            if time.monotonic() >= deadline:
                raise LocalNetError(
                    f"{proc} of {node} did not listen on port {port} within {timeout:.0f} s; last lines of {log}:\n{tail(log)}"
                )
            time.sleep(0.05)

    def _plan(self, names: list[str], manifest: Mapping[str, Any]) -> list[tuple[str, str]]:
        """Which (node, proc) need starting, after checking that their ports are free."""
        own_app = self.net.runs_own_app(manifest)
        plan: list[tuple[str, str]] = []
        wanted: list[tuple[str, str, int]] = []
        for name in names:
            ports = self.net.node_entry(name)["ports"]
            if own_app and self.pid(name, "app") is None:
                plan.append((name, "app"))
                wanted.append((name, "abci", ports["abci"]))
                if "app_metrics" in ports:
                    wanted.append((name, "app_metrics", ports["app_metrics"]))
            if self.pid(name, "cometbft") is None:
                plan.append((name, "cometbft"))
                wanted += [(name, kind, ports[kind]) for kind in ("p2p", "rpc", "prometheus")]
        check_ports_free(wanted, len(manifest["nodes"]), int(manifest["base_port"]))
        return plan

    def start(self, names: list[str]) -> list[tuple[str, str]]:
        """Start what is not running on ``names``: every app first, then every cometbft. Returns what was started."""
        check_cometbft(self.cometbft)
        manifest = self.net.load_manifest()
        plan = self._plan(names, manifest)
        started: list[tuple[str, str]] = []
        try:
            apps = [(n, self._spawn_app(n, manifest)) for n, p in plan if p == "app"]
            started += [(n, "app") for n, _ in apps]
            for n, child in apps:
                self._await_port(n, "app", child, self.net.node_entry(n)["ports"]["abci"], APP_READY_TIMEOUT)
            comets = [(n, self._spawn_cometbft(n)) for n, p in plan if p == "cometbft"]
            started += [(n, "cometbft") for n, _ in comets]
            for n, child in comets:
                self._await_port(n, "cometbft", child, self.net.node_entry(n)["ports"]["rpc"], RPC_READY_TIMEOUT)
        except BaseException:
            self.cleanup(started)
            raise
        return started
