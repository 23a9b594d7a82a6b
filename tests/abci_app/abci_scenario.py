"""A seeded random workload: blocks of valid and invalid txs, governance included.

``ScenarioWriter`` builds the next block from the committed state of one reference node (so
most txs carry the right nonce) and a ``random.Random``; the same seed gives the same blocks.
Run as a script it prints one line per height (app hash + result codes), so a test can
compare runs under different ``PYTHONHASHSEED`` values.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from abci_harness import sealed, BLOCK_SECONDS, CHAIN_ID, GENESIS_TIME, Actors, Node, approve, issue, register, reject, transfer
from protocol.codec import SIGNATURE_SIZE
from ets.keys import Signer

INSTRUMENTS = ("KAU25", "KAU26", "KCU25")


class ScenarioWriter:
    def __init__(self, seed: int, actors: Actors | None = None):
        self.rng = random.Random(seed)
        self.actors = actors or Actors.make(companies=4, rng=self.rng)
        self.companies = list(self.actors.companies)
        self.officials = list(self.actors.gov)
        self.others = [self.actors.verifier, self.actors.exchange, self.actors.bank, self.actors.edge, self.actors.operator]
        self.pending: list[tuple[Signer, str]] = []  # proposed registrations, by role
        self.time = GENESIS_TIME

    def app_state(self) -> dict:
        return self.actors.app_state(proposal_ttl_seconds=120)

    def _refresh(self, ref: Node) -> None:
        """Accounts registered by executed proposals can sign from now on."""
        still = []
        for signer, role in self.pending:
            if ref.query(f"/account/{signer.address}").code == 0:
                (self.companies if role == "company" else self.officials if role == "government" else self.others).append(signer)
            else:
                still.append((signer, role))
        self.pending = still[-20:]

    def next_block(self, ref: Node) -> tuple[list[bytes], int]:
        """The txs and time of the next block, given the reference node's committed state."""
        rng = self.rng
        self._refresh(ref)
        nonces: dict[str, int] = {}

        def nonce_of(s: Signer) -> int:
            if s.address not in nonces:
                nonces[s.address] = ref.committed_nonce(s)
            return nonces[s.address]

        def signed(s: Signer, msg: dict, consumes: bool = True, seal: bool = True) -> bytes:
            tx = s.sign_tx(CHAIN_ID, nonce_of(s), msg)
            if consumes:
                nonces[s.address] += 1
            return sealed(tx, rng) if seal else tx

        latest = ref.read("/proposals")
        last_proposal = latest[0]["id"] if latest else 0
        txs: list[bytes] = []
        for _ in range(rng.randint(0, 10)):
            kind = rng.choices(
                ["transfer", "overdraft", "bad_recipient", "propose", "approve", "reject", "garbage", "bad_nonce",
                 "bad_signature", "unauthorized", "stranger"],
                weights=[30, 5, 5, 8, 10, 4, 3, 4, 3, 3, 2],
            )[0]
            company = rng.choice(self.companies)
            official = rng.choice(self.officials)
            if kind == "transfer":
                to = rng.choice([c for c in self.companies if c is not company])
                txs.append(signed(company, transfer(to, rng.randint(1, 60), rng.choice(INSTRUMENTS[:2]))))
            elif kind == "overdraft":
                to = rng.choice([c for c in self.companies if c is not company])
                txs.append(signed(company, transfer(to, rng.randint(10**6, 10**9))))
            elif kind == "bad_recipient":
                to = rng.choice([company.address, rng.choice(self.others).address, rng.randbytes(20).hex()])
                txs.append(signed(company, transfer(to, 1)))
            elif kind == "propose":
                roll = rng.random()
                if roll < 0.6:
                    msg = issue(rng.choice(self.companies), rng.randint(1, 500), rng.choice(INSTRUMENTS))
                else:
                    new = Signer.from_seed(rng.randbytes(32))
                    role = rng.choice(["company", "company", "verifier", "edge_device", "government"])
                    company_of = rng.choice(self.companies).address if role == "edge_device" else None
                    msg = register(new, role, f"participant {rng.randint(1, 10**6)}", company=company_of)
                    self.pending.append((new, role))
                txs.append(signed(official, msg))
                last_proposal += 1
            elif kind in ("approve", "reject"):
                pid = rng.randint(max(1, last_proposal - 4), last_proposal + 1)
                txs.append(signed(official, approve(pid) if kind == "approve" else reject(pid, "see minutes")))
            elif kind == "garbage":
                txs.append(rng.randbytes(rng.randint(0, 120)))
            elif kind == "bad_nonce":
                txs.append(sealed(company.sign_tx(CHAIN_ID, max(0, nonce_of(company) + rng.choice([-1, 1, 5])), transfer(self.companies[0], 1)), rng))
            elif kind == "bad_signature":
                tx = bytearray(signed(company, transfer(self.companies[-1], 1), consumes=False, seal=False))
                tx[4 + rng.randrange(SIGNATURE_SIZE)] ^= 1 << rng.randrange(8)
                txs.append(sealed(bytes(tx), rng))  # the signature inside the sealed tx is wrong
            elif kind == "unauthorized":
                txs.append(signed(rng.choice(self.others), transfer(company, 1), consumes=False))
            else:
                txs.append(sealed(Signer.from_seed(rng.randbytes(32)).sign_tx(CHAIN_ID, 0, transfer(company, 1)), rng))
        self.time += rng.choice([1, BLOCK_SECONDS, 30, 200])
        return txs, self.time


def main(seed: int, blocks: int, home: str) -> None:
    writer = ScenarioWriter(seed)
    node = Node.start(Path(home), writer.app_state())
    for _ in range(blocks):
        txs, time = writer.next_block(node)
        results = node.block(txs, time=time)
        print(node.height, node.app.store.app_hash.hex(), ",".join(str(r.code) for r in results))


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3])
