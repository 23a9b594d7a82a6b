"""Answer of the validator set's public path: every validator with its power, and the totals."""

from __future__ import annotations

import json
from typing import Any

from protocol.constants import MAX_VALIDATORS

from .. import QueryRequest
from . import keys

__all__ = ["validators"]


def validators(q: QueryRequest) -> Any:
    members = [json.loads(v) for _, v in q.store.scan(keys.MEMBERS, limit=MAX_VALIDATORS)]
    members.sort(key=lambda m: (-m["power"], m["address"]))
    return {"validators": members, "count": len(members), "total_power": sum(m["power"] for m in members)}
