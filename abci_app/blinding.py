"""The validators' shared state blinding key (``protocol.smt``): one file per validator.

Every validator of a chain holds the same 32 bytes, written as 64 hex digits in
``<app home>/blinding.key`` (mode 0600) by whoever sets the network up (``ets localnet create``
writes one for every node, ``ets localnet add-node`` copies it to a new validator). The key never
leaves the validators: a node answering a query hands out only the blinding factor of a key the
reader may read. Losing it does not lose state, but a validator without it cannot compute the
app hash, and a validator with another key diverges at the first block.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

__all__ = ["BLINDING_KEY_FILE", "read_blinding_key", "write_blinding_key", "write_secret_file", "new_blinding_key"]

BLINDING_KEY_FILE = "blinding.key"


def new_blinding_key() -> bytes:
    return secrets.token_bytes(32)


def write_secret_file(path: Path, text: str) -> Path:
    """Replace ``path`` atomically with ``text``, readable by its owner only (a validator's secret)."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    os.replace(tmp, path)
    return path


def write_blinding_key(folder: str | Path, key: bytes) -> Path:
    """Write ``key`` into ``folder``/blinding.key, readable by its owner only."""
    if len(key) != 32:
        raise ValueError("the state blinding key is 32 bytes")
    return write_secret_file(Path(folder) / BLINDING_KEY_FILE, key.hex() + "\n")


def read_blinding_key(path: str | Path) -> bytes:
    """The key in ``path``; ``ValueError`` saying what is wrong with the file."""
    path = Path(path)
    try:
        text = path.read_text().strip()
    except FileNotFoundError:
        raise ValueError(f"no state blinding key at {path}: every validator needs the chain's key "
                         f"(64 hex digits; `ets localnet create` writes it, copy it from another validator)") from None
    except OSError as exc:
        raise ValueError(f"cannot read the state blinding key {path}: {exc.strerror}") from None
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) != 32:
        raise ValueError(f"{path} must hold 64 hex digits (the 32-byte state blinding key)")
    return key
