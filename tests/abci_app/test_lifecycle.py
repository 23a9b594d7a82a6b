"""The ABCI lifecycle in process, as CometBFT's kvstore_test.go does it:
InitChain → CheckTx → PrepareProposal → ProcessProposal → FinalizeBlock → Commit → Info → Query."""

from __future__ import annotations

import json

import pytest

from abci_app.app import _OUTCOME_RESERVE, APP_VERSION, PRIVATE_RESULT, Application, _outcome_share
from abci_app.outcomes import OUTCOME_RESULT
from protocol.outcome import is_outcome
from protocol.codes import Code, CODESPACE
from abci_app.proto import abci
from abci_app.state import Store
from abci_harness import EXECUTION_KEYS, sealed, BLINDING_KEY, CHAIN_ID, GENESIS_TIME, Node, approve, issue, register, transfer, ts
from protocol.codec import tx_hash
from ets.keys import Signer

ACCEPT = abci.ResponseProcessProposal.ACCEPT
REJECT = abci.ResponseProcessProposal.REJECT


def test_fresh_application_reports_height_zero(tmp_path):
    app = Application(tmp_path, blinding_key=BLINDING_KEY, execution_keys=EXECUTION_KEYS)
    info = app.info(abci.RequestInfo())
    assert (info.last_block_height, info.last_block_app_hash, info.app_version) == (0, b"", APP_VERSION)
    assert app.query(abci.RequestQuery(path="/params")).code == Code.NOT_FOUND


def test_full_block_cycle(node, actors):
    seller, buyer = actors.companies[:2]
    genesis_hash = node.app.store.app_hash
    assert node.info().last_block_height == 0

    good = node.sign(seller, transfer(buyer, 300))
    bad = sealed(Signer.generate().sign_tx(CHAIN_ID, 0, transfer(buyer, 1)))
    good2 = node.sign(seller, transfer(buyer, 20, "KAU26"))
    assert node.check(good).code == Code.OK
    assert node.check(bad).code == Code.UNKNOWN_SIGNER
    assert node.check(good2).code == Code.OK

    proposal = node.prepare([good, bad, good2])
    assert proposal[:-1] == [good, good2] and is_outcome(proposal[-1])  # the proposer ends its block with the outcome
    assert node.process(proposal) == ACCEPT
    assert node.process([good, good2, proposal[-1].replace(b'"app_hash":"', b'"app_hash":"0', 1)[:-1]]) == REJECT  # false
    bare = abci.RequestProcessProposal(txs=[good, good2], height=1, time=ts(node.time + 5), hash=b"b" * 32)
    assert node.app.process_proposal(bare).status == REJECT  # no outcome at the end
    assert node.info().last_block_height == 0  # proposals never touch committed state

    finalized = node.finalize(proposal)
    assert [r.code for r in finalized.tx_results] == [Code.OK, Code.OK, Code.OK]
    assert all(r.codespace == "" and r.log == "" for r in finalized.tx_results)
    assert len(finalized.app_hash) == 32 and finalized.app_hash != genesis_hash
    assert node.commit().retain_height == 0

    info = node.info()
    assert (info.last_block_height, info.last_block_app_hash) == (1, finalized.app_hash)
    assert node.balances(seller) == {"KAU25": 700, "KAU26": 480}
    assert node.balances(buyer) == {"KAU25": 1_300, "KAU26": 520}
    assert node.committed_nonce(seller) == 2 and node.committed_nonce(buyer) == 0
    assert node.read("/supply") == {"KAU25": 1_000 * 3, "KAU26": 500 * 3}  # transfers never change supply
    assert node.read(f"/tx/{tx_hash(good).hex()}", reader=seller) == {
        "hash": tx_hash(good).hex(), "height": 1, "index": 0, "code": 0, "log": "", "signer": seller.address, "type": "transfer",
        "data": "", "private": True,
    }
    node.record_access(actors.gov[0], seller, "a sale reported for supervision")  # the regulator says why, then reads
    assert node.read(f"/tx/{tx_hash(good2).hex()}", reader=actors.gov[0])["index"] == 1
    assert node.query(f"/tx/{tx_hash(good).hex()}").code == Code.UNAUTHORIZED  # nobody else
    signed = buyer.signed_query(CHAIN_ID, f"/tx/{tx_hash(good).hex()}", node.app.store.block_time)
    assert node.query(f"/tx/{tx_hash(good).hex()}", signed.data).code == Code.NOT_FOUND
    assert node.query("/params").height == node.height == 2


def test_empty_block_keeps_the_app_hash(node):
    genesis_hash = node.app.store.app_hash
    resp = node.finalize([])  # only the block outcome
    assert list(resp.tx_results) == [OUTCOME_RESULT] and resp.app_hash == genesis_hash
    node.commit()
    assert node.info().last_block_height == 1


