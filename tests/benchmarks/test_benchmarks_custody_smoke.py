"""The account-security benchmark runs as a reader runs it, with tiny parameters: it exits 0, prints its figures
and writes its JSON result (the figures are measured, never asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_custody(tmp_path):
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "custody.py"), "--companies", "10", "--rounds", "1",
                           "--expire", "30", "--out", str(tmp_path)], cwd=REPO, capture_output=True, text=True,
                          timeout=300, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, f"custody.py failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    (result,) = sorted(tmp_path.glob("custody-*.json"))
    figures = json.loads(result.read_text())
    assert "custody_approve (executes)" in done.stdout and figures["expire"] == 30
    assert all(figures[f"{kind}_us"] > 0 for kind in ("plain", "capped", "initiate", "approve"))
