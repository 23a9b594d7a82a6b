"""Answers of governance's public paths: one proposal with its votes, the latest 200."""

from __future__ import annotations

from typing import Any

from protocol.codes import Code

from ...query_args import Denied, json_at
from .. import QueryRequest
from . import keys

__all__ = ["proposal", "proposals"]


def proposal(q: QueryRequest) -> Any:
    args = q.args
    if len(args) != 1 or not (args[0].isascii() and args[0].isdigit()) or len(args[0]) > 19:
        raise Denied(Code.BAD_QUERY, "expected /proposal/<id>")
    record = json_at(q.store, keys.proposal(int(args[0])))
    if record is None:
        raise Denied(Code.NOT_FOUND, f"proposal {args[0]} does not exist")
    return record


def proposals(q: QueryRequest) -> Any:
    last = int(q.store.get(keys.PROPOSAL_SEQ) or b"0")
    first = max(1, last - 199)
    return [json_at(q.store, keys.proposal(i)) for i in range(last, first - 1, -1)]
