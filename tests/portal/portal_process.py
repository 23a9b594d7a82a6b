"""The portal as a real process for browser tests: ``streamlit run portal/app.py`` on a free loopback port."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import httpx

from tests.ports import free_port
REPO = Path(__file__).resolve().parents[2]

__all__ = ["start_portal"]


def _free_port() -> int:
    return free_port()


@contextmanager
def start_portal(rpc_url: str, users_dir: Path, work: Path, **env: str) -> Iterator[str]:
    """``streamlit run portal/app.py`` on a free loopback port; yields its URL, stops it on exit.

    The portal speaks English here (tests find links and buttons by their English names); a test of the
    Korean default passes ``ETS_PORTAL_LANGUAGE=""``."""
    port = _free_port()
    environment = {**os.environ, "ETS_PORTAL_NODE": rpc_url, "ETS_PORTAL_USERS": str(users_dir), "ETS_PORTAL_TTL": "1",
                   "ETS_PORTAL_LANGUAGE": "en", **env}  # English unless a test asks for the Korean default
    log_path = work / "streamlit.log"
    log = log_path.open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(REPO / "portal" / "app.py"), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none", "--client.toolbarMode", "viewer"],
        cwd=work, env=environment, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"streamlit exited with {proc.returncode}: {log_path.read_text()[-2000:]}")
            try:
                if httpx.get(f"{url}/_stcore/health", timeout=1).text.strip() == "ok":
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("streamlit did not answer its health check within 60 s")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
