"""The block outcome: the last tx of every block, the public result of executing the block.

Private txs can only be executed by the validators (they hold the execution key), so a node
without that key cannot compute the app hash or the tx results a block header commits to. The
proposer therefore executes its block in PrepareProposal and appends one more tx, the **outcome**,
which states what the block did in public terms::

    b"ETSO" | canonical JSON {
        "app_hash":   hex of the state root after the block (the next header's AppHash),
        "events":     the block's own events (begin/end-block work: auctions, e-orders),
        "height":     the block's height,
        "results":    one entry per other tx of the block, in order: null for a private tx (its
                      public result is the same for all: code 0, nothing else), else
                      {"code", "codespace", "data" (base64), "events", "log"},
        "validators": [[key type, public key hex, power], ...] the validator updates,
        "v":          1,
        "writes":     [[key, base64 value | null], ...] the block's writes to public state keys
                      (the modules' ``StateRead`` prefixes readable by anyone), sorted by key }

    an event = [type, [[key, value, indexed (0/1)], ...]]

Every validator executes the block itself in ProcessProposal and accepts it only if its own
outcome is the same bytes, so the outcome is as trustworthy as the header's signatures (a block
with a false outcome gets no 2/3 of prevotes). An **observer node** (``abci_app.observer``) holds
no execution or blinding key: it answers FinalizeBlock from the outcome, keeps the public writes
and learns nothing the exposure model keeps private (the outcome names no private key and holds
nothing a private tx's public result does not show).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from .codec import canonical_json

__all__ = ["MAGIC", "VERSION", "OutcomeError", "Outcome", "Result", "is_outcome", "encode_outcome", "decode_outcome"]

MAGIC = b"ETSO"
VERSION = 1
MAX_OUTCOME_BYTES = 64 * 1024 * 1024  # far above any block (CometBFT's block max_bytes is at most 100 MiB)

EventJson = list  # [type, [[key, value, 0|1], ...]]


class OutcomeError(ValueError):
    """Bytes that are not a well-formed block outcome."""


@dataclass(frozen=True)
class Result:
    """The public result of one public tx."""

    code: int
    log: str = ""
    data: bytes = b""
    codespace: str = ""
    events: tuple[tuple[str, tuple[tuple[str, str, bool], ...]], ...] = ()


@dataclass(frozen=True)
class Outcome:
    height: int
    app_hash: bytes
    results: tuple[Result | None, ...]  # None: a private tx
    events: tuple[tuple[str, tuple[tuple[str, str, bool], ...]], ...]
    validators: tuple[tuple[str, bytes, int], ...]
    writes: tuple[tuple[str, bytes | None], ...]


def is_outcome(tx: bytes) -> bool:
    return tx[:4] == MAGIC


def _events_json(events) -> list:
    return [[kind, [[k, v, 1 if i else 0] for k, v, i in attributes]] for kind, attributes in events]


def encode_outcome(outcome: Outcome) -> bytes:
    """The outcome's bytes (canonical: every validator that executed the block writes the same)."""
    writes = sorted(outcome.writes)
    for (a, _), (b, _) in zip(writes, writes[1:]):
        if a == b:
            raise OutcomeError(f"the outcome writes the key {a!r} twice")
    body = {
        "v": VERSION,
        "height": outcome.height,
        "app_hash": outcome.app_hash.hex(),
        "results": [None if r is None else {
            "code": r.code, "log": r.log, "data": base64.b64encode(r.data).decode(), "codespace": r.codespace,
            "events": _events_json(r.events),
        } for r in outcome.results],
        "events": _events_json(outcome.events),
        "validators": [[kind, key.hex(), power] for kind, key, power in outcome.validators],
        "writes": [[k, None if v is None else base64.b64encode(v).decode()] for k, v in writes],
    }
    return MAGIC + canonical_json(body)


def _need(ok: bool, what: str) -> None:
    if not ok:
        raise OutcomeError(f"malformed block outcome: {what}")


def _text(value: Any, what: str) -> str:
    _need(isinstance(value, str), f"{what} is not text")
    return value


def _int(value: Any, what: str) -> int:
    _need(isinstance(value, int) and not isinstance(value, bool), f"{what} is not an integer")
    return value


def _bytes(value: Any, what: str) -> bytes:
    try:
        return base64.b64decode(_text(value, what), validate=True)
    except ValueError:
        raise OutcomeError(f"malformed block outcome: {what} is not base64") from None


def _events(value: Any, what: str):
    _need(isinstance(value, list), f"{what} is not a list")
    out = []
    for event in value:
        _need(isinstance(event, list) and len(event) == 2 and isinstance(event[1], list), f"an event of {what}")
        attributes = []
        for attribute in event[1]:
            _need(isinstance(attribute, list) and len(attribute) == 3 and attribute[2] in (0, 1), f"an attribute of {what}")
            attributes.append((_text(attribute[0], "an attribute key"), _text(attribute[1], "an attribute value"),
                               attribute[2] == 1))
        out.append((_text(event[0], "an event type"), tuple(attributes)))
    return tuple(out)


def decode_outcome(tx: bytes) -> Outcome:
    """Parse an outcome tx; ``OutcomeError`` if it is not one or is malformed."""
    _need(is_outcome(tx), "no ETSO prefix")
    _need(len(tx) <= MAX_OUTCOME_BYTES, f"larger than {MAX_OUTCOME_BYTES:,} bytes")
    try:
        body = json.loads(tx[4:].decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise OutcomeError(f"malformed block outcome: not JSON ({type(exc).__name__})") from None
    _need(isinstance(body, dict) and body.get("v") == VERSION, f"not version {VERSION}")
    _need(set(body) == {"v", "height", "app_hash", "results", "events", "validators", "writes"}, "unexpected fields")
    try:
        app_hash = bytes.fromhex(_text(body["app_hash"], "app_hash"))
    except ValueError:
        raise OutcomeError("malformed block outcome: app_hash is not hex") from None
    _need(len(app_hash) == 32, "app_hash is not 32 bytes")
    _need(isinstance(body["results"], list), "results is not a list")
    results: list[Result | None] = []
    for r in body["results"]:
        if r is None:
            results.append(None)
            continue
        _need(isinstance(r, dict) and set(r) == {"code", "log", "data", "codespace", "events"}, "a result's fields")
        results.append(Result(_int(r["code"], "a result code"), _text(r["log"], "a log"), _bytes(r["data"], "a result's data"),
                              _text(r["codespace"], "a codespace"), _events(r["events"], "a result")))
    _need(isinstance(body["validators"], list), "validators is not a list")
    validators = []
    for v in body["validators"]:
        _need(isinstance(v, list) and len(v) == 3, "a validator update")
        try:
            key = bytes.fromhex(_text(v[1], "a validator key"))
        except ValueError:
            raise OutcomeError("malformed block outcome: a validator key is not hex") from None
        validators.append((_text(v[0], "a validator key type"), key, _int(v[2], "a validator power")))
    _need(isinstance(body["writes"], list), "writes is not a list")
    writes = []
    for w in body["writes"]:
        _need(isinstance(w, list) and len(w) == 2, "a write")
        writes.append((_text(w[0], "a written key"), None if w[1] is None else _bytes(w[1], "a written value")))
    return Outcome(_int(body["height"], "height"), app_hash, tuple(results), _events(body["events"], "the block"),
                   tuple(validators), tuple(writes))
