"""State keys of the validator set: one record per validator, the set's totals, the latest block's changes."""

from __future__ import annotations

__all__ = ["PREFIXES", "MEMBERS", "TOTALS", "BLOCK_CHANGES", "member", "pub_key_in"]

PREFIXES = ("valset/", "valsum", "valblock")

MEMBERS = "valset/"
TOTALS = "valsum"  # {"count", "power"} of the current set
BLOCK_CHANGES = "valblock"  # {"height", "power_before", "moved", "keys"}: changes made in block ``height``


def member(pub_key_hex: str) -> str:
    """The record of the validator with this Ed25519 key (64 lowercase hex characters)."""
    return f"{MEMBERS}{pub_key_hex}"


def pub_key_in(key: str) -> str:
    """The public key (hex) at the end of a member key."""
    return key[len(MEMBERS):]
