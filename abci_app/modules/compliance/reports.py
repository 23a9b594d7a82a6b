"""Annual reports, verifier assignment, verification statements, certification, and the verifiers' scorecards.

A company's report adds its sites' on-chain daily totals of the year (MRV's monthly sums, kg → whole
tonnes) and the other sources it declares. The verification body the government assigned issues a
statement on the current report; the government certifies (governed, m-of-n) the figure that must be
surrendered. Every correction keeps the earlier version in the record's ``history``; a verifier's
scorecard sums how far certification moved its verified figures.
"""

from __future__ import annotations

from bisect import insort
from typing import Any

from protocol.codec import canonical_json
from protocol.codes import Code, TxRejected
from protocol.compliance import kg_to_tonnes, kst_midnight
from protocol.messages.compliance import AssignVerifiers, CertifyEmissions, EmissionsReport, VerificationStatement

from ...view import BlockContext, View, account, get_json, put_json, require_company
from ..mrv import keys as mrv_keys
from . import keys
from .common import append_history, ensure_year, stamp, year_record
from .events import EMISSIONS_CERTIFIED, EMISSIONS_REPORT, VERIFICATION_STATEMENT, VERIFIERS_ASSIGNED
from .settlement import settle_late

__all__ = ["handle_emissions_report", "check_assign", "execute_assign", "handle_verification_statement",
           "check_certify", "execute_certify", "EMPTY_SCORE"]

EMPTY_SCORE: dict[str, int] = {"statements": 0, "certified": 0, "verified_tonnes": 0, "certified_tonnes": 0,
                               "abs_difference": 0, "raised": 0, "lowered": 0, "unchanged": 0}


def _sites(view: View, company: str, year: int) -> dict[str, int]:
    """The year's sums of the company's daily totals (MRV's monthly sums per company)."""
    out = {"sites_kg": 0, "readings": 0, "substituted": 0, "daily_reports": 0}
    for month in range(1, 13):
        sums = get_json(view, mrv_keys.month("company", company, f"{year}-{month:02d}"))
        if sums:
            out["sites_kg"] += sums["total"]
            out["readings"] += sums["readings"]
            out["substituted"] += sums["substituted"]
            out["daily_reports"] += sums["reports"]
    return out


def handle_emissions_report(view: View, signer: str, msg: EmissionsReport, ctx: BlockContext) -> bytes:
    if ctx.time < kst_midnight(msg.year + 1, 1, 1):
        raise TxRejected(Code.YEAR_NOT_ENDED, f"{msg.year} has not ended in block time (KST); report from 1 January {msg.year + 1}")
    if get_json(view, keys.certification(signer, msg.year)) is not None:
        raise TxRejected(Code.ALREADY_CERTIFIED, f"your {msg.year} emissions are certified; object to the certification instead")
    calendar = year_record(view, msg.year)
    previous = get_json(view, keys.report(signer, msg.year))
    sites = _sites(view, signer, msg.year)
    other = sum(source.quantity for source in msg.other_sources)
    record: dict[str, Any] = {
        "company": signer, "year": msg.year, "version": 1 if previous is None else previous["version"] + 1,
        **sites, "sites_tonnes": kg_to_tonnes(sites["sites_kg"]),
        "other_sources": [source.to_json() for source in msg.other_sources], "other_tonnes": other,
        "total": kg_to_tonnes(sites["sites_kg"]) + other, "submitted": stamp(ctx), "late": ctx.time > calendar["report_due"],
        "history": [] if previous is None else append_history(previous, "report"),
    }
    put_json(view, keys.report(signer, msg.year), record)
    current = get_json(view, keys.statement(signer, msg.year))
    if current is not None and current["status"] == "issued":  # a statement speaks of the version it verified
        current["status"] = "superseded"
        put_json(view, keys.statement(signer, msg.year), current)
    ctx.emit(EMISSIONS_REPORT(company=signer, year=msg.year, version=record["version"], total=record["total"]))
    return canonical_json({"year": msg.year, "version": record["version"], "sites_tonnes": record["sites_tonnes"],
                           "other_tonnes": other, "total": record["total"]})


