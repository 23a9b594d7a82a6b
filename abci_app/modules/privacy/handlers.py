"""The governed rotation of the execution key."""

from __future__ import annotations

from typing import Any

from protocol.codes import Code, TxRejected
from protocol.messages.privacy import RotateExecutionKey

from ...view import BlockContext, View, get_json, put_json
from . import keys
from .events import EXECUTION_KEY

__all__ = ["check_rotate", "execute_rotate", "readers"]


def readers(view: View) -> dict[str, Any]:
    record = get_json(view, keys.PRIVACY)
    if record is None:
        raise TxRejected(Code.INTERNAL, "the chain has no execution key: its genesis lacks app_state.privacy")
    return record


def check_rotate(view: View, action: RotateExecutionKey, ctx: BlockContext) -> None:
    current = readers(view)
    if action.epoch != current["epoch"] + 1:
        raise TxRejected(Code.EPOCH_NOT_NEXT, f"the execution key is at epoch {current['epoch']}; the next key is epoch "
                                              f"{current['epoch'] + 1}, not {action.epoch}")
    if action.public_key in (current["execution_key"], current["regulator_key"]):
        raise TxRejected(Code.INVALID_MESSAGE, "the new execution key must be a new key")


def execute_rotate(view: View, action: RotateExecutionKey, ctx: BlockContext, proposal: dict) -> None:
    check_rotate(view, action, ctx)
    current = readers(view)
    put_json(view, keys.PRIVACY, {
        "epoch": action.epoch, "execution_key": action.public_key,
        "previous": {"epoch": current["epoch"], "execution_key": current["execution_key"]},
        "regulator_key": current["regulator_key"], "since": ctx.height,
    })
    ctx.emit(EXECUTION_KEY(epoch=str(action.epoch), public_key=action.public_key))
