"""The wire format (protocol/codec.py): canonical JSON bodies, signed envelopes, and what the chain does with garbage."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from protocol.codes import Code
from abci_app.rules import BlockContext, Executor
from abci_app.state import Overlay
from abci_harness import sealed, CHAIN_ID, Actors, Node, sign_body
from protocol.codec import (
    address_of,
    canonical_json,
    CodecError,
    decode_canonical_json,
    decode_envelope,
    encode_envelope,
    is_address,
    MAX_TX_BYTES,
    QUERY_MAGIC,
    sign_digest,
    SIGNATURE_SIZE,
    tx_hash,
    TX_MAGIC,
)
from ets.keys import Signer

SIGNER = Signer.from_seed(bytes(range(32)))
MSG = {"type": "transfer", "to": "ab" * 20, "instrument": "KAU25", "amount": 7}


def _body(**overrides) -> bytes:
    value = {"chain_id": CHAIN_ID, "msg": MSG, "nonce": 3, "signer": SIGNER.address}
    value.update(overrides)
    return canonical_json(value)


def _raw_envelope(body: bytes, magic: bytes = TX_MAGIC) -> bytes:
    return magic + b"\x00" * SIGNATURE_SIZE + body


# ------------------------------------------------------------------ round trips


def test_signed_tx_round_trips_and_signature_covers_exact_body():
    tx = SIGNER.sign_tx(CHAIN_ID, 3, MSG)
    env = decode_envelope(tx)
    assert (env.chain_id, env.signer, env.nonce, env.msg) == (CHAIN_ID, SIGNER.address, 3, MSG)
    assert env.body == _body() == tx[len(TX_MAGIC) + SIGNATURE_SIZE:]
    assert encode_envelope(env.body, env.signature) == tx
    SIGNER.private_key.public_key().verify(env.signature, sign_digest(env.body))
    assert tx_hash(tx) == hashlib.sha256(tx).digest()


def test_signed_query_round_trips_and_is_domain_separated_from_txs():
    q = SIGNER.sign_query(CHAIN_ID, "/balances/" + SIGNER.address, 1234)
    env = decode_envelope(q, query=True)
    assert (env.signer, env.nonce, env.msg["path"]) == (SIGNER.address, 1234, "/balances/" + SIGNER.address)
    assert len(env.msg["reply_key"]) == 64
    assert q.startswith(QUERY_MAGIC)
    with pytest.raises(CodecError):
        decode_envelope(q)  # a query is never a tx
    with pytest.raises(CodecError):
        decode_envelope(SIGNER.sign_tx(CHAIN_ID, 0, MSG), query=True)
    assert sign_digest(env.body) != sign_digest(env.body, query=True)


def test_canonical_json_is_sorted_compact_utf8():
    assert canonical_json({"b": 1, "a": ["é", {"d": 2, "c": 3}]}) == '{"a":["é",{"c":3,"d":2}],"b":1}'.encode()


def test_address_is_first_20_bytes_of_sha256_of_key():
    assert address_of(SIGNER.public_key) == hashlib.sha256(SIGNER.public_key).hexdigest()[:40] == SIGNER.address
    assert is_address(SIGNER.address)
    with pytest.raises(CodecError):
        address_of(SIGNER.public_key[:31])


@pytest.mark.parametrize("value, ok", [
    ("ab" * 20, True), ("AB" * 20, False), ("ab" * 19, False), ("ab" * 21, False), ("zz" * 20, False), (None, False), (123, False),
])
def test_is_address(value, ok):
    assert is_address(value) is ok


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.text(st.characters(blacklist_categories=("Cs",))),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_canonical_json_round_trips(value):
    assert decode_canonical_json(canonical_json(value)) == value


# ------------------------------------------------------------------ strict decoding


@pytest.mark.parametrize("body, fragment", [
    (b'{"a":1, "b":2}', "canonical"),
    (b'{"b":1,"a":2}', "canonical"),
    (b'{"a":1}\n', "canonical"),
    (b'{"a":1.5}', "non-integer"),
    (b'{"a":1e3}', "non-integer"),
    (b'{"a":-0.0}', "non-integer"),
    (b'{"a":NaN}', "not allowed"),
    (b'{"a":Infinity}', "not allowed"),
    (b'{"a":1,"a":2}', "duplicate"),
    (b'{"a":"\xff"}', "UTF-8"),
    (b'{"a":"\\u00e9"}', "canonical"),  # escaped where canonical form is raw UTF-8
    (b'{"a":1', "not JSON"),
    (b"", "not JSON"),
    (b'"\\ud800"', "surrogate"),  # decodes to a str that has no UTF-8 encoding
    (b'{"a":"x\\udc00"}', "surrogate"),
    (b"[" * 100_000, "nested"),  # deeper than the interpreter's recursion limit
    (b'{"a":' * 5_000 + b"1" + b"}" * 5_000, "nested"),
    (b"1" * 5_000, "not JSON"),  # more digits than int() accepts
])
def test_decode_canonical_json_rejects(body, fragment):
    with pytest.raises(CodecError, match=fragment):
        decode_canonical_json(body)


@pytest.mark.parametrize("data, fragment", [
    (b"", "not an ETS envelope"),
    (TX_MAGIC + b"\x00" * SIGNATURE_SIZE, "not an ETS envelope"),
    (b"ETS2" + b"\x00" * SIGNATURE_SIZE + _body(), "not an ETS envelope"),
    (QUERY_MAGIC + b"\x00" * SIGNATURE_SIZE + _body(), "not an ETS envelope"),
    (_raw_envelope(b"[1,2]"), "JSON object"),
    (_raw_envelope(canonical_json({"chain_id": CHAIN_ID, "msg": MSG, "nonce": 1})), "exactly the keys"),
    (_raw_envelope(canonical_json({"chain_id": CHAIN_ID, "msg": MSG, "nonce": 1, "signer": SIGNER.address, "x": 1})), "exactly the keys"),
    (_raw_envelope(_body(chain_id="")), "chain_id"),
    (_raw_envelope(_body(chain_id=7)), "chain_id"),
    (_raw_envelope(_body(signer=SIGNER.address.upper())), "signer"),
    (_raw_envelope(_body(nonce=-1)), "nonce"),
    (_raw_envelope(_body(nonce=2**63)), "nonce"),
    (_raw_envelope(_body(nonce=True)), "nonce"),
    (_raw_envelope(_body(nonce="1")), "nonce"),
    (_raw_envelope(_body(msg=[])), "msg"),
    (_raw_envelope(_body(msg={"to": "x"})), "msg"),
    (_raw_envelope(_body(msg={"type": 5})), "msg"),
    (_raw_envelope(b'{"chain_id":"c", "msg":{},"nonce":1,"signer":"x"}'), "canonical"),
    (TX_MAGIC + b"\x00" * SIGNATURE_SIZE + b"0" * MAX_TX_BYTES, "limit"),
])
def test_decode_envelope_rejects(data, fragment):
    with pytest.raises(CodecError, match=fragment):
        decode_envelope(data)


_RK = "ab" * 32


@pytest.mark.parametrize("body, fragment", [
    (canonical_json({"chain_id": CHAIN_ID, "issued_at": 1, "path": "/x", "reader": "nope", "reply_key": _RK}), "reader address"),
    (canonical_json({"chain_id": CHAIN_ID, "issued_at": "1", "path": "/x", "reader": SIGNER.address, "reply_key": _RK}), "issued_at"),
    (canonical_json({"chain_id": CHAIN_ID, "issued_at": 1, "path": 5, "reader": SIGNER.address, "reply_key": _RK}), "path must be"),
    (canonical_json({"chain_id": 5, "issued_at": 1, "path": "/x", "reader": SIGNER.address, "reply_key": _RK}), "chain_id"),
    (canonical_json({"chain_id": CHAIN_ID, "issued_at": 1, "path": "/x", "reader": SIGNER.address}), "exactly the keys"),
    (canonical_json({"chain_id": CHAIN_ID, "issued_at": 1, "path": "/x", "reader": SIGNER.address, "reply_key": "AB" * 32}), "reply_key"),
    (canonical_json({"chain_id": CHAIN_ID, "issued_at": 1, "path": "/x", "reader": SIGNER.address, "reply_key": "ab" * 31}), "reply_key"),
])
def test_decode_query_envelope_rejects(body, fragment):
    with pytest.raises(CodecError, match=fragment):
        decode_envelope(_raw_envelope(body, QUERY_MAGIC), query=True)


def test_encode_envelope_needs_a_64_byte_signature():
    with pytest.raises(CodecError):
        encode_envelope(_body(), b"\x00" * 63)


# ------------------------------------------------------------------ fuzz


def _envelope_like(draw_bytes: bytes) -> bytes:
    return TX_MAGIC + b"\x01" * SIGNATURE_SIZE + draw_bytes


any_tx_bytes = st.one_of(
    st.binary(max_size=300),
    st.binary(max_size=300).map(_envelope_like),
    st.text(max_size=200).map(lambda s: _envelope_like(s.encode("utf-8", "surrogatepass"))),
    json_values.map(lambda v: _envelope_like(canonical_json(v))),
)


@settings(max_examples=400, deadline=None)
@given(any_tx_bytes)
@example(_envelope_like(b"[" * 50_000))
@example(_envelope_like(b'"\\ud800"'))
def test_decode_envelope_returns_or_raises_codec_error(data):
    try:
        env = decode_envelope(data)
    except CodecError:
        return
    assert env.body == data[4 + SIGNATURE_SIZE:]


@pytest.fixture(scope="module")
def genesis_store(tmp_path_factory):
    node = Node.start(tmp_path_factory.mktemp("fuzz"), Actors.make().app_state())
    return node.app.store


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(any_tx_bytes)
@example(_envelope_like(b"[" * 50_000))
@example(_envelope_like(b'{"a":"\\udc00"}'))
def test_execute_tx_on_arbitrary_bytes_returns_a_registered_rejection(genesis_store, data):
    view = Overlay(genesis_store)
    outcome = Executor().execute_tx(view, data, BlockContext(CHAIN_ID, 1, 0), consume_nonce_on_failure=True)
    assert outcome.code in set(Code) - {Code.OK}
    assert outcome.log
    assert view.writes == {}


def test_signed_non_canonical_body_is_malformed_even_with_a_valid_signature(genesis_store):
    body = b'{"chain_id":"%s", "msg":{},"nonce":0,"signer":"%s"}' % (CHAIN_ID.encode(), SIGNER.address.encode())
    outcome = Executor().execute_tx(Overlay(genesis_store), sign_body(SIGNER, body), BlockContext(CHAIN_ID, 1, 0))
    assert outcome.code == Code.MALFORMED_TX
