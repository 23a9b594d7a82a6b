"""The participant registry: admitting accounts (governed) and sensor devices (by a verifier).

    acct/<addr>               {"public_key", "role", "name", "since", ["company"], ["company_id"], ["sector"],
                               devices: ["site", "measures", "unit", "registered_by"]}
    count/role/<role>         number of accounts with that role
    companyid/<company_id>    address of the company with that public registry id
    name/<name key>           address registered under that name (``protocol.text.name_key``: names that differ
                              only in case, spaces or punctuation collide, so look-alike duplicates are refused)
    device/<company>/<site>/<device>   index of a company's devices
"""

from __future__ import annotations

from typing import Any

from protocol.codec import canonical_json
from protocol.text import name_key

from protocol.codes import Code, TxRejected
from protocol.messages import RegisterAccount, RegisterAccounts, RegisterDevice
from .view import BlockContext, View, account, add_int, put_json, require_company

__all__ = ["check_registration", "execute_registration", "handle_register_device", "name_index_key"]


def name_index_key(name: str) -> str:
    return f"name/{name_key(name)}"


def _check_one(view: View, acct: RegisterAccount) -> None:
    if account(view, acct.address) is not None:
        raise TxRejected(Code.ACCOUNT_EXISTS, f"account {acct.address} is already registered")
    if acct.company is not None:
        require_company(view, acct.company, "company")
    if acct.company_id is not None and view.get(f"companyid/{acct.company_id}") is not None:
        raise TxRejected(Code.ACCOUNT_EXISTS, f"company id {acct.company_id!r} already belongs to another account")
    holder = view.get(name_index_key(acct.name))
    if holder is not None:
        raise TxRejected(Code.NAME_TAKEN, f"the name {acct.name!r} is already registered to {holder.decode()} "
                         "(names that differ only in case, spaces or punctuation are the same name)")


def check_registration(view: View, action: RegisterAccount | RegisterAccounts) -> None:
    for acct in action.accounts if isinstance(action, RegisterAccounts) else (action,):
        _check_one(view, acct)


def _admit(view: View, address: str, record: dict[str, Any]) -> None:
    put_json(view, f"acct/{address}", record)
    add_int(view, f"count/role/{record['role']}", 1)


def execute_registration(view: View, action: RegisterAccount | RegisterAccounts, ctx: BlockContext) -> None:
    for acct in action.accounts if isinstance(action, RegisterAccounts) else (action,):
        _check_one(view, acct)
        record: dict[str, Any] = {"public_key": acct.public_key, "role": acct.role, "name": acct.name, "since": ctx.height}
        for field in ("company", "company_id", "sector"):
            if getattr(acct, field) is not None:
                record[field] = getattr(acct, field)
        _admit(view, acct.address, record)
        view.set(name_index_key(acct.name), acct.address.encode())
        if acct.company_id is not None:
            view.set(f"companyid/{acct.company_id}", acct.address.encode())


def handle_register_device(view: View, signer: str, msg: RegisterDevice, ctx: BlockContext) -> bytes:
    if account(view, msg.device) is not None:
        raise TxRejected(Code.ACCOUNT_EXISTS, f"device {msg.device} is already registered")
    company = require_company(view, msg.company, "company")
    _admit(view, msg.device, {
        "public_key": msg.public_key, "role": "edge_device", "name": f"{company['name']} / {msg.site}",
        "since": ctx.height, "company": msg.company, "site": msg.site, "measures": msg.measures,
        "unit": msg.unit, "registered_by": signer,
    })
    view.set(f"device/{msg.company}/{msg.site}/{msg.device}", b"1")
    return canonical_json({"device": msg.device, "company": msg.company, "site": msg.site})
