"""What account security costs a validator, measured in-process on the real ``Application`` (no CometBFT).

Three groups of companies send sealed transfers in blocks (FinalizeBlock + Commit timed per tx):

    plain        transfer, the account never under custody (the baseline)
    capped       transfer under custody without four eyes: the caps on an untrusted recipient and the usage windows
    four_eyes    custody_transfer by an initiator (tonnes held), then custody_approve by an approver (executes)

then the end-of-block hook expires ``--expire`` waiting transfers in one block (its FinalizeBlock timed whole).
The representatives sign with their own keys, so every tx also pays the pipeline's representative lookup.

    .venv/bin/python benchmarks/custody.py [--companies 200] [--rounds 5] [--expire 1000]
"""

from __future__ import annotations

import argparse
import json
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
from protocol.messages.custody import CustodyApprove, CustodySettings, CustodyTransfer  # noqa: E402
from protocol.private_tx import public_bytes, seal_tx  # noqa: E402

from abci_app.app import Application  # noqa: E402
from abci_app.blinding import new_blinding_key  # noqa: E402
from abci_app.modules.custody import keys as custody_keys  # noqa: E402
from abci_app.modules.transfers import keys as ledger_keys  # noqa: E402
from abci_app.privacy import ExecutionKeys  # noqa: E402
from abci_app.proto import abci  # noqa: E402
from ets.custody import representative_message  # noqa: E402
from ets.keys import Signer  # noqa: E402
from ets_tools.devnet import GenesisAccount, build_app_state, default_params  # noqa: E402
from _results import write_figures  # noqa: E402

GENESIS = 1_800_000_000
TTL = 3_600


