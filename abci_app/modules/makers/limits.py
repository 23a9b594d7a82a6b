"""Holding limits by participant class: the incoming check (see the package docstring)."""

from __future__ import annotations

import json

from protocol.codes import Code, TxRejected

from ...market import Side
from ...view import View, get_json
from ..core import keys as core_keys
from ..trading import book_state, keys as trading_keys
from ..transfers import keys as ledger_keys
from . import keys

__all__ = ["class_of", "limit_of", "holding", "refuse_over_limit"]


def class_of(view: View, address: str) -> str:
    record = get_json(view, keys.participant_class(address))
    return record["class"] if record else "company"


_PARAMS: dict[bytes, dict] = {}  # parsed parameters by their exact bytes: every credit asks for a limit


def limit_of(view: View, address: str) -> tuple[str, int]:
    """(participant class, holding limit in tonnes; 0 = unlimited)."""
    kind = class_of(view, address)
    raw = view.get(core_keys.PARAMS)
    parsed = _PARAMS.get(raw)
    if parsed is None:
        if len(_PARAMS) >= 16:
            _PARAMS.clear()
        parsed = _PARAMS[raw] = json.loads(raw)
    return kind, parsed[f"holding_limit_{kind}"]


def holding(view: View, address: str) -> int:
    """Tonnes of every allowance instrument the account holds, available or held, plus its resting buys."""
    total = 0
    for prefix in (ledger_keys.balances_of(address), ledger_keys.held_of(address)):
        total += sum(int(value) for _, value in view.iter_range(prefix, trading_keys.upper(prefix)))
    for instrument in get_json(view, trading_keys.BOOKS) or []:
        total += sum(remaining for _, _, remaining in book_state.own_orders(view, address, instrument, Side.BUY))
    return total


def refuse_over_limit(view: View, holder: str, instrument: str, extra: int) -> None:
    """The incoming check: refuse when the holding (plus ``extra`` tonnes about to rest) passes the limit."""
    kind, limit = limit_of(view, holder)
    if not limit:
        return
    total = holding(view, holder) + extra
    if total > limit:
        raise TxRejected(Code.HOLDING_LIMIT_EXCEEDED, f"{holder} is a {kind.replace('_', ' ')} and may hold at most {limit:,} t "
                                                      f"of allowances; this would bring it to {total:,} t (holdings, held "
                                                      "allowances and resting buy orders together)")
