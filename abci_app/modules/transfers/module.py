"""The ledger's descriptor: transfer, the governed issue of allowances, supply, balances and holdings."""

from __future__ import annotations

from protocol.codes import Code
from protocol.messages.transfers import IssueAllowances, Transfer

from .. import GovernedAction, MessageRule, Module, Query, StateRead, private
from . import handlers, keys, queries
from .events import ALLOWANCES_ISSUED
from .journal import MAX_ENTRIES_PER_QUERY

_RECORD = private("government", what="transfer records", query_string=True)

MODULE = Module(
    name="transfers",
    summary="the allowance ledger: available and held tonnes, transfers, issuance, supply, each account's transfer record",
    messages=(
        MessageRule(Transfer, {"company"}, handlers.handle_transfer, "move allowances signer → another company"),
    ),
    actions=(
        GovernedAction(IssueAllowances, handlers.check_issue, handlers.execute_issue,
                       "credit allowances of an instrument to a company; raises the instrument's supply",
                       events=(ALLOWANCES_ISSUED,)),
    ),
    queries=(
        Query("supply", queries.supply, "/supply", "{instrument: tonnes issued} (a market aggregate)"),
        Query("balances", queries.balances, "/balances/<addr>", "{instrument: tonnes}",
              private("government", what="holdings")),
        Query("holdings", queries.holdings, "/holdings/<addr>", '{instrument: {"available", "held"}} tonnes',
              private("government", what="holdings")),
        Query("transfers", queries.record, "/transfers/<addr>",
              f"transfers and custody transfers in and out, surrenders, issues, borrowing, banking (height, time, "
              f"counterparty); newest first, "
              f"?before=SEQ or ?from=SEQ, &limit= at most {MAX_ENTRIES_PER_QUERY}", _RECORD),
    ),
    codes=frozenset({Code.INSUFFICIENT_BALANCE, Code.LIMIT_EXCEEDED}),
    code_range=range(300, 400),
    keys=keys.PREFIXES,
    state_reads=(
        StateRead(keys.BALANCES, private("government", what="holdings")),
        StateRead(keys.HELD, private("government", what="holdings")),
        StateRead(keys.SUPPLY),
        StateRead(keys.JOURNAL, _RECORD),
    ),
)
