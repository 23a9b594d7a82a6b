"""The wire format shared by the chain, the CLI, the portal and edge uploaders.

A transaction is a signed envelope::

    tx        = MAGIC (4 bytes b"ETS1") || signature (64 bytes, Ed25519) || body
    body      = canonical JSON: {"chain_id", "msg": {"type", ...}, "nonce", "signer"}
    signature = Ed25519(private key, SHA-256(TX_DOMAIN || body))

The signature covers exactly the body bytes that travel; verifiers never re-encode.
The body must nevertheless be in canonical form (sorted keys, no whitespace, UTF-8,
integers only), so one message has exactly one encoding and one transaction hash.

Signed queries (private reads through ``abci_query``) use the same construction with
their own domain and magic, so a query signature can never be replayed as a tx::

    query body = canonical JSON: {"chain_id", "issued_at" (unix seconds), "path", "reader", "reply_key"}

``reply_key`` is an X25519 public key made for that one query; the answer is sealed to it
(``protocol.replies``), so a captured query is worth nothing to whoever replays it.

An account address is the lowercase hex of the first 20 bytes of SHA-256(public key).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

__all__ = [
    "TX_MAGIC",
    "QUERY_MAGIC",
    "SIGNATURE_SIZE",
    "MAX_TX_BYTES",
    "CodecError",
    "Envelope",
    "address_of",
    "canonical_json",
    "decode_canonical_json",
    "decode_envelope",
    "encode_envelope",
    "sign_digest",
    "tx_hash",
    "is_address",
    "reject_duplicate_keys",
    "MAX_JSON_DEPTH",
    "MAX_JSON_STRING_BYTES",
    "MAX_JSON_VALUES",
]

TX_MAGIC = b"ETS1"
QUERY_MAGIC = b"ETSQ"
TX_DOMAIN = b"ETS-TX-V1\x00"
QUERY_DOMAIN = b"ETS-QUERY-V1\x00"
SIGNATURE_SIZE = 64
MAX_TX_BYTES = 256 * 1024
MAX_INT = 2**63 - 1
# Explicit limits on every JSON body, checked on the bytes before parsing, so that the interpreter's
# recursion limit (which differs between CheckTx and FinalizeBlock stack depths) never decides.
MAX_JSON_DEPTH = 32  # nested arrays/objects
MAX_JSON_STRING_BYTES = 64 * 1024  # one string token as encoded, quotes included
MAX_JSON_VALUES = 65_536  # values of all kinds in one body
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKETS = re.compile(rb"[\[\]{}]")
_HEX = frozenset("0123456789abcdef")


class CodecError(ValueError):
    """Bytes that are not a well-formed envelope or canonical JSON body."""


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)  # one encoder, made once


def canonical_json(value: Any) -> bytes:
    """Encode ``value`` in the one canonical form the chain accepts."""
    return _CANONICAL.encode(value).encode()


def reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise CodecError(f"duplicate key {key!r} in JSON object")
        out[key] = value
    return out


def _no_float(text: str) -> Any:
    raise CodecError(f"non-integer number {text!r}: quantities are whole units")


def _no_constant(text: str) -> Any:
    raise CodecError(f"{text} is not allowed in JSON bodies")


def check_json_shape(data: bytes) -> None:
    """Refuse JSON bytes deeper, longer or larger than the explicit limits, before any parser runs.

    Counting is on the bytes: brackets inside strings are not structure; an unterminated string
    counts as structure (conservative, and the parser refuses it anyway)."""
    opens = data.count(b"[") + data.count(b"{")
    if opens <= MAX_JSON_DEPTH and len(data) <= MAX_JSON_STRING_BYTES and data.count(b",") + opens < MAX_JSON_VALUES:
        return  # cannot exceed any limit: the common case costs three byte counts
    longest = 0
    pieces = []
    last = 0
    for match in _JSON_STRING.finditer(data):
        longest = max(longest, match.end() - match.start())
        pieces.append(data[last:match.start()])
        last = match.end()
    pieces.append(data[last:])
    if longest > MAX_JSON_STRING_BYTES:
        raise CodecError(f"a string of {longest:,} bytes exceeds the limit of {MAX_JSON_STRING_BYTES:,}")
    structure = b"".join(pieces)
    brackets = _JSON_BRACKETS.findall(structure)
    if brackets and max(accumulate(1 if b in (b"[", b"{") else -1 for b in brackets)) > MAX_JSON_DEPTH:
        raise CodecError(f"body is nested deeper than {MAX_JSON_DEPTH} levels")
    if structure.count(b",") + structure.count(b"[") + structure.count(b"{") >= MAX_JSON_VALUES:
        raise CodecError(f"body holds more than {MAX_JSON_VALUES:,} values")


def decode_canonical_json(data: bytes) -> Any:
    """Strictly decode canonical JSON: UTF-8, no floats, no duplicate keys, canonical bytes,
    and within the explicit depth, string and size limits (``check_json_shape``)."""
    check_json_shape(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CodecError(f"body is not UTF-8 ({exc.reason} at byte {exc.start})") from None
    # Fast path: the C parser without a per-object hook. A body with a duplicate key cannot come out
    # canonical (the re-encoding has one key fewer), so whatever is refused is decoded again strictly,
    # and the refusal says exactly what was wrong.
    try:
        value = json.loads(text, parse_float=_no_float, parse_constant=_no_constant)
        if canonical_json(value) == data:
            return value
    except (ValueError, UnicodeEncodeError):
        pass
    return _decode_strictly(data, text)


def _decode_strictly(data: bytes, text: str) -> Any:
    try:
        value = json.loads(
            text,
            object_pairs_hook=reject_duplicate_keys,
            parse_float=_no_float,
            parse_constant=_no_constant,
        )
    except CodecError:
        raise
    except ValueError as exc:
        raise CodecError(f"body is not JSON: {exc}") from None
    try:
        canonical = canonical_json(value)
    except UnicodeEncodeError:
        raise CodecError("body contains an escaped lone surrogate, which has no UTF-8 form") from None
    if canonical != data:
        raise CodecError("body is not in canonical form (sorted keys, no spaces, UTF-8)")
    return value


def address_of(public_key: bytes) -> str:
    """Account address for a 32-byte Ed25519 public key."""
    if len(public_key) != 32:
        raise CodecError("an Ed25519 public key is 32 bytes")
    return hashlib.sha256(public_key).digest()[:20].hex()


def is_address(value: object) -> bool:
    return isinstance(value, str) and len(value) == 40 and _HEX.issuperset(value)


def sign_digest(body: bytes, *, query: bool = False) -> bytes:
    """The 32 bytes an Ed25519 key signs for a tx body (or a signed query)."""
    return hashlib.sha256((QUERY_DOMAIN if query else TX_DOMAIN) + body).digest()


def tx_hash(tx: bytes) -> bytes:
    """CometBFT's transaction hash: SHA-256 of the whole tx bytes."""
    return hashlib.sha256(tx).digest()


