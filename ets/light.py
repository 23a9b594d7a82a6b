"""The light client's header half: a block header proven signed by the chain's validators.

A participant who is shown a value checks it against a header's ``app_hash``; this module yields
that header, verified from what the participant trusts and nothing else: the genesis file, or a
height and header hash it obtained out of band. Any node may be asked; a node that lies is
caught, because every header must carry the Ed25519 signatures of the validators.

Public API::

    trust = TrustOptions.from_genesis("genesis.json")          # or a dict, or
    trust = TrustOptions.from_hash(height, "ABCD…", chain_id=None)
    with LightClient("http://127.0.0.1:26657", trust, store_path="light.json") as light:
        header = light.verified_header()      # the latest height; or verified_header(57)
        header.app_hash, header.height, header.time, header.signed_power, ...

    LightClient(rpc: str | ChainClient, trust: TrustOptions, store_path=None, *,
                trusting_period=DEFAULT_TRUSTING_PERIOD, max_clock_drift=10, max_stored=256, clock=time.time_ns)
        .verified_header(height: int | None = None) -> VerifiedHeader
        .trusted_heights() -> list[int]

    VerifiedHeader    height, time (Timestamp), chain_id, app_hash, header_hash, validators_hash,
                      next_validators_hash (bytes), signed_power, total_power, signers (k of
                      ``validators`` n), header (the whole Header)
    VerificationError what failed, e.g. "header 57: commit signed by 1 of 4 validators (power 10
                      of 40), needs more than 2/3"; a ``ets.rpc.ChainError``, so one ``except``
                      catches it with an unreachable node (``RpcUnavailable``, ``RpcError``)
    Header, BlockID, Commit, CommitSig, Validator, Timestamp   the structures, with their
                      CometBFT encodings: ``Header.hash()``, ``validator_set_hash``,
                      ``Commit.vote_sign_bytes``

What is verified, as CometBFT v0.39 specifies (``types/block.go``, ``types/validation.go``,
``light/verifier.go``):

* the header hash is the RFC 6962 Merkle root (``crypto/merkle``) of the header's fields, each
  in its protobuf encoding (scalars wrapped as ``google.protobuf.*Value``), in the order of
  ``Header.Hash``; the commit must sign exactly that hash;
* the validator set hash is the Merkle root of each validator's ``SimpleValidator`` protobuf
  (public key, voting power) in the set's order; every address must be its key's address;
* each commit signature with flag COMMIT is an Ed25519 signature over the length-prefixed
  ``CanonicalVote`` (precommit, height and round as sfixed64, canonical block id, the
  signature's timestamp, chain id). **Every** such signature is checked, not only enough of
  them to pass the threshold (``VerifyCommitLightAllSignatures``): a node serving a corrupted
  signature is caught even when the others would suffice;
* the header's own validators signed more than 2/3 of their total power;
* moving from a trusted header at height X to height Y: for Y = X+1 the header's
  ``validators_hash`` must be X's ``next_validators_hash`` (sequential); otherwise more than 1/3
  of the power of X's validators must have signed Y (skipping), and when they did not, a pivot
  ``X + (Y-X)·9/16`` is verified first (bisection, as ``light/client.go verifySkipping``);
  heights below the lowest trusted header are verified backwards along ``last_block_id``;
* the chain id is the trusted one, the height the one asked for, the time after the trusted
  header's and not ahead of this machine's clock by more than ``max_clock_drift`` (10 s).

Trusting period: a trusted header (the genesis included) is used only while it is younger than
``trusting_period``, 14 days by default (``DEFAULT_TRUSTING_PERIOD``). Past it, validators that
have left the registry could sign a false history, so verification stops and asks for a recent
trusted height and hash. A permissioned registry replaces validators only by governed decision,
which is why the period may be generous; pass ``trusting_period`` (seconds) to change it.

Store: with ``store_path`` every verified header (with its commit and validator set) is kept in
one JSON file (written atomically, the newest ``max_stored`` headers), so the next run starts from
the latest trusted header instead of the genesis. The file is checked when loaded (hashes,
signatures, chain id) and must belong to the same chain as the trust options.

Limits: Ed25519 validator keys only; at most ``MAX_VALIDATORS`` validators in a set.
Signatures are checked by OpenSSL (``cryptography``), which is stricter than the ZIP-215 rules
of CometBFT's own verifier: an honest signature passes both.
"""

from __future__ import annotations

import base64
import calendar
import hashlib
import json
import os
import re
import struct
import time as _time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from .rpc import ChainClient, ChainError

