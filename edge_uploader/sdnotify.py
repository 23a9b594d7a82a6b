"""systemd's notify protocol, spoken directly: datagrams to ``$NOTIFY_SOCKET``.

``READY=1`` once the uploader serves, ``WATCHDOG=1`` at half the ``WATCHDOG_USEC`` period
from the main loop (so a hung loop stops the pings and systemd restarts the service),
``STATUS=...`` for ``systemctl status``, ``STOPPING=1`` on shutdown. ``NOTIFY_SOCKET`` is a
filesystem path or, starting with ``@``, a Linux abstract socket name. Without
``NOTIFY_SOCKET`` (running in a terminal) every call does nothing.
"""

from __future__ import annotations

import os
import socket
from typing import Mapping

__all__ = ["Notifier"]


class Notifier:
    def __init__(self, environ: Mapping[str, str] | None = None):
        env = os.environ if environ is None else environ
        address = env.get("NOTIFY_SOCKET", "")
        if address.startswith("@"):
            address = "\0" + address[1:]
        self.address = address if address.startswith(("/", "\0")) else ""
        self.watchdog_seconds: float | None = None
        usec = env.get("WATCHDOG_USEC", "")
        pid = env.get("WATCHDOG_PID", "")
        if usec.isdigit() and int(usec) > 0 and (not pid or pid == str(os.getpid())):
            self.watchdog_seconds = int(usec) / 1_000_000

    @property
    def enabled(self) -> bool:
        return bool(self.address)

    def send(self, *lines: str) -> bool:
        if not self.address:
            return False
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
                sock.connect(self.address)
                sock.sendall("\n".join(lines).encode())
            return True
        except OSError:
            return False

    def ready(self, status: str = "") -> bool:
        return self.send("READY=1", *([f"STATUS={status}"] if status else []))

    def watchdog(self) -> bool:
        return self.send("WATCHDOG=1")

    def status(self, text: str) -> bool:
        return self.send(f"STATUS={text}")

    def stopping(self) -> bool:
        return self.send("STOPPING=1")
