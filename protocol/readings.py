"""Readings: one hour of a stack's CO2 emissions, signed by the sensor (device) key.

A reading says: device ``device`` measured ``co2_kg`` whole kilograms of CO2 emitted during
the clock hour that starts at unix time ``timestamp``; it is the device's reading number
``seq`` (strictly increasing per device); ``substituted`` is true when the value is not a
measurement but a substitute (mean + 2σ of the day's valid hours, or a value the data logger
itself flagged as substituted); ``source`` names where it came from (``csv``, ``synthetic``,
``modbus``, ``substitute``, ...).

Units: **kilograms of CO2 per hour, as an integer** (the chain's daily totals are in kg;
one hour of a large stack is ~10^5 kg, so whole kilograms lose nothing that matters).

Canonical encoding (the bytes that are signed and that the Merkle leaf covers) is the
canonical JSON of ``protocol.codec`` — sorted keys, no spaces, integers only::

    {"co2_kg":52510,"device":"<40 hex>","seq":17,"source":"csv","substituted":false,"timestamp":1293807600}

Signature: Ed25519 by the device key over SHA-256(``READING_DOMAIN`` || canonical bytes),
where ``READING_DOMAIN = b"ETS-READING-V1\\x00"``, so a reading signature can never be
mistaken for a transaction or query signature (those use their own domains).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any, Sequence


from .calendar import HOUR, iso_day as day_of
from .codec import canonical_json, is_address
from .ed25519 import PUBLIC_KEY_SIZE, verify as verify_signature, verify_many as verify_signatures

__all__ = [
    "ReadingError",
    "READING_DOMAIN",
    "MAX_CO2_KG",
    "Reading",
    "SignedReading",
    "sign_reading",
    "PublicKeyVerifier",
]

READING_DOMAIN = b"ETS-READING-V1\x00"
MAX_CO2_KG = 10**12  # one hour of one stack, in kg: far above anything physical
MAX_SEQ = 2**63 - 1
_SOURCE = re.compile(r"^[a-z][a-z0-9_.:-]{0,31}$")
_FIELDS = ("co2_kg", "device", "seq", "source", "substituted", "timestamp")


class ReadingError(ValueError):
    """Not a well-formed reading (a field has the wrong type or range)."""


def _int(name: str, value: Any, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ReadingError(f"reading {name} must be a whole number from {low} to {high}, got {value!r}")
    return value


@dataclass(frozen=True, slots=True)
class Reading:
    """One hour of CO2 (kg) from one device; see the module docstring for every field."""

    device: str
    seq: int
    timestamp: int
    co2_kg: int
    substituted: bool
    source: str

    def __post_init__(self) -> None:
        if not is_address(self.device):
            raise ReadingError(f"reading device must be a 40-character lowercase hex address, got {self.device!r}")
        _int("seq", self.seq, 0, MAX_SEQ)
        _int("timestamp", self.timestamp, 0, 2**40)
        if self.timestamp % HOUR:
            raise ReadingError(f"reading timestamp {self.timestamp} is not the start of an hour (a multiple of 3600)")
        _int("co2_kg", self.co2_kg, 0, MAX_CO2_KG)
        if not isinstance(self.substituted, bool):
            raise ReadingError(f"reading substituted must be true or false, got {self.substituted!r}")
        if not isinstance(self.source, str) or not _SOURCE.match(self.source):
            raise ReadingError(f"reading source {self.source!r} must be 1-32 of a-z 0-9 _ . : - starting with a letter")

    @property
    def day(self) -> str:
        """The KST day this reading belongs to."""
        return day_of(self.timestamp)

    def to_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _FIELDS}

    def canonical_bytes(self) -> bytes:
        """The canonical JSON encoding (equal to ``protocol.codec.canonical_json(self.to_json())``, built faster)."""
        return (
            f'{{"co2_kg":{self.co2_kg},"device":"{self.device}","seq":{self.seq},"source":"{self.source}",'
            f'"substituted":{"true" if self.substituted else "false"},"timestamp":{self.timestamp}}}'
        ).encode()

    def signing_digest(self) -> bytes:
        return hashlib.sha256(READING_DOMAIN + self.canonical_bytes()).digest()

    @classmethod
    def from_json(cls, obj: Any) -> "Reading":
        if not isinstance(obj, dict) or set(obj) != set(_FIELDS):
            keys = sorted(obj) if isinstance(obj, dict) else type(obj).__name__
            raise ReadingError(f"a reading is an object with exactly the keys {list(_FIELDS)}, got {keys}")
        return cls(obj["device"], obj["seq"], obj["timestamp"], obj["co2_kg"], obj["substituted"], obj["source"])


@dataclass(frozen=True, slots=True)
class SignedReading:
    """A reading and the device's Ed25519 signature over its signing digest."""

    reading: Reading
    signature: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.signature, bytes) or len(self.signature) != 64:
            raise ReadingError("a reading signature is 64 bytes (Ed25519)")

    def to_json(self) -> dict[str, Any]:
        return {"reading": self.reading.to_json(), "signature": self.signature.hex()}

    def to_line(self) -> str:
        """One line of a JSON-lines readings file."""
        return canonical_json(self.to_json()).decode()

    @classmethod
    def from_json(cls, obj: Any) -> "SignedReading":
        if not isinstance(obj, dict) or set(obj) != {"reading", "signature"}:
            raise ReadingError('a signed reading is {"reading": {...}, "signature": "<128 hex>"}')
        sig = obj["signature"]
        if not isinstance(sig, str) or len(sig) != 128:
            raise ReadingError("signature must be 128 hex characters")
        try:
            signature = bytes.fromhex(sig)
        except ValueError:
            raise ReadingError("signature must be 128 hex characters") from None
        return cls(Reading.from_json(obj["reading"]), signature)

    @classmethod
    def from_line(cls, line: str) -> "SignedReading":
        try:
            obj = json.loads(line, parse_float=_no_float)
        except ReadingError:
            raise
        except ValueError as exc:
            raise ReadingError(f"not JSON: {exc}") from None
        return cls.from_json(obj)


def _no_float(text: str) -> Any:
    raise ReadingError(f"non-integer number {text!r}: readings are whole kilograms")


def sign_reading(signer, reading: Reading) -> SignedReading:
    """Sign ``reading`` with the device key (the signer's address must be the reading's device)."""
    if signer.address != reading.device:
        raise ReadingError(f"key {signer.address} cannot sign readings of device {reading.device}")
    return SignedReading(reading, signer.private_key.sign(reading.signing_digest()))


class PublicKeyVerifier:
    """Checks reading signatures against one device's public key (32 bytes)."""

    def __init__(self, public_key: bytes):
        self.public_key = public_key
        if len(public_key) != PUBLIC_KEY_SIZE:
            raise ReadingError(f"a device public key is {PUBLIC_KEY_SIZE} bytes, not {len(public_key)}")

    def verify(self, signed: SignedReading) -> bool:
        return verify_signature(self.public_key, signed.signature, signed.reading.signing_digest())

    def verify_many(self, signed: Sequence[SignedReading]) -> list[bool]:
        """``verify`` of each reading, in one call of the batch verifier (``protocol.ed25519.verify_many``)."""
        return verify_signatures([self.public_key] * len(signed), [s.signature for s in signed],
                                 [s.reading.signing_digest() for s in signed])
