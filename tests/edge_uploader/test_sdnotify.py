"""systemd's notify protocol over a real datagram socket."""

from __future__ import annotations

import os
import socket

from edge_uploader.sdnotify import Notifier


def test_messages_arrive_on_a_path_socket(tmp_path):
    path = str(tmp_path / "notify.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as server:
        server.bind(path)
        server.settimeout(2)
        notifier = Notifier({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "4000000", "WATCHDOG_PID": str(os.getpid())})
        assert notifier.enabled and notifier.watchdog_seconds == 4.0
        assert notifier.ready("spooling")
        assert server.recv(4096) == b"READY=1\nSTATUS=spooling"
        assert notifier.watchdog()
        assert server.recv(4096) == b"WATCHDOG=1"
        assert notifier.stopping()
        assert server.recv(4096) == b"STOPPING=1"


def test_abstract_socket_and_disabled_cases():
    name = f"ets-edge-test-{os.getpid()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as server:
        server.bind("\0" + name)
        server.settimeout(2)
        assert Notifier({"NOTIFY_SOCKET": "@" + name}).watchdog()
        assert server.recv(100) == b"WATCHDOG=1"
    assert not Notifier({}).ready() and not Notifier({}).enabled
    assert Notifier({"WATCHDOG_USEC": "1000000", "WATCHDOG_PID": "1"}).watchdog_seconds is None, "another process's watchdog"
    assert not Notifier({"NOTIFY_SOCKET": "/nonexistent/sock"}).ready(), "a missing socket is not fatal"
