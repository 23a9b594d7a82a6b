"""An ABCI app that does no work, served by this project's socket server (``abci_app.server``).

``throughput.py`` runs it on every node of a 4-validator network as its socket baseline: what CometBFT
and the ABCI socket allow an out-of-process app that spends nothing on a tx. The built-in ``kvstore``
baseline never crosses a socket, so it cannot show that cost. The app accepts every tx, puts the
mempool's txs into blocks up to the size CometBFT allows, and commits a hash of the number of txs it has
executed (the same on every node).

    .venv/bin/python benchmarks/_null_app.py --listen tcp://127.0.0.1:28758
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from abci_app.proto import abci  # noqa: E402
from abci_app.server import AbciServer  # noqa: E402

TX_OVERHEAD = 8  # bytes CometBFT counts per tx in a block beyond the tx itself (at most)


class _Height:
    height = 0


class NullApp:
    """Every request answered at once; the state is the number of txs executed."""

    def __init__(self) -> None:
        self.store = _Height()  # the server logs the store's height at start
        self.executed = 0

    def _app_hash(self) -> bytes:
        return hashlib.sha256(b"null-app %d" % self.executed).digest()

    def info(self, req):
        height = self.store.height
        return abci.ResponseInfo(data="null", last_block_height=height, last_block_app_hash=self._app_hash() if height else b"")

    def init_chain(self, req):
        return abci.ResponseInitChain()

    def check_tx(self, req):
        return abci.ResponseCheckTx(code=0)

    def query(self, req):
        return abci.ResponseQuery(code=0)

    def echo(self, req):
        return abci.ResponseEcho(message=req.message)

    def flush(self, req):
        return abci.ResponseFlush()

    def prepare_proposal(self, req):
        chosen, used = [], 0
        for tx in req.txs:
            if used + len(tx) + TX_OVERHEAD > req.max_tx_bytes:
                break
            chosen.append(tx)
            used += len(tx) + TX_OVERHEAD
        return abci.ResponsePrepareProposal(txs=chosen)

    def process_proposal(self, req):
        return abci.ResponseProcessProposal(status=abci.ResponseProcessProposal.ACCEPT)

    def extend_vote(self, req):
        return abci.ResponseExtendVote()

    def verify_vote_extension(self, req):
        return abci.ResponseVerifyVoteExtension(status=abci.ResponseVerifyVoteExtension.ACCEPT)

    def finalize_block(self, req):
        self.executed += len(req.txs)
        self.store.height = req.height
        return abci.ResponseFinalizeBlock(tx_results=[abci.ExecTxResult(code=0) for _ in req.txs], app_hash=self._app_hash())

    def commit(self, req):
        return abci.ResponseCommit()

    def list_snapshots(self, req):
        return abci.ResponseListSnapshots()

    def offer_snapshot(self, req):
        return abci.ResponseOfferSnapshot(result=abci.ResponseOfferSnapshot.REJECT)

    def load_snapshot_chunk(self, req):
        return abci.ResponseLoadSnapshotChunk()

    def apply_snapshot_chunk(self, req):
        return abci.ResponseApplySnapshotChunk(result=abci.ResponseApplySnapshotChunk.ABORT)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listen", required=True, help="tcp://HOST:PORT or unix:///path, as abci_app's --listen")
    args = parser.parse_args()
    asyncio.run(AbciServer(NullApp(), args.listen).serve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