__all__ = [
    "LightClient", "TrustOptions", "VerifiedHeader", "VerificationError",
    "Header", "BlockID", "Commit", "CommitSig", "Validator", "Timestamp",
    "validator_set_hash", "merkle_root",
    "DEFAULT_TRUSTING_PERIOD", "DEFAULT_MAX_CLOCK_DRIFT", "BLOCK_PROTOCOL", "MAX_VALIDATORS",
    "FLAG_ABSENT", "FLAG_COMMIT", "FLAG_NIL",
]

DEFAULT_TRUSTING_PERIOD = 14 * 24 * 3600  # seconds
DEFAULT_MAX_CLOCK_DRIFT = 10  # seconds, as CometBFT's light client
BLOCK_PROTOCOL = 11  # CometBFT v0.39's version.BlockProtocol
MAX_VALIDATORS = 10_000
MAX_STORED = 256
_PER_PAGE = 100
_PRECOMMIT = 2  # SignedMsgType
FLAG_ABSENT, FLAG_COMMIT, FLAG_NIL = 1, 2, 3
_ED25519 = "tendermint/PubKeyEd25519"
_STORE_FORMAT = "ets-light-store/1"
_NS = 1_000_000_000


class VerificationError(ChainError):
    """What the node showed could not be verified; the message says exactly what failed."""

    def __init__(self, what: str):
        super().__init__(what)
        self.what = what


class _TrustNotReached(VerificationError):
    """The trusted validators signed at most the trust level of a non-adjacent header: bisect."""


# ---------------------------------------------------------------- protobuf encoding

def _varint(value: int) -> bytes:
    value &= (1 << 64) - 1  # negative int64 as its two's complement, ten bytes
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _varint_field(number: int, value: int) -> bytes:
    return _varint(number << 3) + _varint(value) if value else b""


def _bytes_field(number: int, data: bytes, *, always: bool = False) -> bytes:
    if not data and not always:
        return b""
    return _varint(number << 3 | 2) + _varint(len(data)) + data


def _sfixed64_field(number: int, value: int) -> bytes:
    return _varint(number << 3 | 1) + struct.pack("<q", value) if value else b""


# ---------------------------------------------------------------- structures

_RFC3339 = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$")


@dataclass(frozen=True, order=True)
class Timestamp:
    """A point in time as ``google.protobuf.Timestamp``: whole seconds since 1970 (UTC) and nanoseconds."""

    seconds: int
    nanos: int = 0

    @classmethod
    def parse(cls, text: str) -> "Timestamp":
        """RFC 3339 with up to nine fractional digits, exactly (no float)."""
        match = _RFC3339.match(text or "")
        if not match:
            raise ValueError(f"{text!r} is not an RFC 3339 time")
        year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
        datetime(year, month, day, hour, minute, second)  # rejects 2025-02-30 and 24:00
        seconds = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))
        zone = match.group(8)
        if zone != "Z":
            sign = 1 if zone[0] == "+" else -1
            seconds -= sign * (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60)
        return cls(seconds, int((match.group(7) or "").ljust(9, "0")))

    @classmethod
    def from_ns(cls, ns: int) -> "Timestamp":
        return cls(ns // _NS, ns % _NS)

    @property
    def ns(self) -> int:
        return self.seconds * _NS + self.nanos

    def __str__(self) -> str:
        """RFC 3339 as CometBFT writes it (``time.RFC3339Nano``: trailing zeros dropped)."""
        m = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=self.seconds)
        fraction = f"{self.nanos:09d}".rstrip("0")
        return (f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}"
                + (f".{fraction}" if fraction else "") + "Z")

    def encode(self) -> bytes:
        return _varint_field(1, self.seconds) + _varint_field(2, self.nanos)


_ZERO_TIME = Timestamp.parse("0001-01-01T00:00:00Z")  # Go's zero time: the timestamp of an absent vote


def _hex(text: Any, what: str) -> bytes:
    if text is None:
        return b""
    if not isinstance(text, str):
        raise ValueError(f"{what} is not a hex string")
    return bytes.fromhex(text)


def _b64(text: Any, what: str) -> bytes:
    if text is None or text == "":
        return b""
    if not isinstance(text, str):
        raise ValueError(f"{what} is not base64")
    return base64.b64decode(text, validate=True)


def _duration(seconds: int) -> str:
    return f"{seconds // 86400} days" if seconds % 86400 == 0 else f"{seconds} s"


def _short(data: bytes) -> str:
    return data.hex().upper()[:12] + "…"


