"""The registry's descriptor: device registration, the governed admission of accounts, the registry's paths."""

from __future__ import annotations

from protocol.codes import Code
from protocol.messages.accounts import RegisterAccount, RegisterAccounts, RegisterDevice

from .. import GovernedAction, MessageRule, Module, Query, StateRead
from . import handlers, keys, queries
from .events import ACCOUNT_REGISTERED, DEVICE_REGISTERED

MODULE = Module(
    name="accounts",
    summary="the participant registry: accounts, names, registry ids, sensor devices",
    messages=(
        MessageRule(RegisterDevice, {"verifier", "government"}, handlers.handle_register_device,
                    "admit a sensor device bound to a company site", events=(DEVICE_REGISTERED,)),
    ),
    actions=(
        GovernedAction(RegisterAccount, handlers.check_registration, handlers.execute_registration,
                       "admit a participant (address, key, role, name; companies may carry company_id, sector)",
                       events=(ACCOUNT_REGISTERED,)),
        GovernedAction(RegisterAccounts, handlers.check_registration, handlers.execute_registration,
                       "admit up to 1,000 participants at once", events=(ACCOUNT_REGISTERED,)),
    ),
    queries=(
        Query("account", queries.account, "/account/<addr>", "role, name, public key, since (the participant registry)"),
        Query("accounts", queries.accounts, "/accounts?role=R", "[{address, role, name, ...}]"),
        Query("devices", queries.devices, "/devices?company=A", "the company's registered devices"),
    ),
    codes=frozenset({Code.ACCOUNT_EXISTS, Code.NAME_TAKEN}),
    code_range=range(200, 300),
    keys=keys.PREFIXES,
    state_reads=tuple(StateRead(prefix) for prefix in keys.PREFIXES),  # the participant registry is public
)
