"""Answer of the public path of private transactions' readers."""

from __future__ import annotations

from typing import Any

from ...query_args import Denied, json_at
from protocol.codes import Code
from .. import QueryRequest
from . import keys

__all__ = ["privacy"]


def privacy(q: QueryRequest) -> Any:
    record = json_at(q.store, keys.PRIVACY)
    if record is None:
        raise Denied(Code.NOT_FOUND, "this chain has no execution key (its genesis lacks app_state.privacy)")
    return record
