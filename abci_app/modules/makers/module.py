"""The makers' descriptor: the governed participant class, the holding-limit check, the duty hook, the paths."""

from __future__ import annotations

from protocol.codes import Code
from protocol.messages.makers import SetParticipantClass

from .. import GovernedAction, Hook, IncomingCheck, Module, Query, StateRead, private
from . import duty, handlers, keys, limits, queries
from .events import PARTICIPANT_CLASS

_REPORTS = private("government", what="market-maker obligation reports", audited=False)

MODULE = Module(
    name="makers",
    summary="participant classes (market makers, third parties), holding limits, the market-maker duty measured daily",
    actions=(
        GovernedAction(SetParticipantClass, handlers.check_set_class, handlers.execute_set_class,
                       "register a market maker (with its instrument) or a third-party trader, or clear the class",
                       events=(PARTICIPANT_CLASS,)),
    ),
    queries=(
        Query("makers", queries.makers, "/makers", "accounts with a participant class: class, instrument, since"),
        Query("makers/report", queries.report, "/makers/report/<addr>",
              "the maker's months: days met / trading days, each day's quoting seconds", _REPORTS),
    ),
    hooks=(
        Hook("end", duty.measure_makers, "measure each market maker's two-sided quote (spread, tonnes) over block time"),
    ),
    codes=frozenset({Code.HOLDING_LIMIT_EXCEEDED, Code.PARTICIPANT_CLASS_UNCHANGED, Code.TOO_MANY_MARKET_MAKERS}),
    code_range=range(1600, 1700),
    keys=keys.PREFIXES,
    state_reads=(
        StateRead(keys.CLASSES), StateRead(keys.MAKERS),
        StateRead(keys.DAYS, _REPORTS, owner=2), StateRead(keys.QUOTING, _REPORTS, owner=2),
    ),
    incoming_checks=(
        IncomingCheck(limits.refuse_over_limit, "holding limit by participant class: holdings + resting buys"),
    ),
)
