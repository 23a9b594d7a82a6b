"""``ets plan``: compute an allocation plan from public data files, verify a plan file, explain a line.

    ets plan compute --params P.toml --pre-allocation F [--certified F ...] [--statements F ...]
                     [--additional-allocation F] [--company-data F] [--history emissions|pre-allocation]
                     [--kind initial|additional] --out plan.json
    ets plan compute --params P.toml (--company-years F | --eu-compliance F) ... --out plan.json
    ets plan verify plan.json
    ets plan explain plan.json COMPANY

``add_plan_commands(subparsers)`` adds these to the ``ets`` parser; ``python -m governance`` runs
them on their own. Progress goes to stderr, results to stdout; errors exit with status 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Callable

import datasets
from datasets.errors import DatasetError

from .company_data import read_company_data
from .engine import compute_allocation_plan
from .errors import AllocationInputError, GovernanceError
from .entity_inputs import entity_inputs, installation_inputs
from .inputs import EngineInputs, build_company_inputs
from .parameters import AllocationParameters, load_parameters
from .plan import PLAN_KINDS, AllocationPlan
from .summary import company_report, summary_table

__all__ = ["add_plan_commands", "main"]

_COMPUTE_HELP = """\
Compute an allocation plan and write it as a canonical JSON file.

The policy comes from the parameters file (TOML; see governance/params.example.toml for every
key and its default). Companies come from the ETRS and NGMS files as downloaded (CSV, HTML or
XLSX; UTF-8 or cp949): the pre-allocation list names the designated companies and their sector,
industry and auctioned flag; certified emissions (then NGMS statements) give each company's
history for grandfathering. --company-data adds benchmark activity/intensity and new entrants.
With --history pre-allocation the pre-allocation (plus any additional allocation) stands in for
the emission history, for demonstrations where emissions are not published for every company.

Companies or installations known by id instead of name come in the generic long format
(--company-years: id, name, sector, industry, auctioned, year, emissions, activity, …) or as an
EU-style compliance table (--eu-compliance: installation id, year, allocated, verified); the
plan's company id is then the id, and names (which may repeat or be blank) are kept apart.

Prints the plan hash and a table per vintage; the SHA-256 of every input file is recorded in the
plan header. The plan file also carries a per-company explanation, which the hash does not cover.

example (the real Phase 3 list, its allocations standing in for emissions), from the repository:
  ets plan compute --params governance/params.example.toml --history pre-allocation --out plan.json --pre-allocation ../shared/datasets/kets/phase3_pre_allocation_2021_2025.csv
  ets plan verify plan.json
  ets plan explain plan.json "경원여객자동차(주)"
