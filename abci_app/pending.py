"""The mempool's view between blocks: committed state plus each sender's pending nonce.

CheckTx judges a tx against the committed state with the mempool's accepted txs applied. When a
block commits, the txs still waiting in CometBFT's mempool have to stay applied, or a sender who
sent nonces 5, 6, 7 (5 committed) would see 8 refused as "ahead". Executing every waiting tx again
after each Commit (CometBFT's recheck, answered in full) costs O(mempool) per block and holds up the
next block while CometBFT waits for the answers. Instead ``PendingNonces`` carries each sender's
next pending nonce across Commit (the larger of it and the committed one): O(senders with waiting
txs). A RECHECK is answered without executing (``Application._recheck``): a tx whose nonce the block
used is refused, one this node's PrepareProposal found failing (``LeftOut``) is refused, the rest
stay; so recheck must stay on in CometBFT's config (it is how the mempool sheds those txs).

Only the nonce survives: other effects of waiting txs (a pending debit) start again from the
committed state, so a tx may pass CheckTx that then fails in a block. The proposer's PrepareProposal
leaves such a tx out and ``rewind`` sets its sender's pending nonce back to that tx's, so the sender
can send that nonce again. An entry that no CheckTx advanced for ``ttl_blocks`` heights is dropped.
Entries come only from txs whose signature verified against a registered key, and at most ``limit``
are kept (oldest first out).
"""

from __future__ import annotations

from collections import OrderedDict

from .modules.core import keys as core_keys
from .state import Overlay, Store
from .view import get_int

__all__ = ["PendingNonces", "LeftOut", "PENDING_TTL_BLOCKS"]

PENDING_TTL_BLOCKS = 100  # heights without a new tx from a sender before its entry is dropped


class PendingNonces:
    """Each sender's next nonce as the mempool has it, and the height at which a CheckTx last advanced it."""

    def __init__(self, ttl_blocks: int = PENDING_TTL_BLOCKS, limit: int = 100_000):
        self.ttl_blocks = ttl_blocks
        self.limit = limit
        self._next: OrderedDict[str, tuple[int, int]] = OrderedDict()  # signer → (next nonce, height)

    def __len__(self) -> int:
        return len(self._next)

    def accepted(self, signer: str, view: Overlay, height: int) -> None:
        """A tx of ``signer`` passed CheckTx on the mempool ``view`` (at committed ``height``)."""
        self._next.pop(signer, None)
        self._next[signer] = (get_int(view, core_keys.nonce(signer)), height)
        while len(self._next) > self.limit:
            self._next.popitem(last=False)

    def rewind(self, signer: str, check_view: Overlay, block_view: Overlay, height: int) -> None:
        """The proposer left out a failed tx of ``signer``: the mempool expects that tx's nonce again
        (the sender's next nonce in the proposal's ``block_view``, where the tx did not count)."""
        next_nonce = get_int(block_view, core_keys.nonce(signer))
        check_view.set(core_keys.nonce(signer), str(next_nonce).encode())
        self._next.pop(signer, None)
        self._next[signer] = (next_nonce, height)

    def clear(self) -> None:
        self._next.clear()

    def view_after_commit(self, store: Store) -> Overlay:
        """A fresh mempool view of the committed ``store`` with every live pending nonce applied;
        entries the chain caught up with, or that went ``ttl_blocks`` heights without a CheckTx, go."""
        view = Overlay(store)
        for signer, (next_nonce, height) in list(self._next.items()):
            key = core_keys.nonce(signer)
            if next_nonce <= get_int(store, key) or store.height - height >= self.ttl_blocks:
                del self._next[signer]
            else:
                view.set(key, str(next_nonce).encode())
        return view


class LeftOut:
    """Txs this node's PrepareProposal found failing, by tx hash, with their result: the next RECHECK
    refuses them, so CometBFT drops them from its mempool instead of offering them block after block."""

    def __init__(self, limit: int = 10_000):
        self.limit = limit
        self._failed: OrderedDict[bytes, tuple[int, str]] = OrderedDict()

    def add(self, digest: bytes, code: int, log: str) -> None:
        self._failed[digest] = (code, log)
        while len(self._failed) > self.limit:
            self._failed.popitem(last=False)

    def pop(self, digest: bytes) -> tuple[int, str] | None:
        return self._failed.pop(digest, None)
