"""A compliance year at national scale: time to certify and settle 2024 for every company of the real Phase 3 list.

Reads the ETRS Phase 3 pre-allocation list (``../shared/datasets/kets``, 780 companies; ``--companies N`` takes
the first N), starts a 4-validator localnet whose genesis registers them with their 2024 pre-allocation as
KAU24 (and 5% of it as KCU24), then times each step of the year on the chain:

    reports      every company's emissions_report (other sources = its figure for the year)
    assignment   one governed assign_verifiers batch per 1,000 companies (4 verification bodies)
    statements   every verification_statement, its document sealed to the company and the regulator
    certify      the governed certify_emissions batches, proposal to execution (2 of 3 officials)
    surrenders   every company's private surrender (90% surrender in full, 10% half)
    settlement   from the block past the deadline to the year settled (penalties, blocks)

The certified figure is the 2024 pre-allocation ×(95..105)% by company (deterministic). Prints the figures and
writes them to ``benchmarks/results/compliance-<time>.json``.

    .venv/bin/python benchmarks/compliance.py                   # all 780 companies
    .venv/bin/python benchmarks/compliance.py --companies 20
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from protocol.codes import Code  # noqa: E402
from protocol.constants import MAX_BATCH_COMPANIES  # noqa: E402
from protocol.messages import Approve, Propose  # noqa: E402
from protocol.messages.compliance import (  # noqa: E402
    AssignVerifiers, CertifyEmissions, EmissionsReport, OtherSource, SetComplianceDeadline, Surrender,
    VerificationStatement,
)
from protocol.sealed import seal_document, view_public_hex  # noqa: E402

import datasets  # noqa: E402
from ets.keys import Signer  # noqa: E402
from ets.registry import CompanyEntry  # noqa: E402
from ets.rpc import ChainClient  # noqa: E402
from ets_tools.devnet import GenesisAccount, build_app_state, default_params  # noqa: E402
from ets_tools.localnet import LocalNet  # noqa: E402
from governance.inputs import build_company_inputs  # noqa: E402
from _results import write_figures  # noqa: E402

PRE_ALLOCATION = ROOT.parent / "shared" / "datasets" / "kets" / "phase3_pre_allocation_2021_2025.csv"
YEAR = 2024


def _all_committed(client: ChainClient, hashes: list[str], timeout: float) -> int:
    """Wait until every tx is committed; returns how many were accepted (their public code 0)."""
    accepted = 0
    for tx_hash in hashes:
        commit = client.wait_for_tx(tx_hash, timeout)
        accepted += commit.code == Code.OK
    return accepted


def _broadcast(client: ChainClient, signed: list[bytes]) -> list[str]:
    return [client.broadcast(tx) for tx in signed]


def _governed(client: ChainClient, proposer: Signer, approver: Signer, action) -> None:
    proposal = json.loads(client.submit(proposer, Propose(action), timeout=120).data)["proposal_id"]
    done = json.loads(client.submit(approver, Approve(proposal), timeout=120).data)
    assert done["status"] == "executed", done


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--companies", type=int, default=0, help="the first N companies of the list (0 = all)")
    parser.add_argument("--base-port", type=int, default=29750)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    args = parser.parse_args()
    if not PRE_ALLOCATION.exists():
        print(f"the ETRS Phase 3 list is not at {PRE_ALLOCATION}", file=sys.stderr)
        return 2
    merged = build_company_inputs(pre_allocation=datasets.read_pre_allocation(PRE_ALLOCATION, unique=False),
                                  history="pre_allocation")
    inputs = [c for c in merged.companies if dict(c.emissions).get(YEAR, 0) > 0]
    if args.companies:
        inputs = inputs[:args.companies]
    figures: dict = {"companies": len(inputs), "year": YEAR, "source": "ETRS Phase 3 pre-allocation (2024 column)"}
    work = Path(tempfile.mkdtemp(prefix="ets-compliance-"))
    net = None
    try:
        officials = [Signer.generate() for _ in range(3)]
        verifiers = [Signer.generate() for _ in range(4)]
        signers = [Signer.generate() for _ in inputs]
        accounts = [GenesisAccount(f"gov-{i}", "government", s) for i, s in enumerate(officials, 1)]
        accounts += [GenesisAccount(f"verification body {i}", "verifier", s) for i, s in enumerate(verifiers, 1)]
        allocation = {s.address: dict(c.emissions)[YEAR] for s, c in zip(signers, inputs)}
        balances = {s.address: {"KAU24": allocation[s.address], "KCU24": max(1, allocation[s.address] // 20)} for s in signers}
        app_state = build_app_state(accounts, balances=balances, params=default_params())
        for signer, company in zip(signers, inputs):  # the registry's own entries: company id, NFKC name, sector
            record = CompanyEntry(company.company_id, company.company_id, company.sector, signer.address,
                                  signer.public_key.hex()).account().to_json()
            del record["type"]
            app_state["accounts"].append(record)
        app_state["accounts"].sort(key=lambda r: r["address"])
        net = LocalNet(work / "net", base_port=args.base_port)
        net.create(4, chain_id="ets-compliance-bench", app_state=app_state)
        net.start()
        client = ChainClient(net.rpc_url("node0"), timeout=60)
        gov, approver = officials[0], officials[1]
        _governed(client, gov, approver, SetComplianceDeadline(YEAR, client.chain_time() + 86_400, client.chain_time() + 2 * 86_400))
        certified = {s.address: allocation[s.address] * (95 + i % 11) // 100 for i, s in enumerate(signers)}

        t = time.perf_counter()
        hashes = _broadcast(client, [client.sign(s, EmissionsReport(YEAR, (OtherSource("all sites", "annual statement",
                                                                                       certified[s.address], "0" * 64),)))
                                     for s in signers])
        figures["reports_accepted"] = _all_committed(client, hashes, 300)
        figures["reports_seconds"] = round(time.perf_counter() - t, 2)

        t = time.perf_counter()
        pairs = [(s.address, verifiers[i % len(verifiers)].address) for i, s in enumerate(signers)]
        for i in range(0, len(pairs), MAX_BATCH_COMPANIES):
            _governed(client, gov, approver, AssignVerifiers(YEAR, tuple(pairs[i:i + MAX_BATCH_COMPANIES])))
        figures["assignment_seconds"] = round(time.perf_counter() - t, 2)

        regulator = {gov.address: view_public_hex(gov)}
        t = time.perf_counter()
        signed = []
        for i, s in enumerate(signers):
            digest, sealed = seal_document(f"verification statement {YEAR}: {certified[s.address]} t".encode(),
                                           {s.address: view_public_hex(s), **regulator})
            signed.append(client.sign(verifiers[i % len(verifiers)], VerificationStatement(
                s.address, YEAR, certified[s.address], "unmodified", 0, digest, sealed)))
        figures["statements_accepted"] = _all_committed(client, _broadcast(client, signed), 300)
        figures["statements_seconds"] = round(time.perf_counter() - t, 2)

        t = time.perf_counter()
        entries = sorted(certified.items())
        for i in range(0, len(entries), MAX_BATCH_COMPANIES):
            _governed(client, gov, approver, CertifyEmissions(YEAR, tuple(entries[i:i + MAX_BATCH_COMPANIES]), "as verified"))
        figures["certify_seconds"] = round(time.perf_counter() - t, 2)
        figures["certified_companies"] = client.query(f"/compliance/year/{YEAR}")["certified_companies"]

        t = time.perf_counter()
        signed = [client.sign(s, Surrender(YEAR, "KAU24", min(certified[s.address], allocation[s.address])
                                           if i % 10 else max(1, certified[s.address] // 2)))
                  for i, s in enumerate(signers)]
        hashes = _broadcast(client, signed)
        _all_committed(client, hashes, 300)  # private: their public codes are all 0; read one back as its signer
        figures["surrenders_seconds"] = round(time.perf_counter() - t, 2)

        due = client.chain_time() + 5
        _governed(client, gov, approver, SetComplianceDeadline(YEAR, due - 1, due))
        while client.query(f"/compliance/year/{YEAR}").get("deadline_block") is None:
            time.sleep(0.1)
        t = time.perf_counter()
        while (year := client.query(f"/compliance/year/{YEAR}"))["status"] != "settled":
            time.sleep(0.1)
        figures["settlement_after_deadline_block_seconds"] = round(time.perf_counter() - t, 2)
        figures["settlement_blocks"] = year["settled"]["height"] - year["deadline_block"]["height"] + 1
        figures["status_counts"] = year["counts"]
        table = client.query(f"/compliance/table/{YEAR}")
        figures["table_rows"] = len(table["rows"])
        figures["certify_total_seconds"] = round(sum(figures[k] for k in ("reports_seconds", "assignment_seconds",
                                                                          "statements_seconds", "certify_seconds")), 2)
        figures["settle_total_seconds"] = round(figures["surrenders_seconds"] + figures["settlement_after_deadline_block_seconds"], 2)
        for key, value in figures.items():
            print(f"{key:>42}: {value}")
        write_figures(args.out, "compliance", figures)
    finally:
        if net is not None and net.exists():
            net.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
