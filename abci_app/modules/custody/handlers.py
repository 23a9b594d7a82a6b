"""Representatives, settings and the trusted-account list of an account under custody."""

from __future__ import annotations

from typing import Any

from protocol.codec import canonical_json
from protocol.codes import Code, TxRejected
from protocol.messages.custody import MAX_REPRESENTATIVES, MAX_TRUSTED, CustodyRepresentative, CustodySettings, CustodyTrusted

from ...view import BlockContext, View, account, get_json, put_json, require_company
from . import keys
from .limits import trusted_status
from .pending import cancel_open
from .records import actor, delay, ensure_custody, rights_at, save_custody, stamp, tightest

__all__ = ["handle_representative", "handle_settings", "handle_trusted"]


def handle_representative(view: View, holder: str, msg: CustodyRepresentative, ctx: BlockContext) -> bytes:
    record = ensure_custody(view, holder, ctx)
    rep = get_json(view, keys.representative(msg.representative))
    if msg.op == "remove":
        if rep is None or rep["account"] != holder:
            raise TxRejected(Code.CUSTODY_NOT_FOUND, f"{msg.representative} is not a representative of {holder}")
        view.set(keys.representative(msg.representative), None)
        view.set(keys.representative_of(holder, msg.representative), None)
        record["representatives"] -= 1
        cancelled = cancel_open(view, holder, record, ctx, initiator=msg.representative, reason="initiator removed")
        save_custody(view, holder, record)
        return canonical_json({"representative": msg.representative, "removed": True, "cancelled": cancelled})
    if (rep is not None and rep["account"] != holder) or account(view, msg.representative) is not None:
        raise TxRejected(Code.CUSTODY_KEY_IN_USE, f"{msg.representative} already signs for an account; a "
                                                  "representative needs a key of its own (ets keys create)")
    if rep is None:
        if record["representatives"] >= MAX_REPRESENTATIVES:
            raise TxRejected(Code.CUSTODY_FULL, f"an account has at most {MAX_REPRESENTATIVES} representatives; remove one first")
        record["representatives"] += 1
        rep = {"account": holder, "public_key": msg.public_key, "rights": [], "since": stamp(ctx)}
    current = rights_at(rep, ctx.time)
    if current == msg.rights and rep.get("name") == msg.name and "next" not in rep:
        raise TxRejected(Code.CUSTODY_UNCHANGED, f"{msg.representative} already has exactly these rights and name")
    now = sorted(set(current) & set(msg.rights))  # fewer rights act at once, new ones after the delay
    rep = {k: v for k, v in rep.items() if k != "next"} | {"name": msg.name, "rights": now}
    if now != list(msg.rights):
        rep["next"] = {"rights": list(msg.rights), "from": ctx.time + delay(view)}
    put_json(view, keys.representative(msg.representative), rep)
    view.set(keys.representative_of(holder, msg.representative), b"1")
    save_custody(view, holder, record)
    return canonical_json({"representative": msg.representative, "rights": now, "next": rep.get("next")})


def handle_settings(view: View, holder: str, msg: CustodySettings, ctx: BlockContext) -> bytes:
    record = ensure_custody(view, holder, ctx)
    old, new = (record["four_eyes"], record["limits"]), (msg.four_eyes, msg.limits())
    if old == new and "next" not in record and view.get(keys.account(holder)) is not None:
        raise TxRejected(Code.CUSTODY_UNCHANGED, "the account's custody settings already say so")
    four_eyes, limits = tightest(old, new)
    record = {k: v for k, v in record.items() if k != "next"} | {"four_eyes": four_eyes, "limits": limits}
    if (four_eyes, limits) != new:  # a loosening waits the delay; sending the settings again replaces it
        record["next"] = {"four_eyes": msg.four_eyes, "limits": msg.limits(), "from": ctx.time + delay(view)}
    save_custody(view, holder, record)
    return canonical_json({"four_eyes": four_eyes, "limits": limits, "next": record.get("next")})


def _trusted_add(view: View, address: str, record: dict[str, Any], entry: dict | None, msg: CustodyTrusted,
                 signer: str, ctx: BlockContext) -> dict[str, Any]:
    if entry is not None:
        raise TxRejected(Code.CUSTODY_UNCHANGED, f"{msg.account} is already on the trusted list "
                                                 f"({trusted_status(entry, ctx.time)})")
    if record["trusted"] >= MAX_TRUSTED:
        raise TxRejected(Code.CUSTODY_FULL, f"the trusted list holds at most {MAX_TRUSTED} accounts; remove one first")
    record["trusted"] += 1
    return {"status": "proposed", "by": signer, "proposed": stamp(ctx)}


def handle_trusted(view: View, signer: str, msg: CustodyTrusted, ctx: BlockContext) -> bytes:
    who = actor(view, signer, ctx)
    if not (who.holder or who.rights):
        who.require("initiate", "change the trusted list")
    if msg.account == who.account:
        raise TxRejected(Code.INVALID_MESSAGE, "an account is not on its own trusted list")
    record = ensure_custody(view, who.account, ctx)
    key = keys.trusted(who.account, msg.account)
    entry = get_json(view, key)
    status = trusted_status(entry, ctx.time)
    if msg.op == "add":
        require_company(view, msg.account, "trusted account", "allowances go to companies")
        entry = _trusted_add(view, who.account, record, entry, msg, signer, ctx)
    elif entry is None:
        raise TxRejected(Code.CUSTODY_NOT_FOUND, f"{msg.account} is not on the trusted list of {who.account}")
    elif msg.op == "confirm":
        who.require("approve", "confirm a trusted-list addition")
        if status != "proposed":
            raise TxRejected(Code.CUSTODY_UNCHANGED, f"the addition of {msg.account} is already confirmed ({status})")
        if entry["by"] == signer:
            raise TxRejected(Code.CUSTODY_SAME_PERSON, "a second representative must confirm an addition to the trusted list")
        entry = entry | {"status": "waiting", "confirmed_by": signer, "confirmed": stamp(ctx),
                         "from": ctx.time + delay(view)}
    elif msg.op == "cancel" and status == "trusted":
        raise TxRejected(Code.CUSTODY_UNCHANGED, f"{msg.account} is already trusted; remove it instead")
    else:  # cancel an addition not yet in effect, or remove at once
        entry = None
        record["trusted"] -= 1
    if entry is None:
        view.set(key, None)
    else:
        put_json(view, key, entry)
    save_custody(view, who.account, record)
    return canonical_json({"account": msg.account, "status": trusted_status(entry, ctx.time) or "removed",
                           "from": (entry or {}).get("from")})