def test_recheck_after_commit_evicts_a_tx_whose_nonce_was_used(node, actors):
    seller, buyer = actors.companies[:2]
    mine_0 = sealed(seller.sign_tx(CHAIN_ID, 0, transfer(buyer, 10)))
    mine_1 = sealed(seller.sign_tx(CHAIN_ID, 1, transfer(buyer, 11)))
    assert node.check(mine_0).code == Code.OK
    assert node.check(mine_1).code == Code.OK
    assert node.check(mine_1).code == Code.NONCE_REPLAYED  # the mempool view already used nonce 1

    # another validator's block spent nonce 0 with a different tx
    theirs_0 = sealed(seller.sign_tx(CHAIN_ID, 0, transfer(buyer, 99)))
    assert [r.code for r in node.block([theirs_0])] == [Code.OK]

    evicted = node.check(mine_0, recheck=True)
    assert evicted.code == Code.NONCE_REPLAYED and evicted.codespace == CODESPACE and "already used" in evicted.log
    assert node.check(mine_1, recheck=True).code == Code.OK  # still valid: it is the next nonce now


def test_prepare_proposal_drops_invalid_txs_and_respects_max_tx_bytes(node, actors):
    a, b, c = actors.companies
    t1 = sealed(a.sign_tx(CHAIN_ID, 0, transfer(b, 1)))
    t2 = sealed(b.sign_tx(CHAIN_ID, 0, transfer(c, 1)))
    t3 = sealed(c.sign_tx(CHAIN_ID, 0, transfer(a, 1)))
    replay = sealed(a.sign_tx(CHAIN_ID, 0, transfer(c, 1)))  # same nonce as t1
    ahead = sealed(a.sign_tx(CHAIN_ID, 7, transfer(c, 1)))
    broke = sealed(c.sign_tx(CHAIN_ID, 1, transfer(a, 10_000)))

    assert node.prepare([t1, replay, ahead, t2, broke, t3])[:-1] == [t1, t2, t3]

    def block_bytes(txs):  # protobuf size of the txs field, as CometBFT counts it
        return len(abci.ResponsePrepareProposal(txs=txs).SerializeToString())

    # room is kept for the outcome: a fixed part and a share per tx (a private tx's is a few bytes)
    limit = _OUTCOME_RESERVE + block_bytes([t1, t2]) + 2 * _outcome_share(t1)
    for cap, kept in ((limit, [t1, t2]), (limit - 1, [t1])):
        prepared = node.prepare([t1, t2, t3], max_tx_bytes=cap)
        assert prepared[:-1] == kept and is_outcome(prepared[-1])
        assert block_bytes(prepared) <= cap
    # a valid tx that does not fit is skipped, and smaller ones after it still get in
    newcomers = [Signer.generate() for _ in range(3)]
    big = actors.gov[0].sign_tx(CHAIN_ID, 0, {"type": "propose", "action": {"type": "register_accounts", "accounts": [
        {"address": s.address, "public_key": s.public_key.hex(), "role": "company", "name": f"{'V' * 150} {i}",
         "company_id": f"C-{i}", "sector": "steel"} for i, s in enumerate(newcomers)]}})
    assert node.check(big).code == Code.OK
    limit = _OUTCOME_RESERVE + block_bytes([t1, t2]) + 2 * _outcome_share(t1)
    assert _OUTCOME_RESERVE + block_bytes([t1, big]) + _outcome_share(t1) + _outcome_share(big) > limit
    chosen = node.prepare([t1, big, t2], max_tx_bytes=limit)
    assert chosen[:-1] == [t1, t2] and block_bytes(chosen) <= limit
    assert [is_outcome(tx) for tx in node.prepare([t1], max_tx_bytes=0)] == [True]  # no room: only the outcome


def test_process_proposal_rejects_a_block_with_an_invalid_tx(node, actors):
    a, b = actors.companies[:2]
    t1 = sealed(a.sign_tx(CHAIN_ID, 0, transfer(b, 1)))
    t2 = sealed(a.sign_tx(CHAIN_ID, 1, transfer(b, 1)))
    assert node.process([t1, t2]) == ACCEPT
    assert node.process([t2, t1]) == REJECT  # order matters: nonce 1 before nonce 0
    assert node.process([t1, t1]) == REJECT  # duplicate
    assert node.process([t1, b"junk"]) == REJECT
    assert node.process([sealed(a.sign_tx(CHAIN_ID, 0, transfer(b, 5_000)))]) == REJECT
    assert node.process([]) == ACCEPT
    assert node.info().last_block_height == 0


