"""Answers of the plans' public paths: plans, a plan, its lines, its e-order record, a company's allocations."""

from __future__ import annotations

import json
from typing import Any

from protocol.codes import Code

from ...query_args import Denied, MAX_ROWS, address_arg, hash_arg, json_at, query_params
from .. import QueryRequest
from . import keys
from .handlers import plan_lines_from

__all__ = ["plans", "plan", "plan_lines", "eorder", "allocations"]


def plans(q: QueryRequest) -> Any:
    records = [json.loads(v) for _, v in q.store.scan(keys.PLANS, 100_000)]
    records.sort(key=lambda p: (p["opened"]["height"], p["hash"]), reverse=True)
    return records[:200]


def plan(q: QueryRequest) -> Any:
    plan_hash = hash_arg(q.args, "plan")
    record = json_at(q.store, keys.plan(plan_hash))
    if record is None:
        raise Denied(Code.NOT_FOUND, f"no allocation plan {plan_hash}")
    return record


def plan_lines(q: QueryRequest) -> Any:
    plan_hash = hash_arg(q.args, "plan_lines")
    p = query_params(q.path, {"offset", "limit"})
    try:
        offset, limit = int(p.get("offset", "0")), int(p.get("limit", "1000"))
    except ValueError:
        raise Denied(Code.BAD_QUERY, "offset and limit must be whole numbers") from None
    if offset < 0 or not 1 <= limit <= MAX_ROWS:
        raise Denied(Code.BAD_QUERY, f"offset must be ≥ 0 and limit between 1 and {MAX_ROWS}")
    return list(plan_lines_from(q.store, plan_hash, offset, offset + limit))


def eorder(q: QueryRequest) -> Any:
    plan_hash = hash_arg(q.args, "eorder")
    record = json_at(q.store, keys.eorder(plan_hash))
    if record is None:
        raise Denied(Code.NOT_FOUND, f"plan {plan_hash} has not been issued")
    return record


def allocations(q: QueryRequest) -> Any:
    address = address_arg(q.args)
    out: dict[str, dict[str, int]] = {}
    for key, value in q.store.scan(keys.allocations_of(address)):
        plan_hash, vintage = keys.allocation_in(key)
        out.setdefault(plan_hash, {})[vintage] = int(value)
    return out
