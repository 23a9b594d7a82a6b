"""The native hot path: ``protocol._native`` (Rust, ``protocol/native/``) when it is built, else None.

``scripts/setup.sh`` builds it through ``scripts/build_native.sh``. It holds exactly the loops the edge
uploader spends its time in: Merkle leaf and node hashing (``protocol.merkle``) and strict Ed25519
verification of many signatures (``protocol.ed25519.verify_many``), and the one a validator spends a big
block in: the state tree's block update (``abci_app.smt.Tree.stage``). The pure-Python code beside each
call stays the reference; tests assert both give the same bytes, nodes and verdicts.

Without the extension the callers run the Python reference, and this module logs that once. Tests
under ``CI=true`` fail when it is missing (no silent fallback there). ``ETS_NATIVE=off`` (or
``python_only()``) makes the process use the reference, to compare the two.
"""

from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from types import ModuleType
from typing import Iterator

__all__ = ["native", "python_only", "load_error"]

_log = logging.getLogger(__name__)
_state: dict = {"loaded": False, "module": None, "error": None, "enabled": os.environ.get("ETS_NATIVE", "on") != "off"}


def _load() -> None:
    _state["loaded"] = True
    try:
        from . import _native  # type: ignore[attr-defined]
    except ImportError as exc:
        _state["error"] = f"{exc}"
        _log.warning("native hot path not built (%s): using the pure-Python reference; "
                     "run scripts/build_native.sh (part of scripts/setup.sh) for the fast path", exc)
        return
    _state["module"] = _native


def native() -> ModuleType | None:
    """The extension module, or None when it is not built or switched off."""
    if not _state["loaded"]:
        _load()
    return _state["module"] if _state["enabled"] else None


def load_error() -> str | None:
    """Why the extension could not be imported (None when it was, or was not tried yet)."""
    if not _state["loaded"]:
        _load()
    return _state["error"]


@contextmanager
def python_only() -> Iterator[None]:
    """Run the enclosed code on the pure-Python reference (benchmarks and comparison tests)."""
    before = _state["enabled"]
    _state["enabled"] = False
    try:
        yield
    finally:
        _state["enabled"] = before
