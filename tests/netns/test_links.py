"""Hosts in network namespaces (ets_tools/netns/links.py): partitions, cut links and clean-up, with real TCP."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ets_tools.netns.links import Lab, namespaces_unavailable, remove_stale
from tests.procs import running

REPO = Path(__file__).resolve().parents[2]

_LISTEN = "import socket,sys; s=socket.socket(); s.bind((sys.argv[1], 7000)); s.listen(); print('up', flush=True); " \
          "[s.accept()[0].close() for _ in iter(int, 1)]"
_DIAL = "import socket,sys; socket.create_connection((sys.argv[1], 7000), timeout=1.5)"


@pytest.fixture
def lab():
    reason = namespaces_unavailable()
    if reason:
        pytest.skip(reason)
    lab = Lab(3)
    servers = [subprocess.Popen(lab.argv(i, ["python3", "-c", _LISTEN, lab.address(i)]), stdout=subprocess.PIPE, text=True)
               for i in range(3)]
    try:
        for s in servers:
            assert s.stdout.readline().strip() == "up"
        yield lab
    finally:
        for s in servers:
            s.kill()
            s.wait(timeout=10)
        lab.close()


_DIAL_ALL = ("import socket,sys\nfor a in sys.argv[1:]:\n    try:\n        socket.create_connection((a, 7000), timeout=3).close()"
             "\n        print(a)\n    except OSError:\n        pass")


def _pairs(lab: Lab) -> set[tuple[int, int]]:
    """Which host reaches which over TCP (each host dials the others at once, in parallel)."""
    dials = {i: subprocess.Popen(lab.argv(i, ["python3", "-c", _DIAL_ALL, *(lab.address(j) for j in range(3) if j != i)]),
                                 stdout=subprocess.PIPE, text=True) for i in range(3)}
    reached = {i: dial.communicate(timeout=30)[0].split() for i, dial in dials.items()}
    return {(i, j) for i in range(3) for j in range(3) if lab.address(j) in reached[i]}


def test_partitions_and_cut_links_separate_exactly_the_hosts_they_name(lab: Lab):
    everyone = {(i, j) for i in range(3) for j in range(3) if i != j}
    assert _pairs(lab) == everyone
    lab.partition([[0], [1, 2]])
    assert _pairs(lab) == {(1, 2), (2, 1)}
    lab.heal()
    assert _pairs(lab) == everyone
    lab.cut(2)
    assert _pairs(lab) == {(0, 1), (1, 0)}
    lab.mend(2)
    assert _pairs(lab) == everyone


def test_a_host_does_not_reach_the_machine_s_own_loopback(lab: Lab):
    # 127.0.0.1 inside a host is its own lo: nothing of the machine listens there
    assert subprocess.run(lab.argv(0, ["python3", "-c", _DIAL, "127.0.0.1"]), capture_output=True).returncode != 0


def test_closing_a_lab_removes_its_namespaces():
    reason = namespaces_unavailable()
    if reason:
        pytest.skip(reason)
    lab = Lab(2)
    names = [lab.switch, *lab.hosts]
    listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    assert all(n in listed for n in names)
    lab.close()
    listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    assert not any(n in listed for n in names)


def test_a_lab_whose_creator_died_is_removed_with_its_processes_by_the_next_lab(tmp_path):
    reason = namespaces_unavailable()
    if reason:
        pytest.skip(reason)
    script = ("import sys, time; from ets_tools.netns.links import Lab; lab = Lab(1); "
              "import subprocess; p = subprocess.Popen(lab.argv(0, ['sleep', '600'])); "
              "print(lab.hosts[0], p.pid, flush=True); time.sleep(600)")
    creator = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=REPO,
                               env={**os.environ, "PYTHONPATH": str(REPO)})
    host, sleeper = creator.stdout.readline().split()
    creator.kill()  # no finalizer runs: its namespaces and the process inside stay behind
    creator.wait(timeout=10)
    assert host in subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    removed = remove_stale()
    assert host in removed
    assert host not in subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    deadline = time.monotonic() + 10
    while running(sleeper):
        assert time.monotonic() < deadline, "the process left in the stale namespace still runs"
        time.sleep(0.1)
