"""Demo and test data in the shapes of other publishers: a documented, deterministic generator.

The real files these imitate are not copied into the project; these records have their shape
and plausible magnitudes, nothing else (every figure is synthetic)::

    eu_installations(17_644, 89_831)   an EU-style compliance table: installations by id, 5-6 years
                                       each, a quarter without a name, many names shared, some
                                       years not reported (blank)
    english_market_history(days)       daily prices with English headers and no weighted average
    auction_history(months)            monthly government auctions (2nd Wednesday)
    entity_years(n)                    the generic long format (ids, names that repeat, years)
    write_bulk_market_csv(path, bytes) a KRX-shaped (or English) daily file of about ``bytes``, written
                                       row by row (for size and memory benchmarks)

From the shell (writers in ``datasets.writers``)::

    python -m datasets.shapes eu-compliance --out eu.csv [--installations 17644 --rows 89831]
    python -m datasets.shapes market-english --out prices.csv [--days 250]
    python -m datasets.shapes auctions --out auctions.json [--months 12] [--csv]
    python -m datasets.shapes long-format --out companies.csv [--entities 50]
    python -m datasets.shapes bulk-market --out big.csv --mb 200 [--english]

The same ``--seed`` (default 1) gives the same bytes.
"""

from __future__ import annotations

import argparse
import random
from datetime import date, timedelta
from pathlib import Path

from .auctions import AuctionResult
from .eutl import InstallationYear
from .krx import MARKET_HEADERS
from .long_format import EntityYear
from .records import MarketDay

__all__ = ["eu_installations", "english_market_history", "auction_history", "entity_years",
           "write_bulk_market_csv", "main"]

_REGISTRIES = ("AT", "BE", "BG", "CZ", "DE", "DK", "ES", "FI", "FR", "GR", "HU", "IE", "IT", "NL", "PL", "PT",
               "RO", "SE", "SK")
_NAMES = ("Stadtwerke", "Heizkraftwerk", "Papierfabrik", "Zementwerk", "Centrale termica", "Raffinerie",
          "Glassworks", "Steelworks", "Ceramics", "Compressor station")


def eu_installations(installations: int = 17_644, rows: int = 89_831, *, seed: int = 1,
                     last_year: int = 2023) -> list[InstallationYear]:
    """An EU-style table: every installation has 5 years up to ``last_year``, the first ``rows − 5 × n``
    installations a sixth (the year before)."""
    if not 5 * installations <= rows <= 6 * installations:
        raise ValueError(f"rows must be between 5 and 6 times the installations ({5 * installations:,}-"
                         f"{6 * installations:,}), got {rows:,}")
    rng = random.Random(seed)
    out: list[InstallationYear] = []
    six = rows - 5 * installations
    for n in range(installations):
        registry = _REGISTRIES[n % len(_REGISTRIES)]
        name = "" if rng.random() < 0.25 else f"{_NAMES[rng.randrange(len(_NAMES))]} {rng.randrange(400)}"
        activity = str(rng.choice((20, 20, 20, 21, 24, 29, 30, 35, 36, 42)))
        base = int(rng.lognormvariate(10.5, 1.4)) + 100
        years = range(last_year - (5 if n < six else 4), last_year + 1)
        for year in years:
            reported = rng.random() > 0.04
            verified = max(0, int(base * rng.uniform(0.85, 1.1))) if reported else None
            allocated = int(base * rng.uniform(0.3, 0.9)) if activity != "20" else int(base * rng.uniform(0, 0.2))
            out.append(InstallationYear(f"{registry}-{1000 + n}", name, registry, activity, year, allocated, verified))
    return out


def english_market_history(days: int = 250, *, instruments: tuple[str, ...] = ("KAU25", "KAU26"), seed: int = 1,
                           first: date = date(2025, 1, 2)) -> list[MarketDay]:
    """Trading days (Mon-Fri) with prices, volume and value; vwap left to be derived on import."""
    rng = random.Random(seed)
    out: list[MarketDay] = []
    price = {name: 9_000 + 500 * i for i, name in enumerate(instruments)}
    day, done = first, 0
    while done < days:
        if day.weekday() < 5:
            for name in instruments:
                close = max(1_000, price[name] + rng.randrange(-300, 301))
                low, high = min(close, price[name]) - rng.randrange(0, 100), max(close, price[name]) + rng.randrange(0, 100)
                volume = rng.randrange(0, 200_000)
                value = volume * ((low + high) // 2)
                out.append(MarketDay(day, name, close, None, None, price[name], high, low, volume, value, 0))
                price[name] = close
            done += 1
        day += timedelta(days=1)
    return out


def _second_wednesday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(2 - first.weekday()) % 7 + 7)


