"""``ets makers``: market makers (시장조성자) and participant classes with their holding limits.

    ets makers list                                               the accounts with a class (public)
    ets makers register ADDR --class market_maker --instrument KAU25 --key OFFICIAL
    ets makers register ADDR --class third_party --key OFFICIAL   (or --class company to clear)
    ets tx approve PROPOSAL_ID --key OFFICIAL                     the other officials approve (m-of-n)
    ets makers report ADDR --key NAME [--month YYYY-MM] [--json]  days met / trading days, month by month

``report`` is read by the maker itself or an official (signed query, sealed answer). A day is met when the
maker's quote (a bid and an ask in its instrument, spread ≤ mm_max_spread_krw, each side ≥ mm_min_quote_tonnes
at its best price) stood for mm_min_quote_seconds of block time. Exit codes: 0 done; 2 usage, connection or
query errors; 3 the chain rejected the transaction.
"""

from __future__ import annotations

import argparse
import re
from typing import Any, Callable

from protocol.messages import Propose, SetParticipantClass
from protocol.messages.makers import PARTICIPANT_CLASSES

from ets.console import address_arg, print_json
from ets.rpc import ChainClient

__all__ = ["add_makers_commands", "report_lines"]

_address = address_arg("account")
_LABELS = {"market_maker": "market maker 시장조성자", "third_party": "third party 제3자", "company": "company 할당대상업체"}


def _month(text: str) -> str:
    if not re.fullmatch(r"20[0-9]{2}-(0[1-9]|1[0-2])", text):
        raise argparse.ArgumentTypeError("a month is YYYY-MM, e.g. 2025-06 (월 형식 오류)")
    return text


def report_lines(report: dict[str, Any], month: str | None = None) -> list[str]:
    """The obligation report as text lines, one per month (and its days with their seconds)."""
    months = [m for m in report["months"] if month is None or m["month"] == month]
    if not months:
        return [f"{report['account']}: no market-making record{' for ' + month if month else ''} (시장조성 기록 없음)"]
    lines = []
    for m in months:
        lines.append(f"{m['month']}  {m['instrument'] or '-'}  days met 충족일 {m['days_met']} / {m['days_required']} "
                     f"(≥ {m['min_seconds']:,} s a day, spread ≤ KRW {m['max_spread_krw']:,}, ≥ {m['min_quote_tonnes']:,} t a side)")
        for day in m["days"]:
            if day["seconds"]:
                lines.append(f"    {day['day']}  {day['seconds']:>6,} s  {'met 충족' if day['met'] else 'short 미달'}")
    return lines


def _run(args: argparse.Namespace, signer: Callable[[argparse.Namespace], Any],
         node: Callable[[argparse.Namespace], ChainClient], submit: Callable[[argparse.Namespace, Any], int]) -> int:
    if args.makers_command == "register":
        instrument = args.instrument or ""
        if (args.participant_class == "market_maker") != bool(instrument):
            raise ValueError("--instrument names the instrument a market maker quotes (e.g. KAU25), and only then")
        return submit(args, Propose(SetParticipantClass(args.account, args.participant_class, instrument)))
    with node(args) as client:
        if args.makers_command == "list":
            rows = client.query("/makers")
            if args.json:
                print_json(rows)
            for row in [] if args.json else rows:
                print(f"{row['account']}  {_LABELS[row['class']]}  {row['instrument'] or '-'}")
            return 0
        report = client.query(f"/makers/report/{args.account}", signer(args))
    if args.json:
        print_json(report if args.month is None else {**report, "months": [m for m in report["months"] if m["month"] == args.month]})
    else:
        print("\n".join(report_lines(report, args.month)))
    return 0


def add_makers_commands(sub: argparse._SubParsersAction, common: Callable[..., None],
                        signer: Callable[[argparse.Namespace], Any], node: Callable[[argparse.Namespace], ChainClient],
                        submit: Callable[[argparse.Namespace, Any], int]) -> None:
    makers = sub.add_parser("makers", help="market makers (시장조성자): classes, holding limits, the monthly duty report",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    kinds = makers.add_subparsers(dest="makers_command", required=True)
    p = kinds.add_parser("list", help="accounts with a participant class (public)")
    p.add_argument("--json", action="store_true")
    common(p, key=False)
    p = kinds.add_parser("register", help="government: propose an account's participant class (governed, m-of-n)")
    p.add_argument("account", type=_address)
    p.add_argument("--class", dest="participant_class", choices=PARTICIPANT_CLASSES, required=True)
    p.add_argument("--instrument", help="the instrument a market maker must quote, e.g. KAU25")
    p.add_argument("--no-wait", action="store_true", help="return once the mempool accepts the tx")
    p.add_argument("--timeout", type=float, default=30.0)
    common(p, key=True)
    p = kinds.add_parser("report", help="a maker's obligation report: days met / trading days per month")
    p.add_argument("account", type=_address)
    p.add_argument("--month", type=_month, help="only this month (YYYY-MM)")
    p.add_argument("--json", action="store_true")
    common(p, key=True)
    for parser in kinds.choices.values():
        parser.set_defaults(func=lambda args: _run(args, signer, node, submit))
