"""The state keys a participant proves (``/state/<key>``), as part of the wire contract.

Clients (``ets verify``, the portal, the edge uploader) build these keys themselves to ask for a
proof of exactly that key; the chain's modules write the same keys (a test keeps the two equal).
Values are UTF-8: a whole number of tonnes for balances and allocations, canonical JSON records
for accounts and daily totals.
"""

from __future__ import annotations

__all__ = ["balance", "held", "daily_total", "allocation", "account", "supply", "channel", "channel_key", "channel_post"]


def balance(address: str, instrument: str) -> str:
    """Tonnes of ``instrument`` the holder has available (absent = 0)."""
    return f"bal/{address}/{instrument}"


def held(address: str, instrument: str) -> str:
    """Tonnes held behind the holder's sell orders and block trades (absent = 0)."""
    return f"held/{address}/{instrument}"


def supply(instrument: str) -> str:
    return f"supply/{instrument}"


def daily_total(device: str, day: str) -> str:
    """A device's record for one KST day (YYYY-MM-DD), with that day's Merkle root of readings."""
    return f"em/{device}/{day}"


def allocation(address: str, plan_hash: str, vintage: str) -> str:
    """Tonnes of ``vintage`` issued to a company by the e-orders of a plan."""
    return f"alloc/{address}/{plan_hash}/{vintage}"


def account(address: str) -> str:
    """The participant registry's record: role, name, public key."""
    return f"acct/{address}"


def channel(name: str) -> str:
    """A channel's record: purpose, members, key epoch and public key, members the key is wrapped to, post count."""
    return f"channel/{name}"


def channel_key(name: str, epoch: int) -> str:
    """A channel's key of one epoch: public key, one wrap per member, who posted it and when."""
    return f"channel/{name}/key/{epoch:010d}"


def channel_post(name: str, seq: int) -> str:
    """A post's commitment: SHA-256 of its ciphertext, epoch, kind, signer, height (posts are numbered from 1)."""
    return f"channel/{name}/post/{seq:012d}"
