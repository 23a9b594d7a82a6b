"""The descriptor of who looked: the access record, the company's /looked path, the gate's code."""

from __future__ import annotations

from protocol.codes import Code
from protocol.messages.access import RecordAccess

from .. import MessageRule, Module, Query, StateRead, private
from . import handlers, keys, queries

MODULE = Module(
    name="access",
    summary="who looked: an official records why before reading a company's private data; the company reads the records",
    messages=(
        MessageRule(RecordAccess, {"government"}, handlers.record_access,
                    "record why this official reads the subject's private data; opens the access window"),
    ),
    queries=(
        Query("looked", queries.looked, "/looked/<addr>", "who read the account's private data: reader, reason, "
              "height, time, until", private("government", what="access records", audited=False)),
    ),
    codes=frozenset({Code.ACCESS_NOT_RECORDED}),
    code_range=range(1300, 1400),
    keys=keys.PREFIXES,
    state_reads=(StateRead(keys.RECORDS, private("government", what="access records", audited=False)),),
)
