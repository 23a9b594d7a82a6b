"""Hosts in Linux network namespaces on one switch, and the faults of the wire between them (iproute2 only).

    lab = Lab(hosts=4)          a switch namespace holding bridge ``sw0``; one namespace per host with
                                ``eth0`` = 127.100.0.<i+1>/16, linked to the switch by a veth pair
    lab.exec(i, argv)           argv as run inside host i's namespace (``ip netns exec``)
    lab.partition([[0, 1], [2, 3]])   each group's switch ports on a bridge of its own: no frame crosses
    lab.cut(i) / lab.mend(i)    host i's switch port down / up (its link is broken / mended)
    lab.heal()                  every port back on ``sw0`` and up
    lab.close()                 deletes every namespace, and with them every link and bridge

Addresses are in the loopback range (the only range this machine lets namespaces use): each host has
``route_localnet`` on and its ``local 127.0.0.0/8`` route narrowed to 127.0.0.1, so 127.100.0.x leaves
through ``eth0``. Namespace names carry the creating pid, so a later lab removes what a killed run left.
"""

from __future__ import annotations

import itertools
import os
import re
import signal
import subprocess
import time

__all__ = ["Lab", "LabError", "namespaces_unavailable", "SUBNET"]

SUBNET = "127.100.0"
_PREFIX = "etsn"
_counter = itertools.count()


class LabError(RuntimeError):
    """An ``ip`` command failed while building or changing the lab."""


def _ip(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    if check and done.returncode != 0:
        raise LabError(f"`ip {' '.join(args)}` failed: {done.stderr.strip()}")
    return done


def namespaces_unavailable() -> str | None:
    """Why network namespaces cannot be made here (None when they can)."""
    if os.geteuid() != 0:
        return "network namespaces need root (CI runs these tests as root)"
    name = f"{_PREFIX}-{os.getpid()}-probe"
    try:
        made = _ip("netns", "add", name, check=False)
    except FileNotFoundError:
        return "iproute2's `ip` is not installed"
    if made.returncode != 0:
        return f"`ip netns add` failed: {made.stderr.strip()}"
    _ip("netns", "del", name, check=False)
    return None


def remove_stale() -> list[str]:
    """Delete the namespaces of labs whose creating process is gone (killed before it could clean up),
    after stopping the processes that lab started in them; returns their names."""
    removed = []
    for line in _ip("netns", "list").stdout.splitlines():
        match = re.match(rf"({_PREFIX}-(\d+)-\S+)", line)
        if match and not os.path.exists(f"/proc/{match.group(2)}"):
            for pid in _ip("netns", "pids", match.group(1), check=False).stdout.split():
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except ProcessLookupError:
                    pass
            _ip("netns", "del", match.group(1), check=False)
            removed.append(match.group(1))
    return removed


class Lab:
    def __init__(self, hosts: int):
        if not 1 <= hosts <= 50:
            raise LabError(f"a lab has 1 to 50 hosts, not {hosts}")
        remove_stale()
        self.tag = f"{_PREFIX}-{os.getpid()}-{next(_counter)}"
        self.switch = f"{self.tag}-sw"
        self.hosts = [f"{self.tag}-h{i}" for i in range(hosts)]
        self._bridges = ["sw0"]
        self._made: list[str] = []
        try:
            self._build()
        except BaseException:
            self.close()
            raise

    def address(self, i: int) -> str:
        return f"{SUBNET}.{i + 1}"

    def _port(self, i: int) -> str:
        return f"p{i}"

    def _build(self) -> None:
        _ip("netns", "add", self.switch)
        self._made.append(self.switch)
        _ip("-n", self.switch, "link", "add", "sw0", "type", "bridge")
        _ip("-n", self.switch, "link", "set", "sw0", "up")
        for i, ns in enumerate(self.hosts):
            _ip("netns", "add", ns)
            self._made.append(ns)
            _ip("link", "add", "eth0", "netns", ns, "type", "veth", "peer", "name", self._port(i), "netns", self.switch)
            _ip("-n", self.switch, "link", "set", self._port(i), "master", "sw0", "up")
            self.exec_checked(i, ["sysctl", "-qw", "net.ipv4.conf.all.route_localnet=1"])
            self.exec_checked(i, ["sysctl", "-qw", "net.ipv4.conf.eth0.route_localnet=1"])
            _ip("-n", ns, "link", "set", "lo", "up")
            _ip("-n", ns, "addr", "add", f"{self.address(i)}/16", "dev", "eth0")
            _ip("-n", ns, "link", "set", "eth0", "up")
            _ip("-n", ns, "route", "del", "local", "127.0.0.0/8", "dev", "lo", "table", "local")
            _ip("-n", ns, "route", "replace", "local", "127.0.0.1", "dev", "lo", "table", "local")

    def argv(self, i: int, argv: list[str]) -> list[str]:
        """``argv`` as run inside host ``i``'s namespace."""
        return ["ip", "netns", "exec", self.hosts[i], *argv]

    def exec_checked(self, i: int, argv: list[str]) -> str:
        done = subprocess.run(self.argv(i, argv), capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
        if done.returncode != 0:
            raise LabError(f"{' '.join(argv)} in {self.hosts[i]} failed: {done.stderr.strip()}")
        return done.stdout

    # -- faults --------------------------------------------------------------------------------

    def _bridge(self, k: int) -> str:
        while len(self._bridges) <= k:
            name = f"sw{len(self._bridges)}"
            _ip("-n", self.switch, "link", "add", name, "type", "bridge")
            _ip("-n", self.switch, "link", "set", name, "up")
            self._bridges.append(name)
        return self._bridges[k]

    def partition(self, groups: list[list[int]]) -> None:
        """Hosts of different groups stop reaching each other; hosts in no group keep ``sw0`` (group 0)."""
        for k, group in enumerate(groups):
            bridge = self._bridge(k)
            for i in group:
                _ip("-n", self.switch, "link", "set", self._port(i), "master", bridge)

    def cut(self, i: int) -> None:
        _ip("-n", self.switch, "link", "set", self._port(i), "down")

    def mend(self, i: int) -> None:
        _ip("-n", self.switch, "link", "set", self._port(i), "up")
        self._wait_forwarding([i])

    def heal(self) -> None:
        for i in range(len(self.hosts)):
            _ip("-n", self.switch, "link", "set", self._port(i), "master", "sw0", "up")
        self._wait_forwarding(range(len(self.hosts)))

    def _wait_forwarding(self, hosts, timeout: float = 15.0) -> None:
        """Return once each host's switch port forwards and both ends of its link have carrier.
        ``ip link set up`` returns before the kernel's link watcher has raised the carrier, which on
        a loaded machine lags by up to a second; a frame sent meanwhile is dropped."""
        deadline = time.monotonic() + timeout
        pending = list(hosts)
        while pending:
            pending = [i for i in pending if not self._forwarding(i)]
            if not pending:
                return
            if time.monotonic() > deadline:
                raise LabError(f"the links of hosts {pending} did not come up within {timeout:.0f} s")
            time.sleep(0.05)

    def _forwarding(self, i: int) -> bool:
        port = _ip("-n", self.switch, "-d", "link", "show", self._port(i)).stdout
        host = _ip("-n", self.hosts[i], "link", "show", "eth0").stdout
        return "LOWER_UP" in port and "state forwarding" in port and "LOWER_UP" in host

    def close(self) -> None:
        """Delete every namespace this lab made (their links and bridges go with them). Processes
        still running inside must be stopped first, or their namespace lives on with them."""
        for ns in reversed(self._made):
            _ip("netns", "del", ns, check=False)
        self._made.clear()
