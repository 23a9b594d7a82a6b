"""``ets auction`` and ``ets stabilisation``: government auctions and market stabilisation from the shell.

    ets auction calendar --year 2026 --instrument KAU26 --volume T [--month M ...] --key OFFICIAL
                          propose the year's monthly auctions: 2nd Wednesday 13:00-14:00 KST (m-of-n)
    ets auction amend ID --opens UNIX --closes UNIX --volume T --key OFFICIAL        (until it opens)
    ets auction list [--json] | ets auction show ID                                  the calendar, results
    ets auction bid ID --price KRW --quantity T --key COMPANY                         sealed bid (private tx)
    ets auction cancel ID --bid N --key COMPANY                                       release its escrow
    ets auction mine --key COMPANY                                                    your bids and allocations

    ets stabilisation status [--json]            the latest day's triggers, measures in force, the series
    ets stabilisation day YYYY-MM-DD             one day's published inputs and results
    ets stabilisation verify [--day YYYY-MM-DD]  recompute the triggers from the published inputs (exit 1 if they differ)
    ets stabilisation series --krx FILE [--until YYYY-MM] [--out FILE]   the reference series from KRX daily files
    ets stabilisation propose-series --krx FILE [--until YYYY-MM] --source TEXT --key OFFICIAL
    ets stabilisation propose floor|ceiling --price KRW --days N --reason R --key OFFICIAL
    ets stabilisation propose param --param NAME --value V --days N --reason R --key OFFICIAL
    ets stabilisation propose reserve-auction --instrument KAU26 --volume T --opens-in-days N --reason R --key OFFICIAL
    ets stabilisation measures                   the latest measures
"""

from __future__ import annotations

import argparse
import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Callable

from protocol.calendar import KST_ZONE
from protocol.codes import TxRejected
from protocol.messages import Propose
from protocol.messages.auctions import AmendAuction, AuctionBid, AuctionCancelBid, AuctionEntry, ScheduleAuctions
from protocol.messages.stabilisation import MEASURE_PARAMS, SetReferenceSeries, StabilisationMeasure
from protocol.stabilisation import evaluate, monthly_series, series_hash

from ets.console import print_json

__all__ = ["add_auction_commands", "add_stabilisation_commands", "monthly_windows", "reference_series", "recompute"]

_DAY = 86_400


def monthly_windows(year: int, months: list[int]) -> list[tuple[int, int]]:
    """(opens, closes) unix seconds of the auctions of ``months``: the 2nd Wednesday, 13:00-14:00 KST (DOMAIN.md)."""
    out = []
    for month in months:
        first = date(year, month, 1)
        wednesday = first + timedelta(days=(2 - first.weekday()) % 7 + 7)
        opens = int(datetime(wednesday.year, wednesday.month, wednesday.day, 13, tzinfo=KST_ZONE).timestamp())
        out.append((opens, opens + 3600))
    return out


def reference_series(krx_files: list[str], until: str | None) -> list[list[Any]]:
    """Monthly KAU rows ``[month, value, volume, days]`` from KRX daily files (``datasets.krx``), up to ``until``."""
    from datasets.krx import read_market_daily

    days = [(d.date.isoformat(), d.instrument, d.volume, d.value_krw) for f in krx_files for d in read_market_daily(Path(f))]
    return [row for row in monthly_series(days) if until is None or row[0] <= until]


def recompute(day: dict[str, Any]) -> list[dict[str, Any]]:
    """The triggers of a published day, recomputed from the inputs it publishes."""
    stats = {m: (s["value"], s["volume"], s["days"]) for m, s in day["stats"].items()}
    return evaluate(stats, day["month"], day["thresholds"])


def _command(cmds, common: Callable, submit: Callable, name: str, help_text: str, build: Callable | None = None,
             run: Callable | None = None, key: bool = True) -> argparse.ArgumentParser:
    p = cmds.add_parser(name, help=help_text, description=help_text)
    common(p, key=key)
    if build is not None:
        p.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for the commit (default 30)")
        p.add_argument("--no-wait", action="store_true", help="return once the mempool accepted it")
        p.set_defaults(func=lambda args: submit(args, build(args)))
    else:
        p.set_defaults(func=run)
    return p


def _print_calendar(calendar: dict[str, Any]) -> None:
    print(f"treasury: {calendar['treasury_krw']:,} KRW  reserve left: {calendar['reserve']['left']:,} t  "
          f"waiting unsold: {calendar['carry'] or '-'}")
    print(f"{'id':>4} {'instrument':<10} {'opens (KST)':<17} {'volume':>12} {'status':<10} {'reserve':>8} {'price':>8} {'sold':>12}")
    for a in calendar["auctions"]:
        opens = datetime.fromtimestamp(a["opens"], KST_ZONE).strftime("%Y-%m-%d %H:%M")
        result = a.get("result") or {}
        cells = [f"{v:,}" if isinstance(v, int) else "-" for v in (a.get("reserve_price"), result.get("price"), result.get("sold"))]
        print(f"{a['id']:>4} {a['instrument']:<10} {opens:<17} {a['volume'] + a['carried_in']:>12,} {a['status']:<10} "
              f"{cells[0]:>8} {cells[1]:>8} {cells[2]:>12}")