def auction_history(months: int = 12, *, seed: int = 1, year: int = 2025, instrument: str = "KAU25") -> list[AuctionResult]:
    """Monthly auctions on the second Wednesday: offered, bid, sold (≤ both), uniform clearing price."""
    rng = random.Random(seed)
    out = []
    for m in range(months):
        when = _second_wednesday(year + m // 12, m % 12 + 1)
        offered = rng.choice((500_000, 800_000, 1_000_000))
        bid = int(offered * rng.uniform(0.6, 2.2))
        out.append(AuctionResult(when.isoformat(), instrument, offered, bid, min(offered, bid), 8_000 + rng.randrange(2_000)))
    return out


def entity_years(entities: int = 50, *, years: tuple[int, ...] = (2021, 2022, 2023), seed: int = 1) -> list[EntityYear]:
    """The long format: ids KR-0001…, a name on the first row of each id (some shared, some blank)."""
    rng = random.Random(seed)
    out = []
    for n in range(1, entities + 1):
        name = "" if n % 7 == 0 else f"{_NAMES[n % 4]} (주)"
        sector = "전환" if n % 3 == 0 else "산업"
        base = rng.randrange(30_000, 3_000_000)
        for i, year in enumerate(years):
            out.append(EntityYear(f"KR-{n:04d}", year, int(base * rng.uniform(0.9, 1.1)), name=name if i == 0 else "",
                                  sector=sector if i == 0 else "", auctioned=(n % 2 == 0) if i == 0 else None))
    return out


def write_bulk_market_csv(path: str | Path, target_bytes: int, *, english: bool = False, seed: int = 1,
                          instruments: int = 500) -> int:
    """Write a daily-prices file of at least ``target_bytes`` row by row; returns the data rows written.

    KRX shape (UTF-8 BOM, quoted thousands separators) or the English shape; every (day,
    instrument) appears once, days from 2000-01-03 on."""
    rng = random.Random(seed)
    names = [f"KAU{n:04d}" for n in range(instruments)]
    rows, written, day = 0, 0, date(2000, 1, 3)
    with open(path, "w", encoding="utf-8", newline="") as out:
        header = "date,symbol,open,high,low,close,volume,value" if english else "\ufeff" + ",".join(MARKET_HEADERS)
        written += out.write(header + "\n")
        while written < target_bytes:
            for name in names:
                close = 8_000 + rng.randrange(2_000)
                volume = rng.randrange(1, 150_000)
                value = volume * close
                if english:
                    line = f"{day.isoformat()},{name},{close - 20},{close + 40},{close - 60},{close},{volume},{value}\n"
                else:
                    line = (f'"{day.isoformat()}",{name},"{close:,}",40,"0.46","{close - 20:,}","{close + 40:,}",'
                            f'"{close - 60:,}","{volume:,}","{value:,}","{close:,}"\n')
                written += out.write(line)
                rows += 1
            day += timedelta(days=1)
    return rows


def main(argv: list[str] | None = None) -> int:
    from . import writers

    parser = argparse.ArgumentParser(prog="python -m datasets.shapes", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="shape", required=True)
    for shape in ("eu-compliance", "market-english", "auctions", "long-format", "bulk-market"):
        p = sub.add_parser(shape)
        p.add_argument("--out", required=True)
        p.add_argument("--seed", type=int, default=1)
    sub.choices["eu-compliance"].add_argument("--installations", type=int, default=17_644)
    sub.choices["eu-compliance"].add_argument("--rows", type=int, default=89_831)
    sub.choices["market-english"].add_argument("--days", type=int, default=250)
    sub.choices["auctions"].add_argument("--months", type=int, default=12)
    sub.choices["auctions"].add_argument("--csv", action="store_true", help="CSV with Korean headers instead of JSON")
    sub.choices["long-format"].add_argument("--entities", type=int, default=50)
    sub.choices["bulk-market"].add_argument("--mb", type=int, default=200)
    sub.choices["bulk-market"].add_argument("--english", action="store_true")
    args = parser.parse_args(argv)
    out = Path(args.out)
    if args.shape == "bulk-market":
        rows = write_bulk_market_csv(out, args.mb << 20, english=args.english, seed=args.seed)
        print(f"{out}: {rows:,} rows, {out.stat().st_size:,} bytes")
        return 0
    if args.shape == "eu-compliance":
        data = writers.eu_compliance_csv(eu_installations(args.installations, args.rows, seed=args.seed))
    elif args.shape == "market-english":
        data = writers.market_daily_english_csv(english_market_history(args.days, seed=args.seed))
    elif args.shape == "auctions":
        results = auction_history(args.months, seed=args.seed)
        data = writers.auction_results_csv(results) if args.csv else writers.auction_results_json(
            results, source="synthetic demo auctions (datasets.shapes)")
    else:
        data = writers.entity_years_csv(entity_years(args.entities, seed=args.seed))
    out.write_bytes(data)
    print(f"{out}: {len(data):,} bytes (synthetic demo data)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
