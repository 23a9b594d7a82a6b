"""Deadlines and settlement: the year's calendar by notice, the average market price, the penalty, the
end-of-block settlement of every certified company, and the transfer-out block on a shortfall.

At the first block whose time is at or after a year's surrender deadline the year starts *settling*:
its average market price is fixed from the chain's own daily bars of the year (all KAU instruments,
traded value ÷ volume; the initial reference price if nothing traded), and with it the penalty per
tonne. Then at most ``SETTLE_PER_BLOCK`` certified companies a block get their result: status A
(surrendered ≥ certified) or B (shortfall × penalty per tonne assessed, obligation carried over,
transfers out blocked until made good). A company certified after that is settled when certified.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from protocol.codes import Code, TxRejected
from protocol.compliance import penalty_per_tonne, vintage_year
from protocol.messages.compliance import SetComplianceDeadline

from ...view import BlockContext, View, get_json, params, put_json
from ..trading import keys as trading_keys
from . import keys
from .common import ensure_year, obligation, param, position, stamp, year_record
from .events import COMPLIANCE_DEADLINE, COMPLIANCE_YEAR, PENALTY_ASSESSED

__all__ = ["SETTLE_PER_BLOCK", "average_price", "settle_company", "settle_late", "made_good", "settle_years",
           "refuse_if_blocked", "refuse_closed_vintage", "check_deadline", "execute_deadline"]

SETTLE_PER_BLOCK = 1000


def average_price(view: View, year: int) -> tuple[int, str]:
    """(KRW per tonne, source): the year's traded value ÷ volume over every KAU instrument's daily bars."""
    instruments = [i for i in (get_json(view, trading_keys.BOOKS) or []) if i.startswith("KAU")]
    value = volume = 0
    day, end = date(year, 1, 1), date(year, 12, 31)
    while day <= end:
        text = day.isoformat()
        for instrument in instruments:
            bar = get_json(view, trading_keys.bar(instrument, text))
            if bar:
                value += bar["value"]
                volume += bar["volume"]
        day += timedelta(days=1)
    if volume:
        return value // volume, "market"
    return params(view)["market_initial_reference_price"], "reference"


def _blocked_years(view: View, company: str) -> list[int]:
    return (get_json(view, keys.blocked(company)) or {}).get("years", [])


def _set_blocked(view: View, company: str, year: int, blocked: bool) -> None:
    years = set(_blocked_years(view, company))
    years = years | {year} if blocked else years - {year}
    put_json(view, keys.blocked(company), {"years": sorted(years)}) if years else view.set(keys.blocked(company), None)


def settle_company(view: View, company: str, year: int, ctx: BlockContext, calendar: dict[str, Any]) -> dict[str, Any]:
    """The company's result for a year whose deadline passed; assesses the penalty of a shortfall."""
    certified = obligation(view, company, year)
    surrendered = position(view, company, year)["surrendered_total"]
    shortfall = max(0, certified - surrendered)
    per_tonne = calendar["penalty_per_tonne"]
    previous = get_json(view, keys.result(company, year))
    result = {"company": company, "year": year, "certified": certified, "surrendered": surrendered, "shortfall": shortfall,
              "penalty_per_tonne": per_tonne, "settled": stamp(ctx)}
    if shortfall:
        result.update(status="B", assessed_shortfall=shortfall, penalty=shortfall * per_tonne)
        if previous is None or previous.get("assessed_shortfall") != shortfall:
            ctx.emit(PENALTY_ASSESSED(company=company, year=year, shortfall=shortfall, penalty=result["penalty"]))
    else:
        late = previous is not None and previous["status"] in ("B", "D")
        result.update(status="D" if late else "A", assessed_shortfall=previous.get("assessed_shortfall", 0) if late else 0,
                      penalty=previous.get("penalty", 0) if late else 0)
    put_json(view, keys.result(company, year), result)
    _set_blocked(view, company, year, bool(shortfall))
    return result


def settle_late(view: View, company: str, year: int, ctx: BlockContext) -> None:
    """A company certified (or re-certified) after its year's settlement passed it: settled at once, and the
    year's counts follow (they count the statuses settlement assigned; later surrenders show in the table)."""
    calendar = year_record(view, year)
    if calendar["status"] == "open" or calendar["status"] == "settling" and company > calendar["cursor"]:
        return  # the end-of-block settlement still comes to it
    previous = get_json(view, keys.result(company, year))
    status = settle_company(view, company, year, ctx, calendar)["status"]
    counts = calendar["counts"]
    if previous is None:
        calendar["settled_companies"] += 1
    else:
        counts[previous["status"]] = counts.get(previous["status"], 0) - 1
    counts[status] = counts.get(status, 0) + 1
    put_json(view, keys.year(year), calendar)


