"""Answers of the registry's public paths: one account, accounts by role, a company's devices."""

from __future__ import annotations

import json
from typing import Any

from protocol.codes import Code

from ...query_args import Denied, address_arg, json_at, one_of, query_params
from .. import QueryRequest
from . import keys

__all__ = ["account", "accounts", "devices"]


def account(q: QueryRequest) -> Any:
    address = address_arg(q.args)
    record = json_at(q.store, keys.account(address))
    if record is None:
        raise Denied(Code.NOT_FOUND, f"account {address} is not registered")
    return {"address": address, **record}


def accounts(q: QueryRequest) -> Any:
    p = query_params(q.path, {"role"})
    out = []
    for key, value in q.store.scan(keys.ACCOUNTS, 100_000):
        record = json.loads(value)
        if "role" not in p or record["role"] == p["role"]:
            out.append({"address": keys.address_in(key), **record})
    return out


def devices(q: QueryRequest) -> Any:
    company = one_of(query_params(q.path, {"company"}), ("company",))[1]
    out = []
    for key, _ in q.store.scan(keys.devices_of(company)):
        device = keys.address_in(key)
        out.append({"address": device, **json_at(q.store, keys.account(device))})
    return out
