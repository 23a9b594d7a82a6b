"""Answers of the compliance paths: the public table, reports, statements, certifications, scorecards,
objections, offsets, the certification queue; a company's position (the company or the regulator)."""

from __future__ import annotations

import json
from typing import Any

from protocol.codes import Code
from protocol.compliance import FIRST_YEAR, LAST_YEAR, BPS, penalty_per_tonne, vintage

from ...query_args import Denied, MAX_ROWS, address_arg, first_arg, json_at
from .. import QueryRequest
from ..accounts import keys as account_keys
from ..plans import keys as plan_keys
from ..transfers import keys as ledger_keys
from . import keys
from .common import param, position as stored_position, year_record
from .obligations import limits
from .settlement import average_price

__all__ = ["year", "table", "position", "report", "statement", "certification", "assignments", "scorecards", "queue",
           "objections", "objection", "offsets"]


def _year_arg(text: str) -> int:
    if not (text.isascii() and text.isdigit() and len(text) == 4) or not FIRST_YEAR <= int(text) <= LAST_YEAR:
        raise Denied(Code.BAD_QUERY, f"expected a compliance year from {FIRST_YEAR} to {LAST_YEAR}")
    return int(text)


def _company_year(q: QueryRequest) -> tuple[str, int]:
    if len(q.args) != 2:
        raise Denied(Code.BAD_QUERY, "expected /<address>/<year>")
    return address_arg(q.args[:1]), _year_arg(q.args[1])


def _record(q: QueryRequest, key: str, what: str) -> Any:
    record = json_at(q.store, key)
    if record is None:
        raise Denied(Code.NOT_FOUND, f"no {what}")
    return record


def year(q: QueryRequest) -> Any:
    y = _year_arg(first_arg(q.args))
    record = year_record(q.store, y)  # type: ignore[arg-type]
    return {**record, "certified_companies": len(json_at(q.store, keys.certified(y)) or [])}


def _allocated(q: QueryRequest, company: str, y: int) -> int:
    target = vintage("KAU", y)
    total = sum(int(v) for k, v in q.store.scan(plan_keys.allocations_of(company)) if plan_keys.allocation_in(k)[1] == target)
    return total + int(q.store.get(keys.adjustment(company, y)) or b"0")


def _status(q: QueryRequest, company: str, y: int, calendar: dict[str, Any]) -> tuple[str, dict[str, Any] | None]:
    result = json_at(q.store, keys.result(company, y))
    if result is not None:
        return result["status"], result
    if calendar["status"] == "open":
        return "open", None
    return ("C", None) if json_at(q.store, keys.certification(company, y)) is None else ("open", None)


def table(q: QueryRequest) -> Any:
    """EUTL-style: every company with allocated, certified, surrendered (after the deadline) and status."""
    y = _year_arg(first_arg(q.args))
    calendar = year_record(q.store, y)  # type: ignore[arg-type]
    rows = []
    for key, value in q.store.scan(account_keys.ACCOUNTS, 100_000):
        acct = json.loads(value)
        if acct["role"] != "company":
            continue
        company = account_keys.address_in(key)
        certified = json_at(q.store, keys.certification(company, y))
        status, result = _status(q, company, y, calendar)
        rows.append({"company": company, "name": acct["name"], "company_id": acct.get("company_id"),
                     "sector": acct.get("sector"), "allocated": _allocated(q, company, y),
                     "certified": None if certified is None else certified["quantity"],
                     "surrendered": None if result is None else result["surrendered"],
                     "penalty": None if result is None else result["penalty"], "status": status})
    rows.sort(key=lambda r: (r["name"], r["company"]))
    return {"year": y, "deadline": calendar["surrender_due"], "settlement": calendar["status"], "rows": rows}


def _years_of(q: QueryRequest, company: str) -> list[int]:
    years = set()
    for prefix in (keys.REPORTS, keys.CERTIFICATIONS, keys.POSITIONS):
        years |= {int(keys.instrument_in(k)) for k, _ in q.store.scan(keys.of_company(prefix, company), 100)}
    return sorted(years)


