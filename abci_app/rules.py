"""The rules of the chain: every message, who may send it, what it changes.

    message            roles                 effect
    transfer           company               move allowances signer → another company
    propose            government            open a proposal for a governed action; counts as the
                                             proposer's approval (executes at once if m = 1)
    approve            government            add an approval; at m approvals the action executes
    reject             government            add a rejection with a reason; closes the proposal once
                                             m approvals can no longer be reached

    governed action    effect when executed
    register_account   admit a participant (address, key, role, name; edge devices name their company)
    issue_allowances   credit allowances of an instrument to a company; raises the instrument's supply

Every transaction passes the same pipeline, ``execute_tx``, which is the one check
function used by CheckTx, PrepareProposal, ProcessProposal and FinalizeBlock:

    decode envelope → chain id → signer registered → signature → message parses →
    role may send it → nonce is the account's next → handler (state changes)

A rejection raises ``TxRejected`` with a registered code; the tx's writes are discarded
(in FinalizeBlock a tx that got past the nonce still consumes its nonce, so a failed
signed tx can never be replayed later). State keys (values are canonical JSON):

    acct/<addr>              {"public_key", "role", "name", ["company"], "since"}
    nonce/<addr>             next nonce
    bal/<addr>/<instrument>  tonnes held (absent = 0)
    supply/<instrument>      tonnes issued in total
    count/role/<role>        number of accounts with that role
    params                   chain parameters
    prop/<id:012d>           proposal record;  seq/proposal  last proposal id
"""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Callable, Mapping

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ets.codec import CodecError, Envelope, canonical_json, decode_envelope, sign_digest, tx_hash

from .errors import Code, TxRejected
from .messages import (
    MAX_HOLDING,
    Action,
    Approve,
    IssueAllowances,
    Message,
    Propose,
    RegisterAccount,
    Reject,
    Transfer,
    parse_message,
)
from .state import Overlay

__all__ = ["RULES", "MAX_HOLDING", "BlockContext", "TxOutcome", "Executor", "View"]

View = Overlay


@dataclass(frozen=True, slots=True)
class BlockContext:
    """What a handler may know about the block: never wall-clock time."""

    chain_id: str
    height: int
    time: int  # block time, unix seconds (from CometBFT)


@dataclass(frozen=True, slots=True)
class TxOutcome:
    code: int
    log: str
    signer: str = ""
    type: str = ""
    data: bytes = b""


# ---------------------------------------------------------------- state accessors


def _get_json(view: View, key: str) -> Any:
    raw = view.get(key)
    return None if raw is None else json.loads(raw)


def _put_json(view: View, key: str, value: Any) -> None:
    view.set(key, canonical_json(value))


def _get_int(view: View, key: str) -> int:
    raw = view.get(key)
    return 0 if raw is None else int(raw)


def _put_int(view: View, key: str, value: int) -> None:
    view.set(key, None if value == 0 else str(value).encode())


_ACCOUNT_RECORDS: dict[bytes, Mapping[str, Any]] = {}


def account(view: View, address: str) -> Mapping[str, Any] | None:
    """The account record, read-only; parsed records are shared by their exact bytes."""
    raw = view.get(f"acct/{address}")
    if raw is None:
        return None
    record = _ACCOUNT_RECORDS.get(raw)
    if record is None:
        if len(_ACCOUNT_RECORDS) >= 100_000:
            _ACCOUNT_RECORDS.clear()
        record = _ACCOUNT_RECORDS[raw] = MappingProxyType(json.loads(raw))
    return record


def params(view: View) -> dict[str, Any]:
    return _get_json(view, "params")


def _require_account(view: View, address: str, what: str) -> Mapping[str, Any]:
    acct = account(view, address)
    if acct is None:
        raise TxRejected(Code.UNKNOWN_ACCOUNT, f"{what} {address} is not a registered account")
    return acct


def _move(view: View, address: str, instrument: str, delta: int) -> None:
    key = f"bal/{address}/{instrument}"
    balance = _get_int(view, key) + delta
    if balance < 0:
        raise TxRejected(Code.INSUFFICIENT_BALANCE, f"not enough {instrument} in {address} for this transfer of {-delta:,} t")
    if balance > MAX_HOLDING:
        raise TxRejected(Code.LIMIT_EXCEEDED, f"{instrument} held by {address} would exceed {MAX_HOLDING:,} t")
    _put_int(view, key, balance)


# ---------------------------------------------------------------- handlers


def handle_transfer(view: View, signer: str, msg: Transfer, ctx: BlockContext) -> bytes:
    if msg.to == signer:
        raise TxRejected(Code.INVALID_MESSAGE, "transfer.to is the signer itself; name another account")
    recipient = _require_account(view, msg.to, "recipient")
    if recipient["role"] != "company":
        raise TxRejected(Code.INVALID_RECIPIENT, f"recipient {msg.to} is a {recipient['role']} account; allowances go to companies")
    _move(view, signer, msg.instrument, -msg.amount)
    _move(view, msg.to, msg.instrument, msg.amount)
    return b""


