"""abci_query (abci_app/query.py): public paths, confidential balances behind signed queries."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from abci_app.genesis import PARAM_DEFAULTS
from protocol.codes import Code, CODESPACE
from abci_app.rules import CHAIN
from abci_harness import sealed, CHAIN_ID, Actors, Node, approve, issue, transfer
from abci_app.query import QUERY_FUTURE_SKEW
from protocol.codec import canonical_json, encode_envelope, tx_hash
from protocol.replies import REPLY_MAGIC, ReplyError
from ets.keys import Signer


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    """Two committed blocks: a transfer, and an executed issuance (proposal 1)."""
    actors = Actors.make()
    node = Node.start(tmp_path_factory.mktemp("query"), actors.app_state())
    first = node.sign(actors.companies[0], transfer(actors.companies[1], 25))
    node.block([first])
    node.block([node.sign(actors.gov[0], issue(actors.companies[2], 40, "KCU25")), node.sign(actors.gov[1], approve(1))])
    for official in actors.gov:  # the officials' reads of private data are recorded first
        node.record_access(official)
    return actors, node, first


def _signed(node: Node, reader: Signer, path: str, *, issued_at: int | None = None, chain_id: str = CHAIN_ID) -> bytes:
    return reader.sign_query(chain_id, path, node.app.store.block_time if issued_at is None else issued_at)


# ------------------------------------------------------------------ public paths


def test_public_paths(chain):
    actors, node, first = chain
    c0 = actors.companies[0]
    assert node.read("/params") == {"approvals_required": 2, "proposal_ttl_seconds": 604800, **PARAM_DEFAULTS, "query_max_age_seconds": 30}
    assert node.read(f"/account/{c0.address}") == {"address": c0.address, "public_key": c0.public_key.hex(), "role": "company",
                                                   "name": "company-1", "since": 0}
    assert node.read(f"/account/{actors.edge.address}")["company"] == c0.address
    assert node.read(f"/nonce/{c0.address}", reader=c0) == {"address": c0.address, "nonce": 1}  # nonces show activity
    assert node.query(f"/nonce/{c0.address}").code == Code.UNAUTHORIZED
    assert node.read(f"/nonce/{'cd' * 20}", reader=actors.gov[0]) == {"address": "cd" * 20, "nonce": 0}
    assert node.read("/supply") == {"KAU25": 3_000, "KAU26": 1_500, "KCU25": 40}
    proposal = node.read("/proposal/1")
    assert (proposal["status"], proposal["action"]) == ("executed", {"type": "issue_allowances", "to": actors.companies[2].address,
                                                                     "instrument": "KCU25", "amount": 40})
    assert [p["id"] for p in node.read("/proposals")] == [1]
    assert node.read(f"/tx/{tx_hash(first).hex()}", reader=c0) == {
        "hash": tx_hash(first).hex(), "height": 1, "index": 0, "code": 0, "log": "", "signer": c0.address, "type": "transfer",
        "data": "", "private": True}
    assert node.read(f"/tx/{tx_hash(first).hex().upper()}", reader=actors.gov[1])["height"] == 1


def test_tx_query_returns_failed_results_too(tmp_path, actors):
    node = Node.start(tmp_path, actors.app_state())
    doomed = node.sign(actors.companies[0], transfer(actors.companies[1], 10**6))
    node.block([doomed])
    record = node.read(f"/tx/{tx_hash(doomed).hex()}", reader=actors.companies[0])
    assert record["code"] == Code.INSUFFICIENT_BALANCE and "not enough KAU25" in record["log"] and record["private"]


@pytest.mark.parametrize("path, code", [
    ("/nothing", Code.BAD_QUERY),
    ("", Code.BAD_QUERY),
    ("/", Code.BAD_QUERY),
    ("/balance/" + "ab" * 20, Code.BAD_QUERY),
    ("/account/" + "AB" * 20, Code.BAD_QUERY),
    ("/account/" + "ab" * 20, Code.NOT_FOUND),
    ("/account", Code.BAD_QUERY),
    ("/nonce/xyz", Code.BAD_QUERY),
    ("/proposal/2", Code.NOT_FOUND),
    ("/proposal/abc", Code.BAD_QUERY),
    ("/proposal/-1", Code.BAD_QUERY),
    ("/proposal/²", Code.BAD_QUERY),
    ("/proposal/" + "9" * 5000, Code.BAD_QUERY),
    ("/proposal", Code.BAD_QUERY),
    ("/tx/" + "00" * 32, Code.NOT_FOUND),
    ("/tx/1234", Code.BAD_QUERY),
    ("/tx/zz", Code.BAD_QUERY),
    ("/tx", Code.BAD_QUERY),
])
def test_bad_and_missing_paths(chain, path, code):
    _, node, _ = chain
    resp = node.query(path)
    assert (resp.code, resp.codespace) == (code, CODESPACE)
    assert resp.log and resp.value == b""


def test_only_the_latest_height_can_be_queried(chain):
    _, node, _ = chain
    assert node.query("/params", height=node.height).code == Code.OK
    resp = node.query("/params", height=1)
    assert resp.code == Code.BAD_QUERY and "latest height" in resp.log


# ------------------------------------------------------------------ confidential balances


@pytest.mark.parametrize("reader, code", [
    ("holder", Code.OK),
    ("gov", Code.OK),
    ("other company", Code.UNAUTHORIZED),
    ("verifier", Code.UNAUTHORIZED),
    ("exchange", Code.UNAUTHORIZED),
    ("edge device of the holder", Code.UNAUTHORIZED),
    ("stranger", Code.UNKNOWN_SIGNER),
])
def test_balances_readable_by_holder_and_regulator_only(chain, reader, code):
    actors, node, _ = chain
    holder = actors.companies[0]
    who = {"holder": holder, "gov": actors.gov[2], "other company": actors.companies[1], "verifier": actors.verifier,
           "exchange": actors.exchange, "edge device of the holder": actors.edge, "stranger": Signer.generate()}[reader]
    path = f"/balances/{holder.address}"
    signed = who.signed_query(CHAIN_ID, path, node.app.store.block_time)
    resp = node.query(path, signed.data)
    assert resp.code == code, resp.log
    if code == Code.OK:
        assert json.loads(signed.open(resp.value)) == {"KAU25": 975, "KAU26": 500}
    else:
        assert resp.value == b"" and resp.log


def test_balances_with_nothing_held_is_empty(chain):
    actors, node, _ = chain
    path = f"/balances/{actors.bank.address}"
    assert node.read(path, reader=actors.bank) == {}


def _forged(node: Node, reader: Signer, path: str) -> bytes:
    q = bytearray(_signed(node, reader, path))
    q[10] ^= 0xFF
    return bytes(q)


@pytest.mark.parametrize("case, code, fragment", [
    ("unsigned", Code.UNAUTHORIZED, "private"),
    ("stale", Code.BAD_QUERY, "fresh"),
    ("from the future", Code.BAD_QUERY, "ahead"),
    ("other path", Code.BAD_QUERY, "another path"),
    ("other chain", Code.WRONG_CHAIN_ID, "chain"),
    ("forged signature", Code.BAD_SIGNATURE, "signature"),
    ("tx envelope", Code.BAD_QUERY, "malformed"),
    ("garbage", Code.BAD_QUERY, "malformed"),
    ("signed by another key", Code.BAD_SIGNATURE, "signature"),
])
def test_signed_query_is_refused(chain, case, code, fragment):
    actors, node, _ = chain
    holder = actors.companies[0]
    path = f"/balances/{holder.address}"
    now = node.app.store.block_time
    data = {
        "unsigned": lambda: b"",
        "stale": lambda: _signed(node, holder, path, issued_at=now - 31),
        "from the future": lambda: _signed(node, holder, path, issued_at=now + QUERY_FUTURE_SKEW + 1),
        "other path": lambda: _signed(node, holder, f"/balances/{actors.companies[1].address}"),
        "other chain": lambda: _signed(node, holder, path, chain_id="ets-other"),
        "forged signature": lambda: _forged(node, holder, path),
        "tx envelope": lambda: sealed(holder.sign_tx(CHAIN_ID, 0, transfer(actors.companies[1], 1))),
        "garbage": lambda: b"ETSQ" + b"\x00" * 80,
        "signed by another key": lambda: encode_envelope(
            canonical_json({"chain_id": CHAIN_ID, "issued_at": now, "path": path, "reader": holder.address, "reply_key": "ab" * 32}),
            Signer.generate().private_key.sign(b"x" * 32), query=True),
    }[case]()
    resp = node.query(path, data)
    assert resp.code == code, resp.log
    assert fragment in resp.log and resp.value == b""


def test_freshness_boundaries_are_inclusive(chain):
    actors, node, _ = chain
    holder = actors.companies[0]
    path = f"/balances/{holder.address}"
    now = node.app.store.block_time
    for issued_at in (now - 30, now + QUERY_FUTURE_SKEW):
        assert node.query(path, _signed(node, holder, path, issued_at=issued_at)).code == Code.OK


def test_a_signed_query_is_answered_once(chain):
    actors, node, _ = chain
    holder = actors.companies[0]
    path = f"/balances/{holder.address}"
    captured = holder.signed_query(CHAIN_ID, path, node.app.store.block_time)
    first = node.query(path, captured.data)
    assert first.code == Code.OK
    again = node.query(path, captured.data)
    assert again.code == Code.BAD_QUERY and "already answered" in again.log and again.value == b""


def test_the_answer_is_sealed_to_the_query_that_asked(chain):
    """Whoever replays a captured query (to another node) gets bytes only the reader can open."""
    actors, node, _ = chain
    holder = actors.companies[0]
    path = f"/balances/{holder.address}"
    signed = holder.signed_query(CHAIN_ID, path, node.app.store.block_time)
    sealed = node.query(path, signed.data).value
    assert sealed.startswith(REPLY_MAGIC) and b"KAU25" not in sealed
    assert json.loads(signed.open(sealed))["KAU25"] == 975
    other = holder.signed_query(CHAIN_ID, path, node.app.store.block_time)
    with pytest.raises(ReplyError):
        other.open(sealed)  # the answer of one query does not open with another's key
    tampered = bytearray(sealed)
    tampered[-1] ^= 1
    with pytest.raises(ReplyError):
        signed.open(bytes(tampered))


def test_public_paths_answer_in_clear_even_when_signed(chain):
    actors, node, _ = chain
    signed = actors.companies[0].signed_query(CHAIN_ID, "/supply", node.app.store.block_time)
    assert json.loads(node.query("/supply", signed.data).value)["KAU25"] == 3_000


# ------------------------------------------------------------------ fuzz: a query never crashes the handler


# every route the modules declare, the raw-key proofs, and nonsense
path_parts = st.sampled_from(sorted(CHAIN.routes) + ["state", "state/bal", "state/ptx", "state/sealing", "", "x"])
paths = st.one_of(
    st.text(max_size=60),
    st.tuples(path_parts, st.text(max_size=30)).map(lambda t: f"/{t[0]}/{t[1]}"),
    st.tuples(path_parts, st.sampled_from(["ab" * 20, "00" * 32, "1", "²", "١", "9" * 30])).map(lambda t: f"/{t[0]}/{t[1]}"),
)
query_data = st.one_of(
    st.binary(max_size=120),
    st.builds(lambda body: b"ETSQ" + b"\x00" * 64 + body, st.binary(max_size=120)),
    st.builds(lambda chain_id, issued_at, path: b"ETSQ" + b"\x00" * 64 + canonical_json(
        {"chain_id": chain_id, "issued_at": issued_at, "path": path, "reader": "ab" * 20, "reply_key": "cd" * 32}),
        st.one_of(st.just(CHAIN_ID), st.integers(), st.lists(st.integers(), max_size=2), st.none(), st.text(max_size=5)),
        st.one_of(st.integers(), st.text(max_size=3)), st.text(max_size=10)),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(paths, query_data, st.integers(-2, 5))
@example("/proposal/²", b"", 0)
@example("/transfers/" + "ab" * 20 + "?before=" + "9" * 40 + "&limit=0", b"", 0)
@example("/proposal/" + "9" * 5000, b"", 0)
@example("/balances/" + "ab" * 20, b"ETSQ" + b"\x00" * 64 + b'{"chain_id":5,"issued_at":0,"path":"/balances/' + b"ab" * 20
         + b'","reader":"' + b"ab" * 20 + b'"}', 0)
def test_any_query_gets_a_registered_code(chain, path, data, height):
    _, node, _ = chain
    resp = node.query(path, data, height=height)
    assert resp.code in set(Code) and resp.code != Code.INTERNAL, resp.log
    assert (resp.code == Code.OK) == (resp.log == "")


_page_values = st.one_of(st.integers(-3, 10**13).map(str), st.text(max_size=12), st.sampled_from(["", "²", "١", "0x1"]))
_page_pairs = st.lists(st.tuples(st.sampled_from(["before", "from", "limit", "seq", ""]), _page_values), max_size=3)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_page_pairs, st.text(max_size=8))
def test_the_transfer_record_pages_of_a_signed_reader_get_a_registered_code(chain, pairs, tail):
    """The account's own signed query reaches the answer: any query string is answered or refused, never INTERNAL."""
    actors, node, _ = chain
    holder = actors.companies[0]
    path = f"/transfers/{holder.address}?" + "&".join(f"{k}={v}" for k, v in pairs) + tail
    resp = node.query(path, _signed(node, holder, path))
    assert resp.code in set(Code) and resp.code != Code.INTERNAL, (path, resp.log)
    assert resp.code in (Code.OK, Code.BAD_QUERY), (path, resp.code, resp.log)
