"""The rules of the chain: every message, who may send it, what it changes.

    message           roles                 effect                                          handler in
    transfer          company               move allowances signer → another company          transfers.py
    propose           government            open a proposal for a governed action; counts as  proposals.py
                                            the proposer's approval (executes at once if m=1)
    approve           government            add an approval; at m approvals the action runs   proposals.py
    reject            government            add a rejection with a reason; closes the         proposals.py
                                            proposal once m approvals can no longer be reached
    plan_open         government            start uploading an allocation plan (hash, header) plans.py
    plan_chunk        government (opener)   next lines of the plan; the last seals it by hash plans.py
    register_device   verifier, government  admit a sensor device bound to a company site    accounts.py
    daily_total       edge_device           a device's daily emissions + Merkle root, once    mrv.py
                                            per KST day, after the day ended
    fund_cash         bank                  credit KRW to a company's cash account            trading.py
    withdraw_cash     bank                  pay out a company's available KRW                 trading.py
    place_order       company               escrow, then match (continuous) or rest (call)    trading.py
    cancel_order      company (owner)       take an open order off the book, release escrow   trading.py
    set_view_key      any account           publish the X25519 key sealed prices go to        blocktrades.py
    block_trade_propose  company            OTC trade: quantity in clear, price sealed to the blocktrades.py
                                            parties + regulator, hash commitment; seller holds
    block_trade_accept   company (counterparty)  allowances move; public sees aggregates only blocktrades.py
    block_trade_cancel   company (a party)  proposer cancels or counterparty declines         blocktrades.py

    before each block's txs the market runs the session transitions since the previous block
    (opening/closing call auctions, expiry of day orders, next reference price);
    after them, queued e-order batches continue (plans.py).

    governed action    effect when executed (at the m-th approval)
    register_account   admit a participant (address, key, role, name; companies may carry company_id, sector)
    register_accounts  admit up to 1,000 participants at once
    issue_allowances   credit allowances of an instrument to a company; raises the instrument's supply
    issue_plan         credit every line of a sealed allocation plan to its company: the e-orders, in one batch

Every transaction passes the same pipeline, ``execute_tx``, which is the one check
function used by CheckTx, PrepareProposal, ProcessProposal and FinalizeBlock:

    decode envelope → chain id → signer registered → signature → message parses →
    role may send it → nonce is the account's next → handler (state changes)

A rejection raises ``TxRejected`` with a registered code; the tx's writes are discarded
(in FinalizeBlock a tx that got past the nonce still consumes its nonce, so a failed
signed tx can never be replayed later). Core state keys (values are canonical JSON; each
handler module documents its own):

    acct/<addr>              account record (accounts.py)
    nonce/<addr>             next nonce
    bal/<addr>/<instrument>  tonnes held (absent = 0)
    supply/<instrument>      tonnes issued in total
    params                   chain parameters
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from protocol.codec import CodecError, decode_envelope, Envelope, sign_digest, tx_hash

from protocol.codes import Code, TxRejected
from .accounts import handle_register_device
from .blocktrades import handle_block_trade_accept, handle_block_trade_cancel, handle_block_trade_propose, handle_set_view_key
from protocol.constants import MAX_HOLDING, ROLES
from protocol.messages import (
    Approve,
    BlockTradeAccept,
    BlockTradeCancel,
    BlockTradePropose,
    CancelOrder,
    DailyTotal,
    FundCash,
    Message,
    parse_message,
    PlaceOrder,
    PlanChunk,
    PlanOpen,
    Propose,
    RegisterDevice,
    Reject,
    SetViewKey,
    Transfer,
    WithdrawCash,
)
from .mrv import handle_daily_total
from .plans import advance_issuance, handle_plan_chunk, handle_plan_open
from .proposals import handle_approve, handle_propose, handle_reject
from .trading import handle_cancel_order, handle_fund_cash, handle_place_order, handle_withdraw_cash, market_begin_block
from .transfers import handle_transfer
from .view import BlockContext, View, account, get_int

__all__ = ["RULES", "MAX_HOLDING", "BlockContext", "TxOutcome", "Executor", "View", "Rule"]


@dataclass(frozen=True, slots=True)
class TxOutcome:
    code: int
    log: str
    signer: str = ""
    type: str = ""
    data: bytes = b""


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str]
    handler: Callable[[View, str, Any, BlockContext], bytes]


RULES: dict[type, Rule] = {
    Transfer: Rule(frozenset({"company"}), handle_transfer),
    Propose: Rule(frozenset({"government"}), handle_propose),
    Approve: Rule(frozenset({"government"}), handle_approve),
    Reject: Rule(frozenset({"government"}), handle_reject),
    PlanOpen: Rule(frozenset({"government"}), handle_plan_open),
    PlanChunk: Rule(frozenset({"government"}), handle_plan_chunk),
    RegisterDevice: Rule(frozenset({"verifier", "government"}), handle_register_device),
    DailyTotal: Rule(frozenset({"edge_device"}), handle_daily_total),
    FundCash: Rule(frozenset({"bank"}), handle_fund_cash),
    WithdrawCash: Rule(frozenset({"bank"}), handle_withdraw_cash),
    PlaceOrder: Rule(frozenset({"company"}), handle_place_order),
    CancelOrder: Rule(frozenset({"company"}), handle_cancel_order),
    SetViewKey: Rule(frozenset(ROLES), handle_set_view_key),
    BlockTradePropose: Rule(frozenset({"company"}), handle_block_trade_propose),
    BlockTradeAccept: Rule(frozenset({"company"}), handle_block_trade_accept),
    BlockTradeCancel: Rule(frozenset({"company"}), handle_block_trade_cancel),
}


# ---------------------------------------------------------------- the check function


@dataclass(frozen=True, slots=True)
class _Decoded:
    envelope: Envelope
    message: Message | None
    message_error: TxRejected | None
    verified_key: bytes  # the registered public key the signature was verified against
    cost: int  # bytes this entry is charged in the cache


# A decoded tx holds its body, the parsed JSON and the message: charged at a multiple of its bytes.
_ENTRY_OVERHEAD = 512
_COST_PER_TX_BYTE = 8


class Executor:
    """Runs ``execute_tx`` and caches decoding and signature checks by tx hash.

    Only a tx whose signature was verified against its signer's *registered* key is cached,
    so junk (unknown signers, bad signatures, malformed bytes) costs its sender CPU but never
    pins memory. The cache is bounded by entries and by bytes (oldest first out). An entry is
    used only while the signer's registered key is still the key it was verified with, so a
    cached result can never accept what a fresh check would reject.
    """

    def __init__(self, cache_entries: int = 100_000, cache_bytes: int = 64 * 1024 * 1024):
        self._cache: OrderedDict[bytes, _Decoded] = OrderedDict()
        self._cache_entries = cache_entries
        self._cache_bytes = cache_bytes
        self._cached_bytes = 0
        self._keys: dict[bytes, Ed25519PublicKey] = {}

    @property
    def cache_usage(self) -> tuple[int, int]:
        """(entries, bytes charged) held by the decode cache."""
        return len(self._cache), self._cached_bytes

    @staticmethod
    def _decode_envelope(tx: bytes) -> Envelope:
        try:
            return decode_envelope(tx)
        except CodecError as exc:
            raise TxRejected(Code.MALFORMED_TX, f"malformed transaction: {exc}") from None

    def _remember(self, digest: bytes, entry: _Decoded) -> None:
        if entry.cost > self._cache_bytes:
            return
        old = self._cache.pop(digest, None)
        if old is not None:
            self._cached_bytes -= old.cost
        self._cache[digest] = entry
        self._cached_bytes += entry.cost
        while len(self._cache) > self._cache_entries or self._cached_bytes > self._cache_bytes:
            _, evicted = self._cache.popitem(last=False)
            self._cached_bytes -= evicted.cost

    def _verified(self, tx: bytes, digest: bytes, view: View) -> tuple[_Decoded | Envelope, dict[str, Any] | None]:
        """The cached entry if this tx was verified against the signer's current key, else the
        freshly decoded envelope; with the signer's account (None if unregistered)."""
        entry = self._cache.get(digest)
        if entry is not None:
            acct = account(view, entry.envelope.signer)
            if acct is not None and bytes.fromhex(acct["public_key"]) == entry.verified_key:
                return entry, acct
            env = entry.envelope
        else:
            env = self._decode_envelope(tx)
        return env, account(view, env.signer)

    def _verify(self, tx: bytes, digest: bytes, env: Envelope, public_key_hex: str) -> _Decoded:
        public_key = bytes.fromhex(public_key_hex)
        key = self._keys.get(public_key)
        if key is None:
            key = self._keys[public_key] = Ed25519PublicKey.from_public_bytes(public_key)
        try:
            key.verify(env.signature, sign_digest(env.body))
        except InvalidSignature:
            raise TxRejected(Code.BAD_SIGNATURE, "signature does not match the body and the signer's registered key") from None
        try:
            message, error = parse_message(env.msg), None
        except TxRejected as exc:
            message, error = None, exc
        entry = _Decoded(env, message, error, public_key, _ENTRY_OVERHEAD + _COST_PER_TX_BYTE * len(tx))
        self._remember(digest, entry)
        return entry

    @staticmethod
    def begin_block(view: View, ctx: BlockContext) -> None:
        """Work the chain does by itself before a block's transactions: the market's session transitions."""
        market_begin_block(view, ctx)

    @staticmethod
    def end_block(view: View, ctx: BlockContext) -> None:
        """Work the chain does by itself after a block's transactions: continue queued e-order batches."""
        advance_issuance(view, ctx)

    def execute_tx(self, view: View, tx: bytes, ctx: BlockContext, *, consume_nonce_on_failure: bool = False) -> TxOutcome:
        """The one check function. On success the tx's writes are merged into ``view``."""
        signer = kind = ""
        nonce_passed = False
        try:
            digest = tx_hash(tx)
            found, acct = self._verified(tx, digest, view)
            env = found.envelope if isinstance(found, _Decoded) else found
            signer = env.signer
            kind = str(env.msg.get("type", ""))[:40]
            if env.chain_id != ctx.chain_id:
                raise TxRejected(Code.WRONG_CHAIN_ID, f"signed for chain {env.chain_id[:64]!r}, this chain is {ctx.chain_id!r}")
            if acct is None:
                raise TxRejected(Code.UNKNOWN_SIGNER, f"signer {env.signer} is not a registered account; ask the government to register it")
            entry = found if isinstance(found, _Decoded) else self._verify(tx, digest, env, acct["public_key"])
            if entry.message_error is not None:
                raise TxRejected(entry.message_error.code, entry.message_error.log)  # a fresh exception each time
            rule = RULES[type(entry.message)]
            if acct["role"] not in rule.roles:
                raise TxRejected(Code.UNAUTHORIZED, f"a {acct['role']} account may not send {kind}; allowed: {', '.join(sorted(rule.roles))}")
            nonce_key = f"nonce/{env.signer}"
            expected = get_int(view, nonce_key)
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
                view.set(nonce_key, str(get_int(view, nonce_key) + 1).encode())
            return TxOutcome(exc.code, exc.log, signer, kind)