def add_auction_commands(sub, common: Callable, signer: Callable, client: Callable, submit: Callable) -> None:
    top = sub.add_parser("auction", help="government auctions: the calendar, sealed bids, results",
                         description="Government auctions (유상할당): the calendar is proposed by officials (m-of-n); "
                                     "companies bid sealed (private txs: price × tonnes KRW escrowed from their cash, "
                                     "at or above the reserve price, within the 15% per-bidder cap); at the close the "
                                     "chain clears at one uniform price and settles delivery versus payment.")
    cmds = top.add_subparsers(dest="auction_command", required=True)
    command = lambda *a, **k: _command(cmds, common, submit, *a, **k)  # noqa: E731

    def _calendar(args: argparse.Namespace) -> Any:
        months = args.month or list(range(1, 13))
        return Propose(ScheduleAuctions(tuple(AuctionEntry(args.instrument, o, c, args.volume)
                                              for o, c in monthly_windows(args.year, months))))
    p = command("calendar", "government: propose a year's monthly auctions (2nd Wednesday 13:00-14:00 KST)", _calendar)
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--instrument", required=True, help="the KAU vintage auctioned, e.g. KAU26")
    p.add_argument("--volume", type=int, required=True, help="tonnes per auction")
    p.add_argument("--month", type=int, action="append", choices=range(1, 13), help="only these months (repeatable)")

    p = command("amend", "government: propose changing an auction's window or volume (until it opens)",
                lambda a: Propose(AmendAuction(a.auction_id, a.opens, a.closes, a.volume)))
    p.add_argument("auction_id", type=int)
    for name in ("--opens", "--closes", "--volume"):
        p.add_argument(name, type=int, required=True, help="unix seconds" if name != "--volume" else "tonnes")

    p = command("bid", "company: a sealed bid (private tx); price × quantity KRW is escrowed until the close",
                lambda a: AuctionBid(a.auction_id, a.price, a.quantity))
    p.add_argument("auction_id", type=int)
    p.add_argument("--price", type=int, required=True, help="KRW per tonne (at or above the reserve, on the tick)")
    p.add_argument("--quantity", type=int, required=True, help="tonnes")
    p = command("cancel", "company: withdraw a bid before the close; its escrow is released",
                lambda a: AuctionCancelBid(a.auction_id, a.bid))
    p.add_argument("auction_id", type=int)
    p.add_argument("--bid", type=int, required=True, help="the bid id the bid's result gave")

    def _list(args: argparse.Namespace) -> int:
        with client(args) as c:
            calendar = c.query("/auctions")
        print_json(calendar) if args.json else _print_calendar(calendar)
        return 0
    p = command("list", "the calendar with reserve prices and results (public)", run=_list, key=False)
    p.add_argument("--json", action="store_true")

    def _show(args: argparse.Namespace) -> int:
        with client(args) as c:
            print_json(c.query(f"/auction/{args.auction_id}"))
        return 0
    p = command("show", "one auction: window, volume, reserve price and its inputs, result (no names)", run=_show, key=False)
    p.add_argument("auction_id", type=int)

    def _mine(args: argparse.Namespace) -> int:
        reader = signer(args)
        with client(args) as c:
            print_json(c.query(f"/auction/bids/{args.company or reader.address}", reader=reader))
        return 0
    p = command("mine", "your bids per auction: escrow, allocation, paid, refunded (signed query)", run=_mine)
    p.add_argument("--company", help="an official reads a company's bids after recording why (ets access record)")


def _measure(args: argparse.Namespace) -> StabilisationMeasure:
    """The measure, checked as the chain will parse it (a wrong option is refused here, before anything is sent)."""
    obj: dict[str, Any] = {"kind": args.kind, "trigger": "manual", "reason": args.reason}
    if args.kind in ("floor", "ceiling"):
        obj.update(kind=f"price_{args.kind}", price=args.price, duration=(args.days or 0) * _DAY)
    elif args.kind == "param":
        obj.update(param=args.param, value=args.value, duration=(args.days or 0) * _DAY)
    else:
        obj.update(kind="reserve_auction", instrument=args.instrument, volume=args.volume,
                   opens_after=args.opens_in_days * _DAY, window=3600)
    try:
        return StabilisationMeasure.from_json(obj)
    except TxRejected as exc:
        raise ValueError(f"{exc.log} (nothing was sent)") from None


