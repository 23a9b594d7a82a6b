"""Admitting participants: the governed registration actions and the verifier's device registration."""

from __future__ import annotations

from typing import Any

from protocol.codec import canonical_json
from protocol.codes import Code, TxRejected
from protocol.messages.accounts import RegisterAccount, RegisterAccounts, RegisterDevice

from ...view import BlockContext, View, account, add_int, put_json, require_company
from . import keys
from .events import ACCOUNT_REGISTERED, DEVICE_REGISTERED

__all__ = ["check_registration", "execute_registration", "handle_register_device", "account_record"]


def account_record(acct: RegisterAccount, since: int) -> dict[str, Any]:
    """The ``acct/<addr>`` record of an admitted participant (also written by genesis)."""
    record: dict[str, Any] = {"public_key": acct.public_key, "role": acct.role, "name": acct.name, "since": since}
    for field in ("company", "company_id", "sector"):
        if getattr(acct, field) is not None:
            record[field] = getattr(acct, field)
    return record


def _check_one(view: View, acct: RegisterAccount) -> str:
    """Refuse an account that cannot be admitted; returns its name's key."""
    if account(view, acct.address) is not None:
        raise TxRejected(Code.ACCOUNT_EXISTS, f"account {acct.address} is already registered")
    if acct.company is not None:
        require_company(view, acct.company, "company")
    if acct.company_id is not None and view.get(keys.company_id(acct.company_id)) is not None:
        raise TxRejected(Code.ACCOUNT_EXISTS, f"company id {acct.company_id!r} already belongs to another account")
    name_key = keys.name(acct.name)
    holder = view.get(name_key)
    if holder is not None:
        raise TxRejected(Code.NAME_TAKEN, f"the name {acct.name!r} is already registered to {holder.decode()} "
                         "(names that differ only in case, spaces or punctuation are the same name)")
    return name_key


def _each(action: RegisterAccount | RegisterAccounts) -> tuple[RegisterAccount, ...]:
    return action.accounts if isinstance(action, RegisterAccounts) else (action,)


def check_registration(view: View, action: RegisterAccount | RegisterAccounts, ctx: BlockContext) -> None:
    for acct in _each(action):
        _check_one(view, acct)


def _admit(view: View, address: str, record: dict[str, Any]) -> None:
    put_json(view, keys.account(address), record)
    add_int(view, keys.role_count(record["role"]), 1)


def execute_registration(view: View, action: RegisterAccount | RegisterAccounts, ctx: BlockContext, proposal: dict) -> None:
    admitted: dict[str, int] = {}
    for acct in _each(action):
        name_key = _check_one(view, acct)
        put_json(view, keys.account(acct.address), account_record(acct, ctx.height))
        admitted[acct.role] = admitted.get(acct.role, 0) + 1
        view.set(name_key, acct.address.encode())
        if acct.company_id is not None:
            view.set(keys.company_id(acct.company_id), acct.address.encode())
        ctx.emit(ACCOUNT_REGISTERED(address=acct.address, role=acct.role, name=acct.name))
    for role in sorted(admitted):  # counted once per role, not once per account
        add_int(view, keys.role_count(role), admitted[role])


def handle_register_device(view: View, signer: str, msg: RegisterDevice, ctx: BlockContext) -> bytes:
    if account(view, msg.device) is not None:
        raise TxRejected(Code.ACCOUNT_EXISTS, f"device {msg.device} is already registered")
    company = require_company(view, msg.company, "company")
    _admit(view, msg.device, {
        "public_key": msg.public_key, "role": "edge_device", "name": f"{company['name']} / {msg.site}",
        "since": ctx.height, "company": msg.company, "site": msg.site, "measures": msg.measures,
        "unit": msg.unit, "registered_by": signer,
    })
    view.set(keys.device(msg.company, msg.site, msg.device), b"1")
    ctx.emit(DEVICE_REGISTERED(device=msg.device, company=msg.company, site=msg.site, registered_by=signer))
    return canonical_json({"device": msg.device, "company": msg.company, "site": msg.site})
