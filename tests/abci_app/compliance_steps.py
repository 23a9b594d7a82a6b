"""Steps of a compliance year on an in-process node: report, assignment, sealed statement, m-of-n certification."""

from __future__ import annotations

import json
from typing import Any

from protocol.codes import Code
from protocol.compliance import kst_midnight
from protocol.sealed import seal_document, view_public_hex
from abci_harness import Actors, Node, approve, proposal_id
from ets.keys import Signer

__all__ = ["JAN", "JUL", "ok", "report", "propose", "assign", "statement", "certify", "certified_year", "surrender",
           "borrow", "bank", "position"]


def JAN(year: int, day: int = 5) -> int:
    """00:00 KST on ``day`` January ``year``."""
    return kst_midnight(year, 1, day)


def JUL(year: int) -> int:
    """00:00 KST on 1 July ``year``: the default surrender deadline of ``year - 1``."""
    return kst_midnight(year, 7, 1)


def ok(result) -> dict[str, Any]:
    assert result.code == Code.OK, (result.code, result.log)
    return json.loads(result.data) if result.data else {}


def report(node: Node, company: Signer, year: int, other: int = 0, time: int | None = None):
    sources = [{"source": "boiler", "method": "fuel use x emission factor", "quantity": other, "evidence": "e" * 64}] if other else []
    return node.run(company, {"type": "emissions_report", "year": year, "other_sources": sources}, time=time)


def propose(node: Node, actors: Actors, action: dict[str, Any], time: int | None = None):
    """Proposed by official 0 and approved by official 1 (m = 2): the approval's result."""
    pid = proposal_id(node.run(actors.gov[0], {"type": "propose", "action": action}, time=time))
    return node.run(actors.gov[1], approve(pid), time=time)


def assign(node: Node, actors: Actors, company: Signer, year: int, verifier: Signer | None = None):
    verifier = verifier or actors.verifier
    return propose(node, actors, {"type": "assign_verifiers", "year": year, "assignments": [[company.address, verifier.address]]})


def statement(node: Node, actors: Actors, company: Signer, year: int, verified: int, verifier: Signer | None = None,
              readers: list[Signer] | None = None, time: int | None = None):
    readers = readers if readers is not None else [company, actors.gov[0]]
    digest, sealed = seal_document(f"statement on {company.address} {year}: {verified} t".encode(),
                                   {r.address: view_public_hex(r) for r in readers})
    return node.run(verifier or actors.verifier, {
        "type": "verification_statement", "company": company.address, "year": year, "verified": verified,
        "opinion": "unmodified", "findings": 0, "document_hash": digest, "sealed_document": sealed}, time=time)


def certify(node: Node, actors: Actors, entries: list[tuple[Signer, int]], year: int, time: int | None = None):
    return propose(node, actors, {"type": "certify_emissions", "year": year,
                                  "entries": [[c.address, q] for c, q in entries], "reason": "as verified"}, time=time)


def certified_year(node: Node, actors: Actors, company: Signer, year: int, tonnes: int, verified: int | None = None) -> None:
    """The whole path to a certified figure; fails loudly if any step is refused."""
    ok(report(node, company, year, other=verified if verified is not None else tonnes))
    ok(assign(node, actors, company, year))
    ok(statement(node, actors, company, year, verified if verified is not None else tonnes))
    ok(certify(node, actors, [(company, tonnes)], year))


def surrender(node: Node, company: Signer, year: int, instrument: str, amount: int, time: int | None = None):
    return node.run(company, {"type": "surrender", "year": year, "instrument": instrument, "amount": amount}, time=time)


def borrow(node: Node, company: Signer, year: int, amount: int, time: int | None = None):
    return node.run(company, {"type": "borrow", "year": year, "amount": amount}, time=time)


def bank(node: Node, company: Signer, year: int, amount: int, time: int | None = None):
    return node.run(company, {"type": "bank", "year": year, "amount": amount}, time=time)


def position(node: Node, company: Signer, year: int) -> dict[str, Any]:
    return node.read(f"/compliance/position/{company.address}", reader=company)["years"][str(year)]
