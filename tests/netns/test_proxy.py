"""The peer-link proxy (ets_tools/netns/proxy.py): its seeded schedule, and the real process on 127.0.0.1."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from ets_tools.netns.proxy import SEGMENT, Profile, Schedule
from tests.ports import free_port

REPO = Path(__file__).resolve().parents[2]


def test_the_schedule_is_seeded_keeps_order_and_stays_within_delay_and_jitter():
    profile = Profile(delay_ms=200, jitter_ms=50, seed=7)
    a, b = Schedule(profile, "n0->n1/out"), Schedule(profile, "n0->n1/out")
    times = [a.deliver_at(t * 0.01, 100) for t in range(500)]
    assert times == [b.deliver_at(t * 0.01, 100) for t in range(500)]  # the same seed and link: the same schedule
    assert times == sorted(times)  # never before the chunk ahead of it
    assert all(0.15 - 1e-9 <= at - t * 0.01 for t, at in enumerate(times))
    other = Schedule(profile, "n0->n2/out")
    assert [other.deliver_at(t * 0.01, 100) for t in range(500)] != times


def test_a_lost_segment_holds_its_chunk_back_by_a_retransmission_timeout():
    profile = Profile(delay_ms=100, loss_permille=10, seed=1)
    schedule = Schedule(profile, "link")
    late = [schedule.deliver_at(float(t), SEGMENT) - t for t in range(5000)]  # one segment per chunk, 1 s apart
    assert schedule.lost == sum(1 for d in late if d > 0.1 + 1e-9)
    assert 20 <= schedule.lost <= 90  # about 1% of 5000
    assert {round(d, 3) for d in late} == {0.1, round(0.1 + profile.retransmit_ms / 1000, 3)}
    big = Schedule(profile, "link")
    for t in range(1000):
        big.deliver_at(float(t), 40 * SEGMENT)  # 40 segments: 1 - 0.99^40 ≈ 33% of chunks hold back
    assert 250 <= big.lost <= 420


def test_profiles_out_of_range_are_refused():
    for bad in ({"delay_ms": -1}, {"delay_ms": 10, "jitter_ms": 20}, {"loss_permille": 501}):
        with pytest.raises(ValueError, match="out of range"):
            Profile(**bad)


def _free_port() -> int:
    return free_port()


def _echo_server() -> tuple[socket.socket, int]:
    server = socket.socket()
    server.bind(("127.0.0.1", free_port()))
    server.listen()

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            while data := conn.recv(65536):
                conn.sendall(data)

    threading.Thread(target=serve, daemon=True).start()
    return server, server.getsockname()[1]


def _round_trip(conn: socket.socket, size: int) -> tuple[float, bytes]:
    payload = bytes(range(256)) * (size // 256)
    started = time.monotonic()
    conn.sendall(payload)
    got = b""
    while len(got) < len(payload):
        got += conn.recv(65536)
    return time.monotonic() - started, got == payload


def test_the_proxy_process_delays_both_directions_keeps_every_byte_and_reloads_on_sighup(tmp_path):
    server, target = _echo_server()
    listen = _free_port()
    config = tmp_path / "proxy.json"
    link = {"name": "a->b", "listen_port": listen, "target_host": "127.0.0.1", "target_port": target}
    config.write_text(json.dumps({"links": [link], "profile": {"delay_ms": 150, "jitter_ms": 20, "loss_permille": 20}}))
    proc = subprocess.Popen([sys.executable, "-m", "ets_tools.netns.proxy", str(config)], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                conn = socket.create_connection(("127.0.0.1", listen), timeout=1)
                break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None, "the proxy did not come up"
                time.sleep(0.1)
        with conn:
            conn.settimeout(20)
            for _ in range(3):
                took, intact = _round_trip(conn, 256 * 400)  # ~100 kB: lossy segments hold some chunks back
                assert intact and took >= 0.26, took  # two ways of 150 ± 20 ms
            config.write_text(json.dumps({"links": [link], "profile": {}}))
            proc.send_signal(signal.SIGHUP)
            time.sleep(1.0)
            took, intact = _round_trip(conn, 256)
            assert intact and took < 0.2, took
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        server.close()
