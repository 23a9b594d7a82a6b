"""The set's edges with CometBFT: the genesis validators into state, a block's changes out as ``validator_updates``."""

from __future__ import annotations

import json
from typing import Iterable, Mapping

from protocol.codec import canonical_json
from protocol.constants import MAX_VALIDATOR_POWER, MAX_VALIDATORS

from ...errors import GenesisError
from ...proto import abci
from . import keys
from .handlers import validator_address

__all__ = ["genesis_entries", "validator_updates"]


def genesis_entries(validators: Iterable[tuple[str, bytes, int]]) -> dict[str, bytes]:
    """State entries for InitChain's validators, given as (key type, key bytes, power)."""
    entries: dict[str, bytes] = {}
    total = 0
    for i, (kind, key, power) in enumerate(validators):
        if kind != "ed25519" or len(key) != 32:
            raise GenesisError(f"genesis validator {i}: only 32-byte ed25519 keys are supported, got {kind or 'no key'}")
        if not 1 <= power <= MAX_VALIDATOR_POWER:
            raise GenesisError(f"genesis validator {i}: power must be between 1 and {MAX_VALIDATOR_POWER:,}, got {power}")
        member = keys.member(key.hex())
        if member in entries:
            raise GenesisError(f"genesis validator {i}: key {key.hex()} appears twice")
        entries[member] = canonical_json({"pub_key": key.hex(), "address": validator_address(key.hex()), "power": power,
                                          "name": f"genesis validator {i}", "since": 0, "proposal_id": 0})
        total += power
    if len(entries) > MAX_VALIDATORS:
        raise GenesisError(f"genesis has {len(entries)} validators; at most {MAX_VALIDATORS} are allowed")
    if entries:
        entries[keys.TOTALS] = canonical_json({"count": len(entries), "power": total})
    return entries


def validator_updates(committed, writes: Mapping[str, bytes | None]) -> list[abci.ValidatorUpdate]:
    """The validator updates of a block: each ``valset/`` key whose power differs from the committed state
    (``committed.get``), in key order, power 0 for a removed validator."""
    updates = []
    for key in sorted(k for k in writes if k.startswith(keys.MEMBERS)):
        new, old = writes[key], committed.get(key)
        power = 0 if new is None else _power(new)
        if power == (0 if old is None else _power(old)):
            continue
        updates.append(abci.ValidatorUpdate(pub_key={"ed25519": bytes.fromhex(keys.pub_key_in(key))}, power=power))
    return updates


def _power(record: bytes) -> int:
    return int(json.loads(record)["power"])
