"""The validator set's descriptor: the governed power change and the /validators path."""

from __future__ import annotations

from protocol.codes import Code
from protocol.messages.validators import SetValidatorPower

from .. import GovernedAction, Module, Query, StateRead
from . import handlers, keys, queries
from .events import VALIDATOR_POWER

MODULE = Module(
    name="validators",
    summary="the validator set: genesis validators, governed power changes sent to CometBFT",
    actions=(
        GovernedAction(SetValidatorPower, handlers.check_set_power, handlers.execute_set_power,
                       "add, re-weight (power) or remove (power 0) a validator; CometBFT applies it two blocks later; "
                       "one block moves less than a third of the votes", events=(VALIDATOR_POWER,)),
    ),
    queries=(
        Query("validators", queries.validators, "/validators", "{validators: [{pub_key, address, power, name, since}], "
              "count, total_power}"),
    ),
    codes=frozenset({Code.VALIDATOR_NOT_FOUND, Code.VALIDATOR_UNCHANGED, Code.VALIDATOR_POWER_SHIFT,
                     Code.VALIDATOR_SET_EMPTY, Code.VALIDATOR_SET_FULL, Code.VALIDATOR_CHANGED_IN_BLOCK}),
    code_range=range(900, 1000),
    keys=keys.PREFIXES,
    state_reads=tuple(StateRead(prefix) for prefix in keys.PREFIXES),  # the validator set is public
)
