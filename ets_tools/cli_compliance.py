"""``ets compliance``: the compliance cycle from the shell; ``ets query compliance YEAR`` the public table.

    ets compliance view-key --key NAME                           publish the key sealed statements are opened with
    ets compliance report --year Y [--sources FILE.json] --key COMPANY
    ets compliance assign --year Y --company ADDR --verifier ADDR --key OFFICIAL      (proposes; m-of-n)
    ets compliance verify --company ADDR --year Y --verified T --opinion O [--findings N] --document FILE --key VERIFIER
    ets compliance certify --year Y (--company ADDR --tonnes T ... | --from-queue) --reason R --key OFFICIAL
    ets compliance deadline --year Y --report-due UNIX --surrender-due UNIX --key OFFICIAL
    ets compliance surrender --year Y --instrument KAU25 --amount T --key COMPANY     (private tx)
    ets compliance borrow|bank --year Y --amount T --key COMPANY                       (private tx)
    ets compliance object --year Y --kind certification|allocation --reason R --evidence FILE [--plan HASH] --key COMPANY
    ets compliance decide OBJECTION_ID --decision upheld|dismissed [--quantity T] --reason R --key OFFICIAL
    ets compliance position [--company ADDR] [--year Y] --key NAME                    (signed: the company or an official)
    ets query compliance YEAR [--json | --csv]

``--sources`` is a JSON list of {"source", "method", "quantity", "evidence"} where evidence is the SHA-256
hex of the evidence file, or {"evidence_file": PATH} to have it hashed here.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path
from typing import Any, Callable

from protocol.messages import Propose, SetViewKey
from protocol.messages.compliance import (
    OPINIONS, AssignVerifiers, Bank, Borrow, CertifyEmissions, DecideObjection, EmissionsReport, Objection, OtherSource,
    SetComplianceDeadline, Surrender,
)
from protocol.sealed import view_public_hex

from ets.compliance import build_statement, certification_batches, table_csv
from ets.console import address_arg, print_json

__all__ = ["add_compliance_commands", "print_table"]

_address = address_arg("account")


def _file_hash(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _sources(path: str | None) -> tuple[OtherSource, ...]:
    if not path:
        return ()
    raw = json.loads(Path(path).read_text())
    if not isinstance(raw, list):
        raise ValueError("--sources must hold a JSON list of {source, method, quantity, evidence|evidence_file}")
    out = []
    for entry in raw:
        evidence = entry.get("evidence") or _file_hash(str(Path(path).parent / entry["evidence_file"]))
        out.append(OtherSource(entry["source"], entry["method"], int(entry["quantity"]), evidence))
    return tuple(out)


def print_table(table: dict[str, Any]) -> None:
    print(f"compliance {table['year']}  (settlement: {table['settlement']}, deadline unix {table['deadline']})")
    print(f"{'name':<28} {'sector':<12} {'allocated':>12} {'certified':>12} {'surrendered':>12} {'penalty KRW':>14} status")
    for r in table["rows"]:
        cells = [("-" if r[k] is None else f"{r[k]:,}") for k in ("allocated", "certified", "surrendered", "penalty")]
        print(f"{r['name'][:28]:<28} {(r['sector'] or '-')[:12]:<12} {cells[0]:>12} {cells[1]:>12} {cells[2]:>12} {cells[3]:>14} {r['status']}")


def add_compliance_commands(sub: argparse._SubParsersAction, common: Callable, signer: Callable, client: Callable,
                            submit: Callable) -> None:
    """``submit(args, msg)`` signs with --key, broadcasts, waits and prints (``ets tx``'s output)."""
    top = sub.add_parser("compliance", help="the compliance cycle: report, verify, certify, surrender, borrow, bank, position")
    cmds = top.add_subparsers(dest="compliance_command", required=True)

    def command(name: str, help_text: str, build: Callable[[argparse.Namespace], Any] | None = None,
                run: Callable[[argparse.Namespace], int] | None = None, key: bool = True) -> argparse.ArgumentParser:
        p = cmds.add_parser(name, help=help_text)
        common(p, key=key)
        if build is not None:
            p.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for the commit (default 30)")
            p.add_argument("--no-wait", action="store_true", help="return once the mempool accepted it")
            p.set_defaults(func=lambda args: submit(args, build(args)))
        else:
            p.set_defaults(func=run)
        return p

    p = command("view-key", "publish your X25519 view key (sealed statements and prices are opened with it)",
                lambda a: SetViewKey(view_public_hex(signer(a))))
    p = command("report", "company: submit (or correct) the year's emissions report",
                lambda a: EmissionsReport(a.year, _sources(a.sources)))
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--sources", help="JSON list of other sources: {source, method, quantity, evidence|evidence_file}")

    p = command("assign", "government: propose assigning a verification body to a company for a year",
                lambda a: Propose(AssignVerifiers(a.year, tuple(zip(a.company, a.verifier)))))
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--company", type=_address, action="append", required=True)
    p.add_argument("--verifier", type=_address, action="append", required=True, help="one per --company, in order")

    def _verify(args: argparse.Namespace) -> Any:
        with client(args) as c:
            return build_statement(c, args.company, args.year, args.verified, args.opinion, args.findings,
                                   Path(args.document).read_bytes())
    p = command("verify", "verifier: issue the verification statement (document sealed to company + regulator)", _verify)
    p.add_argument("--company", type=_address, required=True)
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--verified", type=int, required=True, help="verified emissions, whole tonnes")
    p.add_argument("--opinion", choices=OPINIONS, required=True)
    p.add_argument("--findings", type=int, default=0)
    p.add_argument("--document", required=True, help="the statement document (at most 16 KiB), sealed on chain")

    def _certify(args: argparse.Namespace) -> int:
        if args.from_queue:
            with client(args) as c:
                batches = certification_batches(c.query(f"/compliance/queue/{args.year}"), args.year, args.reason)
            if not batches:
                print_json({"year": args.year, "proposals": [], "note": "the certification queue is empty"})
                return 0
        else:
            if not args.company or len(args.company) != len(args.tonnes or []):
                raise ValueError("give --company ADDR --tonnes T pairs, or --from-queue")
            batches = [CertifyEmissions(args.year, tuple(zip(args.company, args.tonnes)), args.reason)]
        for batch in batches:
            submit(args, Propose(batch))
        return 0
    p = command("certify", "government: propose certifying emissions (explicit figures or the whole queue)", run=_certify)
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--company", type=_address, action="append")
    p.add_argument("--tonnes", type=int, action="append")
    p.add_argument("--from-queue", action="store_true", help="certify every queued statement at its verified figure")
    p.add_argument("--reason", required=True)
    p.add_argument("--timeout", type=float, default=30.0)
    p.add_argument("--no-wait", action="store_true")

    p = command("deadline", "government: propose the year's report and surrender deadlines (unix seconds)",
                lambda a: Propose(SetComplianceDeadline(a.year, a.report_due, a.surrender_due)))
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--report-due", type=int, required=True)
    p.add_argument("--surrender-due", type=int, required=True)

    p = command("surrender", "company: surrender KAU of the year's vintage or KCU (within the offset cap)",
                lambda a: Surrender(a.year, a.instrument, a.amount))
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--instrument", required=True, help="KAU25, KCU25, ...")
    p.add_argument("--amount", type=int, required=True)
    for name, cls, text in (("borrow", Borrow, "company: borrow KAU of the next vintage (same phase) within the limit"),
                            ("bank", Bank, "company: bank surplus KAU into the next vintage within the limit")):
        p = command(name, text, lambda a, cls=cls: cls(a.year, a.amount))
        p.add_argument("--year", type=int, required=True)
        p.add_argument("--amount", type=int, required=True)

    p = command("object", "company: object to an allocation or a certification within the window",
                lambda a: Objection(a.kind, a.year, a.reason, _file_hash(a.evidence), a.requested, a.plan))
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--kind", choices=("allocation", "certification"), required=True)
    p.add_argument("--reason", required=True)
    p.add_argument("--evidence", required=True, help="evidence file (its SHA-256 goes on chain)")
    p.add_argument("--requested", type=int)
    p.add_argument("--plan", help="allocation objections: the plan hash whose e-orders allocated you")

    p = command("decide", "government: propose the decision on an objection",
                lambda a: Propose(DecideObjection(a.objection_id, a.decision, a.reason, a.quantity)))
    p.add_argument("objection_id", type=int)
    p.add_argument("--decision", choices=("upheld", "dismissed"), required=True)
    p.add_argument("--quantity", type=int, help="upheld: the new certified figure, or the allocation adjustment (±t)")
    p.add_argument("--reason", required=True)

    def _position(args: argparse.Namespace) -> int:
        reader = signer(args)
        with client(args) as c:
            answer = c.query(f"/compliance/position/{args.company or reader.address}", reader=reader)
        if args.year is not None:
            answer = {**answer, "years": {k: v for k, v in answer["years"].items() if k == str(args.year)}}
        print_json(answer)
        return 0
    p = command("position", "the compliance position (certified, surrendered, shortfall, limits, penalty)", run=_position)
    p.add_argument("--company", type=_address, help="an official may read any company's position")
    p.add_argument("--year", type=int)


def query_compliance(client: Any, year: str, as_json: bool, as_csv: bool) -> int:
    table = client.query(f"/compliance/table/{year}")
    if as_csv:
        print(table_csv(table), end="")
    elif as_json:
        print_json(table)
    else:
        print_table(table)
    return 0