def position(q: QueryRequest) -> Any:
    """Real time, per year: certified, surrendered, shortfall, limits, the penalty that would apply now."""
    company, store = q.subject, q.store
    out = {}
    for y in _years_of(q, company):
        calendar = year_record(store, y)  # type: ignore[arg-type]
        certification = json_at(store, keys.certification(company, y))
        held = stored_position(store, company, y)  # type: ignore[arg-type]
        report = json_at(store, keys.report(company, y))
        statement = json_at(store, keys.statement(company, y))
        certified = None if certification is None else certification["quantity"]
        if "penalty_per_tonne" in calendar:
            per_tonne = calendar["penalty_per_tonne"]
        else:
            per_tonne = penalty_per_tonne(average_price(store, y)[0], param(store, "compliance_penalty_price_multiple"),  # type: ignore[arg-type]
                                          param(store, "compliance_penalty_cap_krw"))  # type: ignore[arg-type]
        shortfall = None if certified is None else max(0, certified - held["surrendered_total"])
        status, result = _status(q, company, y, calendar)
        out[str(y)] = {
            "year": y, "reported": None if report is None else report["total"],
            "verified": None if statement is None else statement["verified"], "certified": certified, **held,
            "shortfall": shortfall, "penalty_per_tonne": per_tonne,
            "penalty_if_unpaid": None if shortfall is None else shortfall * per_tonne,
            "assessed_penalty": None if result is None else result["penalty"], "status": status,
            "deadline": calendar["surrender_due"], "report_due": calendar["report_due"],
            "limits": limits(store, company, y),  # type: ignore[arg-type]
            "eligible": {i: int(store.get(ledger_keys.balance(company, i)) or b"0")
                         for i in (vintage("KAU", y), vintage("KAU", y + 1), vintage("KCU", y))},
        }
    blocked = json_at(store, keys.blocked(company))
    return {"company": company, "blocked_years": [] if blocked is None else blocked["years"], "years": out}


def report(q: QueryRequest) -> Any:
    company, y = _company_year(q)
    return _record(q, keys.report(company, y), f"{y} emissions report of {company}")


def statement(q: QueryRequest) -> Any:
    company, y = _company_year(q)
    return _record(q, keys.statement(company, y), f"{y} verification statement on {company}")


def certification(q: QueryRequest) -> Any:
    company, y = _company_year(q)
    return _record(q, keys.certification(company, y), f"certified {y} emissions of {company}")


def assignments(q: QueryRequest) -> Any:
    """A verification body's assigned companies, with where each report stands."""
    if len(q.args) not in (1, 2):
        raise Denied(Code.BAD_QUERY, "expected /compliance/assignments/<verifier address>[/<year>]")
    verifier = address_arg(q.args[:1])
    y = _year_arg(q.args[1]) if len(q.args) == 2 else None
    out = []
    for key, _ in q.store.scan(keys.assigned_to_prefix(verifier, y), MAX_ROWS):
        _, _, _, of_year, company = key.split("/")
        report_ = json_at(q.store, keys.report(company, int(of_year)))
        statement_ = json_at(q.store, keys.statement(company, int(of_year)))
        certified = json_at(q.store, keys.certification(company, int(of_year)))
        out.append({"company": company, "year": int(of_year), "report_version": None if report_ is None else report_["version"],
                    "reported": None if report_ is None else report_["total"],
                    "statement": None if statement_ is None else statement_["status"],
                    "statement_of_version": None if statement_ is None else statement_["report_version"],
                    "certified": None if certified is None else certified["quantity"]})
    return out


def scorecards(q: QueryRequest) -> Any:
    """Each verification body: statements, certifications, and how far certification moved its figures."""
    out = []
    for key, value in q.store.scan(keys.SCORES, MAX_ROWS):
        score = json.loads(value)
        verifier = keys.instrument_in(key)
        acct = json_at(q.store, account_keys.account(verifier)) or {}
        error = score["abs_difference"] * BPS // score["verified_tonnes"] if score["verified_tonnes"] else 0
        out.append({"verifier": verifier, "name": acct.get("name"), **score, "error_bps": error})
    return out


def queue(q: QueryRequest) -> Any:
    """The certification queue of a year: current statements whose company is not certified yet."""
    y = _year_arg(first_arg(q.args))
    out = []
    for key, value in q.store.scan(keys.STATEMENTS, 100_000):
        if not key.endswith(f"/{y}"):
            continue
        record = json.loads(value)
        if record["status"] == "issued" and q.store.get(keys.certification(record["company"], y)) is None:
            out.append({k: record[k] for k in ("company", "year", "verifier", "verified", "opinion", "findings", "reported",
                                               "report_version", "document_hash", "issued")})
    return out


def objections(q: QueryRequest) -> Any:
    last = int(q.store.get(keys.OBJECTION_SEQ) or b"0")
    return [json_at(q.store, keys.objection(i)) for i in range(last, max(0, last - 200), -1)]


def objection(q: QueryRequest) -> Any:
    text = first_arg(q.args)
    if not (text.isascii() and text.isdigit()) or len(text) > 12:
        raise Denied(Code.BAD_QUERY, "expected /compliance/objection/<id>")
    record = _record(q, keys.objection(int(text)), f"objection {text}")
    return {**record, "eorder": json_at(q.store, keys.objection_eorder(int(text)))}


def offsets(q: QueryRequest) -> Any:
    last = int(q.store.get(keys.OFFSET_SEQ) or b"0")
    return [json_at(q.store, keys.offset(i)) for i in range(last, max(0, last - 200), -1)]