@dataclass(frozen=True)
class BlockID:
    hash: bytes = b""
    parts_total: int = 0
    parts_hash: bytes = b""

    def encode(self) -> bytes:
        """``tendermint.types.BlockID`` (the part set header is non-nullable: always present)."""
        parts = _varint_field(1, self.parts_total) + _bytes_field(2, self.parts_hash)
        return _bytes_field(1, self.hash) + _bytes_field(2, parts, always=True)

    def canonical(self) -> bytes:
        """``CanonicalBlockID``, the same fields (CometBFT leaves a zero block id out of the vote)."""
        return self.encode()

    def is_zero(self) -> bool:
        return not self.hash and not self.parts_total and not self.parts_hash

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "BlockID":
        parts = obj.get("parts") or obj.get("part_set_header") or {}
        return cls(_hex(obj.get("hash"), "block id hash"), int(parts.get("total", 0)), _hex(parts.get("hash"), "parts hash"))

    def to_json(self) -> dict[str, Any]:
        return {"hash": self.hash.hex().upper(), "parts": {"total": self.parts_total, "hash": self.parts_hash.hex().upper()}}


_HASH_FIELDS = ("last_commit_hash", "data_hash", "validators_hash", "next_validators_hash", "consensus_hash",
                "app_hash", "last_results_hash", "evidence_hash", "proposer_address")


@dataclass(frozen=True)
class Header:
    """A block header (``tendermint.types.Header``)."""

    version_block: int
    version_app: int
    chain_id: str
    height: int
    time: Timestamp
    last_block_id: BlockID
    last_commit_hash: bytes
    data_hash: bytes
    validators_hash: bytes
    next_validators_hash: bytes
    consensus_hash: bytes
    app_hash: bytes
    last_results_hash: bytes
    evidence_hash: bytes
    proposer_address: bytes

    def hash(self) -> bytes:
        """``Header.Hash``: the Merkle root of the fields' encodings, in CometBFT's order."""
        def wrapped_bytes(data: bytes) -> bytes:  # cdcEncode: BytesValue, nothing when empty
            return _bytes_field(1, data)

        return merkle_root([
            _varint_field(1, self.version_block) + _varint_field(2, self.version_app),
            _bytes_field(1, self.chain_id.encode()),
            _varint_field(1, self.height),
            self.time.encode(),
            self.last_block_id.encode(),
            *(wrapped_bytes(getattr(self, name)) for name in _HASH_FIELDS),
        ])

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "Header":
        version = obj.get("version") or {}
        return cls(
            int(version.get("block", 0)), int(version.get("app", 0)), str(obj["chain_id"]), int(obj["height"]),
            Timestamp.parse(obj["time"]), BlockID.from_json(obj.get("last_block_id") or {}),
            *(_hex(obj.get(name), name) for name in _HASH_FIELDS),
        )

    def to_json(self) -> dict[str, Any]:
        obj: dict[str, Any] = {
            "version": {"block": str(self.version_block), "app": str(self.version_app)},
            "chain_id": self.chain_id, "height": str(self.height), "time": str(self.time),
            "last_block_id": self.last_block_id.to_json(),
        }
        obj.update({name: getattr(self, name).hex().upper() for name in _HASH_FIELDS})
        return obj


@dataclass(frozen=True)
class CommitSig:
    flag: int
    validator_address: bytes
    timestamp: Timestamp
    signature: bytes

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "CommitSig":
        stamp = obj.get("timestamp")
        return cls(int(obj["block_id_flag"]), _hex(obj.get("validator_address"), "validator_address"),
                   Timestamp.parse(stamp) if stamp else _ZERO_TIME, _b64(obj.get("signature"), "signature"))

    def to_json(self) -> dict[str, Any]:
        return {"block_id_flag": self.flag, "validator_address": self.validator_address.hex().upper(),
                "timestamp": str(self.timestamp),
                "signature": base64.b64encode(self.signature).decode() if self.signature else None}


@dataclass(frozen=True)
class Commit:
    height: int
    round: int
    block_id: BlockID
    signatures: tuple[CommitSig, ...]

    def vote_sign_bytes(self, chain_id: str, index: int) -> bytes:
        """``Commit.VoteSignBytes``: the length-prefixed ``CanonicalVote`` signature ``index`` signs."""
        sig = self.signatures[index]
        block_id = self.block_id if sig.flag == FLAG_COMMIT else BlockID()
        body = (_varint_field(1, _PRECOMMIT) + _sfixed64_field(2, self.height) + _sfixed64_field(3, self.round)
                + (b"" if block_id.is_zero() else _bytes_field(4, block_id.canonical(), always=True))
                + _bytes_field(5, sig.timestamp.encode(), always=True)
                + _bytes_field(6, chain_id.encode()))
        return _varint(len(body)) + body

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "Commit":
        return cls(int(obj["height"]), int(obj.get("round", 0)), BlockID.from_json(obj.get("block_id") or {}),
                   tuple(CommitSig.from_json(s) for s in obj.get("signatures") or []))

    def to_json(self) -> dict[str, Any]:
        return {"height": str(self.height), "round": self.round, "block_id": self.block_id.to_json(),
                "signatures": [s.to_json() for s in self.signatures]}


