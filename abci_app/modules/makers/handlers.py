"""The governed action that sets a participant class (registers or removes a market maker)."""

from __future__ import annotations

from protocol.codes import Code, TxRejected
from protocol.messages.makers import SetParticipantClass

from ...view import BlockContext, View, get_json, put_json, require_company
from . import keys
from .events import PARTICIPANT_CLASS

__all__ = ["MAX_MAKERS", "check_set_class", "execute_set_class"]

MAX_MAKERS = 50  # market makers the end-block measurement walks


def check_set_class(view: View, action: SetParticipantClass, ctx: BlockContext) -> None:
    require_company(view, action.account, "account", "participant classes are for companies that hold allowances")
    current = get_json(view, keys.participant_class(action.account))
    now = (current["class"], current["instrument"]) if current else ("company", "")
    if now == (action.participant_class, action.instrument):
        raise TxRejected(Code.PARTICIPANT_CLASS_UNCHANGED, f"{action.account} is already of class {action.participant_class}"
                                                            + (f" for {action.instrument}" if action.instrument else ""))
    makers = get_json(view, keys.MAKERS) or []
    if action.participant_class == "market_maker" and action.account not in makers and len(makers) >= MAX_MAKERS:
        raise TxRejected(Code.TOO_MANY_MARKET_MAKERS, f"{len(makers)} market makers are registered, the most the chain "
                                                      "measures; remove one first")


def execute_set_class(view: View, action: SetParticipantClass, ctx: BlockContext, proposal: dict) -> None:
    check_set_class(view, action, ctx)
    account = action.account
    if action.participant_class == "company":
        view.set(keys.participant_class(account), None)
    else:
        put_json(view, keys.participant_class(account), {"class": action.participant_class, "instrument": action.instrument,
                                                         "since": ctx.time, "proposal_id": proposal["id"]})
    makers = set(get_json(view, keys.MAKERS) or [])
    makers = makers | {account} if action.participant_class == "market_maker" else makers - {account}
    put_json(view, keys.MAKERS, sorted(makers)) if makers else view.set(keys.MAKERS, None)
    view.set(keys.quoting(account), None)  # a new registration measures from its next block on
    ctx.emit(PARTICIPANT_CLASS(account=account, participant_class=action.participant_class, instrument=action.instrument,
                               proposal_id=proposal["id"]))