"""


def _progress(quiet: bool) -> Callable[[int, int], None] | None:
    if quiet:
        return None

    def report(done: int, total: int) -> None:
        print(f"ets plan: demand computed for {done:,} of {total:,} companies", file=sys.stderr, flush=True)

    return report


def _read(reader: Callable[..., list], path: str, what: str, quiet: bool, **options: object) -> list:
    if not quiet:
        print(f"ets plan: reading {what} from {path}", file=sys.stderr, flush=True)
    try:
        return reader(path, **options)
    except DatasetError as exc:
        more = len(exc.problems) - 1
        also = f" ({more} more problem(s) in the file; `ets data inspect {path}` lists them all)" if more > 0 else ""
        raise AllocationInputError(f"{exc}{also}") from None


def _by_id_inputs(args: argparse.Namespace) -> EngineInputs:
    """Inputs from long-format files and EU-style tables (ids, not names); other company files are refused."""
    if args.pre_allocation or args.certified or args.statements or args.company_data or args.additional_allocation:
        raise AllocationInputError("--company-years and --eu-compliance give companies by id: do not mix them with "
                                   "the files that give companies by name (--pre-allocation, --certified, …)")
    if args.company_years and args.eu_compliance:
        raise AllocationInputError("give either --company-years or --eu-compliance, not both")
    if args.company_years:
        return entity_inputs(r for p in args.company_years
                             for r in _read(datasets.read_entity_years, p, "long-format company years", args.quiet))
    return installation_inputs(r for p in args.eu_compliance
                               for r in _read(datasets.read_eu_compliance, p, "EU-style compliance table", args.quiet))


def _named_hashes(inputs: dict[str, str], name: str, paths: list[str]) -> None:
    for index, path in enumerate(paths, 1):
        inputs[name if index == 1 else f"{name}_{index}"] = datasets.file_sha256(path)


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def _compute(args: argparse.Namespace) -> int:
    quiet = args.quiet
    parameters = load_parameters(args.params)
    inputs: dict[str, str] = {}
    if args.company_years or args.eu_compliance:
        merged = _by_id_inputs(args)
        _named_hashes(inputs, "company_years", args.company_years)
        _named_hashes(inputs, "eu_compliance", args.eu_compliance)
        return _finish(args, parameters, merged, inputs)
    if not (args.pre_allocation or args.certified or args.statements or args.company_data):
        raise AllocationInputError("no companies: give --pre-allocation, --certified, --statements, --company-data, "
                                   "--company-years or --eu-compliance")
    pre = [r for p in args.pre_allocation for r in _read(datasets.read_pre_allocation, p, "pre-allocation", quiet, unique=False)]
    additional = [r for p in args.additional_allocation
                  for r in _read(datasets.read_additional_allocation, p, "additional allocation", quiet, unique=False)]
    certified = [r for p in args.certified for r in _read(datasets.read_certified_emissions, p, "certified emissions", quiet)]
    statements = [r for p in args.statements for r in _read(datasets.read_statements, p, "NGMS statements", quiet)]
    supplement = read_company_data(args.company_data) if args.company_data else []
    history = args.history.replace("-", "_")
    merged = build_company_inputs(
        pre_allocation=pre, additional_allocation=additional, certified_emissions=certified,
        statements=statements, company_data=supplement, history=history,
    )
    _named_hashes(inputs, "pre_allocation", args.pre_allocation)
    _named_hashes(inputs, "additional_allocation", args.additional_allocation)
    _named_hashes(inputs, "certified_emissions", args.certified)
    _named_hashes(inputs, "statements", args.statements)
    _named_hashes(inputs, "company_data", [args.company_data] if args.company_data else [])
    return _finish(args, parameters, merged, inputs)


def _finish(args: argparse.Namespace, parameters: AllocationParameters, merged: EngineInputs,
            inputs: dict[str, str]) -> int:
    plan = compute_allocation_plan(merged.companies, parameters, kind=args.kind, inputs=inputs,
                                   progress=_progress(args.quiet))
    out = Path(args.out)
    _write_atomically(out, plan.to_json(explanations=not args.no_explanations))
    print(summary_table(plan))
    for note in merged.notes:
        print(f"note: {note}")
    print(f"written to {out}")
    return 0


def _load_plan(path: str) -> AllocationPlan:
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise GovernanceError(f"{path}: plan file not found") from None
    return AllocationPlan.from_json(data, source=path)


def _verify(args: argparse.Namespace) -> int:
    plan = _load_plan(args.plan)
    print(f"OK: {args.plan} verifies; its header and {len(plan.lines):,} lines hash to the stored plan hash")
    print(summary_table(plan))
    return 0


def _explain(args: argparse.Namespace) -> int:
    plan = _load_plan(args.plan)
    print(company_report(plan, datasets.company_id(args.company)))
    return 0


def add_plan_commands(subparsers: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """Add ``plan compute|verify|explain`` to an argparse subparsers object (e.g. the ``ets`` parser's).

    Returns the ``plan`` subcommands so callers can add more (``ets`` adds the on-chain ones)."""
    plan = subparsers.add_parser(
        "plan", help="compute, verify and explain allocation plans (할당 계획)",
        description="Allocation plans: computed off chain from public data, verified by anyone, "
                    "approved and issued on chain by the plan hash.",
    )
    sub = plan.add_subparsers(dest="plan_command", required=True)

    p = sub.add_parser("compute", help="compute a plan from data files and a parameters file",
                       description=_COMPUTE_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--params", required=True, metavar="FILE.toml", help="allocation parameters (TOML)")
    p.add_argument("--out", required=True, metavar="plan.json", help="where to write the plan file")
    p.add_argument("--kind", choices=PLAN_KINDS, default="initial",
                   help="initial: from the cap less reserves (default); additional: from the new-entrant reserve")
    p.add_argument("--pre-allocation", action="append", default=[], metavar="FILE",
                   help="ETRS pre-allocation (사전할당) list: the designated companies")
    p.add_argument("--additional-allocation", action="append", default=[], metavar="FILE",
                   help="ETRS additional allocation (used with --history pre-allocation)")
    p.add_argument("--certified", action="append", default=[], metavar="FILE",
                   help="ETRS certified emissions (인증 배출량); repeat for several years")
    p.add_argument("--statements", action="append", default=[], metavar="FILE",
                   help="NGMS company statements (명세서); used for years without certified emissions")
    p.add_argument("--company-data", metavar="FILE",
                   help="CSV supplement: company, sector, industry, auctioned, activity, benchmark_intensity, new_entrant")
    p.add_argument("--company-years", action="append", default=[], metavar="FILE",
                   help="generic long format by id (id, name, sector, year, emissions, …; datasets/long_format.py)")
    p.add_argument("--eu-compliance", action="append", default=[], metavar="FILE",
                   help="EU-style compliance table (installation id, year, allocated, verified; datasets/eutl.py)")
    p.add_argument("--history", choices=("emissions", "pre-allocation"), default="emissions",
                   help="what grandfathering averages: emissions (default) or the pre-allocation as a stand-in")
    p.add_argument("--no-explanations", action="store_true", help="leave the per-company explanations out of the file")
    p.add_argument("--quiet", action="store_true", help="no progress messages on stderr")
    p.set_defaults(func=_compute)

    p = sub.add_parser("verify", help="recompute a plan file's hash and check its totals",
                       description="Read a plan file, recompute the plan hash from its header and lines "
                                   "(protocol.plan_format), check every total against the lines and the cap, "
                                   "and print the summary. Exits 2 if anything does not match.")
    p.add_argument("plan", metavar="plan.json")
    p.set_defaults(func=_verify)

    p = sub.add_parser("explain", help="show how one company's allocation came about",
                       description="Print one company's method, history, demand and per-vintage shares from a plan file.")
    p.add_argument("plan", metavar="plan.json")
    p.add_argument("company", help="company name as published (normalised like every import)")
    p.set_defaults(func=_explain)
    return sub


def main(argv: list[str] | None = None) -> int:
    """Run the plan commands on their own: ``python -m governance plan …``."""
    parser = argparse.ArgumentParser(prog="ets", description="Allocation plans (the `ets plan` commands).")
    add_plan_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (GovernanceError, ValueError, OSError) as exc:
        print(f"ets: {exc}", file=sys.stderr)
        return 2
