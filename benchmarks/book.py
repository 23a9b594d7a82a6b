"""The order book at depth: orders/s with 100,000 resting orders against an empty book, on the chain's state.

Runs the chain's book (``abci_app.modules.trading.book_state``: one key per resting order) on a real state
store (SQLite + the sparse Merkle tree behind the app hash), blocks staged in overlays and committed as the
chain commits them. The same stream of incoming orders (half cross the spread and fill against the best
order, half rest inside the band) runs into an empty book and into books seeded with resting
orders (``--depths``); orders/s counts the book's work and each block's commit (state tree and SQLite). For comparison the
same orders go into the former layout, the whole book as one JSON value rewritten by every order (the
engine's ``Book`` and ``book_to_json``), at the same depth. Prints the figures and writes
``benchmarks/results/book-<time>.json``.

    .venv/bin/python benchmarks/book.py [--depths 0 10000 100000] [--orders 2000] [--block 200] [--json-orders 20]

The first depth is the baseline (0: an empty book); the JSON-value layout runs at the first and the last depth.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from abci_app.market import Book, Order, Side, add_order, book_to_json, match_order  # noqa: E402
from abci_app.market.session import Phase  # noqa: E402
from abci_app.modules.trading import book_state  # noqa: E402
from abci_app.state import Overlay, Store  # noqa: E402
from _results import write_figures  # noqa: E402

INSTRUMENT = "KAU25"
BLINDING_KEY = bytes(range(32))


class Chain:
    """A store with one open block overlay; each order runs in a child overlay merged into the block."""

    def __init__(self, path: Path):
        self.store = Store(path, BLINDING_KEY)
        self.store.reset_genesis("bench", {"params": b"{}"}, 1)
        self.block, self.height = Overlay(self.store), 0

    def commit(self) -> None:
        self.height += 1
        self.store.commit_block(self.height, self.store.stage(self.height, self.block.writes), self.height, self.block.writes, [])
        self.block = Overlay(self.store)


def _seed_orders(count: int, rng: random.Random) -> list[Order]:
    """Resting orders away from the spread: bids 9,000-9,990, asks 10,010-11,000 (5 KRW ticks)."""
    out = []
    for seq in range(1, count + 1):
        side = Side.BUY if seq % 2 else Side.SELL
        price = 9_000 + 5 * rng.randrange(199) if side is Side.BUY else 10_010 + 5 * rng.randrange(199)
        out.append(Order(seq, seq, f"owner{seq % 997}", INSTRUMENT, side, price, rng.randrange(1, 200)))
    return out


def _stream(first_seq: int, count: int, rng: random.Random) -> list[Order]:
    """Incoming orders: even ones cross the spread (a buy at 10,995, a sell at 9,005), odd ones rest in the band."""
    out = []
    for i in range(count):
        seq = first_seq + i
        side = Side.BUY if (i // 2) % 2 else Side.SELL
        if i % 2 == 0:
            price = 10_995 if side is Side.BUY else 9_005
        else:
            price = 9_000 + 5 * rng.randrange(199) if side is Side.BUY else 10_010 + 5 * rng.randrange(199)
        out.append(Order(seq, seq, f"taker{seq % 101}", INSTRUMENT, side, price, rng.randrange(1, 50)))
    return out


def run_keyed(work: Path, resting: int, orders: int, block: int, seed: int) -> dict:
    chain = Chain(work / f"keyed-{resting}.sqlite")
    rng = random.Random(seed)
    started = time.perf_counter()
    for i, order in enumerate(_seed_orders(resting, rng), start=1):
        book_state.rest(chain.block, order)
        if i % 5_000 == 0:
            chain.commit()
    chain.commit()
    seeded = time.perf_counter() - started
    stream = _stream(resting + 1, orders, random.Random(seed + 1))
    fills = 0
    started = time.perf_counter()
    for i, order in enumerate(stream, start=1):
        view = chain.block.child()
        made, _ = book_state.place(view, order, Phase.CONTINUOUS, height=chain.height)
        view.merge()
        fills += len(made)
        if i % block == 0:
            chain.commit()
    chain.commit()
    elapsed = time.perf_counter() - started
    keys = sum(1 for _ in chain.store.items())
    chain.store.close()
    return {"layout": "one key per order", "resting": resting, "orders": orders, "fills": fills, "seconds": round(elapsed, 3),
            "orders_per_s": round(orders / elapsed, 1), "us_per_order": round(elapsed / orders * 1e6, 1),
            "seed_seconds": round(seeded, 1), "state_keys": keys}


def run_json_value(work: Path, resting: int, orders: int, block: int, seed: int) -> dict:
    """The former layout: the whole book one JSON value under book/<instrument>, rewritten by every order."""
    chain = Chain(work / f"json-{resting}.sqlite")
    book = Book(INSTRUMENT)
    for order in _seed_orders(resting, random.Random(seed)):
        book = add_order(book, order)
    chain.block.set(f"book/{INSTRUMENT}", book_to_json(book))
    chain.commit()
    stream = _stream(resting + 1, orders, random.Random(seed + 1))
    fills = 0
    started = time.perf_counter()
    for i, order in enumerate(stream, start=1):
        result = match_order(book, order, height=chain.height)
        book, fills = result.book, fills + len(result.fills)
        chain.block.set(f"book/{INSTRUMENT}", book_to_json(book))
        if i % block == 0:
            chain.commit()
    chain.commit()
    elapsed = time.perf_counter() - started
    chain.store.close()
    return {"layout": "one JSON value per book", "resting": resting, "orders": orders, "fills": fills,
            "seconds": round(elapsed, 3), "orders_per_s": round(orders / elapsed, 1),
            "us_per_order": round(elapsed / orders * 1e6, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--depths", type=int, nargs="+", default=[0, 10_000, 100_000],
                        help="resting orders before the measured stream; the first is the baseline")
    parser.add_argument("--orders", type=int, default=2_000, help="incoming orders measured per run")
    parser.add_argument("--block", type=int, default=200, help="orders per committed block")
    parser.add_argument("--json-orders", type=int, default=20, help="orders measured in the one-JSON-value layout")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ets-book-"))
    try:
        keyed = [run_keyed(work, depth, args.orders, args.block, args.seed) for depth in args.depths]
        json_value = [run_json_value(work, depth, args.json_orders, min(args.block, args.json_orders), args.seed)
                      for depth in (args.depths[0], args.depths[-1])]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    rows = keyed + json_value
    print(f"{'layout':<26}{'resting':>10}{'orders':>8}{'fills':>7}{'orders/s':>12}{'µs/order':>14}")
    for row in rows:
        print(f"{row['layout']:<26}{row['resting']:>10,}{row['orders']:>8,}{row['fills']:>7,}{row['orders_per_s']:>12,.1f}"
              f"{row['us_per_order']:>14,.1f}")
    base, deep = keyed[0], keyed[-1]
    ratio = deep["orders_per_s"] / base["orders_per_s"]
    print(f"one key per order: {deep['orders_per_s']:,.0f} orders/s with {deep['resting']:,} resting orders, "
          f"{ratio:.2f}× the {base['resting']:,}-order book's {base['orders_per_s']:,.0f} (seeding took {deep['seed_seconds']} s)")
    print(f"one JSON value: {json_value[-1]['orders_per_s']:,.1f} orders/s with {deep['resting']:,} resting orders "
          f"({deep['orders_per_s'] / json_value[-1]['orders_per_s']:,.0f}× fewer than one key per order)")
    write_figures(args.out, "book", {"rows": rows, "deepest_over_baseline": round(ratio, 3)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
