"""The mempool view across Commit: each sender's pending nonce survives, a RECHECK is answered without
executing again (used nonces and txs the proposer left out as failing are refused), stale entries expire."""

from __future__ import annotations

import pytest

from protocol.codes import Code
from abci_app.app import _OUTCOME_RESERVE, _outcome_share
from abci_app.pending import PendingNonces
from abci_app.proto import abci
from abci_harness import sealed, CHAIN_ID, Actors, Node, transfer


@pytest.fixture
def node_actors(tmp_path):
    actors = Actors.make()
    return Node.start(tmp_path / "node", actors.app_state()), actors


def _tx(signer, nonce, to, amount):
    return sealed(signer.sign_tx(CHAIN_ID, nonce, transfer(to, amount)))


def test_pending_nonces_survive_commit_without_recheck(node_actors):
    node, actors = node_actors
    seller, buyer = actors.companies[:2]
    txs = [_tx(seller, n, buyer, 1) for n in range(3)]
    assert [node.check(tx).code for tx in txs] == [Code.OK] * 3
    assert [r.code for r in node.block(txs[:1])] == [Code.OK]  # only nonce 0 made it into the block
    assert node.check(_tx(seller, 3, buyer, 1)).code == Code.OK, "nonces 1 and 2 still wait in the mempool"
    assert node.check(_tx(seller, 2, buyer, 7)).code == Code.NONCE_REPLAYED
    assert node.check(_tx(seller, 5, buyer, 1)).code == Code.NONCE_AHEAD
    assert [r.code for r in node.block(txs[1:])] == [Code.OK, Code.OK]
    assert node.check(_tx(seller, 4, buyer, 1)).code == Code.OK


def test_a_sender_the_chain_caught_up_with_leaves_no_entry(node_actors):
    node, actors = node_actors
    seller, buyer = actors.companies[:2]
    tx = _tx(seller, 0, buyer, 1)
    assert node.check(tx).code == Code.OK and len(node.app.pending) == 1
    node.block([tx])
    assert len(node.app.pending) == 0
    assert node.check(_tx(seller, 1, buyer, 1)).code == Code.OK


def test_a_tx_the_proposer_leaves_out_gives_its_nonce_back(node_actors):
    node, actors = node_actors
    seller, buyer = actors.companies[:2]  # 1,000 KAU25 each
    first = _tx(seller, 0, buyer, 600)
    assert node.check(first).code == Code.OK
    node.block([])  # the block came without it: the pending debit is forgotten, the nonce is not
    second = _tx(seller, 1, buyer, 600)
    assert node.check(second).code == Code.OK  # passes CheckTx on the committed balance ...
    proposal = node.prepare([first, second])
    assert proposal[:-1] == [first], "... but the proposer leaves it out: 400 left after the first"
    assert node.check(_tx(seller, 2, buyer, 1)).code == Code.NONCE_AHEAD, "nonce 1 is free again"
    node.block(proposal[:-1])
    again = _tx(seller, 1, buyer, 300)
    assert node.check(again).code == Code.OK
    assert [r.code for r in node.block([again])] == [Code.OK]
    assert node.balances(seller)["KAU25"] == 100


def test_an_entry_without_new_txs_expires_after_the_ttl(node_actors):
    node, actors = node_actors
    seller, buyer = actors.companies[:2]
    node.app.pending.ttl_blocks = 3
    assert node.check(_tx(seller, 0, buyer, 1)).code == Code.OK
    for _ in range(2):
        node.block([])
        assert node.check(_tx(seller, 0, buyer, 2)).code == Code.NONCE_REPLAYED
    node.block([])  # its tx left the mempool by now (CometBFT's ttl_num_blocks)
    assert len(node.app.pending) == 0
    assert node.check(_tx(seller, 0, buyer, 2)).code == Code.OK


def test_recheck_refuses_used_nonces_and_keeps_the_rest(node_actors):
    node, actors = node_actors
    seller, buyer = actors.companies[:2]
    waiting = [_tx(seller, n, buyer, 1) for n in range(3)]
    assert [node.check(tx).code for tx in waiting] == [Code.OK] * 3
    node.block([_tx(seller, 0, buyer, 5)])  # another validator's nonce 0
    rechecked = [node.check(tx, recheck=True) for tx in waiting]
    assert [r.code for r in rechecked] == [Code.NONCE_REPLAYED, Code.OK, Code.OK]
    assert "already used" in rechecked[0].log
    assert node.check(_tx(seller, 3, buyer, 1)).code == Code.OK
    assert [r.code for r in node.block(waiting[1:])] == [Code.OK, Code.OK]


def test_recheck_refuses_what_the_proposer_left_out_and_the_txs_behind_it(node_actors):
    node, actors = node_actors
    seller, buyer = actors.companies[:2]  # 1,000 KAU25 each
    first = _tx(seller, 0, buyer, 600)
    assert node.check(first).code == Code.OK
    node.block([])
    second, third = _tx(seller, 1, buyer, 600), _tx(seller, 2, buyer, 1)
    assert node.check(second).code == Code.OK and node.check(third).code == Code.OK
    assert node.prepare([first, second, third])[:-1] == [first]
    node.block([first])
    assert node.check(second, recheck=True).code == Code.INSUFFICIENT_BALANCE
    assert node.check(third, recheck=True).code == Code.NONCE_AHEAD
    assert node.check(second, recheck=True).code == Code.OK, "refused once: CometBFT has dropped it by then"


def test_txs_behind_one_that_did_not_fit_stay(node_actors):
    node, actors = node_actors
    seller, buyer = actors.companies[:2]
    txs = [_tx(seller, n, buyer, 1) for n in range(3)]
    assert [node.check(tx).code for tx in txs] == [Code.OK] * 3
    fits_one = len(abci.ResponsePrepareProposal(txs=txs[:1]).SerializeToString()) + _OUTCOME_RESERVE + 2 * _outcome_share(txs[0])
    chosen = node.prepare(txs, max_tx_bytes=fits_one)[:-1]
    assert chosen == txs[:1]
    node.block(chosen)
    assert [node.check(tx, recheck=True).code for tx in txs[1:]] == [Code.OK, Code.OK]


def test_a_recheck_of_an_uncached_tx_checks_it_in_full(node_actors, tmp_path):
    node, actors = node_actors
    seller, buyer = actors.companies[:2]
    txs = [_tx(seller, n, buyer, 1) for n in range(3)]
    assert [node.check(tx).code for tx in txs] == [Code.OK] * 3
    node.block(txs[:1])
    restarted = Node(node.home)  # a new process: nothing cached
    assert [restarted.check(tx, recheck=True).code for tx in txs] == [Code.NONCE_REPLAYED, Code.OK, Code.OK]
    forged = bytearray(txs[2])
    forged[-1] ^= 1
    assert restarted.check(bytes(forged), recheck=True).code == Code.PRIVATE_TX_UNREADABLE


def test_pending_entries_are_bounded():
    pending = PendingNonces(limit=3)

    class _View:
        def get(self, key):
            return b"4"

    for i in range(10):
        pending.accepted(f"{i:040x}", _View(), 1)
    assert len(pending) == 3