@dataclass(frozen=True)
class Validator:
    """One validator: its Ed25519 public key and voting power; the address is derived from the key."""

    pub_key: bytes
    power: int

    @property
    def address(self) -> bytes:
        return hashlib.sha256(self.pub_key).digest()[:20]

    def simple_bytes(self) -> bytes:
        """``SimpleValidator{pub_key: PublicKey{ed25519}, voting_power}``: what the set hash covers."""
        return _bytes_field(1, _bytes_field(1, self.pub_key, always=True), always=True) + _varint_field(2, self.power)

    @classmethod
    def from_json(cls, obj: dict[str, Any], height: int | str) -> "Validator":
        key = obj.get("pub_key") or {}
        if key.get("type") != _ED25519:
            raise VerificationError(f"validator set of height {height}: key type {key.get('type')!r} is not supported (only Ed25519)")
        pub_key = _b64(key.get("value"), "pub_key")
        if len(pub_key) != 32:
            raise VerificationError(f"validator set of height {height}: an Ed25519 public key of {len(pub_key)} bytes")
        power = int(obj["voting_power"] if "voting_power" in obj else obj["power"])
        validator = cls(pub_key, power)
        if power <= 0:
            raise VerificationError(f"validator {_short(validator.address)} of height {height} has voting power {power}")
        if obj.get("address") and _hex(obj["address"], "address") != validator.address:
            raise VerificationError(f"validator {obj['address'][:12]}… of height {height}: the address does not belong to its public key")
        return validator

    def to_json(self) -> dict[str, Any]:
        return {"address": self.address.hex().upper(), "pub_key": {"type": _ED25519, "value": base64.b64encode(self.pub_key).decode()},
                "voting_power": str(self.power)}


def merkle_root(items: list[bytes]) -> bytes:
    """``merkle.HashFromByteSlices``: RFC 6962 (leaf 0x00, inner 0x01, split at the largest power of two below n)."""
    if not items:
        return hashlib.sha256(b"").digest()
    if len(items) == 1:
        return hashlib.sha256(b"\x00" + items[0]).digest()
    split = 1 << ((len(items) - 1).bit_length() - 1)
    return hashlib.sha256(b"\x01" + merkle_root(items[:split]) + merkle_root(items[split:])).digest()


def validator_set_hash(validators: Iterable[Validator]) -> bytes:
    """``ValidatorSet.Hash``, over the validators in the order given (the set's order)."""
    return merkle_root([v.simple_bytes() for v in validators])


def _sorted_set(validators: Iterable[Validator]) -> tuple[Validator, ...]:
    """The order CometBFT keeps a validator set in: voting power descending, then address ascending."""
    return tuple(sorted(validators, key=lambda v: (-v.power, v.address)))


@dataclass(frozen=True)
class _LightBlock:
    header: Header
    commit: Commit
    validators: tuple[Validator, ...]
    signed_power: int = 0
    signers: int = 0

    @property
    def height(self) -> int:
        return self.header.height

    def to_json(self) -> dict[str, Any]:
        return {"header": self.header.to_json(), "commit": self.commit.to_json(), "validators": [v.to_json() for v in self.validators]}


@dataclass(frozen=True)
class VerifiedHeader:
    """A header proven signed by more than 2/3 of its validators' power, reached from the trust root."""

    height: int
    time: Timestamp
    chain_id: str
    app_hash: bytes
    header_hash: bytes
    validators_hash: bytes
    next_validators_hash: bytes
    signed_power: int
    total_power: int
    signers: int
    validators: int
    header: Header = field(repr=False)

    @classmethod
    def _of(cls, block: _LightBlock) -> "VerifiedHeader":
        h = block.header
        return cls(h.height, h.time, h.chain_id, h.app_hash, h.hash(), h.validators_hash, h.next_validators_hash,
                   block.signed_power, sum(v.power for v in block.validators), block.signers, len(block.validators), h)


# ---------------------------------------------------------------- trust

