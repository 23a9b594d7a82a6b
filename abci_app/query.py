"""Read access to committed state through ``abci_query``, with confidentiality rules.

    path                     who may read                          value (canonical JSON)
    /params                  anyone                                chain parameters
    /account/<addr>          anyone (the participant registry)     role, name, public key, since
    /nonce/<addr>            anyone                                {"nonce": next nonce}
    /supply                  anyone (market aggregate)             {instrument: tonnes issued}
    /proposal/<id>           anyone (governance is public)         proposal record with votes
    /proposals               anyone                                the latest 200 proposals
    /tx/<hash hex>           anyone                                height, index, code, log, type, signer
    /balances/<addr>         the holder or a government official   {instrument: tonnes}

Private paths need ``data`` = a signed query (``ets.codec``, ``ETSQ`` envelope) whose
reader is entitled, whose path equals the requested path, and whose ``issued_at`` is within
``query_max_skew_seconds`` of the last block time, so a captured query cannot be reused later.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ets.codec import CodecError, canonical_json, decode_envelope, is_address, sign_digest

from .errors import Code
from .state import Store

__all__ = ["QueryResult", "run_query"]


@dataclass(frozen=True)
class QueryResult:
    code: int
    value: bytes = b""
    log: str = ""


def _json(store: Store, key: str) -> Any:
    raw = store.get(key)
    return None if raw is None else json.loads(raw)


class _Denied(Exception):
    def __init__(self, code: Code, log: str):
        super().__init__(log)
        self.code, self.log = code, log


def _reader(store: Store, path: str, data: bytes) -> tuple[str, str]:
    """Check a signed query; returns (reader address, reader role)."""
    if not data:
        raise _Denied(Code.UNAUTHORIZED, f"{path} is private: send a signed query (ets query --key NAME ...)")
    try:
        env = decode_envelope(data, query=True)
    except CodecError as exc:
        raise _Denied(Code.BAD_QUERY, f"signed query is malformed: {exc}") from None
    if env.chain_id != store.chain_id:
        raise _Denied(Code.WRONG_CHAIN_ID, f"signed query is for chain {env.chain_id[:64]!r}")
    if env.msg["path"] != path:
        raise _Denied(Code.BAD_QUERY, "signed query was made for another path")
    skew = _json(store, "params")["query_max_skew_seconds"]
    if abs(env.nonce - store.block_time) > skew:
        raise _Denied(Code.BAD_QUERY, f"signed query issued_at is more than {skew}s from the chain's time; sign a fresh query")
    acct = _json(store, f"acct/{env.signer}")
    if acct is None:
        raise _Denied(Code.UNKNOWN_SIGNER, f"reader {env.signer} is not a registered account")
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(acct["public_key"])).verify(env.signature, sign_digest(env.body, query=True))
    except InvalidSignature:
        raise _Denied(Code.BAD_SIGNATURE, "signed query signature does not match the reader's key") from None
    return env.signer, acct["role"]


def _address_arg(args: list[str]) -> str:
    if len(args) != 1 or not is_address(args[0]):
        raise _Denied(Code.BAD_QUERY, "expected one 40-character lowercase hex address after the path")
    return args[0]


def _q_params(store: Store, args: list[str], data: bytes, path: str) -> Any:
    return _json(store, "params")


def _q_account(store: Store, args: list[str], data: bytes, path: str) -> Any:
    address = _address_arg(args)
    acct = _json(store, f"acct/{address}")
    if acct is None:
        raise _Denied(Code.NOT_FOUND, f"account {address} is not registered")
    return {"address": address, **acct}


def _q_nonce(store: Store, args: list[str], data: bytes, path: str) -> Any:
    address = _address_arg(args)
    raw = store.get(f"nonce/{address}")
    return {"address": address, "nonce": int(raw) if raw else 0}


def _q_supply(store: Store, args: list[str], data: bytes, path: str) -> Any:
    return {k.split("/", 1)[1]: int(v) for k, v in store.scan("supply/")}


def _q_proposal(store: Store, args: list[str], data: bytes, path: str) -> Any:
    if len(args) != 1 or not (args[0].isascii() and args[0].isdigit()) or len(args[0]) > 19:
        raise _Denied(Code.BAD_QUERY, "expected /proposal/<id>")
    proposal = _json(store, f"prop/{int(args[0]):012d}")
    if proposal is None:
        raise _Denied(Code.NOT_FOUND, f"proposal {args[0]} does not exist")
    return proposal


def _q_proposals(store: Store, args: list[str], data: bytes, path: str) -> Any:
    last = int(store.get("seq/proposal") or b"0")
    first = max(1, last - 199)
    return [_json(store, f"prop/{i:012d}") for i in range(last, first - 1, -1)]


def _q_tx(store: Store, args: list[str], data: bytes, path: str) -> Any:
    try:
        digest = bytes.fromhex(args[0]) if len(args) == 1 else b""
    except ValueError:
        digest = b""
    if len(digest) != 32:
        raise _Denied(Code.BAD_QUERY, "expected /tx/<64 hex characters of the tx hash>")
    row = store.tx_result(digest)
    if row is None:
        raise _Denied(Code.NOT_FOUND, f"no committed transaction {args[0].lower()}")
    height, index, code, log, signer, kind = row
    return {"hash": digest.hex(), "height": height, "index": index, "code": code, "log": log, "signer": signer, "type": kind}


def _q_balances(store: Store, args: list[str], data: bytes, path: str) -> Any:
    address = _address_arg(args)
    reader, role = _reader(store, path, data)
    if reader != address and role != "government":
        raise _Denied(Code.UNAUTHORIZED, "holdings are confidential: only the holder and the regulator may read them")
    return {k.rsplit("/", 1)[1]: int(v) for k, v in store.scan(f"bal/{address}/")}


_ROUTES: dict[str, Callable[[Store, list[str], bytes, str], Any]] = {
    "params": _q_params,
    "account": _q_account,
    "nonce": _q_nonce,
    "supply": _q_supply,
    "proposal": _q_proposal,
    "proposals": _q_proposals,
    "tx": _q_tx,
    "balances": _q_balances,
}


def run_query(store: Store, path: str, data: bytes, height: int) -> QueryResult:
    if not store.initialized:
        return QueryResult(Code.NOT_FOUND, log="the chain has not started yet")
    if height not in (0, store.height):
        return QueryResult(Code.BAD_QUERY, log=f"only the latest height ({store.height}) can be queried")
    parts = path.strip("/").split("/")
    route = _ROUTES.get(parts[0])
    if route is None:
        return QueryResult(Code.BAD_QUERY, log=f"unknown query path {path[:80]!r}; known: /{', /'.join(sorted(_ROUTES))}")
    try:
        return QueryResult(Code.OK, canonical_json(route(store, parts[1:], data, path)))
    except _Denied as exc:
        return QueryResult(exc.code, log=exc.log)
