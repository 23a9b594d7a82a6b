"""The descriptor of account security: representatives, four eyes, the trusted list, limits, waiting transfers."""

from __future__ import annotations

from protocol.codes import Code
from protocol.constants import REPRESENTATIVE
from protocol.messages.custody import (
    CustodyApprove, CustodyCancel, CustodyRepresentative, CustodySettings, CustodyTransfer, CustodyTrusted,
)

from .. import Hook, MessageRule, Module, Query, StateRead, private
from . import handlers, keys, pending, queries

_ACTING = {"company", REPRESENTATIVE}
_RECORDS = private("government", what="account security records")

MODULE = Module(
    name="custody",
    summary="account security: representatives with initiate, approve or read-only rights, four eyes on transfers "
            "out, a trusted list that takes effect after a delay, caps on transfers to untrusted accounts",
    messages=(
        MessageRule(CustodyRepresentative, {"company"}, handlers.handle_representative,
                    "admit a representative's key with rights, change them (new rights after the delay) or "
                    "remove it at once", who="holder"),
        MessageRule(CustodySettings, {"company"}, handlers.handle_settings,
                    "four eyes on transfers out; own per-transaction, daily, weekly, monthly limits (stricter at "
                    "once, looser after the delay)", who="holder"),
        MessageRule(CustodyTrusted, _ACTING, handlers.handle_trusted,
                    "trusted list: add, confirm by a second person (effective after the delay), cancel, remove at once",
                    who="holder or its representative"),
        MessageRule(CustodyTransfer, _ACTING, pending.handle_custody_transfer,
                    "a transfer out within the caps; with four eyes it waits, tonnes held, for an approver",
                    who="holder or initiator"),
        MessageRule(CustodyApprove, {REPRESENTATIVE}, pending.handle_approve,
                    "confirm a waiting transfer another person initiated: it executes", who="approver"),
        MessageRule(CustodyCancel, _ACTING, pending.handle_cancel,
                    "withdraw a waiting transfer; its held tonnes return", who="holder, initiator or approver"),
    ),
    queries=(
        Query("custody", queries.custody, "/custody/<addr>", "four eyes, limits, usage, representatives, trusted "
              "list, waiting and latest transfers", _RECORDS),
        Query("representative", queries.representative, "/representative/<addr>", "the account a representative "
              "acts for and its rights", private("government", what="representative records")),
    ),
    hooks=(
        Hook("end", pending.expire_due, "waiting transfers past their time expire and release their held tonnes"),
    ),
    codes=frozenset({
        Code.FOUR_EYES_REQUIRED, Code.CUSTODY_NO_RIGHT, Code.CUSTODY_LIMIT_EXCEEDED, Code.CUSTODY_NOT_FOUND,
        Code.CUSTODY_SAME_PERSON, Code.CUSTODY_EXPIRED, Code.CUSTODY_FULL, Code.CUSTODY_KEY_IN_USE, Code.CUSTODY_UNCHANGED,
    }),
    code_range=range(1700, 1800),
    keys=keys.PREFIXES,
    state_reads=tuple(StateRead(prefix, _RECORDS, owner=2)
                      for prefix in (keys.ACCOUNT, keys.REPS, keys.TRUSTED, keys.USAGE, keys.TRANSFERS)),
)
