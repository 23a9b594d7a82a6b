"""Where every benchmark script writes its figures: one JSON file per run, named by script and time."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

__all__ = ["write_figures"]


def write_figures(out: str | Path, name: str, figures: Any, log=sys.stdout) -> Path:
    """Write ``figures`` to ``out/<name>-<local time>.json`` (the folder is made if missing), say so on ``log``
    (None: silently), return the path."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}-{time.strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    if log is not None:
        print(f"wrote {path}", file=log)
    return path