def _check_action(view: View, action: Action) -> None:
    """Stateful checks of a governed action, both when proposed and when executed."""
    if isinstance(action, RegisterAccount):
        if account(view, action.address) is not None:
            raise TxRejected(Code.ACCOUNT_EXISTS, f"account {action.address} is already registered")
        if action.company is not None:
            company = _require_account(view, action.company, "company")
            if company["role"] != "company":
                raise TxRejected(Code.INVALID_RECIPIENT, f"edge devices belong to a company; {action.company} is a {company['role']}")
    elif isinstance(action, IssueAllowances):
        holder = _require_account(view, action.to, "recipient")
        if holder["role"] != "company":
            raise TxRejected(Code.INVALID_RECIPIENT, f"recipient {action.to} is a {holder['role']} account; allowances go to companies")


def _execute_action(view: View, action: Action, ctx: BlockContext) -> None:
    _check_action(view, action)
    if isinstance(action, RegisterAccount):
        record: dict[str, Any] = {"public_key": action.public_key, "role": action.role, "name": action.name, "since": ctx.height}
        if action.company is not None:
            record["company"] = action.company
        _put_json(view, f"acct/{action.address}", record)
        count_key = f"count/role/{action.role}"
        _put_int(view, count_key, _get_int(view, count_key) + 1)
    elif isinstance(action, IssueAllowances):
        _move(view, action.to, action.instrument, action.amount)
        supply_key = f"supply/{action.instrument}"
        supply = _get_int(view, supply_key) + action.amount
        if supply > MAX_HOLDING:
            raise TxRejected(Code.LIMIT_EXCEEDED, f"total {action.instrument} issued would exceed {MAX_HOLDING:,} t")
        _put_int(view, supply_key, supply)


def _action_json(action: Action) -> dict[str, Any]:
    out = {"type": action.TYPE}
    out.update({k: getattr(action, k) for k in action.__slots__ if getattr(action, k) is not None})
    return out


def handle_propose(view: View, signer: str, msg: Propose, ctx: BlockContext) -> bytes:
    _check_action(view, msg.action)
    proposal_id = _get_int(view, "seq/proposal") + 1
    _put_int(view, "seq/proposal", proposal_id)
    proposal = {
        "id": proposal_id,
        "action": _action_json(msg.action),
        "proposer": signer,
        "created": {"height": ctx.height, "time": ctx.time},
        "expires_time": ctx.time + params(view)["proposal_ttl_seconds"],
        "approvals": [],
        "rejections": [],
        "status": "open",
    }
    _vote(view, proposal, signer, ctx, approve=True, reason="")
    return canonical_json({"proposal_id": proposal_id, "status": proposal["status"]})


def _open_proposal(view: View, proposal_id: int, signer: str, ctx: BlockContext) -> dict[str, Any]:
    proposal = _get_json(view, f"prop/{proposal_id:012d}")
    if proposal is None:
        raise TxRejected(Code.PROPOSAL_NOT_FOUND, f"proposal {proposal_id} does not exist")
    if proposal["status"] != "open":
        raise TxRejected(Code.PROPOSAL_CLOSED, f"proposal {proposal_id} is already {proposal['status']}")
    if ctx.time > proposal["expires_time"]:
        raise TxRejected(Code.PROPOSAL_EXPIRED, f"proposal {proposal_id} expired at unix time {proposal['expires_time']}; propose it again")
    voters = {v["official"] for v in proposal["approvals"]} | {v["official"] for v in proposal["rejections"]}
    if signer in voters:
        raise TxRejected(Code.ALREADY_VOTED, f"you already voted on proposal {proposal_id}; each official votes once")
    return proposal


def _vote(view: View, proposal: dict[str, Any], signer: str, ctx: BlockContext, *, approve: bool, reason: str) -> None:
    required = params(view)["approvals_required"]
    vote = {"official": signer, "height": ctx.height, "time": ctx.time}
    if approve:
        proposal["approvals"].append(vote)
        if len(proposal["approvals"]) >= required:
            _execute_action(view, Propose.from_json({"type": "propose", "action": proposal["action"]}).action, ctx)
            proposal["status"] = "executed"
            proposal["executed"] = {"height": ctx.height, "time": ctx.time}
    else:
        proposal["rejections"].append({**vote, "reason": reason})
        officials = _get_int(view, "count/role/government")
        if officials - len(proposal["rejections"]) < required:
            proposal["status"] = "rejected"
            proposal["closed"] = {"height": ctx.height, "time": ctx.time}
    _put_json(view, f"prop/{proposal['id']:012d}", proposal)


def handle_approve(view: View, signer: str, msg: Approve, ctx: BlockContext) -> bytes:
    proposal = _open_proposal(view, msg.proposal_id, signer, ctx)
    _vote(view, proposal, signer, ctx, approve=True, reason="")
    return canonical_json({"proposal_id": msg.proposal_id, "status": proposal["status"]})


