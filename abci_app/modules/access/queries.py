"""Answers of who looked: a company's access records, and the gate the query router asks."""

from __future__ import annotations

import json
import logging
from typing import Any

from protocol.codes import Code
from protocol.messages.access import EVERY_ACCOUNT

from ...query_args import Denied, address_arg
from .. import QueryRequest
from . import keys

__all__ = ["looked", "require_record", "MAX_RECORDS"]

MAX_RECORDS = 1_000
log = logging.getLogger("abci_app.query")


def looked(q: QueryRequest) -> Any:
    subject = address_arg(q.args)
    rows = q.store.scan(keys.records_of(subject), limit=MAX_RECORDS)
    return [{"record": int(k.rsplit("/", 1)[1]), **json.loads(v)} for k, v in rows]


def require_record(store, reader: str, subject: str, path: str) -> None:
    """Let an official's read of ``subject``'s private data through only within a recorded access window."""
    now = store.block_time
    for whom in (subject, EVERY_ACCOUNT):
        raw = store.get(keys.grant(reader, whom))
        if raw is not None and int(raw) >= now:
            log.info("audited read reader=%s subject=%s path=%s", reader, subject, path[:120])
            return
    raise Denied(Code.ACCESS_NOT_RECORDED,
                 f"reading {subject if subject != EVERY_ACCOUNT else 'every account'}'s private data needs a record of "
                 f"why, first: `ets access record --subject {subject} --reason \"...\" --key YOU` (the company sees "
                 "who looked, when and why; the record opens a window of access_window_seconds)")
