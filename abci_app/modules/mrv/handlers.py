"""A device's daily total: once per device and KST day, after the day ended; monthly sums updated."""

from __future__ import annotations

from protocol.codec import canonical_json
from protocol.codes import Code, TxRejected
from protocol.messages.mrv import DailyTotal

from ...view import BlockContext, View, account, day_of, get_json, put_json
from . import keys
from .events import DAILY_TOTAL

__all__ = ["handle_daily_total", "UNASSIGNED_SECTOR"]

UNASSIGNED_SECTOR = "unassigned"


def _add_to_month(view: View, key: str, msg: DailyTotal) -> None:
    month = get_json(view, key) or {"total": 0, "readings": 0, "substituted": 0, "reports": 0}
    month["total"] += msg.total
    month["readings"] += msg.readings
    month["substituted"] += msg.substituted
    month["reports"] += 1
    put_json(view, key, month)


def handle_daily_total(view: View, signer: str, msg: DailyTotal, ctx: BlockContext) -> bytes:
    device = account(view, signer)
    site, company = device.get("site"), device.get("company")
    if site is None or company is None:
        raise TxRejected(Code.UNAUTHORIZED, "this device account has no site binding; a verifier must register it with register_device")
    if msg.day_number >= day_of(ctx.time):
        raise TxRejected(Code.DAY_NOT_ENDED, f"day {msg.day} has not ended yet in block time (KST); post it after midnight")
    key = keys.daily_total(signer, msg.day)
    if view.get(key) is not None:
        raise TxRejected(Code.ALREADY_REPORTED, f"device {signer} already reported {msg.day}; a day is reported once")
    put_json(view, key, {
        "device": signer, "company": company, "site": site, "day": msg.day, "total": msg.total, "unit": msg.unit,
        "readings": msg.readings, "substituted": msg.substituted, "merkle_root": msg.merkle_root,
        "height": ctx.height, "time": ctx.time,
    })
    view.set(keys.company_report(company, msg.day, signer), b"1")
    month = msg.day[:7]
    sector = (account(view, company) or {}).get("sector") or UNASSIGNED_SECTOR
    _add_to_month(view, keys.month("company", company, month), msg)
    _add_to_month(view, keys.month("sector", sector, month), msg)
    ctx.emit(DAILY_TOTAL(device=signer, company=company, site=site, day=msg.day, total=msg.total, unit=msg.unit,
                         merkle_root=msg.merkle_root))
    return canonical_json({"device": signer, "day": msg.day, "total": msg.total})
