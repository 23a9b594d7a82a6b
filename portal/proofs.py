"""Checking one reading against a device's daily Merkle root on chain (the MRV integrity promise).

An edge node keeps every signed reading and posts only the day's total with the Merkle root of
that day's readings; anyone holding one reading and its inclusion proof can check it against
the root on chain. The tree rule is ``protocol.merkle`` (leaf = SHA-256(0x00 || reading
bytes), node = SHA-256(0x01 || left || right), odd last node promoted); this module is the only
place the portal touches it, so a change of proof format is a change here only.

Accepted proof JSON (one object)::

    {
      "reading":   {co2_kg, device, seq, source, substituted, timestamp}    the reading itself
                   (or a signed reading {"reading": {...}, "signature": "..."}),
        or
      "leaf":      "<hex of the reading's canonical bytes>",
      "proof":     {"index": i, "size": n, "path": ["<64 hex>", ...]}     positions from (index, size)
        or
      "proof":     [{"side": "left" | "right", "hash": "<64 hex>"}, ...] sibling sides given, bottom up
      "signature": "<128 hex>"           optional: the device's signature of the reading
      "device":    "<40 hex>"            optional: whose day (default: the reading's device)
      "day":       "YYYY-MM-DD"          optional: which KST day (default: the reading's day)
      "root":      "<64 hex>"            optional: the root the prover claims
    }

This is a superset of what ``ets edge prove`` prints (``edge_uploader.prove``): that output's
``reading``, ``signature`` and ``proof`` are read as above, ``chain_record`` gives device and
day, and ``root_spool`` (the root the edge node sealed) is the claimed root. Its own verdict
is ignored: the portal recomputes everything against the chain.

The reading's bytes are its canonical JSON (``protocol.codec.canonical_json``), the bytes the device
signed. A proof verifies when the root it computes equals the root the chain holds for that
device and day; a claimed root that differs from the chain's is reported as such. When a
signature is given it is checked against the device key in the chain's registry.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from protocol.calendar import iso_day
from protocol.codec import canonical_json, is_address

from .i18n import t

__all__ = ["ProofError", "InclusionProof", "ProofResult", "parse_proof", "verify_inclusion", "verify_signature",
           "format_help"]

_HEX = frozenset("0123456789abcdef")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class ProofError(ValueError):
    """A proof document that cannot be read; the message names the field and what it should be."""


def _hash(value: Any, where: str) -> bytes:
    if not isinstance(value, str) or len(value) != 64 or not _HEX.issuperset(value.lower()):
        raise ProofError(f"{where} must be 64 hex characters (a SHA-256 hash)")
    return bytes.fromhex(value)


@dataclass(frozen=True)
class InclusionProof:
    """A parsed proof: the leaf's bytes, the path (with index/size or explicit sides), and the claims."""

    leaf: bytes
    reading: dict[str, Any] | None
    index: int | None
    size: int | None
    path: tuple[bytes, ...]
    sides: tuple[str, ...] | None  # "left"/"right" per step when given explicitly
    device: str | None = None
    day: str | None = None
    claimed_root: bytes | None = None
    signature: bytes | None = None

    def __post_init__(self) -> None:
        if not self.leaf:
            raise ProofError("the leaf (the reading's bytes) is empty")
        if self.sides is None and (self.index is None or self.size is None):
            raise ProofError("a proof needs either index and size, or a side for every step")


@dataclass(frozen=True)
class ProofResult:
    ok: bool
    computed_root: str
    message: str


def _reading_bytes(obj: Any) -> tuple[bytes, dict[str, Any]]:
    if isinstance(obj, dict) and set(obj) == {"reading", "signature"}:
        obj = obj["reading"]
    if not isinstance(obj, dict):
        raise ProofError('"reading" must be an object with the reading\'s fields')
    try:
        return canonical_json(obj), obj
    except (TypeError, ValueError) as exc:
        raise ProofError(f'"reading" cannot be encoded: {exc}') from None


