"""Hostile input over every message type: thousands of mutated messages, each signed by an account
allowed to send it, go through CheckTx and FinalizeBlock. None may reach ``INTERNAL`` (a handler or a
parser that crashed), the node must keep committing valid txs afterwards, and a second node fed the
same blocks must reach the same app hash (hostile input does not split the validators).

The mutations are systematic, not random: every field of every sample in the wire package's list
(``tests/protocol/test_wire_package.SAMPLES``, which a test keeps complete) is dropped, nulled, given
each wrong JSON type, extreme integers, empty, huge and control-character strings, deep nesting, and
the samples' bodies are sent under every other message type. Nested objects (a proposal's action)
are mutated the same way, field by field."""

from __future__ import annotations

import json
from collections import defaultdict, deque
from pathlib import Path
from typing import Any, Iterator

from abci_app import rules
from abci_app.modules.core import keys as core_keys
from protocol.codec import MAX_JSON_DEPTH, canonical_json
from protocol.codes import Code
from protocol.messages import MESSAGES, Propose
from tests.abci_app.abci_harness import Actors, Node, sealed, sign_body, transfer
from tests.protocol.test_wire_package import SAMPLES, A, B

_ROLE_SIGNER = {
    "government": lambda a: a.gov[0], "verifier": lambda a: a.verifier, "exchange": lambda a: a.exchange,
    "bank": lambda a: a.bank, "company": lambda a: a.companies[0], "edge_device": lambda a: a.edge,
    "validator_operator": lambda a: a.operator,
}
_EXTREMES: tuple[Any, ...] = (
    None, True, False, 0, -1, 2**63 - 1, 2**63, -(2**63) - 1, 10**40, "", "x" * 20_000, "\u0000\u202e\ud7ff",
    "0" * 64, [], [None], {}, {"type": "transfer"},
)


_TOO_DEEP = "\u2063too-deep\u2063"


def _signed(signer, nonce: int, msg: dict[str, Any]) -> bytes:
    body = canonical_json({"chain_id": "ets-test-1", "msg": msg, "nonce": nonce, "signer": signer.address})
    body = body.replace(json.dumps(_TOO_DEEP, ensure_ascii=False).encode(), b"[" * 10_000 + b"1" + b"]" * 10_000)
    return sealed(sign_body(signer, body))


def _deep(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


def _field_variants(value: Any) -> Iterator[Any]:
    yield from _EXTREMES
    yield _deep(MAX_JSON_DEPTH - 3)  # as deep as the codec lets through: the parsers must cope
    yield _TOO_DEEP  # 10,000 deep: refused on the bytes (spliced in after encoding: json cannot write it)
    if isinstance(value, int) and not isinstance(value, bool):
        yield from (value + 1, -value, value * 10**9)
    if isinstance(value, str):
        yield from (value.upper(), value + " ", value[:-1], value * 50)
    if isinstance(value, list):
        yield from (value * 2, value[::-1], value * 2_000, [value])
        if value and isinstance(value[0], (list, dict)):
            for inner in _mutations(value[0]):
                yield [inner, *value[1:]]


def _mutations(obj: Any) -> Iterator[Any]:
    """Every single-point mutation of a JSON value (objects field by field, recursively)."""
    if isinstance(obj, list):
        for i, item in enumerate(obj):
            for variant in _field_variants(item):
                yield [*obj[:i], variant, *obj[i + 1:]]
        return
    if not isinstance(obj, dict):
        return
    for name in sorted(obj):
        if name == "type":
            continue
        rest = {k: v for k, v in obj.items() if k != name}
        yield rest
        for variant in _field_variants(obj[name]):
            yield {**rest, name: variant}
        if isinstance(obj[name], dict):
            for inner in _mutations(obj[name]):
                yield {**rest, name: inner}
    yield {**obj, "unexpected": 1}


def _hostile_messages(actors: Actors) -> list[tuple[str, dict[str, Any]]]:
    """(role, message) pairs: the mutations of every sample, and every sample's body under every type."""
    swap = {A: actors.companies[0].address, B: actors.companies[1].address}
    out: list[tuple[str, dict[str, Any]]] = []
    bodies, role_of = [], {}
    for sample in SAMPLES:
        text = canonical_json(sample.to_json()).decode()
        for old, new in swap.items():
            text = text.replace(old, new)
        body = json.loads(text)
        bodies.append(body)
        role = "government" if isinstance(sample, Propose) else sorted(rules.RULES[type(sample)].roles)[0]
        role_of[sample.TYPE] = role
        out.append((role, body))
        out.extend((role, {"type": sample.TYPE, **m} if "type" not in m else m) for m in _mutations(body))
    for kind in sorted(MESSAGES):
        out.extend((role_of[kind], {**body, "type": kind}) for body in bodies if body["type"] != kind)
    return out


def _next_nonce(node: Node, address: str) -> int:
    raw = node.app.store.get(core_keys.nonce(address))
    return int(raw) if raw else 0


def _blocks(node: Node, actors: Actors, hostile: list[tuple[str, dict[str, Any]]]) -> Iterator[list[bytes]]:
    """Blocks of signed hostile txs, one per signer and block, each with the signer's next nonce (so a
    mutation that parses reaches its handler instead of a nonce refusal)."""
    queues: dict[str, deque] = defaultdict(deque)
    for role, msg in hostile:
        queues[role].append(msg)
    while any(queues.values()):
        txs = []
        for role in sorted(queues):
            if queues[role]:
                signer = _ROLE_SIGNER[role](actors)
                txs.append(_signed(signer, _next_nonce(node, signer.address), queues[role].popleft()))
        yield txs


def test_no_hostile_message_reaches_internal_and_the_validators_agree(tmp_path: Path):
    actors = Actors.make()
    state = actors.app_state()
    node, twin = Node.start(tmp_path / "a", state), Node.start(tmp_path / "b", state)
    hostile = _hostile_messages(actors)
    assert len(hostile) > 3_000 and {m["type"] for _, m in hostile} >= set(MESSAGES)
    codes: dict[int, int] = defaultdict(int)
    crashed = []
    for txs in _blocks(node, actors, hostile):
        for tx in txs:
            checked = node.check(tx)
            codes[checked.code] += 1
            if checked.code == Code.INTERNAL:
                crashed.append(("CheckTx", checked.log, tx[:300]))
        t = node.time + 5
        results = node.finalize(txs, t).tx_results
        node.commit()
        twin.finalize(txs, t)
        twin.commit()
        crashed += [("FinalizeBlock", r.log, tx[:300]) for tx, r in zip(txs, results) if r.code == Code.INTERNAL]
        assert node.info().last_block_app_hash == twin.info().last_block_app_hash, f"validators split at {node.height}"
    assert not crashed, crashed[:5]
    assert len(codes) > 15, dict(codes)  # the mutations reach many different refusals, not one early gate
    assert codes[Code.OK] >= 1
    print({Code(c).name: n for c, n in sorted(codes.items())}, len(hostile), "txs in", node.height, "blocks")

    # the node still does its work
    sender = actors.companies[0]
    (result,) = node.block([_signed(sender, _next_nonce(node, sender.address), transfer(actors.companies[1], 7))])
    assert result.code == Code.OK, result.log
