"""Events of the compliance cycle (public: reports, statements, certifications, deadlines, penalties and
objections are published). Surrender, borrowing and banking are private txs and emit none."""

from __future__ import annotations

from protocol.events import Attribute, EventType

__all__ = ["EMISSIONS_REPORT", "VERIFIERS_ASSIGNED", "VERIFICATION_STATEMENT", "EMISSIONS_CERTIFIED", "COMPLIANCE_DEADLINE",
           "OFFSETS", "COMPLIANCE_YEAR", "PENALTY_ASSESSED", "OBJECTION"]

EMISSIONS_REPORT = EventType("emissions_report", (
    Attribute("company", index=True), Attribute("year", index=True), Attribute("version"), Attribute("total")))
VERIFIERS_ASSIGNED = EventType("verifiers_assigned", (
    Attribute("year", index=True), Attribute("proposal_id", index=True), Attribute("companies")))
VERIFICATION_STATEMENT = EventType("verification_statement", (
    Attribute("company", index=True), Attribute("year", index=True), Attribute("verifier", index=True),
    Attribute("verified"), Attribute("opinion"), Attribute("document_hash")))
EMISSIONS_CERTIFIED = EventType("emissions_certified", (
    Attribute("company", index=True), Attribute("year", index=True), Attribute("proposal_id", index=True),
    Attribute("quantity"), Attribute("version")))
COMPLIANCE_DEADLINE = EventType("compliance_deadline", (
    Attribute("year", index=True), Attribute("report_due"), Attribute("surrender_due")))
OFFSETS = EventType("offsets", (
    Attribute("kind", index=True), Attribute("company", index=True), Attribute("instrument", index=True),
    Attribute("amount"), Attribute("proposal_id", index=True)))
COMPLIANCE_YEAR = EventType("compliance_year", (
    Attribute("year", index=True), Attribute("status", index=True), Attribute("settled"), Attribute("average_price"),
    Attribute("penalty_per_tonne")))
PENALTY_ASSESSED = EventType("penalty_assessed", (
    Attribute("company", index=True), Attribute("year", index=True), Attribute("shortfall"), Attribute("penalty")))
OBJECTION = EventType("objection", (
    Attribute("id", index=True), Attribute("company", index=True), Attribute("kind", index=True), Attribute("year"),
    Attribute("status", index=True)))