@dataclass(frozen=True)
class TrustOptions:
    """What the client trusts: a genesis (chain id, first validators, initial height) or a header hash at a height."""

    chain_id: str | None = None
    initial_height: int = 1
    genesis_time: Timestamp | None = None
    genesis_validators: tuple[Validator, ...] = ()
    height: int | None = None
    header_hash: bytes | None = None

    @classmethod
    def from_genesis(cls, genesis: str | Path | dict[str, Any]) -> "TrustOptions":
        """From ``genesis.json`` (a path or the parsed document)."""
        doc = genesis if isinstance(genesis, dict) else json.loads(Path(genesis).read_text())
        try:
            validators = _sorted_set(Validator.from_json(v, "genesis") for v in doc.get("validators") or [])
            if not validators:
                raise VerificationError("the genesis names no validators: it cannot be a trust root")
            return cls(chain_id=str(doc["chain_id"]), initial_height=max(1, int(doc.get("initial_height") or 1)),
                       genesis_time=Timestamp.parse(doc["genesis_time"]), genesis_validators=validators)
        except (KeyError, TypeError, ValueError) as exc:
            raise VerificationError(f"the genesis file cannot be read as a CometBFT genesis: {exc}") from None

    @classmethod
    def from_hash(cls, height: int, header_hash: str | bytes, chain_id: str | None = None) -> "TrustOptions":
        """From a height and the hash of its header (hex), obtained from a source the user trusts."""
        digest = bytes.fromhex(header_hash) if isinstance(header_hash, str) else bytes(header_hash)
        if len(digest) != 32 or int(height) < 1:
            raise VerificationError("a trusted header is given by a height ≥ 1 and a 32-byte hash (64 hex digits)")
        return cls(chain_id=chain_id, height=int(height), header_hash=digest)


# ---------------------------------------------------------------- the checks

def _check_commit(block: _LightBlock, chain_id: str) -> _LightBlock:
    """More than 2/3 of the header's own validators signed it (every COMMIT signature checked)."""
    header, commit, validators = block.header, block.commit, block.validators
    h = header.height
    if len(commit.signatures) != len(validators):
        raise VerificationError(f"header {h}: commit has {len(commit.signatures)} signatures for {len(validators)} validators")
    power = signers = 0
    for index, (sig, validator) in enumerate(zip(commit.signatures, validators)):
        _check_sig_basic(sig, h)
        if sig.flag != FLAG_COMMIT:
            continue
        if sig.validator_address != validator.address:
            raise VerificationError(f"header {h}: signature {index} is from {_short(sig.validator_address)}, "
                                    f"but validator {index} of the set is {_short(validator.address)}")
        _verify_signature(validator, commit.vote_sign_bytes(chain_id, index), sig.signature, h)
        power += validator.power
        signers += 1
    total = sum(v.power for v in validators)
    if power <= total * 2 // 3:
        raise VerificationError(f"header {h}: commit signed by {signers} of {len(validators)} validators "
                                f"(power {power} of {total}), needs more than 2/3")
    return _LightBlock(header, commit, validators, power, signers)


def _check_trusting(trusted: _LightBlock, block: _LightBlock, chain_id: str) -> None:
    """``VerifyCommitLightTrusting`` at 1/3: the trusted validators, found by address, signed enough of ``block``."""
    by_address = {v.address: v for v in trusted.validators}
    seen: set[bytes] = set()
    power = signers = 0
    for index, sig in enumerate(block.commit.signatures):
        _check_sig_basic(sig, block.height)
        validator = by_address.get(sig.validator_address)
        if sig.flag != FLAG_COMMIT or validator is None:
            continue
        if sig.validator_address in seen:
            raise VerificationError(f"header {block.height}: validator {_short(sig.validator_address)} signed twice")
        seen.add(sig.validator_address)
        _verify_signature(validator, block.commit.vote_sign_bytes(chain_id, index), sig.signature, block.height)
        power += validator.power
        signers += 1
    total = sum(v.power for v in trusted.validators)
    if power <= total // 3:
        raise _TrustNotReached(f"header {block.height}: the validators of trusted header {trusted.height} signed with "
                               f"{signers} of {len(trusted.validators)} (power {power} of {total}), needs more than 1/3")


