"""Drive one in-process ``Application`` with real ABCI protobuf requests (no sockets, no mocks).

``Actors`` is the cast of a test chain (three officials, one account of every other role, an
edge device bound to the first company, companies with opening balances); ``Node`` wraps an
``Application`` and speaks to it the way CometBFT does: InitChain, CheckTx, PrepareProposal,
ProcessProposal, FinalizeBlock, Commit, Info, Query.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from abci_app.app import Application
from abci_app.privacy import ExecutionKeys
from protocol.codes import Code
from abci_app.proto import abci
from protocol.codec import canonical_json, CodecError, decode_envelope, encode_envelope, sign_digest, tx_hash
from protocol.exposure import PRIVATE
from protocol.private_tx import is_private, public_bytes, seal_tx
from protocol.outcome import is_outcome
from ets_tools.devnet import GenesisAccount, build_app_state, default_params
from ets.keys import Signer

CHAIN_ID = "ets-test-1"
BLINDING_KEY = bytes(range(32))  # the validators' shared state blinding key of the test chains
EXECUTION_KEY = X25519PrivateKey.from_private_bytes(hashlib.sha256(b"test execution key, epoch 1").digest())
EXECUTION_KEYS = ExecutionKeys(keys={1: EXECUTION_KEY})  # what every test validator holds


REGULATOR_KEY = X25519PrivateKey.from_private_bytes(hashlib.sha256(b"test regulator view key").digest())


def seal(tx: bytes, epoch: int = 1, key: X25519PrivateKey = EXECUTION_KEY, regulator: bool = True,
         rng: random.Random | None = None) -> bytes:
    """``tx`` as a private tx of a test chain: sealed to its execution key and its regulator's view key
    (with ``rng``, reproducibly)."""
    readers = [public_bytes(key)] + ([public_bytes(REGULATOR_KEY)] if regulator else [])
    return seal_tx(tx, epoch, readers, randomness=rng.randbytes) if rng is not None else seal_tx(tx, epoch, readers)


def sealed(tx: bytes, rng: random.Random | None = None) -> bytes:
    """A signed tx as a client sends it: sealed if its message is private (``protocol.exposure``), else as it is."""
    try:
        kind = decode_envelope(tx).msg.get("type")
    except CodecError:
        return tx  # junk stays junk
    return seal(tx, rng=rng) if kind in PRIVATE else tx
GENESIS_VALIDATORS = tuple(Signer.from_seed(bytes([0xA0 + i]) * 32) for i in range(4))  # consensus keys, power 10 each
VALIDATOR_POWER = 10
GENESIS_TIME = 1_750_000_000
BLOCK_SECONDS = 5
OPENING = {"KAU25": 1_000, "KAU26": 500}


def ts(seconds: int) -> Timestamp:
    return Timestamp(seconds=seconds, nanos=0)


def signer_from(rng: random.Random | None) -> Signer:
    return Signer.from_seed(rng.randbytes(32)) if rng is not None else Signer.generate()


@dataclass
class Actors:
    """One signer per role; ``gov`` has three officials, ``companies`` two or more."""

    gov: list[Signer]
    verifier: Signer
    exchange: Signer
    bank: Signer
    edge: Signer
    operator: Signer
    companies: list[Signer]

    @classmethod
    def make(cls, companies: int = 3, rng: random.Random | None = None) -> "Actors":
        new = lambda: signer_from(rng)  # noqa: E731
        return cls([new(), new(), new()], new(), new(), new(), new(), new(), [new() for _ in range(companies)])

    def by_role(self) -> dict[str, Signer]:
        """A representative signer for every role in ``protocol.messages.ROLES``."""
        return {
            "government": self.gov[0], "verifier": self.verifier, "exchange": self.exchange, "bank": self.bank,
            "company": self.companies[0], "edge_device": self.edge, "validator_operator": self.operator,
        }

    def accounts(self) -> list[GenesisAccount]:
        out = [GenesisAccount(f"gov-{i}", "government", s) for i, s in enumerate(self.gov, 1)]
        out += [GenesisAccount("verifier", "verifier", self.verifier), GenesisAccount("exchange", "exchange", self.exchange),
                GenesisAccount("bank", "bank", self.bank), GenesisAccount("edge-1", "edge_device", self.edge),
                GenesisAccount("operator", "validator_operator", self.operator)]
        out += [GenesisAccount(f"company-{i}", "company", s) for i, s in enumerate(self.companies, 1)]
        return out

    def app_state(self, *, balances: dict[str, dict[str, int]] | None = None, **params: int) -> dict[str, Any]:
        """Genesis app_state from ``ets_tools.devnet.build_app_state``; the edge device is bound to company 1."""
        if balances is None:
            balances = {c.address: dict(OPENING) for c in self.companies}
        state = build_app_state(self.accounts(), balances=balances, params=default_params(**params),
                                execution_key=public_bytes(EXECUTION_KEY).hex())
        state["privacy"]["regulator_key"] = public_bytes(REGULATOR_KEY).hex()
        for record in state["accounts"]:
            if record["address"] == self.edge.address:
                record["company"] = self.companies[0].address
        return state


def sign_body(signer: Signer, body: bytes) -> bytes:
    """An envelope around arbitrary body bytes, correctly signed (for non-canonical bodies)."""
    return encode_envelope(body, signer.private_key.sign(sign_digest(body)))


def transfer(to: Signer | str, amount: int, instrument: str = "KAU25") -> dict[str, Any]:
    return {"type": "transfer", "to": to if isinstance(to, str) else to.address, "instrument": instrument, "amount": amount}


def issue(to: Signer | str, amount: int, instrument: str = "KAU25") -> dict[str, Any]:
    action = {"type": "issue_allowances", "to": to if isinstance(to, str) else to.address, "instrument": instrument, "amount": amount}
    return {"type": "propose", "action": action}


def register(new: Signer, role: str, name: str = "newcomer", company: str | None = None) -> dict[str, Any]:
    action = {"type": "register_account", "address": new.address, "public_key": new.public_key.hex(), "role": role, "name": name}
    if company is not None:
        action["company"] = company
    return {"type": "propose", "action": action}


def approve(proposal_id: int) -> dict[str, Any]:
    return {"type": "approve", "proposal_id": proposal_id}


def reject(proposal_id: int, reason: str = "not justified") -> dict[str, Any]:
    return {"type": "reject", "proposal_id": proposal_id, "reason": reason}


@dataclass
class Node:
    """An ``Application`` in ``home`` plus the bookkeeping a test needs (next nonces, block time)."""

    home: Path
    app: Application = field(init=False)
    nonces: dict[str, int] = field(default_factory=dict)
    time: int = GENESIS_TIME

    def __post_init__(self) -> None:
        # signed queries are judged by the node's clock: here, the chain's own (test) time
        self.app = Application(self.home, blinding_key=BLINDING_KEY, clock=lambda: self.app.store.block_time,
                               execution_keys=EXECUTION_KEYS)
        self.time = max(self.time, self.app.store.block_time)

    @classmethod
    def start(cls, home: Path, app_state: dict[str, Any], chain_id: str = CHAIN_ID) -> "Node":
        node = cls(home)
        resp = node.app.init_chain(abci.RequestInitChain(
            time=ts(GENESIS_TIME), chain_id=chain_id, initial_height=1, app_state_bytes=canonical_json(app_state),
            validators=[abci.ValidatorUpdate(pub_key={"ed25519": v.public_key}, power=VALIDATOR_POWER) for v in GENESIS_VALIDATORS]))
        assert len(resp.app_hash) == 32
        return node

    # -------------------------------------------------------------- txs

    def sign(self, signer: Signer, msg: dict[str, Any], chain_id: str = CHAIN_ID) -> bytes:
        """Sign with the signer's next nonce (as tracked by this test) and advance it."""
        nonce = self.nonces.get(signer.address, 0)
        self.nonces[signer.address] = nonce + 1
        return sealed(signer.sign_tx(chain_id, nonce, msg))

    def check(self, tx: bytes, *, recheck: bool = False) -> abci.ResponseCheckTx:
        kind = abci.CheckTxType.RECHECK if recheck else abci.CheckTxType.NEW
        return self.app.check_tx(abci.RequestCheckTx(tx=tx, type=kind))

    # -------------------------------------------------------------- blocks

    @property
    def height(self) -> int:
        return self.app.store.height

    @staticmethod
    def block_hash(height: int, txs: list[bytes], time: int) -> bytes:
        h = hashlib.sha256(f"{height}/{time}".encode())
        for tx in txs:
            h.update(hashlib.sha256(tx).digest())
        return h.digest()

    def prepare(self, txs: list[bytes], max_tx_bytes: int = 1 << 22, time: int | None = None) -> list[bytes]:
        req = abci.RequestPrepareProposal(max_tx_bytes=max_tx_bytes, txs=txs, height=self.height + 1,
                                          time=ts(time or self.time + BLOCK_SECONDS))
        return list(self.app.prepare_proposal(req).txs)

    def with_outcome(self, txs: list[bytes], t: int) -> list[bytes]:
        """``txs`` with the block outcome this node computes appended (as its proposer would), unless they end with one."""
        if txs and is_outcome(txs[-1]):
            return list(txs)
        return [*txs, self.app.outcome_of(self.height + 1, t, txs)]

    def process(self, txs: list[bytes], time: int | None = None) -> int:
        t = time or self.time + BLOCK_SECONDS
        txs = self.with_outcome(txs, t)
        req = abci.RequestProcessProposal(txs=txs, height=self.height + 1, time=ts(t),
                                          hash=self.block_hash(self.height + 1, txs, t))
        return self.app.process_proposal(req).status

    def finalize(self, txs: list[bytes], time: int | None = None) -> abci.ResponseFinalizeBlock:
        """FinalizeBlock of ``txs`` and the block outcome (appended unless the txs end with one)."""
        t = time or self.time + BLOCK_SECONDS
        txs = self.with_outcome(txs, t)
        req = abci.RequestFinalizeBlock(txs=txs, height=self.height + 1, time=ts(t),
                                        hash=self.block_hash(self.height + 1, txs, t))
        resp = self.app.finalize_block(req)
        self.time = t
        return resp

    def commit(self) -> abci.ResponseCommit:
        return self.app.commit(abci.RequestCommit())

    def block(self, txs: list[bytes], time: int | None = None) -> list[abci.ExecTxResult]:
        """FinalizeBlock + Commit; returns the tx results, a private tx's as its signer reads it (``/tx``)."""
        resp = self.finalize(txs, time)
        self.commit()
        return [self.detailed(tx, result) for tx, result in zip(txs, resp.tx_results)]

    def detailed(self, tx: bytes, result: abci.ExecTxResult) -> abci.ExecTxResult:
        if not is_private(tx):
            return result
        height, index, code, log, signer, kind, data, private = self.app.store.tx_result(tx_hash(tx))
        return abci.ExecTxResult(code=code, log=log, data=bytes(data), codespace="ets" if code else "")

    def run(self, signer: Signer, msg: dict[str, Any], time: int | None = None) -> abci.ExecTxResult:
        """One signed tx in its own block."""
        (result,) = self.block([self.sign(signer, msg)], time)
        return result

    def record_access(self, official: Signer, subject: Signer | str = "*",
                      reason: str = "supervision of the registry in a test") -> abci.ExecTxResult:
        """The official records why it reads ``subject``'s private data (``*``: every account's), in a block
        of its own: the query gate answers its signed queries of that data for the access window."""
        who = subject if isinstance(subject, str) else subject.address
        result = self.run(official, {"type": "record_access", "subject": who, "reason": reason})
        assert result.code == Code.OK, result.log
        return result

    # -------------------------------------------------------------- reads

    def info(self) -> abci.ResponseInfo:
        return self.app.info(abci.RequestInfo(version="0.39.4", block_version=11, p2p_version=8, abci_version="2.0.0"))

    def query(self, path: str, data: bytes = b"", height: int = 0) -> abci.ResponseQuery:
        return self.app.query(abci.RequestQuery(path=path, data=data, height=height))

    def read(self, path: str, reader: Signer | None = None) -> Any:
        """Query ``path`` (signed by ``reader`` if given) and decode the JSON value; fails unless OK."""
        if reader is None:
            resp = self.query(path)
            assert resp.code == Code.OK, (path, resp.code, resp.log)
            return json.loads(resp.value)
        signed = reader.signed_query(CHAIN_ID, path, self.app.store.block_time)
        resp = self.query(path, signed.data)
        assert resp.code == Code.OK, (path, resp.code, resp.log)
        return json.loads(signed.open(resp.value))

    def balances(self, who: Signer) -> dict[str, int]:
        return self.read(f"/balances/{who.address}", reader=who)

    def committed_nonce(self, who: Signer) -> int:
        return self.read(f"/nonce/{who.address}", reader=who)["nonce"]


def proposal_id(result: abci.ExecTxResult) -> int:
    assert result.code == Code.OK, result.log
    return json.loads(result.data)["proposal_id"]
