"""A government auction of 1,000 sealed bids, measured in-process: the clearing rule alone, and the closing
block that clears and settles every bid (DvP, refunds, public result) on the real ``Application``.

Runs two real ``Application``s (no CometBFT): a proposer that makes each block (its outcome appended, as
CometBFT's proposer would) and the validator measured, which executes every block itself through
ProcessProposal, FinalizeBlock and Commit. The bids are private txs, sealed like a client's. Bidders bid
deterministically (seeded): prices 10,000-15,000 KRW on the tick, quantities within the 15% cap, and the
demand is about twice the volume, so the margin is rationed pro rata.

    clear        the pure clearing rule (abci_app.market.allowance_auction.clear) for the bids, median of runs
    bids         ProcessProposal + FinalizeBlock + Commit per bid (escrow, caps), blocks of --block bids
    closing      ProcessProposal + FinalizeBlock + Commit of the empty block at the close (the end-block hook
                 clears and settles every bid)

    .venv/bin/python benchmarks/auctions.py [--bids 1000] [--bidders 200] [--block 500]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey  # noqa: E402
from google.protobuf.timestamp_pb2 import Timestamp  # noqa: E402

from protocol.codec import tx_hash  # noqa: E402
from protocol.codes import Code  # noqa: E402
from protocol.exposure import PRIVATE  # noqa: E402
from protocol.messages import Approve, AuctionBid, AuctionEntry, FundCash, Propose, ScheduleAuctions  # noqa: E402
from protocol.private_tx import public_bytes, seal_tx  # noqa: E402

from abci_app.app import Application  # noqa: E402
from abci_app.blinding import new_blinding_key  # noqa: E402
from abci_app.market.allowance_auction import Bid, cap_tonnes, clear  # noqa: E402
from abci_app.privacy import ExecutionKeys  # noqa: E402
from abci_app.proto import abci  # noqa: E402
from ets.keys import Signer  # noqa: E402
from ets_tools.devnet import GenesisAccount, build_app_state  # noqa: E402
from _results import write_figures  # noqa: E402

CHAIN = "bench-auction"
START = 1_800_000_000


class _Pair:
    """The proposer and the measured validator, fed the same blocks."""

    def __init__(self, homes: tuple[str, str], state: dict, key: X25519PrivateKey):
        blinding = new_blinding_key()
        self.proposer, self.app = (Application(h, blinding_key=blinding, execution_keys=ExecutionKeys(keys={1: key}))
                                   for h in homes)
        for node in (self.proposer, self.app):
            node.init_chain(abci.RequestInitChain(chain_id=CHAIN, app_state_bytes=json.dumps(state).encode(),
                                                  time=Timestamp(seconds=START)))
        self.height, self.readers = 0, [public_bytes(key), bytes.fromhex(state["privacy"]["regulator_key"])]

    def block(self, txs: list[bytes], time_: int) -> float:
        """Run one block; returns the seconds the measured validator spent on it."""
        self.height += 1
        ts, block_hash = Timestamp(seconds=time_), self.height.to_bytes(32, "big")
        block = list(self.proposer.prepare_proposal(abci.RequestPrepareProposal(
            txs=txs, max_tx_bytes=1 << 30, height=self.height, time=ts)).txs)
        assert block[:-1] == txs, "the proposer left txs out of its block"
        self.proposer.finalize_block(abci.RequestFinalizeBlock(txs=block, height=self.height, time=ts, hash=block_hash))
        self.proposer.commit(abci.RequestCommit())
        t = time.perf_counter()
        status = self.app.process_proposal(abci.RequestProcessProposal(txs=block, height=self.height, time=ts, hash=block_hash))
        assert status.status == abci.ResponseProcessProposal.ACCEPT
        response = self.app.finalize_block(abci.RequestFinalizeBlock(txs=block, height=self.height, time=ts, hash=block_hash))
        self.app.commit(abci.RequestCommit())
        seconds = time.perf_counter() - t
        for tx, result in zip(txs, response.tx_results):
            code = self.app.store.tx_result(tx_hash(tx))[2]
            assert result.code == Code.OK and code == Code.OK, f"a tx failed with code {code}"
        return seconds

    def tx(self, signer: Signer, nonce: int, msg) -> bytes:
        raw = signer.sign_tx(CHAIN, nonce, msg)
        return seal_tx(raw, 1, self.readers) if msg.TYPE in PRIVATE else raw


def _bids(n: int, bidders: int, volume: int, cap: int, seed: int) -> list[tuple[int, int, int]]:
    """(bidder index, price, quantity): each bidder's bids within its cap; demand ≈ 2 × volume."""
    rng = random.Random(seed)
    per = -(-n // bidders)
    mean = max(1, 2 * volume // n)
    out, total = [], {}
    for i in range(n):
        who = i % bidders
        room = cap - total.get(who, 0)
        quantity = max(1, min(room // max(1, per - i // bidders), rng.randint(mean // 2 or 1, mean * 3 // 2)))
        total[who] = total.get(who, 0) + quantity
        out.append((who, 10_000 + 5 * rng.randint(0, 1_000), quantity))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bids", type=int, default=1000)
    parser.add_argument("--bidders", type=int, default=200, help="companies bidding (at most 20 bids each)")
    parser.add_argument("--block", type=int, default=500, help="bids per block")
    parser.add_argument("--volume", type=int, default=1_000_000, help="tonnes on sale")
    parser.add_argument("--runs", type=int, default=5, help="runs of the pure clearing rule (median)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results"), help="folder for the JSON result")
    args = parser.parse_args()
    if args.bids > 20 * args.bidders:
        parser.error("a company bids at most 20 times in one auction: raise --bidders")
    officials, bank = [Signer.generate() for _ in range(2)], Signer.generate()
    companies = [Signer.generate() for _ in range(args.bidders)]
    accounts = [GenesisAccount(f"gov-{i}", "government", s) for i, s in enumerate(officials, 1)]
    accounts += [GenesisAccount("bank", "bank", bank)] + [GenesisAccount(f"c{i}", "company", s) for i, s in enumerate(companies)]
    key = X25519PrivateKey.generate()
    state = build_app_state(accounts, params={"approvals_required": 2, "proposal_ttl_seconds": 604_800,
                                              "query_max_age_seconds": 30}, execution_key=public_bytes(key).hex())
    cap = cap_tonnes(args.volume, 1_500)
    bids = _bids(args.bids, args.bidders, args.volume, cap, args.seed)
    figures: dict = {"bids": args.bids, "bidders": args.bidders, "volume": args.volume, "cap": cap,
                     "demand": sum(q for _, _, q in bids)}
    runs = []
    sealed_bids = [Bid(i + 1, str(w), p, q) for i, (w, p, q) in enumerate(bids)]
    for _ in range(args.runs):
        t = time.perf_counter()
        result = clear(sealed_bids, args.volume, cap)
        runs.append(time.perf_counter() - t)
    figures["clear_ms"] = statistics.median(runs) * 1e3
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        pair = _Pair((a, b), state, key)
        nonces: dict[str, int] = {}

        def tx(signer: Signer, msg) -> bytes:
            nonce = nonces.get(signer.address, 0)
            nonces[signer.address] = nonce + 1
            return pair.tx(signer, nonce, msg)

        now = START + 5
        pair.block([tx(bank, FundCash(c.address, 10**13)) for c in companies], now)
        opens = START + 3_600
        pid = 1
        pair.block([tx(officials[0], Propose(ScheduleAuctions((AuctionEntry("KAU30", opens, opens + 3_600, args.volume),))))], now + 5)
        pair.block([tx(officials[1], Approve(pid))], now + 10)
        pair.block([], opens)  # the chain opens the auction and fixes the reserve price
        signed = [tx(companies[w], AuctionBid(1, p, q)) for w, p, q in bids]
        bid_seconds = sum(pair.block(signed[i:i + args.block], opens + 5 + i) for i in range(0, len(signed), args.block))
        figures["bid_us"] = bid_seconds / len(signed) * 1e6
        figures["closing_ms"] = pair.block([], opens + 3_600) * 1e3
        record = json.loads(pair.app.store.get("auc/auction/000001"))["result"]
    assert (record["price"], record["sold"]) == (result.price, result.sold), "the chain and the rule disagree"
    figures.update(price=record["price"], sold=record["sold"], winners=record["winners"], winning_bids=record["winning_bids"])
    print(f"{args.bids:,} bids from {args.bidders:,} companies for {args.volume:,} t (cap {cap:,} t, demand {figures['demand']:,} t)")
    print(f"  clearing rule alone:        {figures['clear_ms']:8.2f} ms")
    print(f"  bids on chain:              {figures['bid_us']:8.0f} us per bid (escrow, cap; blocks of {args.block})")
    print(f"  closing block (clear+DvP):  {figures['closing_ms']:8.1f} ms")
    print(f"  uniform price {record['price']:,} KRW, sold {record['sold']:,} t to {record['winners']} companies "
          f"({record['winning_bids']} winning bids)")
    write_figures(args.out, "auctions", figures, log=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
