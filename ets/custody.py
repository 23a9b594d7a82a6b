"""Client side of account security: whom a key acts for, settings changed one part at a time, waiting transfers.
Used by ``ets custody``, the portal and tests.

    representative_of(client, signer) the key's /representative record, or None for an account's own key
    acting_for(client, signer)       (account address, "holder" | the representative's rights) of a key
    record(client, signer, account)  the account's /custody answer, read by the signer
    settings_with(record, ...)       a ``CustodySettings`` that keeps every part not named
    waiting(record)                  the transfers awaiting an approver
    representative_message(...)      a ``CustodyRepresentative`` admitting a key (address from the key)
"""

from __future__ import annotations

from typing import Any

from protocol.codec import address_of
from protocol.codes import Code
from protocol.messages.custody import LIMITS, CustodyRepresentative, CustodySettings

from .keys import Signer
from .rpc import ChainClient, QueryError

__all__ = ["representative_of", "acting_for", "record", "settings_with", "waiting", "representative_message"]


def representative_of(client: ChainClient, signer: Signer) -> dict[str, Any] | None:
    """What the chain holds on ``signer`` as a representative (account, name, rights), None if it is none."""
    try:
        return client.query(f"/representative/{signer.address}", reader=signer)
    except QueryError as exc:
        if exc.code in (Code.NOT_FOUND, Code.UNKNOWN_SIGNER):  # an account's own key, or a key no one admitted
            return None
        raise


def acting_for(client: ChainClient, signer: Signer) -> tuple[str, str | list[str]]:
    """The account ``signer`` acts for: its own (``"holder"``), or the one that admitted it as representative."""
    me = representative_of(client, signer)
    return (signer.address, "holder") if me is None else (me["account"], me["rights"])


def record(client: ChainClient, signer: Signer, account: str | None = None) -> dict[str, Any]:
    """The account's custody record (settings, representatives, trusted list, transfers), read by ``signer``."""
    return client.query(f"/custody/{account or acting_for(client, signer)[0]}", reader=signer)


def settings_with(current: dict[str, Any], four_eyes: bool | None = None, **limits: int | None) -> CustodySettings:
    """The settings to send: ``current`` (a /custody answer) with the parts given changed."""
    unknown = sorted(set(limits) - set(LIMITS))
    if unknown:
        raise ValueError(f"unknown limit(s) {', '.join(unknown)}; known: {', '.join(LIMITS)}")
    old = current.get("limits") or {name: 0 for name in LIMITS}
    values = {name: old[name] if limits.get(name) is None else limits[name] for name in LIMITS}
    return CustodySettings(bool(current.get("four_eyes")) if four_eyes is None else four_eyes, **values)


def waiting(current: dict[str, Any]) -> list[dict[str, Any]]:
    """The account's transfers awaiting an approver (oldest first)."""
    return list(current.get("waiting", []))


def representative_message(public_key_hex: str, name: str, rights: list[str]) -> CustodyRepresentative:
    """Admit (or change) the representative whose Ed25519 public key is ``public_key_hex``."""
    address = address_of(bytes.fromhex(public_key_hex))
    return CustodyRepresentative("set", address, public_key_hex, name, tuple(sorted(set(rights))))
