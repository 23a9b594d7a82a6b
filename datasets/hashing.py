"""Fingerprints of input files, so an allocation plan can record exactly which downloads it used.

The hash is over the raw bytes as downloaded (no decoding, no newline conversion), so anyone
holding the same file gets the same hex digest with ``sha256sum``.
"""

from __future__ import annotations

import hashlib
import os

__all__ = ["file_sha256"]

_CHUNK = 1 << 20


def file_sha256(path: str | os.PathLike[str]) -> str:
    """Lowercase hex SHA-256 of the file's raw bytes (identical to ``sha256sum``)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
