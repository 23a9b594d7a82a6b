"""State keys the pipeline itself writes: each account's next nonce, and the chain parameters (genesis)."""

from __future__ import annotations

__all__ = ["PREFIXES", "PARAMS", "nonce"]

PREFIXES = ("nonce/", "params")

NONCES = "nonce/"
PARAMS = "params"  # the chain parameters, canonical JSON (genesis.PARAM_LIMITS)


def nonce(address: str) -> str:
    """The account's next nonce (absent = 0)."""
    return f"{NONCES}{address}"
