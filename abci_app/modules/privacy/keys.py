"""State keys of private transactions: the readers they are sealed to."""

from __future__ import annotations

__all__ = ["PREFIXES", "PRIVACY", "COMMITMENTS", "commitment"]

PREFIXES = ("sealing", "ptx/")

PRIVACY = "sealing"  # canonical JSON: epoch, execution_key, previous, regulator_key, since
COMMITMENTS = "ptx/"  # one per executed private tx


def commitment(tx_hash_hex: str) -> str:
    """SHA-256 (hex) of the signature and body a private tx carried: what was executed, provable by its signer."""
    return f"ptx/{tx_hash_hex}"
