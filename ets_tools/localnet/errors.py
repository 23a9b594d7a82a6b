"""The one exception of the local network manager."""

from __future__ import annotations

__all__ = ["LocalNetError"]


class LocalNetError(Exception):
    """An expected failure (ports in use, unknown node, no network, a process that died); the message says what to do."""
