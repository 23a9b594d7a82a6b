"""``ets data inspect``: what a data file is, how it was read, and everything wrong with it.

    ets data inspect FILE [--kind K] [--mapping MAP.toml] [--json]

Recognises every kind the project reads — NGMS statements, ETRS allocations, certified
emissions, offsets and cap, market daily prices (KRX or English headers), government auction
results, EU-style compliance tables, the generic long format, demo sites, and sensor CSV files
of the edge uploader — and prints the kind, the source label, the encoding, the header row and
the header each field was read from (or how it is derived), the rows read, the first and last
date or year, and every problem found (up to 100, each with its row and column).
``--json`` prints the same as one object (at least ``kind``, ``rows``, ``encoding``, ``columns``,
``problems``). Exit status: 0 when the file could be read (even with problems listed), 2 when it
cannot be read at all (missing, too large, not text, no header of any known kind).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from datasets.errors import DatasetError
from datasets.inspect import inspect_file
from datasets.kinds import KIND_NAMES
from datasets.mapping import load_mapping

from edge_uploader.errors import SourceError
from edge_uploader.sources.replay import UCI_NAMES, read_sensor_file

__all__ = ["add_data_commands", "SENSOR_KIND"]

SENSOR_KIND = "sensor_csv"


def _sensor_report(path: str) -> dict[str, Any]:
    read = read_sensor_file(path, collect=True)
    names = {i: name for name, i in read.columns.items()}
    columns = [{"field": name.lower(), "header": (name if read.header_row else f"column {i + 1}"), "derived": None,
                "required": name == "TEY"} for i, name in sorted(names.items())]
    columns.append({"field": "co2_kg", "header": None, "required": False,
                    "derived": "TEY (MWh) × the site's emission factor (g CO2/MWh) ÷ 1000, rounded half up"})
    hours = read.hours
    return {
        "file": read.path.name, "kind": SENSOR_KIND, "title": "gas-turbine sensor readings (UCI layout), hourly",
        "source_label": f"UCI Gas Turbine CO and NOx Emission data set layout (file {read.path.name})",
        "format": "csv", "encoding": "utf-8", "header_row": read.header_row, "columns": columns,
        "rows": len(read.kg),
        "first": _iso_hour(hours[0]) if hours else None, "last": _iso_hour(hours[-1]) if hours else None,
        "problems": [{"row": row, "column": None if column is None else names.get(column - 1, f"column {column}"),
                      "message": message} for row, column, message in read.problems],
        "problems_total": read.problems_total,
    }


def _iso_hour(stamp: int) -> str:
    from datetime import datetime, timedelta, timezone

    return datetime.fromtimestamp(stamp, timezone(timedelta(hours=9))).isoformat(timespec="minutes")


def _looks_like_sensor_file(path: str) -> bool:
    try:
        with open(path, encoding="utf-8-sig") as f:
            first = f.readline()
    except (OSError, UnicodeDecodeError):
        return False
    cells = [c.strip().upper() for c in first.split(",")]
    numeric = all(c.replace(".", "", 1).replace("-", "", 1).isdigit() for c in cells if c)
    return (numeric and len(cells) == len(UCI_NAMES)) or "TEY" in cells


def _report(args: argparse.Namespace) -> dict[str, Any]:
    if args.kind == SENSOR_KIND:
        return _sensor_report(args.file)
    mapping = load_mapping(args.mapping) if args.mapping else None
    try:
        return inspect_file(args.file, kind=args.kind, mapping=mapping).to_json()
    except DatasetError:
        if args.kind is None and _looks_like_sensor_file(args.file):
            return _sensor_report(args.file)
        raise


def _print_text(report: dict[str, Any]) -> None:
    print(f"file:      {report['file']}")
    print(f"kind:      {report['kind']} — {report['title']}")
    print(f"source:    {report['source_label']}")
    header = f"header in row {report['header_row']}" if report["header_row"] is not None else "no header row"
    print(f"format:    {report['format']}, encoding {report['encoding']}, {header}")
    print("columns:")
    for c in report["columns"]:
        if c["header"] is not None:
            print(f"  {c['field']:<20} ← {c['header']}")
        elif c["derived"]:
            print(f"  {c['field']:<20} derived: {c['derived']}")
        else:
            print(f"  {c['field']:<20} (absent)")
    span = f", {report['first']} … {report['last']}" if report["first"] is not None else ""
    print(f"rows read: {report['rows']:,}{span}")
    total, shown = report["problems_total"], report["problems"]
    if not total:
        print("problems:  none")
        return
    more = f" (the first {len(shown)} shown)" if len(shown) < total else ""
    print(f"problems:  {total:,}{more}")
    for p in shown:
        print(f"  {p['message']}")


def _inspect(args: argparse.Namespace) -> int:
    try:
        report = _report(args)
    except (DatasetError, SourceError) as exc:
        print(f"ets: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        _print_text(report)
    return 0


def add_data_commands(sub: argparse._SubParsersAction) -> None:
    """Add ``data inspect`` to the ``ets`` parser."""
    data = sub.add_parser("data", help="public data files: recognise, read and check them (off chain)",
                          description="Public data files (NGMS, ETRS, KRX, auctions, EU-style tables, sensor CSV).")
    data_sub = data.add_subparsers(dest="data_command", required=True)
    p = data_sub.add_parser("inspect", help="what a file is, how it is read, and every problem in it",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file", metavar="FILE")
    p.add_argument("--kind", choices=(*KIND_NAMES, SENSOR_KIND), help="read the file as this kind (default: detect)")
    p.add_argument("--mapping", metavar="MAP.toml", help="a column-mapping file for headers no format knows "
                                                         "(see datasets/mapping.py)")
    p.add_argument("--json", action="store_true", help="print the report as one JSON object")
    p.set_defaults(func=_inspect)