def _check_sig_basic(sig: CommitSig, h: int) -> None:
    if sig.flag == FLAG_ABSENT:
        if sig.validator_address or sig.signature or sig.timestamp != _ZERO_TIME:
            raise VerificationError(f"header {h}: an absent vote carries an address, a time or a signature")
    elif sig.flag in (FLAG_COMMIT, FLAG_NIL):
        if len(sig.validator_address) != 20 or not 0 < len(sig.signature) <= 64:
            raise VerificationError(f"header {h}: a vote without a 20-byte validator address or a signature")
    else:
        raise VerificationError(f"header {h}: unknown block id flag {sig.flag}")


def _verify_signature(validator: Validator, message: bytes, signature: bytes, h: int) -> None:
    try:
        Ed25519PublicKey.from_public_bytes(validator.pub_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        raise VerificationError(f"signature of validator {_short(validator.address)} on header {h} is invalid") from None


def _check_fields(block: _LightBlock, chain_id: str, height: int) -> None:
    """What the header and commit must be on their own: the chain, the height, the field sizes."""
    header, commit = block.header, block.commit
    if header.chain_id != chain_id:
        raise VerificationError(f"header {height}: chain id {header.chain_id!r}, expected {chain_id!r} (the node serves another chain)")
    if header.height != height:
        raise VerificationError(f"header {height}: the node returned the header of height {header.height}")
    if commit.height != height:
        raise VerificationError(f"header {height}: the commit is for height {commit.height}")
    if header.version_block != BLOCK_PROTOCOL:
        raise VerificationError(f"header {height}: block protocol {header.version_block}, this client verifies {BLOCK_PROTOCOL}")
    for name in ("last_commit_hash", "data_hash", "validators_hash", "next_validators_hash", "consensus_hash",
                 "last_results_hash", "evidence_hash"):
        if len(getattr(header, name)) not in (0, 32):
            raise VerificationError(f"header {height}: {name} is {len(getattr(header, name))} bytes, not 32")
    if len(header.proposer_address) != 20:
        raise VerificationError(f"header {height}: the proposer address is {len(header.proposer_address)} bytes, not 20")


def _check_hashes(block: _LightBlock) -> None:
    """The commit signs this header's hash, and the validator set is the one the header names."""
    header, commit, height = block.header, block.commit, block.height
    digest = header.hash()
    if digest != commit.block_id.hash:
        raise VerificationError(
            f"header {height}: the header (app hash {header.app_hash.hex().upper()}, time {header.time}) hashes to "
            f"{digest.hex().upper()}, but the validators signed block {commit.block_id.hash.hex().upper()}: the header was altered")
    computed = validator_set_hash(block.validators)
    if computed != header.validators_hash:
        raise VerificationError(f"validator set of height {height} does not match the header's validators_hash "
                                f"({computed.hex().upper()} ≠ {header.validators_hash.hex().upper()})")


# ---------------------------------------------------------------- the node

class _Source:
    """Light blocks (header, commit, validator set) and the latest height, read over a node's RPC."""

    def __init__(self, client: ChainClient):
        self.client = client

    def latest_height(self) -> int:
        return int(self.client.status()["sync_info"]["latest_block_height"])

    def light_block(self, height: int) -> _LightBlock:
        result = self.client.call("commit", height=str(height))
        try:
            signed = result["signed_header"]
            header, commit = Header.from_json(signed["header"]), Commit.from_json(signed["commit"])
        except (KeyError, TypeError, ValueError) as exc:
            raise VerificationError(f"header {height}: the node's /commit answer is malformed ({exc})") from None
        return _LightBlock(header, commit, self.validators(height))

    def validators(self, height: int) -> tuple[Validator, ...]:
        found: list[Validator] = []
        page = 1
        while True:
            result = self.client.call("validators", height=str(height), page=str(page), per_page=str(_PER_PAGE))
            try:
                total = int(result["total"])
                batch = [Validator.from_json(v, height) for v in result["validators"]]
            except (KeyError, TypeError, ValueError) as exc:
                raise VerificationError(f"validator set of height {height}: the node's answer is malformed ({exc})") from None
            found += batch
            if total > MAX_VALIDATORS:
                raise VerificationError(f"validator set of height {height}: {total} validators, more than {MAX_VALIDATORS}")
            if len(found) >= total or not batch:
                break
            page += 1
        if len(found) != total:
            raise VerificationError(f"validator set of height {height}: the node sent {len(found)} of {total} validators")
        return tuple(found)


# ---------------------------------------------------------------- the client

class LightClient:
    """Verified headers from any node, trusting only ``trust``; see the module docstring for the rules.

    ``rpc`` is a node's RPC address or a ``ChainClient``. ``clock`` returns this machine's time in
    nanoseconds since 1970 (for tests). Not thread-safe: one client per thread.
    """

    def __init__(self, rpc: str | ChainClient, trust: TrustOptions, store_path: str | Path | None = None, *,
                 trusting_period: int = DEFAULT_TRUSTING_PERIOD, max_clock_drift: int = DEFAULT_MAX_CLOCK_DRIFT,
                 max_stored: int = MAX_STORED, clock: Callable[[], int] = _time.time_ns):
        self._own_client = isinstance(rpc, str)
        self._client = ChainClient(rpc) if isinstance(rpc, str) else rpc
        self._source = _Source(self._client)
        self.trust = trust
        self.trusting_period = int(trusting_period)
        self.max_clock_drift = int(max_clock_drift)
        self.max_stored = int(max_stored)
        self._clock = clock
        self.store_path = Path(store_path) if store_path is not None else None
        self._trusted: dict[int, _LightBlock] = {}
        self.chain_id: str | None = trust.chain_id
        if self.store_path is not None and self.store_path.exists():
            self._load()

    def close(self) -> None:
        if self._own_client:
            self._client.close()

    def __enter__(self) -> "LightClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- public

    def verified_header(self, height: int | None = None) -> VerifiedHeader:
        """The header of ``height`` (the node's latest when None), verified; raises ``VerificationError``."""
        if not self._trusted:
            self._initialize()
        if height is None:
            height = self._source.latest_height()
        height = int(height)
        if height < 1:
            raise VerificationError(f"header {height}: heights start at 1")
        if height in self._trusted:
            return VerifiedHeader._of(self._trusted[height])
        below = [h for h in self._trusted if h < height]
        if below:
            trace = self._verify_forward(self._trusted[max(below)], height)
        else:
            trace = self._verify_backward(self._trusted[min(self._trusted)], height)
        for block in trace:
            self._trusted[block.height] = block
        self._save()
        return VerifiedHeader._of(self._trusted[height])

    def trusted_heights(self) -> list[int]:
        """The heights of the headers trusted so far (the store's content)."""
        return sorted(self._trusted)

    # -- the trust root

    def _initialize(self) -> None:
        """Verify the trust root: the header of the trusted hash, or the genesis's first header signed by its validators."""
        trust = self.trust
        by_hash = trust.header_hash is not None
        height = trust.height if by_hash else trust.initial_height
        block = self._source.light_block(height)
        if by_hash:
            digest = block.header.hash()
            if digest != trust.header_hash:
                raise VerificationError(f"header {height} hashes to {digest.hex().upper()}, "
                                        f"not the trusted hash {trust.header_hash.hex().upper()}")
            if self.chain_id is None:
                self.chain_id = block.header.chain_id
        _check_fields(block, self.chain_id, height)
        if not by_hash:
            genesis_set = validator_set_hash(trust.genesis_validators)
            if block.header.validators_hash != genesis_set:
                raise VerificationError(
                    f"header {height}: its validators_hash {block.header.validators_hash.hex().upper()} "
                    f"is not the genesis validators' {genesis_set.hex().upper()}")
            if block.header.time < trust.genesis_time:
                raise VerificationError(f"header {height}: time {block.header.time} is before the genesis time {trust.genesis_time}")
        self._check_not_expired(block.header)
        self._check_not_future(block.header)
        _check_hashes(block)
        self._trusted[block.height] = _check_commit(block, self.chain_id)
        self._save()

    # -- verification

    def _verify_forward(self, trusted: _LightBlock, height: int) -> list[_LightBlock]:
        """``verifySkipping``: try the target; when the trusted set signed too little of it, verify a pivot first."""
        cache = [self._source.light_block(height)]
        depth, trace = 0, []
        while True:
            try:
                verified = self._verify_step(trusted, cache[depth])
            except _TrustNotReached:
                if depth == len(cache) - 1:
                    pivot = trusted.height + (cache[depth].height - trusted.height) * 9 // 16
                    cache.append(self._source.light_block(pivot))
                depth += 1
                continue
            trace.append(verified)
            if depth == 0:
                return trace
            trusted = verified
            del cache[depth:]
            depth = 0

    def _verify_step(self, trusted: _LightBlock, block: _LightBlock) -> _LightBlock:
        """``light.Verify``: adjacent (sequential) or non-adjacent (skipping) from ``trusted`` to ``block``."""
        h = block.height
        self._check_not_expired(trusted.header)
        _check_fields(block, self.chain_id, h)
        if not block.header.time > trusted.header.time:
            raise VerificationError(f"header {h}: time {block.header.time} is not after the time {trusted.header.time} "
                                    f"of trusted header {trusted.height}")
        self._check_not_future(block.header)
        _check_hashes(block)
        if h == trusted.height + 1:
            if block.header.validators_hash != trusted.header.next_validators_hash:
                raise VerificationError(
                    f"header {h}: validators_hash {block.header.validators_hash.hex().upper()} is not the "
                    f"next_validators_hash {trusted.header.next_validators_hash.hex().upper()} of trusted header {trusted.height}")
        else:
            _check_trusting(trusted, block, self.chain_id)
        return _check_commit(block, self.chain_id)

    def _verify_backward(self, trusted: _LightBlock, height: int) -> list[_LightBlock]:
        """``VerifyBackwards``: each lower header must be the one the header above names as its previous block."""
        self._check_not_expired(trusted.header)
        newer = trusted.header
        for h in range(trusted.height - 1, height - 1, -1):
            older = self._source.light_block(h) if h == height else None
            header = older.header if older else self._header(h)
            if header.chain_id != self.chain_id:
                raise VerificationError(f"header {h}: chain id {header.chain_id!r}, expected {self.chain_id!r} (the node serves another chain)")
            if not header.time < newer.time:
                raise VerificationError(f"header {h}: time {header.time} is not before the time {newer.time} of header {h + 1}")
            if header.hash() != newer.last_block_id.hash:
                raise VerificationError(f"header {h} hashes to {header.hash().hex().upper()}, but header {h + 1} names "
                                        f"{newer.last_block_id.hash.hex().upper()} as its previous block")
            newer = header
        _check_fields(older, self.chain_id, height)
        _check_hashes(older)
        return [_check_commit(older, self.chain_id)]

    def _header(self, height: int) -> Header:
        result = self._client.call("commit", height=str(height))
        try:
            return Header.from_json(result["signed_header"]["header"])
        except (KeyError, TypeError, ValueError) as exc:
            raise VerificationError(f"header {height}: the node's /commit answer is malformed ({exc})") from None

    def _check_not_expired(self, header: Header) -> None:
        now = self._clock()
        if header.time.ns + self.trusting_period * _NS <= now:
            raise VerificationError(
                f"trusted header {header.height} of {header.time} is older than the trusting period "
                f"({_duration(self.trusting_period)}): verify again from a recent "
                "trusted height and header hash")

    def _check_not_future(self, header: Header) -> None:
        now = self._clock()
        if not header.time.ns < now + self.max_clock_drift * _NS:
            raise VerificationError(f"header {header.height}: time {header.time} is in the future "
                                    f"(now {Timestamp.from_ns(now)}, allowed clock drift {self.max_clock_drift} s)")

    # -- the store

    def _save(self) -> None:
        if self.store_path is None:
            return
        kept = sorted(self._trusted)[-self.max_stored:]
        self._trusted = {h: self._trusted[h] for h in kept}
        doc = {"format": _STORE_FORMAT, "chain_id": self.chain_id, "blocks": [self._trusted[h].to_json() for h in kept]}
        tmp = self.store_path.with_name(self.store_path.name + ".tmp")
        tmp.write_text(json.dumps(doc, indent=1) + "\n")
        os.replace(tmp, self.store_path)

    def _load(self) -> None:
        where = f"the trusted-header store {self.store_path}"
        try:
            doc = json.loads(self.store_path.read_text())
            if doc.get("format") != _STORE_FORMAT:
                raise VerificationError(f"{where} is not a light client store ({_STORE_FORMAT})")
            chain_id = str(doc["chain_id"])
            blocks = [_LightBlock(Header.from_json(b["header"]), Commit.from_json(b["commit"]),
                                  tuple(Validator.from_json(v, b["header"]["height"]) for v in b["validators"]))
                      for b in doc["blocks"]]
        except (OSError, KeyError, TypeError, ValueError) as exc:
            raise VerificationError(f"{where} cannot be read: {exc}") from None
        if self.chain_id is not None and chain_id != self.chain_id:
            raise VerificationError(f"{where} holds chain {chain_id!r}, but the trust options are for {self.chain_id!r}")
        self.chain_id = chain_id
        for block in blocks:
            _check_fields(block, chain_id, block.height)
            _check_hashes(block)
            self._trusted[block.height] = _check_commit(block, chain_id)
        trust = self.trust
        if trust.header_hash is not None and trust.height in self._trusted:
            stored = self._trusted[trust.height].header.hash()
            if stored != trust.header_hash:
                raise VerificationError(f"{where} holds header {trust.height} with hash {stored.hex().upper()}, "
                                        f"not the trusted hash {trust.header_hash.hex().upper()}")