def test_finalize_block_returns_one_registered_result_per_tx_in_order(node, actors):
    a, b = actors.companies[:2]
    first = sealed(a.sign_tx(CHAIN_ID, 0, transfer(b, 1)))
    txs = [
        first,                                                       # OK
        b"\xff" * 10,                                                # MALFORMED_TX
        first + b"",                                                 # identical bytes to tx 0: replay
        sealed(a.sign_tx(CHAIN_ID, 1, transfer(b, 10**6))),                  # INSUFFICIENT_BALANCE, consumes nonce 1
        sealed(a.sign_tx(CHAIN_ID, 3, transfer(b, 1))),                      # NONCE_AHEAD (next is 2)
        sealed(actors.bank.sign_tx(CHAIN_ID, 0, transfer(b, 1))),            # UNAUTHORIZED
        sealed(a.sign_tx(CHAIN_ID, 2, transfer(b, 2))),                      # OK
        sealed(actors.gov[0].sign_tx(CHAIN_ID, 0, issue(b, 5))),             # OK, opens proposal 1
        sealed(actors.gov[1].sign_tx(CHAIN_ID, 0, approve(1))),              # OK, executes it
    ]
    resp = node.finalize(txs)
    # the public results: a private tx's is the same whatever happened; the others say what was wrong
    assert [r.code for r in resp.tx_results] == [Code.OK, Code.MALFORMED_TX] + [Code.OK] * 8  # the last: the outcome
    assert all(r == PRIVATE_RESULT for i, r in enumerate(resp.tx_results) if i not in (1, 7, 8))
    for r in resp.tx_results:
        assert r.code in set(Code)
        assert (r.codespace, bool(r.log)) == (("", False) if r.code == Code.OK else (CODESPACE, True))
    assert json.loads(resp.tx_results[8].data) == {"proposal_id": 1, "status": "executed"}
    node.commit()
    detailed = [node.detailed(tx, r) for tx, r in zip(txs, resp.tx_results)]  # what each signer reads
    assert [r.code for r in detailed] == [Code.OK, Code.MALFORMED_TX, Code.OK, Code.INSUFFICIENT_BALANCE, Code.NONCE_AHEAD,
                                          Code.UNAUTHORIZED, Code.OK, Code.OK, Code.OK]  # tx 2 shares tx 0's hash, its record
    assert all(bool(r.log) == (r.code != Code.OK) for r in detailed)
    assert node.committed_nonce(a) == 3
    assert node.balances(b)["KAU25"] == 1_000 + 1 + 2 + 5
    node.record_access(actors.gov[2])
    for index, tx in enumerate(txs):
        if index not in (0, 2):  # tx 2 repeats tx 0's bytes, so they share one hash
            assert node.read(f"/tx/{tx_hash(tx).hex()}", reader=actors.gov[2])["index"] == index


def test_failed_tx_in_a_block_consumes_its_nonce_and_cannot_be_replayed(node, actors):
    a, b = actors.companies[:2]
    doomed = sealed(a.sign_tx(CHAIN_ID, 0, transfer(b, 5_000)))  # more than a holds
    assert node.block([doomed])[0].code == Code.INSUFFICIENT_BALANCE
    assert node.committed_nonce(a) == 1
    # funds arrive; the old signed tx would now succeed, but its nonce is spent
    funding = node.block([sealed(actors.gov[0].sign_tx(CHAIN_ID, 0, issue(a, 10_000))), sealed(actors.gov[1].sign_tx(CHAIN_ID, 0, approve(1)))])
    assert [r.code for r in funding] == [Code.OK, Code.OK]
    assert node.check(doomed).code == Code.NONCE_REPLAYED
    node.block([doomed])  # its record stays the first one (INSUFFICIENT_BALANCE); this time nothing happened at all
    assert node.balances(b)["KAU25"] == 1_000 and node.committed_nonce(a) == 1


def test_nothing_is_persisted_until_commit(node, actors):
    a, b = actors.companies[:2]
    node.block([sealed(a.sign_tx(CHAIN_ID, 0, transfer(b, 1)))])
    committed = node.info()
    staged = node.finalize([sealed(a.sign_tx(CHAIN_ID, 1, transfer(b, 500)))])
    assert staged.tx_results[0].code == Code.OK

    reopened = Store(node.home / "state.sqlite", BLINDING_KEY)
    assert (reopened.height, reopened.app_hash) == (1, committed.last_block_app_hash)
    assert reopened.get(f"bal/{a.address}/KAU25") == b"999"
    assert reopened.recompute_root() == reopened.app_hash
    reopened.close()
    assert node.balances(a)["KAU25"] == 999  # queries read committed state only

    node.commit()
    reopened = Store(node.home / "state.sqlite", BLINDING_KEY)
    assert (reopened.height, reopened.app_hash) == (2, staged.app_hash)
    assert reopened.get(f"bal/{a.address}/KAU25") == b"499"
    reopened.close()


