"""The validator set: the governed change of one validator's voting power (add, re-weight, remove)."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from ..constants import MAX_NAME, MAX_VALIDATOR_POWER
from ._base import action, _count, _fields, _hex64, _invalid, _text, Wire

__all__ = ["SetValidatorPower", "validator_key_hex"]


def validator_key_hex(text: str) -> str:
    """A validator's Ed25519 public key as the action carries it (64 lowercase hex characters), from
    hex or from the base64 that ``cometbft show-validator`` and CometBFT's ``/validators`` print.
    Raises ``ValueError`` saying what a key looks like."""
    text = text.strip()
    if len(text) == 64:
        try:
            return bytes.fromhex(text).hex()
        except ValueError:
            pass
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise ValueError("a validator key is 32 bytes of Ed25519 public key: 64 hex characters, or 44 base64 characters "
                         "as `cometbft show-validator` prints it")
    return raw.hex()


@action
@dataclass(frozen=True, slots=True)
class SetValidatorPower(Wire):
    """Governed action: give the validator with this Ed25519 key ``power`` votes (0 removes it).

    ``pub_key`` is the 32-byte key as 64 lowercase hex characters (CometBFT's address of the
    validator is the first 20 bytes of its SHA-256); ``name`` says who operates it (or why it goes)."""

    pub_key: str
    power: int
    name: str
    TYPE = "set_validator_power"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "SetValidatorPower":
        _fields(obj, cls.TYPE, ("pub_key", "power", "name"))
        pub_key = _hex64(cls.TYPE, "pub_key", obj["pub_key"])
        if pub_key == "0" * 64:
            raise _invalid(f"{cls.TYPE}.pub_key is all zeros, which is no Ed25519 key")
        power = _count(cls.TYPE, "power", obj["power"], MAX_VALIDATOR_POWER)
        return cls(pub_key, power, _text(cls.TYPE, "name", obj["name"], MAX_NAME))