@dataclass(frozen=True, slots=True)
class Envelope:
    """A decoded envelope. ``body`` is kept as the exact bytes that were signed."""

    chain_id: str
    signer: str
    nonce: int
    msg: dict[str, Any]
    body: bytes
    signature: bytes


def encode_envelope(body: bytes, signature: bytes, *, query: bool = False) -> bytes:
    if len(signature) != SIGNATURE_SIZE:
        raise CodecError("an Ed25519 signature is 64 bytes")
    return (QUERY_MAGIC if query else TX_MAGIC) + signature + body


def decode_envelope(data: bytes, *, query: bool = False) -> Envelope:
    """Split and strictly decode an envelope; the signature is *not* checked here."""
    magic = QUERY_MAGIC if query else TX_MAGIC
    if len(data) > MAX_TX_BYTES:
        raise CodecError(f"envelope is {len(data)} bytes; the limit is {MAX_TX_BYTES}")
    if len(data) < len(magic) + SIGNATURE_SIZE + 2 or not data.startswith(magic):
        raise CodecError(f"not an ETS envelope (expected {magic!r} + 64-byte signature + JSON body)")
    signature = data[4 : 4 + SIGNATURE_SIZE]
    body = data[4 + SIGNATURE_SIZE :]
    value = decode_canonical_json(body)
    if not isinstance(value, dict):
        raise CodecError("body must be a JSON object")
    expected = {"chain_id", "msg", "nonce", "signer"} if not query else {"chain_id", "issued_at", "path", "reader", "reply_key"}
    if set(value) != expected:
        raise CodecError(f"body must have exactly the keys {sorted(expected)}, got {sorted(value)}")
    if not isinstance(value["chain_id"], str) or not value["chain_id"]:
        raise CodecError("chain_id must be a non-empty string")
    if query:
        reader, issued_at, path, reply_key = value["reader"], value["issued_at"], value["path"], value["reply_key"]
        if not is_address(reader) or not isinstance(issued_at, int) or isinstance(issued_at, bool):
            raise CodecError("signed query needs a reader address and an integer issued_at")
        if not isinstance(path, str):
            raise CodecError("signed query path must be a string")
        if not isinstance(reply_key, str) or len(reply_key) != 64 or not _HEX.issuperset(reply_key):
            raise CodecError("signed query reply_key must be an X25519 public key in 64 lowercase hex characters")
        return Envelope(value["chain_id"], reader, issued_at, {"path": path, "reply_key": reply_key}, body, signature)
    chain_id, signer, nonce, msg = value["chain_id"], value["signer"], value["nonce"], value["msg"]
    if not is_address(signer):
        raise CodecError("signer must be a 40-character lowercase hex address")
    if not isinstance(nonce, int) or isinstance(nonce, bool) or not 0 <= nonce <= MAX_INT:
        raise CodecError("nonce must be an integer between 0 and 2^63-1")
    if not isinstance(msg, dict) or not isinstance(msg.get("type"), str):
        raise CodecError('msg must be an object with a string "type"')
    return Envelope(chain_id, signer, nonce, msg, body, signature)
