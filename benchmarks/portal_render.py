"""Portal page render time with the real Phase 3 list: p95 per page, in Korean and English.

Reads the ETRS Phase 3 pre-allocation list (``../shared/datasets/kets``, about 780 companies; ``--companies N``
takes the first N), starts a 1-validator localnet whose genesis registers every company with its 2024
pre-allocation as KAU24, sets the 2024 compliance deadline and has every company submit its 2024 report
(so the compliance table, the certification queue and the registry hold every company). Then each page
runs in-process (Streamlit AppTest: the page's whole script, its chain reads included) ``--runs`` times
per language, as a visitor, an official or a company of the list, with the portal's caches cleared
before each run (a first visit after the cache expired: the slow case), and the p50 / p95 / max
seconds per page are printed (after one uncounted warm-up run of each) and written to ``benchmarks/results/portal-render-<time>.json``.

    PYTHONPATH=. .venv/bin/python benchmarks/portal_render.py                   # the whole list
    PYTHONPATH=. .venv/bin/python benchmarks/portal_render.py --companies 50 --runs 5
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from compliance import PRE_ALLOCATION, YEAR, _all_committed, _broadcast, _governed  # noqa: E402

from protocol.messages.compliance import EmissionsReport, OtherSource, SetComplianceDeadline  # noqa: E402

import datasets  # noqa: E402
from ets.keys import Signer  # noqa: E402
from ets.registry import CompanyEntry  # noqa: E402
from ets.rpc import ChainClient  # noqa: E402
from ets_tools.devnet import GenesisAccount, build_app_state, default_params  # noqa: E402
from ets_tools.localnet import LocalNet  # noqa: E402
from governance.inputs import build_company_inputs  # noqa: E402
from _results import write_figures  # noqa: E402

PAGES = {  # page module: who renders it
    "transparency": None, "allocations": None, "market": None, "compliance_table": None, "auctions": None,
    "stabilisation": None, "market_makers": None, "certification": "government", "proposals": "government",
    "devices": "government", "my_holdings": "company", "my_compliance": "company", "trading": "company",
}


def _percentile(values: list[float], share: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, (len(ordered) * share + 99) // 100 - 1)]


def _chain(inputs, work: Path, base_port: int):
    officials = [Signer.generate() for _ in range(2)]
    signers = [Signer.generate() for _ in inputs]
    accounts = [GenesisAccount(f"gov-{i}", "government", s) for i, s in enumerate(officials, 1)]
    balances = {s.address: {"KAU24": dict(c.emissions)[YEAR]} for s, c in zip(signers, inputs)}
    app_state = build_app_state(accounts, balances=balances, params=default_params())
    for signer, company in zip(signers, inputs):
        record = CompanyEntry(company.company_id, company.company_id, company.sector, signer.address,
                              signer.public_key.hex()).account().to_json()
        del record["type"]
        app_state["accounts"].append(record)
    app_state["accounts"].sort(key=lambda r: r["address"])
    net = LocalNet(work / "net", base_port=base_port)
    net.create(1, chain_id="ets-portal-render-bench", app_state=app_state)
    net.start()
    client = ChainClient(net.rpc_url("node0"), timeout=60)
    now = client.chain_time()
    _governed(client, officials[0], officials[1], SetComplianceDeadline(YEAR, now + 86_400, now + 2 * 86_400))
    reports = [client.sign(s, EmissionsReport(YEAR, (OtherSource("all sites", "annual statement",
                                                                  dict(c.emissions)[YEAR], "0" * 64),)))
               for s, c in zip(signers, inputs)]
    accepted = _all_committed(client, _broadcast(client, reports), 600)
    return net, officials[0], signers[0], inputs[0], accepted


def _user(role: str | None, official: Signer, company: Signer, entry):
    from portal.auth import PortalUser

    if role == "government":
        return PortalUser("official", official.address, "government", "gov-1", signer=official)
    if role == "company":
        return PortalUser("company", company.address, "company", entry.company_id, entry.company_id, entry.sector,
                          signer=company)
    return None


def _render_seconds(module: str, user) -> float:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    for name in list(logging.root.manager.loggerDict):  # the in-process runs log each cache they make
        if name.startswith("streamlit"):
            logging.getLogger(name).setLevel(logging.ERROR)
    st.cache_data.clear()
    app = AppTest.from_string(f"from portal.views import {module}\n{module}.render()\n", default_timeout=120)
    if user is not None:
        app.session_state["portal_user"] = user
    started = time.perf_counter()
    app.run()
    seconds = time.perf_counter() - started
    if app.exception:
        raise RuntimeError(f"{module}: {app.exception[0].value}")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--companies", type=int, default=0, help="the first N companies of the list (0 = all)")
    parser.add_argument("--runs", type=int, default=10, help="renders per page and language")
    parser.add_argument("--base-port", type=int, default=29850)
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
    work = Path(tempfile.mkdtemp(prefix="ets-portal-render-"))
    net = None
    try:
        net, official, company, entry, accepted = _chain(inputs, work, args.base_port)
        os.environ["ETS_PORTAL_NODE"] = net.rpc_url("node0")
        figures: dict = {"companies": len(inputs), "reports_accepted": accepted, "runs": args.runs, "pages": {}}
        for module, role in PAGES.items():
            user = _user(role, official, company, entry)
            for language in ("ko", "en"):
                os.environ["ETS_PORTAL_LANGUAGE"] = language
                _render_seconds(module, user)  # a warm-up, not counted: the first run imports the page's modules
                times = [_render_seconds(module, user) for _ in range(args.runs)]
                row = {"p50": round(_percentile(times, 50), 3), "p95": round(_percentile(times, 95), 3),
                       "max": round(max(times), 3)}
                figures["pages"][f"{module} ({language})"] = row
                print(f"{module + ' (' + language + ')':>28}: p50 {row['p50']:.3f} s  p95 {row['p95']:.3f} s  "
                      f"max {row['max']:.3f} s", flush=True)
        worst = max(figures["pages"].items(), key=lambda kv: kv[1]["p95"])
        figures["worst_p95"] = {"page": worst[0], "seconds": worst[1]["p95"]}
        print(f"companies {len(inputs)}, reports accepted {accepted}; worst p95: {worst[0]} {worst[1]['p95']:.3f} s")
        write_figures(args.out, "portal-render", figures)
    finally:
        if net is not None and net.exists():
            net.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
