"""Answers of account security's paths: an account's custody record (the account, its representatives, the
regulator within an access record) and a representative's own record (whom it acts for, its rights)."""

from __future__ import annotations

from typing import Any

from protocol.codes import Code

from ...query_args import Denied, json_at
from ...view import params
from .. import QueryRequest
from . import keys
from .limits import trusted_status, usage_at
from .records import custody_of, rights_at

__all__ = ["custody", "representative", "MAX_LISTED_TRANSFERS"]

MAX_LISTED_TRANSFERS = 200  # the latest transfers in one answer


def _representative(rep: dict[str, Any], address: str, now: int) -> dict[str, Any]:
    scheduled = rep.get("next")
    return {"representative": address, "account": rep["account"], "name": rep.get("name", ""),
            "rights": list(rights_at(rep, now)), "since": rep["since"],
            "next": scheduled if scheduled is not None and now < scheduled["from"] else None}


def custody(q: QueryRequest) -> Any:
    address, now, chain = q.subject, q.store.block_time, params(q.store)
    record = custody_of(q.store, address, now)
    answer: dict[str, Any] = {
        "account": address, "under_custody": record is not None, "time": now,
        "central_cap": chain["custody_untrusted_cap"], "delay_seconds": chain["custody_delay_seconds"],
        "transfer_ttl_seconds": chain["custody_transfer_ttl_seconds"],
    }
    if record is None:
        return answer
    scheduled = record.get("next")
    reps = [key.rsplit("/", 1)[1] for key, _ in q.store.scan(keys.representatives_of(address))]
    trusted = [(key.rsplit("/", 1)[1], json_at(q.store, key)) for key, _ in q.store.scan(keys.trusted_of(address))]
    latest = range(record["seq"], max(0, record["seq"] - MAX_LISTED_TRANSFERS), -1)
    return answer | {
        "four_eyes": record["four_eyes"], "limits": record["limits"], "usage": usage_at(q.store, address, now),
        "next": scheduled if scheduled is not None and now < scheduled["from"] else None,
        "representatives": [_representative(json_at(q.store, keys.representative(r)), r, now) for r in reps],
        "trusted": [{"account": other, **entry, "status": trusted_status(entry, now)} for other, entry in trusted],
        "open": record["open"],
        "waiting": [json_at(q.store, keys.transfer(address, i)) for i in record["open"]],
        "transfers": [json_at(q.store, keys.transfer(address, i)) for i in latest],
    }


def representative(q: QueryRequest) -> Any:
    rep = json_at(q.store, keys.representative(q.subject))
    if rep is None:
        raise Denied(Code.NOT_FOUND, f"{q.subject} is not a representative of any account")
    return _representative(rep, q.subject, q.store.block_time)