def test_crash_after_commit_recovers_the_same_info_and_state(node, actors):
    a, b = actors.companies[:2]
    node.block([sealed(a.sign_tx(CHAIN_ID, 0, transfer(b, 7)))])
    node.block([sealed(actors.gov[0].sign_tx(CHAIN_ID, 0, issue(b, 3)))])
    before = node.info()

    restarted = Node(node.home)
    after = restarted.info()
    assert after.last_block_height == before.last_block_height == 2
    assert after.last_block_app_hash == before.last_block_app_hash == node.app.store.app_hash
    assert restarted.balances(b) == node.balances(b)
    assert restarted.read("/proposal/1") == node.read("/proposal/1")
    assert restarted.app.store.block_time == node.app.store.block_time
    # and it carries on: the next nonce is enforced after the restart
    assert restarted.check(sealed(a.sign_tx(CHAIN_ID, 0, transfer(b, 1)))).code == Code.NONCE_REPLAYED
    assert restarted.check(sealed(a.sign_tx(CHAIN_ID, 1, transfer(b, 1)))).code == Code.OK


def test_crash_between_finalize_and_commit_replays_to_the_same_hash(node, actors):
    a, b = actors.companies[:2]
    txs = [sealed(a.sign_tx(CHAIN_ID, 0, transfer(b, 7))), sealed(a.sign_tx(CHAIN_ID, 1, transfer(b, 9_999)))]
    first = node.finalize(txs, time=GENESIS_TIME + 5)
    # the process dies here; CometBFT's handshake sees height 0 and replays block 1
    restarted = Node(node.home)
    assert restarted.info().last_block_height == 0
    replay = restarted.finalize(txs, time=GENESIS_TIME + 5)
    assert replay.app_hash == first.app_hash
    assert list(replay.tx_results) == list(first.tx_results)
    restarted.commit()
    assert restarted.info().last_block_app_hash == first.app_hash


def test_finalize_uses_the_checked_proposal_and_gets_the_same_result(tmp_path, actors):
    a, b = actors.companies[:2]
    txs = [sealed(a.sign_tx(CHAIN_ID, 0, transfer(b, 7))), sealed(actors.gov[0].sign_tx(CHAIN_ID, 0, issue(a, 1)))]
    app_state = actors.app_state()
    with_process, without = Node.start(tmp_path / "p", app_state), Node.start(tmp_path / "f", app_state)
    assert with_process.process(txs) == ACCEPT
    r1, r2 = with_process.finalize(txs), without.finalize(txs)
    assert r1.app_hash == r2.app_hash and list(r1.tx_results) == list(r2.tx_results)


def test_init_chain_reports_the_genesis_hash_and_info_after_first_block(tmp_path, actors):
    app = Application(tmp_path, blinding_key=BLINDING_KEY, execution_keys=EXECUTION_KEYS)
    resp = app.init_chain(abci.RequestInitChain(time=ts(GENESIS_TIME), chain_id=CHAIN_ID, initial_height=1,
                                                app_state_bytes=json.dumps(actors.app_state()).encode()))
    assert resp.app_hash == app.store.recompute_root() and len(resp.app_hash) == 32
    assert app.info(abci.RequestInfo()).last_block_height == 0


def test_consensus_misuse_is_refused_loudly(node):
    with pytest.raises(RuntimeError, match="Commit without"):
        node.commit()
    node.block([])
    with pytest.raises(RuntimeError, match="height 5"):
        node.app.finalize_block(abci.RequestFinalizeBlock(height=5, time=ts(GENESIS_TIME + 100)))


def test_unused_abci_features_answer_plainly(node):
    app = node.app
    assert app.echo(abci.RequestEcho(message="hi")).message == "hi"
    assert app.extend_vote(abci.RequestExtendVote()).vote_extension == b""
    assert app.verify_vote_extension(abci.RequestVerifyVoteExtension()).status == abci.ResponseVerifyVoteExtension.ACCEPT
    assert app.verify_vote_extension(abci.RequestVerifyVoteExtension(vote_extension=b"x")).status == abci.ResponseVerifyVoteExtension.REJECT
    assert list(app.list_snapshots(abci.RequestListSnapshots()).snapshots) == []
    assert app.offer_snapshot(abci.RequestOfferSnapshot()).result == abci.ResponseOfferSnapshot.REJECT_FORMAT
