"""The compliance cycle's descriptor: reports, statements, surrender, borrowing, banking, objections; the
governed assignment, certification, deadline, offsets and decisions; settlement; the transfer-out block."""

from __future__ import annotations

from protocol.codes import Code
from protocol.messages.compliance import (
    AssignVerifiers, Bank, Borrow, CertifyEmissions, ConvertOffsets, DecideObjection, EmissionsReport, IssueOffsets,
    Objection, SetComplianceDeadline, Surrender, VerificationStatement,
)

from .. import GovernedAction, Hook, MessageRule, Module, OutgoingCheck, Query, StateRead, private
from . import keys, objections, obligations, offsets, queries, reports, settlement
from .events import (
    COMPLIANCE_DEADLINE, COMPLIANCE_YEAR, EMISSIONS_CERTIFIED, EMISSIONS_REPORT, OBJECTION, OFFSETS, PENALTY_ASSESSED,
    VERIFICATION_STATEMENT, VERIFIERS_ASSIGNED,
)

_POSITIONS = private("government", what="compliance positions")

MODULE = Module(
    name="compliance",
    summary="annual reports, verification, certification, surrender, borrowing, banking, offsets, deadlines, "
            "penalties, objections; the public compliance table",
    messages=(
        MessageRule(EmissionsReport, {"company"}, reports.handle_emissions_report,
                    "the year's report: the sites' daily totals + declared other sources; resending corrects it "
                    "until certified", events=(EMISSIONS_REPORT,)),
        MessageRule(VerificationStatement, {"verifier"}, reports.handle_verification_statement,
                    "verified tonnes, opinion, findings on the current report; the document sealed to the company "
                    "and the regulator", who="assigned", events=(VERIFICATION_STATEMENT,)),
        MessageRule(Surrender, {"company"}, obligations.handle_surrender,
                    "cancel KAU of the year's vintage or KCU (≤ the offset cap) against the certified emissions"),
        MessageRule(Borrow, {"company"}, obligations.handle_borrow,
                    "relabel KAU of the next vintage (same phase) as the year's, within the borrowing limit"),
        MessageRule(Bank, {"company"}, obligations.handle_bank,
                    "relabel surplus KAU of the year as the next vintage, once the obligation is met, within the "
                    "banking limit"),
        MessageRule(Objection, {"company"}, objections.handle_objection,
                    "object to an allocation or a certification within the window", events=(OBJECTION,)),
    ),
    actions=(
        GovernedAction(AssignVerifiers, reports.check_assign, reports.execute_assign,
                       "assign a verification body to each listed company for a year (up to 1,000)",
                       events=(VERIFIERS_ASSIGNED,)),
        GovernedAction(CertifyEmissions, reports.check_certify, reports.execute_certify,
                       "certify companies' emissions of a year (the figure to surrender); a re-certification keeps the "
                       "history; after the deadline the company is settled at once",
                       events=(EMISSIONS_CERTIFIED, PENALTY_ASSESSED)),
        GovernedAction(SetComplianceDeadline, settlement.check_deadline, settlement.execute_deadline,
                       "set a year's report and surrender deadlines (block time) by notice, until its settlement starts",
                       events=(COMPLIANCE_DEADLINE,)),
        GovernedAction(IssueOffsets, offsets.check_issue_offsets, offsets.execute_issue_offsets,
                       "issue KOC of a reduction project to a company; raises its supply", events=(OFFSETS,)),
        GovernedAction(ConvertOffsets, offsets.check_convert, offsets.execute_convert,
                       "convert a company's KOC into KCU of the same vintage, one for one", events=(OFFSETS,)),
        GovernedAction(DecideObjection, objections.check_decision, objections.execute_decision,
                       "decide an objection: re-certify, or true up / claw back allocation; an e-order with its audit "
                       "trail", events=(OBJECTION, EMISSIONS_CERTIFIED, PENALTY_ASSESSED)),
    ),
    queries=(
        Query("compliance/table", queries.table, "/compliance/table/<year>",
              "every company: sector, allocated, certified, surrendered, penalty, status code (EUTL-style)"),
        Query("compliance/year", queries.year, "/compliance/year/<year>", "deadlines, settlement, average price, penalty/t"),
        Query("compliance/position", queries.position, "/compliance/position/<addr>",
              "per year: certified, surrendered, shortfall, limits, penalty that would apply, blocked", _POSITIONS),
        Query("compliance/report", queries.report, "/compliance/report/<addr>/<year>", "the report with its history"),
        Query("compliance/statement", queries.statement, "/compliance/statement/<addr>/<year>",
              "the verification statement (document sealed, hash public)"),
        Query("compliance/certification", queries.certification, "/compliance/certification/<addr>/<year>",
              "the certified figure with its history"),
        Query("compliance/assignments", queries.assignments, "/compliance/assignments/<verifier>[/<year>]",
              "the verifier's companies and where each report stands"),
        Query("compliance/queue", queries.queue, "/compliance/queue/<year>", "statements awaiting certification"),
        Query("compliance/scorecards", queries.scorecards, "/compliance/scorecards",
              "each verification body: statements, certifications, how far certification moved its figures"),
        Query("compliance/objections", queries.objections, "/compliance/objections", "the latest 200 objections"),
        Query("compliance/objection", queries.objection, "/compliance/objection/<id>", "an objection and its e-order"),
        Query("compliance/offsets", queries.offsets, "/compliance/offsets", "the latest 200 offset issuances and conversions"),
    ),
    hooks=(
        Hook("end", settlement.settle_years,
             f"at a year's surrender deadline fix its average price and penalty per tonne, then settle its certified "
             f"companies (at most {settlement.SETTLE_PER_BLOCK:,} a block): status A or B, penalty, block",
             events=(COMPLIANCE_YEAR, PENALTY_ASSESSED)),
    ),
    outgoing_checks=(
        OutgoingCheck(settlement.refuse_if_blocked,
                      "an account with a shortfall past a surrender deadline sends no allowances out until made good"),
        OutgoingCheck(settlement.refuse_closed_vintage,
                      "KAU of a year stops trading once its surrender deadline passed (settlement begun): what was not "
                      "banked can only be surrendered"),
    ),
    codes=frozenset({
        Code.YEAR_NOT_ENDED, Code.REPORT_NOT_FOUND, Code.VERIFIER_NOT_ASSIGNED, Code.STATEMENT_NOT_FOUND,
        Code.ALREADY_CERTIFIED, Code.NOT_CERTIFIED, Code.VINTAGE_NOT_ELIGIBLE, Code.OFFSET_CAP_EXCEEDED,
        Code.OBLIGATION_EXCEEDED, Code.BORROW_LIMIT_EXCEEDED, Code.BORROWING_NOT_ALLOWED, Code.BANK_LIMIT_EXCEEDED,
        Code.BANKING_NOT_ALLOWED, Code.DEADLINE_PASSED, Code.ACCOUNT_BLOCKED, Code.OBJECTION_WINDOW_CLOSED,
        Code.OBJECTION_NOT_FOUND, Code.OBJECTION_CLOSED, Code.HISTORY_FULL, Code.VINTAGE_CLOSED,
    }),
    code_range=range(1100, 1200),
    keys=keys.PREFIXES,
    state_reads=tuple(StateRead(prefix) for prefix in keys.PUBLIC_PREFIXES) + (
        StateRead(keys.POSITIONS, _POSITIONS, owner=2),),
)
