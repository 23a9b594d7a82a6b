"""Limits in consensus code are explicit and the same at every ABCI step and stack depth.

A body's nesting, string lengths and value count are checked on its bytes before any parser runs
(``protocol.codec.check_json_shape``), so Python's recursion limit never decides; text fields use the
character classes of ``protocol.text``, never the interpreter's Unicode tables."""

from __future__ import annotations

import sys

import pytest

from protocol.codes import Code
from abci_app.state import Overlay
from abci_harness import CHAIN_ID, Actors, Node, sign_body
from protocol.codec import CodecError, decode_canonical_json, MAX_JSON_DEPTH, MAX_JSON_STRING_BYTES, MAX_JSON_VALUES


def _nested(depth: int) -> bytes:
    return b'{"a":' * (depth - 1) + b"{}" + b"}" * (depth - 1)


def _at_stack_depth(frames: int, fn):
    """Run ``fn`` with ``frames`` extra Python frames on the stack (as a deeper ABCI step would)."""
    if frames == 0:
        return fn()
    return _at_stack_depth(frames - 1, fn)


def _outcome(data: bytes) -> str:
    try:
        decode_canonical_json(data)
    except CodecError as exc:
        return f"refused: {exc}"
    return "accepted"


@pytest.mark.parametrize("data, accepted", [
    (_nested(MAX_JSON_DEPTH), True),
    (_nested(MAX_JSON_DEPTH + 1), False),
    (b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1), False),
    (b'["' + b"[" * 5000 + b'"]', True),                            # brackets inside a string are not structure
    (b'"' + b"x" * (MAX_JSON_STRING_BYTES - 2) + b'"', True),
    (b'"' + b"x" * (MAX_JSON_STRING_BYTES - 1) + b'"', False),
    (b"[" + b"0," * (MAX_JSON_VALUES - 2) + b"0]", True),
    (b"[" + b"0," * MAX_JSON_VALUES + b"0]", False),
], ids=["depth at the limit", "depth above", "arrays above", "brackets in a string", "string at the limit",
        "string above", "values at the limit", "values above"])
def test_json_limits(data, accepted):
    assert _outcome(data).startswith("accepted" if accepted else "refused"), _outcome(data)


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 200, 972, 5000, 100_000])
def test_the_verdict_does_not_depend_on_the_stack_depth(depth):
    data = _nested(depth)
    shallow = _outcome(data)
    deep = _at_stack_depth(sys.getrecursionlimit() - 100, lambda: _outcome(data))
    assert shallow == deep and shallow.startswith("refused") and "nested deeper" in shallow


@pytest.fixture
def node(tmp_path):
    actors = Actors.make()
    return Node.start(tmp_path / "node", actors.app_state()), actors


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH, 972])
def test_a_deep_plan_header_gets_the_same_answer_in_check_tx_and_finalize_block(node, depth):
    """A plan_open header nested 972 deep was accepted and then forked a node that replayed it."""
    n, actors = node
    official = actors.gov[0]
    header = b'{"h":' * (depth - 3) + b"{}" + b"}" * (depth - 3)  # body → msg → header → ...: depth levels in all
    body = (b'{"chain_id":"%s","msg":{"header":%s,"lines":1,"plan_hash":"%s","type":"plan_open"},"nonce":0,"signer":"%s"}'
            % (CHAIN_ID.encode(), header, b"1" * 64, official.address.encode()))
    tx = sign_body(official, body)
    checked = n.check(tx)
    n.app.check_view = Overlay(n.app.store)  # as after a Commit: the same tx is new again
    deep_checked = _at_stack_depth(sys.getrecursionlimit() - 150, lambda: n.check(tx))
    (delivered,) = n.block([tx])
    assert checked.code == deep_checked.code == delivered.code
    if depth > MAX_JSON_DEPTH:
        assert delivered.code == Code.MALFORMED_TX and "nested deeper" in delivered.log
    else:
        assert delivered.code in (Code.OK, Code.MALFORMED_TX)
