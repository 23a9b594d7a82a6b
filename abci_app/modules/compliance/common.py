"""What the compliance handlers share: parameters, the year's calendar, certified obligations, positions."""

from __future__ import annotations

from typing import Any

from protocol.codes import Code, TxRejected
from protocol.compliance import kst_midnight, month_end

from ...genesis import PARAM_DEFAULTS
from ...view import BlockContext, View, get_json, params, put_json
from . import keys

__all__ = ["param", "stamp", "year_record", "ensure_year", "deadline_passed", "obligation", "require_obligation",
           "position", "save_position", "EMPTY_POSITION", "append_history"]

EMPTY_POSITION: dict[str, Any] = {"surrendered": {}, "surrendered_total": 0, "kcu": 0, "borrowed": 0, "banked": 0}


def param(view: View, name: str) -> int:
    """A compliance parameter (a chain that began before it existed gets the DOMAIN.md default)."""
    return params(view).get(name, PARAM_DEFAULTS[name])


def stamp(ctx: BlockContext) -> dict[str, int]:
    return {"height": ctx.height, "time": ctx.time}


def _default_year(view: View, year: int) -> dict[str, Any]:
    report = month_end(year + 1, param(view, "compliance_report_month"))
    surrender = month_end(year + 1, param(view, "compliance_surrender_month"))
    return {"year": year, "report_due": kst_midnight(*report), "surrender_due": kst_midnight(*surrender),
            "set_by": None, "status": "open"}


def year_record(view: View, year: int) -> dict[str, Any]:
    """The year's calendar and settlement (the parameters' default deadlines until one is set by notice)."""
    return get_json(view, keys.year(year)) or _default_year(view, year)


def ensure_year(view: View, year: int) -> dict[str, Any]:
    """The year's record, stored and listed for settlement from the first act of its cycle on."""
    record = get_json(view, keys.year(year))
    if record is None:
        record = _default_year(view, year)
        put_json(view, keys.year(year), record)
        put_json(view, keys.OPEN_YEARS, sorted(set(get_json(view, keys.OPEN_YEARS) or []) | {year}))
    return record


def deadline_passed(view: View, year: int, ctx: BlockContext) -> bool:
    return ctx.time >= year_record(view, year)["surrender_due"]


def obligation(view: View, company: str, year: int) -> int | None:
    """The certified emissions of the year (what must be surrendered), or None before certification."""
    record = get_json(view, keys.certification(company, year))
    return None if record is None else record["quantity"]


def require_obligation(view: View, company: str, year: int) -> int:
    quantity = obligation(view, company, year)
    if quantity is None:
        raise TxRejected(Code.NOT_CERTIFIED, f"{company}'s {year} emissions are not certified yet; nothing to surrender, "
                                             "borrow or bank against until the government certifies them")
    return quantity


def position(view: View, company: str, year: int) -> dict[str, Any]:
    record = get_json(view, keys.position(company, year))
    return record if record is not None else {**EMPTY_POSITION, "surrendered": {}}


def save_position(view: View, company: str, year: int, record: dict[str, Any]) -> None:
    put_json(view, keys.position(company, year), record)


def append_history(record: dict[str, Any], what: str) -> list[dict[str, Any]]:
    """The record's history with its current version appended (at most ``MAX_REVISIONS`` kept)."""
    from protocol.constants import MAX_REVISIONS

    history = list(record.get("history", []))
    if len(history) >= MAX_REVISIONS:
        raise TxRejected(Code.HISTORY_FULL, f"this {what} already has {MAX_REVISIONS} earlier versions; no more corrections")
    history.append({k: v for k, v in record.items() if k != "history"})
    return history
