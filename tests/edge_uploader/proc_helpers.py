"""Running ``python -m edge_uploader`` as a real child process and reading its JSON logs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable

from edge_helpers import REPO


class Uploader:
    """One uploader process; its stdout (JSON lines) is collected in ``events``."""

    def __init__(self, config: Path, env: dict[str, str] | None = None):
        self.config = config
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("ETS_EDGE_") and k != "NOTIFY_SOCKET"}
        full_env.update(env or {})
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "edge_uploader", "run", "--config", str(config)],
            cwd=REPO, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
        self.events: list[dict] = []
        self.raw: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            text = line.decode(errors="replace").rstrip("\n")
            self.raw.append(text)
            try:
                self.events.append(json.loads(text))
            except ValueError:
                pass

    def named(self, event: str) -> list[dict]:
        return [e for e in list(self.events) if e.get("event") == event]

    def wait_for(self, condition: Callable[[], object], timeout: float, what: str):
        deadline = time.monotonic() + timeout
        while True:
            value = condition()
            if value:
                return value
            if self.proc.poll() is not None and not condition():
                raise AssertionError(f"uploader exited ({self.proc.returncode}) while waiting for {what}:\n" + "\n".join(self.raw[-30:]))
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}; last output:\n" + "\n".join(self.raw[-30:]))
            time.sleep(0.1)

    def terminate(self, timeout: float = 20) -> int:
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout)
        self._reader.join(5)
        return code

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(10)
        self._reader.join(5)
