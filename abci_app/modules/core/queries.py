"""Answers of the core's public paths: parameters, an account's next nonce, a committed tx's result."""

from __future__ import annotations

from typing import Any

from protocol.codes import Code

from ...query_args import Denied, address_arg, json_at
from .. import QueryRequest
from ..access.queries import require_record
from . import keys

__all__ = ["params", "nonce", "tx"]


def params(q: QueryRequest) -> Any:
    return json_at(q.store, keys.PARAMS)


def nonce(q: QueryRequest) -> Any:
    address = address_arg(q.args)
    raw = q.store.get(keys.nonce(address))
    return {"address": address, "nonce": int(raw) if raw else 0}


def tx(q: QueryRequest) -> Any:
    try:
        digest = bytes.fromhex(q.args[0]) if len(q.args) == 1 else b""
    except ValueError:
        digest = b""
    if len(digest) != 32:
        raise Denied(Code.BAD_QUERY, "expected /tx/<64 hex characters of the tx hash>")
    row = q.store.tx_result(digest)
    if row is None:
        raise Denied(Code.NOT_FOUND, f"no committed transaction {q.args[0].lower()}")
    height, index, code, log, signer, kind, data, private = row
    if private or q.signed:  # a private tx's outcome is its signer's and the regulator's to read
        reader, role = q.reader()
        if private and reader != signer and role != "government":
            raise Denied(Code.NOT_FOUND, f"no committed transaction {q.args[0].lower()}")  # as if it did not exist
        if private and reader != signer:
            require_record(q.store, reader, signer, q.path)  # the regulator reads it within a recorded access
    return {"hash": digest.hex(), "height": height, "index": index, "code": code, "log": log, "signer": signer, "type": kind,
            "data": bytes(data).decode("utf-8", "replace"), "private": bool(private)}