# ---------------------------------------------------------------- verification bodies


def _check_assignments(view: View, action: AssignVerifiers) -> None:
    for company, verifier in action.assignments:
        require_company(view, company, "company", "verifiers are assigned to companies")
        acct = account(view, verifier)
        if acct is None or acct["role"] != "verifier":
            raise TxRejected(Code.INVALID_RECIPIENT, f"{verifier} is not a registered verification body")
        if get_json(view, keys.certification(company, action.year)) is not None:
            raise TxRejected(Code.ALREADY_CERTIFIED, f"{company}'s {action.year} emissions are already certified")


def check_assign(view: View, action: AssignVerifiers, ctx: BlockContext) -> None:
    _check_assignments(view, action)


def execute_assign(view: View, action: AssignVerifiers, ctx: BlockContext, proposal: dict) -> None:
    _check_assignments(view, action)
    for company, verifier in action.assignments:
        previous = get_json(view, keys.assignment(company, action.year))
        if previous is not None and previous["verifier"] != verifier:
            view.set(keys.assigned_to(previous["verifier"], action.year, company), None)
            current = get_json(view, keys.statement(company, action.year))
            if current is not None and current["status"] == "issued":
                current["status"] = "superseded"
                put_json(view, keys.statement(company, action.year), current)
        put_json(view, keys.assignment(company, action.year), {
            "company": company, "year": action.year, "verifier": verifier, "proposal_id": proposal["id"], "assigned": stamp(ctx),
            "previous": None if previous is None else previous["verifier"]})
        view.set(keys.assigned_to(verifier, action.year, company), b"1")
    ctx.emit(VERIFIERS_ASSIGNED(year=action.year, proposal_id=proposal["id"], companies=len(action.assignments)))


def _score(view: View, verifier: str) -> dict[str, int]:
    return get_json(view, keys.score(verifier)) or dict(EMPTY_SCORE)


def handle_verification_statement(view: View, signer: str, msg: VerificationStatement, ctx: BlockContext) -> bytes:
    assigned = get_json(view, keys.assignment(msg.company, msg.year))
    if assigned is None or assigned["verifier"] != signer:
        raise TxRejected(Code.VERIFIER_NOT_ASSIGNED, f"you are not the verification body assigned to {msg.company} for {msg.year}")
    report = get_json(view, keys.report(msg.company, msg.year))
    if report is None:
        raise TxRejected(Code.REPORT_NOT_FOUND, f"{msg.company} has not submitted its {msg.year} emissions report")
    if get_json(view, keys.certification(msg.company, msg.year)) is not None:
        raise TxRejected(Code.ALREADY_CERTIFIED, f"{msg.company}'s {msg.year} emissions are already certified")
    readers = sorted(msg.sealed_document["keys"])
    if msg.company not in readers:
        raise TxRejected(Code.INVALID_MESSAGE, "the statement document must be sealed to the company")
    regulators = 0
    for reader in readers:
        acct = account(view, reader)
        role = None if acct is None else acct["role"]
        if reader not in (msg.company, signer) and role != "government":
            raise TxRejected(Code.INVALID_MESSAGE, f"{reader} may not read the statement: only the company, the verifier and the regulator")
        regulators += role == "government"
    if not regulators:
        raise TxRejected(Code.INVALID_MESSAGE, "the statement document must also be sealed to the regulator (a government account)")
    previous = get_json(view, keys.statement(msg.company, msg.year))
    record = {
        "company": msg.company, "year": msg.year, "verifier": signer, "verified": msg.verified, "opinion": msg.opinion,
        "findings": msg.findings, "document_hash": msg.document_hash, "sealed_document": msg.sealed_document,
        "report_version": report["version"], "reported": report["total"], "issued": stamp(ctx), "status": "issued",
        "version": 1 if previous is None else previous["version"] + 1,
        "history": [] if previous is None else append_history({**previous, "sealed_document": None}, "statement"),
    }
    put_json(view, keys.statement(msg.company, msg.year), record)
    if previous is None or previous["verifier"] != signer:
        score = _score(view, signer)
        score["statements"] += 1
        put_json(view, keys.score(signer), score)
    ctx.emit(VERIFICATION_STATEMENT(company=msg.company, year=msg.year, verifier=signer, verified=msg.verified,
                                    opinion=msg.opinion, document_hash=msg.document_hash))
    return canonical_json({"company": msg.company, "year": msg.year, "verified": msg.verified, "version": record["version"]})