def parse_proof(text: str | bytes) -> InclusionProof:
    """Read a proof document (see the module docstring); raises ``ProofError`` saying what is wrong."""
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise ProofError(f"the proof is not JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise ProofError("the proof must be one JSON object")
    reading, signature = None, doc.get("signature")
    if isinstance(doc.get("reading"), dict) and set(doc["reading"]) == {"reading", "signature"}:
        signature = signature or doc["reading"]["signature"]
    if "reading" in doc:
        leaf, reading = _reading_bytes(doc["reading"])
    elif "leaf" in doc:
        value = doc["leaf"]
        try:
            leaf = bytes.fromhex(value) if isinstance(value, str) else b""
        except ValueError:
            raise ProofError('"leaf" must be the hex of the reading\'s canonical bytes') from None
        if not leaf:
            raise ProofError('"leaf" must be the hex of the reading\'s canonical bytes')
    else:
        raise ProofError('the proof needs "reading" (the reading object) or "leaf" (hex of its bytes)')
    raw = doc.get("proof")
    index = size = sides = None
    if isinstance(raw, dict):
        index, size = raw.get("index"), raw.get("size")
        if not isinstance(size, int) or isinstance(size, bool) or size < 1:
            raise ProofError('"proof.size" must be the number of leaves (a whole number ≥ 1)')
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < size:
            raise ProofError(f'"proof.index" must be the leaf position, from 0 to {size - 1}')
        hashes = raw.get("path")
        if not isinstance(hashes, list):
            raise ProofError('"proof.path" must be a list of sibling hashes')
        path = tuple(_hash(h, f"proof.path[{i}]") for i, h in enumerate(hashes))
    elif isinstance(raw, list):
        steps = []
        for i, step in enumerate(raw):
            if not isinstance(step, dict) or step.get("side") not in ("left", "right"):
                raise ProofError(f'proof[{i}] must be {{"side": "left" | "right", "hash": "<hex>"}}')
            steps.append((step["side"], _hash(step.get("hash"), f"proof[{i}].hash")))
        sides = tuple(s for s, _ in steps)
        path = tuple(h for _, h in steps)
    else:
        raise ProofError('"proof" must be {"index", "size", "path"} or a list of {"side", "hash"} steps')
    record = doc.get("chain_record") if isinstance(doc.get("chain_record"), dict) else {}
    device = doc.get("device") or (reading or {}).get("device") or record.get("device")
    if device is not None and not is_address(device):
        raise ProofError('"device" must be a 40-character lowercase hex address')
    day = doc.get("day") or record.get("day") or _day_of(reading)
    if day is not None and not (isinstance(day, str) and _DAY.fullmatch(day)):
        raise ProofError('"day" must be written YYYY-MM-DD')
    root = doc.get("root") if doc.get("root") is not None else doc.get("root_spool")
    claimed = _hash(root, "root") if root is not None else None
    if signature is not None:
        if not isinstance(signature, str) or len(signature) != 128 or not _HEX.issuperset(signature.lower()):
            raise ProofError('"signature" must be 128 hex characters (an Ed25519 signature)')
        if reading is None:
            raise ProofError('a "signature" needs the "reading" it signs')
        signature = bytes.fromhex(signature)
    return InclusionProof(leaf, reading, index, size, path, sides, device, day, claimed, signature)


def _day_of(reading: dict[str, Any] | None) -> str | None:
    """The KST day of a reading's timestamp (the day whose root must contain it)."""
    timestamp = (reading or {}).get("timestamp")
    if not isinstance(timestamp, int) or isinstance(timestamp, bool) or not 0 <= timestamp < 2**40:
        return None
    return iso_day(timestamp)


def verify_signature(proof: InclusionProof, public_key_hex: str) -> bool | None:
    """Whether the proof's reading carries a valid signature by ``public_key_hex``; None when no signature was given."""
    if proof.signature is None or proof.reading is None:
        return None
    from protocol.readings import READING_DOMAIN

    digest = hashlib.sha256(READING_DOMAIN + proof.leaf).digest()
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex)).verify(proof.signature, digest)
        return True
    except (InvalidSignature, ValueError):
        return False


def format_help() -> str:
    """The accepted proof JSON, as documented above (for showing to users)."""
    doc = __doc__ or ""
    body = doc.split("Accepted proof JSON (one object)::", 1)[-1]
    return body.split("This is a superset", 1)[0].strip("\n")


def _merkle():
    """The tree rule of the edge uploaders, from the wire package (the one place it is imported)."""
    from protocol import merkle

    return merkle


def _root_by_sides(proof: InclusionProof) -> bytes:
    m = _merkle()
    h = m.leaf_hash(proof.leaf)
    for side, sibling in zip(proof.sides or (), proof.path):
        h = m.node_hash(sibling, h) if side == "left" else m.node_hash(h, sibling)
    return h


def verify_inclusion(proof: InclusionProof, chain_root_hex: str, *, device: str | None = None) -> ProofResult:
    """Does ``proof`` lead to the root the chain holds (for ``device``'s day)? Says why not when it does not."""
    chain_root = _hash(chain_root_hex, "the on-chain root")
    reading_device = (proof.reading or {}).get("device")
    if device is not None and reading_device is not None and reading_device != device:
        return ProofResult(False, "", t("proof.other_device", reading=reading_device, device=device))
    m = _merkle()
    if proof.sides is not None:
        computed = _root_by_sides(proof)
        ok = computed == chain_root
    else:
        mp = m.MerkleProof(proof.index, proof.size, proof.path)
        ok = m.verify_proof(proof.leaf, mp, chain_root)
        computed = chain_root if ok else _fold_positions(proof)
    if proof.claimed_root is not None and proof.claimed_root != chain_root:
        return ProofResult(False, computed.hex(), t("proof.other_root"))
    if ok:
        return ProofResult(True, computed.hex(), t("proof.verified"))
    return ProofResult(False, computed.hex(), t("proof.not_verified"))


def _fold_positions(proof: InclusionProof) -> bytes:
    """The root an (index, size) proof computes, for showing what it led to when it fails."""
    m = _merkle()
    h = m.leaf_hash(proof.leaf)
    i, count, steps = proof.index or 0, proof.size or 1, iter(proof.path)
    while count > 1:
        if i % 2 == 1 or i + 1 < count:
            sibling = next(steps, None)
            if sibling is None:
                break
            h = m.node_hash(sibling, h) if i % 2 == 1 else m.node_hash(h, sibling)
        i //= 2
        count = (count + 1) // 2
    return h
