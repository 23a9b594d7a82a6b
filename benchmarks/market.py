"""Market load: crossing limit orders on a 4-validator localnet (24-hour continuous session).

Half the companies sell and half buy at the same price, alternating, so every buy fills against a
resting sell in the block that commits it. Uses the load generator of ``throughput.py``: orders/s
the network commits and matches, and p50/p99 latency from broadcast to the block holding the
fill, and each node's app peak memory (VmHWM). Prints a table and writes ``benchmarks/results/market-<time>.json``.

    .venv/bin/python benchmarks/market.py [--rates 200 400 600 800] [--seconds 8]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from protocol.messages import FundCash, PlaceOrder  # noqa: E402

from ets.keys import Signer  # noqa: E402
from ets.rpc import ChainClient  # noqa: E402
from ets_tools.devnet import GenesisAccount, build_app_state, default_params  # noqa: E402
from ets_tools.localnet import LocalNet  # noqa: E402

from throughput import measure, print_table  # noqa: E402
from _memory import app_peak_rss_mb  # noqa: E402
from _results import write_figures  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rates", type=int, nargs="+", default=[200, 400, 600, 800])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--companies", type=int, default=200)
    parser.add_argument("--base-port", type=int, default=30650)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ets-market-"))
    net = None
    try:
        sellers = [Signer.generate() for _ in range(args.companies // 2)]
        buyers = [Signer.generate() for _ in range(args.companies // 2)]
        bank = Signer.generate()
        accounts = [GenesisAccount(f"gov-{i}", "government", Signer.generate()) for i in range(3)]
        accounts += [GenesisAccount("bank", "bank", bank)]
        accounts += [GenesisAccount(f"s{i}", "company", s) for i, s in enumerate(sellers)]
        accounts += [GenesisAccount(f"b{i}", "company", s) for i, s in enumerate(buyers)]
        app_state = build_app_state(accounts, balances={s.address: {"KAU25": 10**8} for s in sellers},
                                    params=default_params(market_around_the_clock=1))
        net = LocalNet(work / "net", base_port=args.base_port)
        net.create(4, chain_id="ets-market-bench", app_state=app_state)
        net.start()
        client = ChainClient(net.rpc_url("node0"), timeout=60)
        nonce = 0
        last = ""
        for buyer in buyers:
            last = client.broadcast(client.sign(bank, FundCash(buyer.address, 10**13), nonce))
            nonce += 1
        client.wait_for_tx(last, timeout=60)
        nonces = {s.address: 0 for s in sellers + buyers}

        def make(rate: int, seconds: float, nodes: int) -> list[list[bytes]]:
            per_node: list[list[bytes]] = [[] for _ in range(nodes)]
            for i in range(int(rate * seconds)):
                pair = (i // 2) % len(sellers)
                signer, side = (sellers[pair], "sell") if i % 2 == 0 else (buyers[pair], "buy")
                msg = PlaceOrder("KAU25", side, 10_000, 1)
                per_node[pair % nodes].append(client.seal(signer.sign_tx("ets-market-bench", nonces[signer.address], msg)))
                nonces[signer.address] += 1
            return per_node

        rows = []
        for rate in args.rates:
            rows.append(measure(net, rate, args.seconds, make))
            rows[-1]["app_peak_rss_mb"] = app_peak_rss_mb(net)["max"]  # peak so far, this step included
        for row in rows:
            print_table("orders (half of them fill on arrival)", [row])
        print_table("market orders, 4 validators", rows)
        fills = client.query("/market/trades/KAU25")
        print(f"latest trade seq {fills[0]['seq'] if fills else 0}")
        write_figures(args.out, "market", {"validators": 4, "rows": rows, "app_peak_rss_mb": app_peak_rss_mb(net)})
    finally:
        if net is not None and net.exists():
            net.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