def add_stabilisation_commands(sub, common: Callable, signer: Callable, client: Callable, submit: Callable) -> None:
    top = sub.add_parser("stabilisation", help="market stabilisation: daily triggers, the reference series, measures",
                         description="Market stabilisation (Decree Art. 38): every KST day the chain computes the "
                                     "triggers from its own daily bars and a hash-committed reference series (KRX "
                                     "monthly prices and volumes before the chain) and publishes inputs and results; "
                                     "`verify` recomputes them here. A tripped trigger makes the chain propose a "
                                     "measure; it runs only at m-of-n approval and ends by rule.")
    cmds = top.add_subparsers(dest="stabilisation_command", required=True)
    command = lambda *a, **k: _command(cmds, common, submit, *a, **k)  # noqa: E731

    def _status(args: argparse.Namespace) -> int:
        with client(args) as c:
            overview = c.query("/stabilisation")
        if args.json:
            print_json(overview)
            return 0
        latest = overview["latest"]
        if latest is None:
            print("no evaluation yet (no market and no reference series)")
        else:
            print(f"{latest['day']}: month {latest['month']}, series {latest['series_sha256'] or '-'}")
            for t in latest["triggers"]:
                state = "TRIPPED" if t["tripped"] else ("missing " + ", ".join(t["missing"]) if t["missing"] else "not tripped")
                print(f"  {t['trigger']:<17} {state}")
        for m in overview["active"]:
            print(f"in force: measure {m['id']} {m['kind']} {m.get('param')}={m.get('value')} until {m['expires']}")
        return 0
    p = command("status", "the latest day's triggers, the measures in force, the series' commitment", run=_status, key=False)
    p.add_argument("--json", action="store_true")

    def _day(args: argparse.Namespace) -> int:
        with client(args) as c:
            print_json(c.query(f"/stabilisation/day/{args.day}"))
        return 0
    p = command("day", "one day's published inputs (monthly statistics, thresholds) and results", run=_day, key=False)
    p.add_argument("day", help="YYYY-MM-DD (KST)")

    def _verify(args: argparse.Namespace) -> int:
        with client(args) as c:
            day = c.query(f"/stabilisation/day/{args.day}") if args.day else c.query("/stabilisation")["latest"]
        if day is None:
            raise ValueError("the chain has published no evaluation yet")
        again = recompute(day)
        same = again == day["triggers"]
        print_json({"day": day["day"], "month": day["month"], "recomputed": [t["tripped"] for t in again],
                    "published": [t["tripped"] for t in day["triggers"]], "same": same})
        return 0 if same else 1
    p = command("verify", "recompute the triggers from the published inputs; exit 1 if the chain's result differs",
                run=_verify, key=False)
    p.add_argument("--day", help="YYYY-MM-DD (default: the latest)")

    def _series_action(args: argparse.Namespace) -> SetReferenceSeries:
        rows = reference_series(args.krx, args.until)
        if not rows:
            raise ValueError("the KRX files hold no KAU trades in that range")
        return SetReferenceSeries(args.source, series_hash(rows), tuple(tuple(r) for r in rows))

    def _series(args: argparse.Namespace) -> int:
        action = _series_action(args).to_json()
        if args.out:
            Path(args.out).write_text(json.dumps(action, ensure_ascii=False, indent=1))
        print_json({"sha256": action["sha256"], "months": len(action["months"]), "first": action["months"][0][0],
                    "last": action["months"][-1][0], **({"written": args.out} if args.out else {})})
        return 0
    for name, text, build, run, key in (
            ("series", "build the reference series from KRX daily files (prints its SHA-256)", None, _series, False),
            ("propose-series", "government: propose the reference series (m-of-n)", lambda a: Propose(_series_action(a)), None, True)):
        p = command(name, text, build, run, key=key)
        p.add_argument("--krx", action="append", required=True, help="a KRX emissions market daily file (repeatable)")
        p.add_argument("--until", help="last month to include, YYYY-MM (the months before the chain)")
        p.add_argument("--source", default="KRX emissions market daily files (배출권 시장 일별 시세), KAU, all vintages")
        if name == "series":
            p.add_argument("--out", help="also write the governed action as JSON")

    p = command("propose", "government: propose a measure (runs at m-of-n; ends after --days)", lambda a: Propose(_measure(a)))
    p.add_argument("kind", choices=("floor", "ceiling", "param", "reserve-auction"))
    p.add_argument("--reason", required=True)
    p.add_argument("--price", type=int, help="floor/ceiling: KRW per tonne")
    p.add_argument("--param", choices=MEASURE_PARAMS, help="param: which limit")
    p.add_argument("--value", type=int, help="param: its value while the measure is in force")
    p.add_argument("--days", type=int, help="floor/ceiling/param: how long it stays in force")
    p.add_argument("--instrument", help="reserve-auction: the KAU vintage")
    p.add_argument("--volume", type=int, help="reserve-auction: tonnes (≤ 25%% of what is left of the reserve)")
    p.add_argument("--opens-in-days", type=int, default=7, help="reserve-auction: days from the approval to the opening")

    def _measures(args: argparse.Namespace) -> int:
        with client(args) as c:
            print_json(c.query("/stabilisation/measures"))
        return 0
    command("measures", "the latest measures: kind, trigger, parameter, previous value, expiry, status", run=_measures, key=False)