def handle_reject(view: View, signer: str, msg: Reject, ctx: BlockContext) -> bytes:
    proposal = _open_proposal(view, msg.proposal_id, signer, ctx)
    _vote(view, proposal, signer, ctx, approve=False, reason=msg.reason)
    return canonical_json({"proposal_id": msg.proposal_id, "status": proposal["status"]})


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str]
    handler: Callable[[View, str, Any, BlockContext], bytes]


RULES: dict[type, Rule] = {
    Transfer: Rule(frozenset({"company"}), handle_transfer),
    Propose: Rule(frozenset({"government"}), handle_propose),
    Approve: Rule(frozenset({"government"}), handle_approve),
    Reject: Rule(frozenset({"government"}), handle_reject),
}


# ---------------------------------------------------------------- the check function


@dataclass(frozen=True, slots=True)
class _Decoded:
    envelope: Envelope
    message: Message | None
    message_error: TxRejected | None
    verified_key: bytes | None  # public key the signature was verified against


class Executor:
    """Runs ``execute_tx`` and caches decoding and signature checks by tx hash.

    The cache only saves work: an entry is used when the signer's registered key is the key
    the signature was verified with, so a cached result can never accept what a fresh check
    would reject.
    """

    def __init__(self, cache_size: int = 200_000):
        self._cache: OrderedDict[bytes, _Decoded] = OrderedDict()
        self._cache_size = cache_size
        self._keys: dict[bytes, Ed25519PublicKey] = {}

    def _decode(self, tx: bytes, digest: bytes) -> _Decoded:
        entry = self._cache.get(digest)
        if entry is not None:
            return entry
        try:
            env = decode_envelope(tx)
        except CodecError as exc:
            raise TxRejected(Code.MALFORMED_TX, f"malformed transaction: {exc}") from None
        try:
            message, error = parse_message(env.msg), None
        except TxRejected as exc:
            message, error = None, exc
        entry = _Decoded(env, message, error, None)
        self._remember(digest, entry)
        return entry

    def _remember(self, digest: bytes, entry: _Decoded) -> None:
        self._cache[digest] = entry
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    def _verify(self, digest: bytes, entry: _Decoded, public_key_hex: str) -> None:
        public_key = bytes.fromhex(public_key_hex)
        if entry.verified_key == public_key:
            return
        key = self._keys.get(public_key)
        if key is None:
            key = self._keys[public_key] = Ed25519PublicKey.from_public_bytes(public_key)
        try:
            key.verify(entry.envelope.signature, sign_digest(entry.envelope.body))
        except InvalidSignature:
            raise TxRejected(Code.BAD_SIGNATURE, "signature does not match the body and the signer's registered key") from None
        self._remember(digest, _Decoded(entry.envelope, entry.message, entry.message_error, public_key))

    def execute_tx(self, view: View, tx: bytes, ctx: BlockContext, *, consume_nonce_on_failure: bool = False) -> TxOutcome:
        """The one check function. On success the tx's writes are merged into ``view``."""
        signer = kind = ""
        nonce_passed = False
        try:
            digest = tx_hash(tx)
            entry = self._decode(tx, digest)
            env = entry.envelope
            signer = env.signer
            kind = str(env.msg.get("type", ""))[:40]
            if env.chain_id != ctx.chain_id:
                raise TxRejected(Code.WRONG_CHAIN_ID, f"signed for chain {env.chain_id[:64]!r}, this chain is {ctx.chain_id!r}")
            acct = account(view, env.signer)
            if acct is None:
                raise TxRejected(Code.UNKNOWN_SIGNER, f"signer {env.signer} is not a registered account; ask the government to register it")
            self._verify(digest, entry, acct["public_key"])
            if entry.message_error is not None:
                raise TxRejected(entry.message_error.code, entry.message_error.log)  # a fresh exception each time
            rule = RULES[type(entry.message)]
            if acct["role"] not in rule.roles:
                raise TxRejected(Code.UNAUTHORIZED, f"a {acct['role']} account may not send {kind}; allowed: {', '.join(sorted(rule.roles))}")
            nonce_key = f"nonce/{env.signer}"
            expected = _get_int(view, nonce_key)
            if env.nonce < expected:
                raise TxRejected(Code.NONCE_REPLAYED, f"nonce {env.nonce} was already used; the account's next nonce is {expected}")
            if env.nonce > expected:
                raise TxRejected(Code.NONCE_AHEAD, f"nonce {env.nonce} is ahead; the account's next nonce is {expected}")
            nonce_passed = True
            tx_view = view.child()
            data = rule.handler(tx_view, env.signer, entry.message, ctx)
            tx_view.set(nonce_key, str(expected + 1).encode())
            tx_view.merge()
            return TxOutcome(Code.OK, "", signer, kind, data)
        except TxRejected as exc:
            if nonce_passed and consume_nonce_on_failure:
                nonce_key = f"nonce/{signer}"
                view.set(nonce_key, str(_get_int(view, nonce_key) + 1).encode())
            return TxOutcome(exc.code, exc.log, signer, kind)
