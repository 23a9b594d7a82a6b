"""The descriptor of private transactions' keys: the governed rotation and the /privacy path."""

from __future__ import annotations

from protocol.codes import Code
from protocol.messages.privacy import RotateExecutionKey

from .. import GovernedAction, Module, Query, StateRead
from . import handlers, keys, queries
from .events import EXECUTION_KEY

MODULE = Module(
    name="privacy",
    summary="private txs: the execution key (per epoch) and the regulator's view key they are sealed to",
    actions=(
        GovernedAction(RotateExecutionKey, handlers.check_rotate, handlers.execute_rotate,
                       "seal private txs to a new execution key (the next epoch); the previous epoch is still read",
                       events=(EXECUTION_KEY,)),
    ),
    queries=(
        Query("privacy", queries.privacy, "/privacy", '{"epoch", "execution_key", "previous", "regulator_key"}: '
              "the keys a private tx is sealed to"),
    ),
    codes=frozenset({Code.MUST_BE_SEALED, Code.NOT_A_PRIVATE_MESSAGE, Code.UNKNOWN_KEY_EPOCH, Code.EXECUTION_KEY_MISSING,
                     Code.PRIVATE_TX_UNREADABLE, Code.REGULATOR_NOT_A_READER, Code.EPOCH_NOT_NEXT}),
    code_range=range(1000, 1100),
    keys=keys.PREFIXES,
    # the commitments are provable (``ets verify key ptx/<hash>``) but not sent to observers: one per private tx
    state_reads=(StateRead(keys.PRIVACY), StateRead(keys.COMMITMENTS, to_observers=False)),
)
