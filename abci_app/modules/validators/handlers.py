"""The governed change of a validator's power: its checks against the set, and its execution."""

from __future__ import annotations

from typing import Any

from protocol.codec import address_of
from protocol.codes import Code, TxRejected
from protocol.constants import MAX_VALIDATORS
from protocol.messages.validators import SetValidatorPower

from ...view import BlockContext, View, get_json, put_json
from . import keys
from .events import VALIDATOR_POWER

__all__ = ["check_set_power", "execute_set_power", "validator_address"]


def validator_address(pub_key_hex: str) -> str:
    """CometBFT's address of a validator: the first 20 bytes of SHA-256(key), here in lowercase hex."""
    return address_of(bytes.fromhex(pub_key_hex))


def _totals(view: View) -> dict[str, int]:
    return get_json(view, keys.TOTALS) or {"count": 0, "power": 0}


def _block_changes(view: View, ctx: BlockContext) -> dict[str, Any]:
    """The changes already made in this block, with the set's power when the block began."""
    record = get_json(view, keys.BLOCK_CHANGES)
    if record is None or record["height"] != ctx.height:
        return {"height": ctx.height, "power_before": _totals(view)["power"], "moved": 0, "keys": []}
    return record


def _checked(view: View, action: SetValidatorPower, ctx: BlockContext) -> tuple[dict | None, dict, dict]:
    """(current record or None, totals after, this block's changes after) — or the refusal."""
    who = f"validator {validator_address(action.pub_key).upper()} (key {action.pub_key[:16]}…)"
    current = get_json(view, keys.member(action.pub_key))
    old = 0 if current is None else current["power"]
    if action.power == 0 and current is None:
        raise TxRejected(Code.VALIDATOR_NOT_FOUND, f"{who} is not in the validator set; there is nothing to remove (see /validators)")
    if action.power == old:
        raise TxRejected(Code.VALIDATOR_UNCHANGED, f"{who} already has power {old}; propose a different power, or 0 to remove it")
    block = _block_changes(view, ctx)
    if action.pub_key in block["keys"]:
        raise TxRejected(Code.VALIDATOR_CHANGED_IN_BLOCK,
                         f"{who} already changes power in block {ctx.height}; approve this proposal in a later block")
    totals = _totals(view)
    count = totals["count"] + (current is None) - (action.power == 0)
    power = totals["power"] - old + action.power
    if count == 0 or power == 0:
        raise TxRejected(Code.VALIDATOR_SET_EMPTY, f"removing {who} would leave the chain without validators")
    if count > MAX_VALIDATORS:
        raise TxRejected(Code.VALIDATOR_SET_FULL, f"the set already has {totals['count']} validators, the most it may have")
    moved = block["moved"] + abs(action.power - old)
    before = block["power_before"]
    if 3 * moved >= before:
        limit = max(0, (before - 1) // 3 - block["moved"])
        raise TxRejected(Code.VALIDATOR_POWER_SHIFT, (
            f"changing {who} from {old} to {action.power} moves {moved} of the {before} votes the set had when block "
            f"{ctx.height} began; one block may move less than a third (at most {limit} more here): change it in smaller steps"
        ))
    return current, {"count": count, "power": power}, {**block, "moved": moved, "keys": sorted([*block["keys"], action.pub_key])}


def check_set_power(view: View, action: SetValidatorPower, ctx: BlockContext) -> None:
    _checked(view, action, ctx)


def execute_set_power(view: View, action: SetValidatorPower, ctx: BlockContext, proposal: dict) -> None:
    current, totals, block = _checked(view, action, ctx)
    address = validator_address(action.pub_key)
    if action.power == 0:
        view.set(keys.member(action.pub_key), None)
    else:
        put_json(view, keys.member(action.pub_key), {
            "pub_key": action.pub_key, "address": address, "power": action.power, "name": action.name,
            "since": ctx.height if current is None else current["since"], "proposal_id": proposal["id"],
        })
    put_json(view, keys.TOTALS, totals)
    put_json(view, keys.BLOCK_CHANGES, block)
    ctx.emit(VALIDATOR_POWER(pub_key=action.pub_key, address=address, proposal_id=proposal["id"], power=action.power,
                             previous_power=0 if current is None else current["power"], name=action.name))