# ---------------------------------------------------------------- certification (governed)


def _check_entries(view: View, action: CertifyEmissions) -> None:
    for company, _ in action.entries:
        require_company(view, company, "company", "emissions are certified for companies")
        if get_json(view, keys.certification(company, action.year)) is not None:
            continue  # a re-certification: the new figure replaces the old, which stays in the history
        current = get_json(view, keys.statement(company, action.year))
        if current is None or current["status"] != "issued":
            raise TxRejected(Code.STATEMENT_NOT_FOUND, f"{company} has no current verification statement for {action.year}; "
                                                       "the assigned verifier must issue one on its latest report")


def check_certify(view: View, action: CertifyEmissions, ctx: BlockContext) -> None:
    _check_entries(view, action)


def _rescore(view: View, verifier: str, verified: int, old: int | None, new: int) -> None:
    score = _score(view, verifier)
    if old is not None:
        score["certified"] -= 1
        score["verified_tonnes"] -= verified
        score["certified_tonnes"] -= old
        score["abs_difference"] -= abs(old - verified)
        score["raised" if old > verified else "lowered" if old < verified else "unchanged"] -= 1
    score["certified"] += 1
    score["verified_tonnes"] += verified
    score["certified_tonnes"] += new
    score["abs_difference"] += abs(new - verified)
    score["raised" if new > verified else "lowered" if new < verified else "unchanged"] += 1
    put_json(view, keys.score(verifier), score)


def certify_one(view: View, company: str, year: int, quantity: int, ctx: BlockContext, proposal: dict, reason: str,
                basis: str = "statement") -> dict[str, Any]:
    """Certify (or re-certify) one company's year; settles it at once if the deadline has passed."""
    previous = get_json(view, keys.certification(company, year))
    if previous is None:
        statement = get_json(view, keys.statement(company, year))
        verifier, verified = statement["verifier"], statement["verified"]
    else:
        verifier, verified = previous["verifier"], previous["verified"]
    record = {
        "company": company, "year": year, "quantity": quantity, "verified": verified, "verifier": verifier,
        "proposal_id": proposal["id"], "approvals": [v["official"] for v in proposal["approvals"]], "reason": reason,
        "basis": basis, "certified": stamp(ctx), "version": 1 if previous is None else previous["version"] + 1,
        "history": [] if previous is None else append_history(previous, "certification"),
    }
    put_json(view, keys.certification(company, year), record)
    if previous is None:
        listed = get_json(view, keys.certified(year)) or []
        insort(listed, company)
        put_json(view, keys.certified(year), listed)
    _rescore(view, verifier, verified, None if previous is None else previous["quantity"], quantity)
    ctx.emit(EMISSIONS_CERTIFIED(company=company, year=year, proposal_id=proposal["id"], quantity=quantity, version=record["version"]))
    settle_late(view, company, year, ctx)
    return record


def execute_certify(view: View, action: CertifyEmissions, ctx: BlockContext, proposal: dict) -> None:
    _check_entries(view, action)
    ensure_year(view, action.year)
    for company, quantity in action.entries:
        certify_one(view, company, action.year, quantity, ctx, proposal, action.reason)