class Chain:
    """One in-process validator that proposes and executes its own blocks."""

    def __init__(self, home: str, state: dict, execution_key: X25519PrivateKey):
        self.app = Application(home, blinding_key=new_blinding_key(), execution_keys=ExecutionKeys(keys={1: execution_key}))
        self.app.init_chain(abci.RequestInitChain(chain_id="bench", app_state_bytes=json.dumps(state).encode(),
                                                  time=Timestamp(seconds=GENESIS)))
        self.readers = [public_bytes(execution_key), bytes.fromhex(state["privacy"]["regulator_key"])]
        self.nonces: dict[str, int] = {}
        self.height, self.time = 0, GENESIS

    def sign(self, signer: Signer, msg) -> bytes:
        nonce = self.nonces.get(signer.address, 0)
        self.nonces[signer.address] = nonce + 1
        return seal_tx(signer.sign_tx("bench", nonce, msg), 1, self.readers)  # every message here is private

    def block(self, txs: list[bytes], seconds: int = 5) -> float:
        """Propose, execute and commit one block; returns the seconds FinalizeBlock + Commit took."""
        self.height, self.time = self.height + 1, self.time + seconds
        ts, block_hash = Timestamp(seconds=self.time), self.height.to_bytes(32, "big")
        block = list(self.app.prepare_proposal(abci.RequestPrepareProposal(
            txs=txs, max_tx_bytes=1 << 30, height=self.height, time=ts)).txs)
        assert block[:-1] == txs, "the proposer left txs out of its block"
        t = time.perf_counter()
        self.app.finalize_block(abci.RequestFinalizeBlock(txs=block, height=self.height, time=ts, hash=block_hash))
        self.app.commit(abci.RequestCommit())
        elapsed = time.perf_counter() - t
        failed = [tx for tx in txs if self.app.store.tx_result(tx_hash(tx))[2] != Code.OK]
        if failed:
            raise SystemExit(f"{len(failed)} of {len(txs)} txs failed: the figures would not measure what they say")
        return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--companies", type=int, default=200, help="companies in each group")
    parser.add_argument("--rounds", type=int, default=5, help="blocks per measured kind (one tx per company each)")
    parser.add_argument("--expire", type=int, default=1000, help="waiting transfers expiring in one block")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results"), help="folder for the JSON result")
    args = parser.parse_args()
    groups = {name: [Signer.generate() for _ in range(args.companies)] for name in ("plain", "capped", "four_eyes")}
    initiators = [Signer.generate() for _ in range(args.companies)]
    approvers = [Signer.generate() for _ in range(args.companies)]
    sink = Signer.generate()  # the one recipient of every transfer (untrusted by all)
    accounts = [GenesisAccount(f"gov-{i}", "government", Signer.generate()) for i in range(3)]
    accounts.append(GenesisAccount("recipient", "company", sink))
    accounts += [GenesisAccount(f"{name}-{i}", "company", s) for name, group in groups.items() for i, s in enumerate(group)]
    execution_key = X25519PrivateKey.generate()
    state = build_app_state(accounts, balances={a.signer.address: {"KAU25": 10**9} for a in accounts if a.role == "company"},
                            params=default_params(custody_delay_seconds=0, custody_transfer_ttl_seconds=TTL),
                            execution_key=public_bytes(execution_key).hex())
    figures: dict[str, float | int] = {"companies": args.companies, "rounds": args.rounds}
    with tempfile.TemporaryDirectory() as home:
        chain = Chain(home, state, execution_key)
        chain.block([chain.sign(c, CustodySettings(False, daily=10**12)) for c in groups["capped"]]
                    + [chain.sign(c, CustodySettings(True)) for c in groups["four_eyes"]])
        chain.block([chain.sign(c, representative_message(rep.public_key.hex(), "bench rep", rights))
                     for c, i, a in zip(groups["four_eyes"], initiators, approvers)
                     for rep, rights in ((i, ["initiate"]), (a, ["approve"]))])
        recipient = sink.address
        for kind in ("plain", "capped"):
            seconds = sum(chain.block([chain.sign(c, Transfer(recipient, "KAU25", 1)) for c in groups[kind]])
                          for _ in range(args.rounds))
            figures[f"{kind}_us"] = seconds / (args.rounds * args.companies) * 1e6
        initiate = approve = 0.0
        for round_ in range(args.rounds):
            initiate += chain.block([chain.sign(i, CustodyTransfer(recipient, "KAU25", 1)) for i in initiators])
            approve += chain.block([chain.sign(a, CustodyApprove(round_ + 1)) for a in approvers])
        figures["initiate_us"] = initiate / (args.rounds * args.companies) * 1e6
        figures["approve_us"] = approve / (args.rounds * args.companies) * 1e6
        waiting = [chain.sign(initiators[n % len(initiators)], CustodyTransfer(recipient, "KAU25", 1))
                   for n in range(args.expire)]
        for start in range(0, len(waiting), 2000):
            chain.block(waiting[start:start + 2000], seconds=1)
        figures["expire"] = args.expire
        figures["expire_block_ms"] = chain.block([], seconds=TTL + 120) * 1e3
        blocks = 1
        while chain.app.store.get(custody_keys.EXPIRY_CURSOR) is not None and blocks < 20:  # beyond 1,000: next blocks
            chain.block([])
            blocks += 1
        figures["expire_blocks"] = blocks
        still_held = [c for c in groups["four_eyes"] if chain.app.store.get(ledger_keys.held(c.address, "KAU25"))]
        if still_held or chain.app.store.get(custody_keys.EXPIRY_CURSOR) is not None:
            raise SystemExit(f"{len(still_held)} accounts still hold tonnes after the expiry block: nothing measured")
    for kind, text in (("plain", "transfer, no custody"), ("capped", "transfer under custody (caps)"),
                       ("initiate", "custody_transfer, four eyes (held)"), ("approve", "custody_approve (executes)")):
        print(f"{text:>36}: {figures[f'{kind}_us']:7.1f} us/tx (FinalizeBlock + Commit)")
    print(f"{'expiry of ' + str(args.expire) + ' waiting transfers':>36}: {figures['expire_block_ms']:7.1f} ms in one block "
          f"(at most 1,000 a block: all expired in {figures['expire_blocks']} block(s))")
    write_figures(args.out, "custody", figures, log=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
