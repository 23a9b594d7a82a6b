"""Where a validator's app spends its time per signed transfer, measured in-process.

Runs the real ``Application`` (no CometBFT) through CheckTx, RECHECK, ProcessProposal,
FinalizeBlock and Commit for blocks of signed transfers and prints microseconds per tx for each
stage. Times are this process's CPU time (``time.process_time``), so a machine other work shares
still gives comparable figures.

    .venv/bin/python benchmarks/app_cpu.py [--txs 20000] [--block 2000]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
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
from protocol.messages import Transfer  # noqa: E402
from protocol.private_tx import open_tx, public_bytes, seal_tx  # noqa: E402

from abci_app.app import Application  # noqa: E402
from abci_app.blinding import new_blinding_key  # noqa: E402
from abci_app.privacy import ExecutionKeys  # noqa: E402
from abci_app.proto import abci  # noqa: E402
from ets.keys import Signer  # noqa: E402
from ets_tools.devnet import GenesisAccount, build_app_state  # noqa: E402
from _results import write_figures  # noqa: E402


_clock = time.process_time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--txs", type=int, default=20000)
    parser.add_argument("--block", type=int, default=2000)
    parser.add_argument("--senders", type=int, default=400)
    parser.add_argument("--profile", action="store_true", help="also print where CheckTx spends its time (cProfile, top 15)")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results"), help="folder for the JSON result")
    args = parser.parse_args()
    senders = [Signer.generate() for _ in range(args.senders)]
    accounts = [GenesisAccount(f"gov-{i}", "government", Signer.generate()) for i in range(3)]
    accounts += [GenesisAccount(f"c{i}", "company", s) for i, s in enumerate(senders)]
    execution_key = X25519PrivateKey.generate()
    state = build_app_state(accounts, balances={s.address: {"KAU25": 10**9} for s in senders},
                            execution_key=public_bytes(execution_key).hex())
    readers = [public_bytes(execution_key), bytes.fromhex(state["privacy"]["regulator_key"])]
    t = _clock()
    nonces = {s.address: 0 for s in senders}
    inner = []
    for i in range(args.txs):
        s, r = senders[i % len(senders)], senders[(i + 1) % len(senders)]
        inner.append(s.sign_tx("bench", nonces[s.address], Transfer(r.address, "KAU25", 1)))
        nonces[s.address] += 1
    sign_us = (_clock() - t) / len(inner) * 1e6
    t = _clock()
    txs = [seal_tx(tx, 1, readers) for tx in inner]  # transfers are private: sealed to the execution and regulator keys
    seal_us = (_clock() - t) / len(txs) * 1e6
    t = _clock()
    for tx in txs[:2000]:
        open_tx(tx, execution_key)
    open_us = (_clock() - t) / min(2000, len(txs)) * 1e6
    print(f"sealing (client side): {seal_us:.1f} us/tx; opening (each validator): {open_us:.1f} us/tx; "
          f"{sum(map(len, inner)) / len(inner):.0f} → {sum(map(len, txs)) / len(txs):.0f} bytes per tx")
    with tempfile.TemporaryDirectory() as home, tempfile.TemporaryDirectory() as proposer_home:
        blinding = new_blinding_key()
        # ``app`` is the validator measured; ``proposer`` makes each block as CometBFT's proposer would (its
        # PrepareProposal appends the block outcome), so the measured app executes every block itself
        app, proposer = (Application(h, blinding_key=blinding, execution_keys=ExecutionKeys(keys={1: execution_key}))
                         for h in (home, proposer_home))
        for node in (app, proposer):
            node.init_chain(abci.RequestInitChain(chain_id="bench", app_state_bytes=json.dumps(state).encode(),
                                                  time=Timestamp(seconds=1_800_000_000)))
        totals = {"check_tx": 0.0, "recheck": 0.0, "process_proposal": 0.0, "finalize_block": 0.0, "commit": 0.0}
        blocks = [txs[start : start + args.block] for start in range(0, len(txs), args.block)]

        profile = cProfile.Profile() if args.profile else None

        def check(block_txs: list[bytes], kind) -> None:
            requests = [abci.RequestCheckTx(tx=tx, type=kind) for tx in block_txs]
            if profile is not None and kind == abci.CheckTxType.NEW:
                profile.enable()
            t = _clock()
            for request in requests:
                assert app.check_tx(request).code == Code.OK
            totals["check_tx" if kind == abci.CheckTxType.NEW else "recheck"] += _clock() - t
            if profile is not None:
                profile.disable()

        check(blocks[0], abci.CheckTxType.NEW)
        for height, client_txs in enumerate(blocks, 1):
            waiting = blocks[height] if height < len(blocks) else []
            check(waiting, abci.CheckTxType.NEW)  # the next block's txs reach the mempool meanwhile
            ts = Timestamp(seconds=1_800_000_000 + height)
            block_hash = height.to_bytes(32, "big")
            block = list(proposer.prepare_proposal(abci.RequestPrepareProposal(
                txs=client_txs, max_tx_bytes=1 << 30, height=height, time=ts)).txs)
            assert block[:-1] == client_txs, "the proposer left transfers out of its block"
            proposer.finalize_block(abci.RequestFinalizeBlock(txs=block, height=height, time=ts, hash=block_hash))
            proposer.commit(abci.RequestCommit())
            t = _clock()
            assert app.process_proposal(abci.RequestProcessProposal(txs=block, height=height, time=ts, hash=block_hash)).status == abci.ResponseProcessProposal.ACCEPT
            totals["process_proposal"] += _clock() - t
            t = _clock()
            app.finalize_block(abci.RequestFinalizeBlock(txs=block, height=height, time=ts, hash=block_hash))
            totals["finalize_block"] += _clock() - t
            t = _clock()
            app.commit(abci.RequestCommit())
            totals["commit"] += _clock() - t
            check(waiting, abci.CheckTxType.RECHECK)  # CometBFT re-sends what is still in its mempool
        failed = [tx for tx in txs if app.store.tx_result(tx_hash(tx))[2] != Code.OK]  # private results: read them
        if failed:
            raise SystemExit(f"{len(failed)} of {len(txs)} transfers failed: the figures would not measure transfers")
        print(f"signing (client side): {sign_us:.1f} us/tx")
        for stage, seconds in totals.items():
            print(f"{stage:>17}: {seconds / len(txs) * 1e6:7.1f} us/tx")
        if profile is not None:
            pstats.Stats(profile).sort_stats("tottime").print_stats(15)
        total = sum(totals.values()) / len(txs)
        print(f"{'total per node':>17}: {total * 1e6:7.1f} us/tx  → one core sustains ~{1 / total:,.0f} tx/s per node")
    figures = {"txs": len(txs), "block": args.block, "senders": args.senders, "sign_us": sign_us, "seal_us": seal_us,
               "open_us": open_us, "inner_bytes": sum(map(len, inner)) / len(inner), "sealed_bytes": sum(map(len, txs)) / len(txs),
               **{f"{stage}_us": seconds / len(txs) * 1e6 for stage, seconds in totals.items()}}
    write_figures(args.out, "app_cpu", figures, log=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
