"""The access record: written before an official reads a company's private data."""

from __future__ import annotations

from protocol.codes import Code, TxRejected
from protocol.messages.access import EVERY_ACCOUNT, RecordAccess

from ...view import BlockContext, View, add_int, get_int, params, put_int, put_json, require_account
from . import keys

__all__ = ["record_access", "granted_until"]


def record_access(view: View, signer: str, msg: RecordAccess, ctx: BlockContext) -> bytes:
    if msg.subject == signer:
        raise TxRejected(Code.INVALID_MESSAGE, "an official reads their own account's data without a record")
    if msg.subject != EVERY_ACCOUNT:
        require_account(view, msg.subject, "the subject of an access record")
    until = ctx.time + params(view)["access_window_seconds"]
    seq = add_int(view, keys.RECORD_SEQ, 1)
    put_json(view, keys.record(msg.subject, seq), {
        "reader": signer, "reason": msg.reason, "height": ctx.height, "time": ctx.time, "until": until,
    })
    put_int(view, keys.grant(signer, msg.subject), until)
    return b'{"record":%d,"until":%d}' % (seq, until)


def granted_until(view: View, reader: str, subject: str) -> int:
    return get_int(view, keys.grant(reader, subject))