def made_good(view: View, company: str, year: int, ctx: BlockContext) -> None:
    """After a late surrender: the shortfall shrinks; at zero the status is D and the block lifts (the
    penalty already assessed stays)."""
    result = get_json(view, keys.result(company, year))
    if result is None:
        return
    surrendered = position(view, company, year)["surrendered_total"]
    result.update(surrendered=surrendered, shortfall=max(0, result["certified"] - surrendered))
    if result["shortfall"] == 0 and result["status"] == "B":
        result.update(status="D", made_good=stamp(ctx))
        _set_blocked(view, company, year, False)
    put_json(view, keys.result(company, year), result)


def settle_years(view: View, ctx: BlockContext) -> None:
    """End of block: start settling each year whose deadline passed, then settle the next companies."""
    open_years = get_json(view, keys.OPEN_YEARS)
    if not open_years:
        return
    budget, remaining = SETTLE_PER_BLOCK, []
    for year in open_years:
        calendar = year_record(view, year)
        if ctx.time < calendar["surrender_due"]:
            remaining.append(year)
            continue
        if calendar["status"] == "open":
            price, source = average_price(view, year)
            calendar.update(status="settling", average_price=price, price_source=source, cursor="", settled_companies=0,
                            penalty_per_tonne=penalty_per_tonne(price, param(view, "compliance_penalty_price_multiple"),
                                                                param(view, "compliance_penalty_cap_krw")),
                            deadline_block=stamp(ctx), counts={"A": 0, "B": 0})
        companies = get_json(view, keys.certified(year)) or []
        for company in companies:
            if budget == 0:
                break
            if company <= calendar["cursor"]:
                continue
            status = settle_company(view, company, year, ctx, calendar)["status"]
            calendar["counts"][status] = calendar["counts"].get(status, 0) + 1
            calendar["cursor"] = company
            calendar["settled_companies"] += 1
            budget -= 1
        if not companies or calendar["cursor"] == companies[-1]:
            calendar.update(status="settled", settled=stamp(ctx))
        else:
            remaining.append(year)
        put_json(view, keys.year(year), calendar)
        ctx.emit(COMPLIANCE_YEAR(year=year, status=calendar["status"], settled=calendar["settled_companies"],
                                 average_price=calendar["average_price"], penalty_per_tonne=calendar["penalty_per_tonne"]))
    if remaining != open_years:
        put_json(view, keys.OPEN_YEARS, remaining) if remaining else view.set(keys.OPEN_YEARS, None)


def refuse_if_blocked(view: View, holder: str, instrument: str, ctx: BlockContext) -> None:
    """The outgoing check: an account with a shortfall past a deadline sends no allowances out."""
    years = _blocked_years(view, holder)
    if years:
        raise TxRejected(Code.ACCOUNT_BLOCKED, f"{holder} is blocked for transfers out: its {', '.join(map(str, years))} "
                                               "shortfall is past the deadline; surrender the shortfall to lift the block")


def refuse_closed_vintage(view: View, holder: str, instrument: str, ctx: BlockContext) -> None:
    """The outgoing check of a vintage: KAU of a year stops trading once that year's settlement has begun
    (at its surrender deadline). What was not banked into the next vintage can only be surrendered."""
    if not instrument.startswith("KAU"):
        return
    of_year = vintage_year(instrument)
    calendar = get_json(view, keys.year(of_year))
    if calendar is not None and calendar["status"] != "open":
        raise TxRejected(Code.VINTAGE_CLOSED, f"{instrument} stopped trading at the {of_year} surrender deadline; "
                                              f"it can still be surrendered for {of_year}")


# ---------------------------------------------------------------- the calendar by notice (governed)


def check_deadline(view: View, action: SetComplianceDeadline, ctx: BlockContext) -> None:
    calendar = year_record(view, action.year)
    if calendar["status"] != "open":  # settlement starts at the end of the block the deadline passes in
        raise TxRejected(Code.DEADLINE_PASSED, f"the {action.year} surrender deadline has passed and the year is "
                                               f"{calendar['status']}; it cannot be moved now")
    if action.surrender_due <= ctx.time:
        raise TxRejected(Code.INVALID_MESSAGE, "the new surrender deadline must be later than the current block time")


def execute_deadline(view: View, action: SetComplianceDeadline, ctx: BlockContext, proposal: dict) -> None:
    check_deadline(view, action, ctx)
    calendar = ensure_year(view, action.year)
    calendar.update(report_due=action.report_due, surrender_due=action.surrender_due, set_by=proposal["id"])
    put_json(view, keys.year(action.year), calendar)
    ctx.emit(COMPLIANCE_DEADLINE(year=action.year, report_due=action.report_due, surrender_due=action.surrender_due))
