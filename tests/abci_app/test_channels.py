"""Channels (채널) in process: governed membership, member-made key epochs, sealed posts; every refusal.

The members open what the chain stores and the blocks carry with their view keys; a removed
member's view key opens nothing made after its removal; a non-member's opens nothing at all.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Callable

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from protocol.channel_box import ChannelBoxError, from_chunks, new_key, open_post, post_digest, seal_post, to_chunks, \
    unwrap_key, wrap_key
from protocol.codes import CODESPACE, Code
from protocol.constants import CHANNEL_CHUNK_BYTES, MAX_CHANNEL_CIPHERTEXT, MAX_CHANNEL_MEMBERS, MAX_CHANNEL_PAYLOAD
from protocol.private_tx import public_bytes, seal_tx
from protocol.sealed import view_key_of, view_public_hex
from abci_harness import CHAIN_ID, Actors, Node, approve, proposal_id, reject
from ets.keys import Signer

NAME = "steel-mrv-2025"
STATEMENT = "검증 의견서: 2025년 배출량 1,234,567 tCO2-eq 적정 (verification statement: reasonable assurance)".encode()


@dataclass
class Chain:
    """A node with channel NAME open for company 1 and the verifier, at key epoch 1, with one post."""

    node: Node
    actors: Actors
    keys: dict[int, X25519PrivateKey] = field(default_factory=dict)
    posts: list[bytes] = field(default_factory=list)  # ciphertexts, by seq - 1

    @property
    def company(self) -> Signer:
        return self.actors.companies[0]

    @property
    def verifier(self) -> Signer:
        return self.actors.verifier

    @property
    def outsider(self) -> Signer:  # a registered company with a view key, never a member
        return self.actors.companies[1]

    def signed(self, signer: Signer, msg: dict) -> bytes:
        """``msg`` signed with the signer's next committed nonce (nothing tracked: for txs a test only checks)."""
        return signer.sign_tx(CHAIN_ID, self.node.committed_nonce(signer), msg)

    def governed(self, action: dict) -> tuple[int, object]:
        """Propose (official 1) and approve (official 2): the 2-of-3 chain executes at the approval."""
        pid = proposal_id(self.node.run(self.actors.gov[0], {"type": "propose", "action": action}))
        return pid, self.node.run(self.actors.gov[1], approve(pid))

    def record(self) -> dict:
        return self.node.read(f"/channel/{NAME}")

    def key_message(self, signer: Signer, epoch: int, members: list[Signer] | None = None,
                    key: X25519PrivateKey | None = None, name: str = NAME) -> tuple[dict, X25519PrivateKey]:
        key = key or new_key()
        members = members if members is not None else [self.company, self.verifier]
        wraps = {m.address: wrap_key(key, name, epoch, bytes.fromhex(view_public_hex(m))).hex() for m in members}
        return {"type": "channel_key", "name": name, "epoch": epoch, "public_key": public_bytes(key).hex(),
                "wraps": wraps}, key

    def rekey(self, signer: Signer, members: list[Signer] | None = None) -> X25519PrivateKey:
        epoch = self.record()["epoch"] + 1
        msg, key = self.key_message(signer, epoch, members)
        result = self.node.run(signer, msg)
        assert result.code == Code.OK, result.log
        self.keys[epoch] = key
        return key

    def post_message(self, signer: Signer, payload: bytes, epoch: int | None = None, kind: str = "statement",
                     key: X25519PrivateKey | None = None) -> tuple[dict, bytes]:
        epoch = epoch or self.record()["epoch"]
        public = public_bytes(key or self.keys[epoch])
        sealed = seal_post(payload, channel=NAME, epoch=epoch, kind=kind, author=signer.address, channel_public=public)
        return {"type": "channel_post", "name": NAME, "epoch": epoch, "kind": kind,
                "ciphertext": list(to_chunks(sealed))}, sealed

    def post(self, signer: Signer, payload: bytes, kind: str = "statement") -> dict:
        msg, sealed = self.post_message(signer, payload, kind=kind)
        result = self.node.run(signer, msg)
        assert result.code == Code.OK, result.log
        self.posts.append(sealed)
        return json.loads(result.data)

    def read_as(self, reader: Signer, seq: int) -> bytes:
        """What ``reader`` opens of post ``seq``: its wrap of the post's epoch key, from the chain, then the post."""
        commitment = self.node.read(f"/channel/{NAME}/posts?from={seq}&limit=1")[0]
        sealed = self.posts[seq - 1]
        assert post_digest(sealed) == commitment["sha256"]
        epoch = commitment["epoch"]
        record = self.node.read(f"/channel/{NAME}/key/{epoch}")
        wrap = record["wraps"].get(reader.address)
        if wrap is None:
            raise ChannelBoxError(f"no wrap of epoch {epoch} for {reader.address}")
        key = unwrap_key(bytes.fromhex(wrap), view_key_of(reader), NAME, epoch, bytes.fromhex(record["public_key"]))
        return open_post(sealed, key, channel=NAME, epoch=epoch, kind=commitment["kind"], author=commitment["signer"])


def _view_keys(node: Node, *who: Signer) -> None:
    for signer in who:
        assert node.run(signer, {"type": "set_view_key", "public_key": view_public_hex(signer)}).code == Code.OK


def _open(actors: Actors, members: list[Signer], name: str = NAME, purpose: str = "2025 MRV: raw data and statement") -> dict:
    return {"type": "channel_open", "name": name, "purpose": purpose, "members": [m.address for m in members]}


def _members(members: list[Signer], name: str = NAME) -> dict:
    return {"type": "channel_members", "name": name, "members": [m.address for m in members]}


def _chain(home, *, with_key: bool = True) -> Chain:
    actors = Actors.make()
    node = Node.start(home, actors.app_state())
    chain = Chain(node, actors)
    _view_keys(node, chain.company, chain.verifier, chain.outsider, actors.companies[2], actors.gov[0])
    _, result = chain.governed(_open(actors, [chain.company, chain.verifier]))
    assert result.code == Code.OK, result.log
    if with_key:
        chain.rekey(chain.company)
        chain.post(chain.company, b"stack-1,2025-06-15,1234\nstack-1,2025-06-16,1198\n", kind="readings")
    return chain


@pytest.fixture
def chain(tmp_path) -> Chain:
    return _chain(tmp_path / "node")


# ------------------------------------------------------------------ the life of a channel


def test_members_read_posts_a_removed_member_reads_only_what_came_before(tmp_path):
    chain = _chain(tmp_path / "node")
    company, verifier, third = chain.company, chain.verifier, chain.actors.companies[2]
    statement = chain.post(verifier, STATEMENT)
    assert statement["seq"] == 2
    for member in (company, verifier):
        assert chain.read_as(member, 2) == STATEMENT
        assert chain.read_as(member, 1).startswith(b"stack-1,2025-06-15")
    with pytest.raises(ChannelBoxError):
        chain.read_as(chain.outsider, 2)
    with pytest.raises(ChannelBoxError):  # even given the ciphertext, the outsider's view key opens no wrap
        unwrap_key(bytes.fromhex(chain.node.read(f"/channel/{NAME}/key/1")["wraps"][company.address]),
                   view_key_of(chain.outsider), NAME, 1, public_bytes(chain.keys[1]))

    # the verifier is replaced by a third party: posting waits for a new key
    pid, result = chain.governed(_members([company, third]))
    assert result.code == Code.OK, result.log
    record = chain.record()
    assert record["needs_rekey"] and "left" in record["reason"] and record["changed"]["removed"] == [verifier.address]
    msg, _ = chain.post_message(company, b"after the removal, with the old key")
    refused = chain.node.run(company, msg)
    assert refused.code == Code.CHANNEL_NEEDS_REKEY and "rekey" in refused.log
    msg, _ = chain.key_message(verifier, 2, [company, third])
    assert chain.node.run(verifier, msg).code == Code.CHANNEL_NOT_A_MEMBER  # the removed member cannot rekey
    chain.rekey(third, [company, third])
    assert not chain.record()["needs_rekey"] and chain.record()["epoch"] == 2
    chain.post(company, b"draft allocation for the new verifier only")
    assert chain.read_as(third, 3) == b"draft allocation for the new verifier only"
    assert chain.read_as(company, 3) == b"draft allocation for the new verifier only"
    with pytest.raises(ChannelBoxError):
        chain.read_as(verifier, 3)  # no wrap of epoch 2
    with pytest.raises(ChannelBoxError):  # and the epoch-1 key it holds does not open the new post
        open_post(chain.posts[2], chain.keys[1], channel=NAME, epoch=2, kind="statement", author=company.address)
    assert chain.read_as(verifier, 2) == STATEMENT  # what it read before stays readable
    with pytest.raises(ChannelBoxError):
        chain.read_as(third, 2)  # a member who joined later reads from its first epoch on
    # the removed member's old key is refused by the chain, and so is the removed member
    stale, _ = chain.post_message(company, b"sealed with epoch 1", epoch=1)
    assert chain.node.run(company, stale).code == Code.CHANNEL_WRONG_EPOCH
    msg, _ = chain.post_message(verifier, b"still here?")
    assert chain.node.run(verifier, msg).code == Code.CHANNEL_NOT_A_MEMBER


def test_the_chain_stores_only_commitments_and_public_events(tmp_path):
    chain = _chain(tmp_path / "node", with_key=False)
    chain.rekey(chain.verifier)
    msg, sealed = chain.post_message(chain.verifier, STATEMENT)
    tx = chain.node.sign(chain.verifier, msg)
    (result,) = chain.node.block([tx])
    assert result.code == Code.OK, result.log
    events = [(e.type, {a.key: a.value for a in e.attributes}) for e in result.events]
    assert events == [("message", {"type": "channel_post", "module": "channels"}),
                      ("channel_post", {"channel": NAME, "seq": "1", "epoch": "1", "kind": "statement",
                                        "sha256": post_digest(sealed)})]
    assert chain.node.read(f"/channel/{NAME}/posts") == [{
        "seq": 1, "sha256": post_digest(sealed), "epoch": 1, "kind": "statement", "signer": chain.verifier.address,
        "size": len(sealed), "height": chain.node.height, "time": chain.node.time}]
    stored = b"".join(v for _, v in chain.node.app.store.items())
    assert STATEMENT not in stored and "1,234,567".encode() not in stored and STATEMENT not in tx
    assert from_chunks(msg["ciphertext"]) == sealed
    # the raw commitment is provable like any public key
    proven = chain.node.query(f"/state/channel/{NAME}/post/{1:012d}")
    assert proven.code == Code.OK and proven.proof_ops.ops
    assert json.loads(base64.b64decode(json.loads(proven.value)["value"]))["sha256"] == post_digest(sealed)
    shown = chain.record()
    assert shown["members"] == sorted([chain.company.address, chain.verifier.address])
    assert set(shown["wraps"]) == set(shown["members"]) and shown["posts"] == 1 and shown["epoch"] == 1


def test_membership_is_governed_m_of_n(tmp_path):
    actors = Actors.make()
    node = Node.start(tmp_path / "node", actors.app_state())
    c0, c1 = actors.companies[0], actors.companies[1]
    _view_keys(node, c0, c1)
    assert node.run(c0, {"type": "propose", "action": _open(actors, [c0, c1])}).code == Code.UNAUTHORIZED
    pid = proposal_id(node.run(actors.gov[0], {"type": "propose", "action": _open(actors, [c0, c1])}))
    assert node.query(f"/channel/{NAME}").code == Code.NOT_FOUND  # one approval of the two required
    assert node.run(actors.gov[1], reject(pid)).code == Code.OK
    assert node.run(actors.gov[2], reject(pid)).code == Code.OK  # two rejections: 2 approvals are out of reach
    assert node.read(f"/proposal/{pid}")["status"] == "rejected" and node.query(f"/channel/{NAME}").code == Code.NOT_FOUND
    pid = proposal_id(node.run(actors.gov[0], {"type": "propose", "action": _open(actors, [c0, c1])}))
    executed = node.run(actors.gov[2], approve(pid))
    assert executed.code == Code.OK and node.read(f"/proposal/{pid}")["status"] == "executed"
    assert [(e.type, e.attributes[1].value) for e in executed.events if e.type == "channel"] == [("channel", "opened")]
    record = node.read(f"/channel/{NAME}")
    assert record["opened"]["proposal_id"] == pid and record["needs_rekey"] and "no key yet" in record["reason"]
    # members are changed the same way: one approval does nothing
    third = actors.companies[2]
    _view_keys(node, third)
    pid = proposal_id(node.run(actors.gov[0], {"type": "propose", "action": _members([c0, c1, third])}))
    assert node.read(f"/channel/{NAME}")["members"] == sorted([c0.address, c1.address])
    assert node.run(actors.gov[1], approve(pid)).code == Code.OK
    record = node.read(f"/channel/{NAME}")
    assert record["members"] == sorted([c0.address, c1.address, third.address]) and record["needs_rekey"]


def test_new_members_wait_for_a_key_wrapped_to_them(chain):
    third = chain.actors.companies[2]
    _, result = chain.governed(_members([chain.company, chain.verifier, third]))
    assert result.code == Code.OK
    record = chain.record()
    assert record["needs_rekey"] and "new members" in record["reason"]
    msg, _ = chain.post_message(chain.company, b"x")
    assert chain.node.run(chain.company, msg).code == Code.CHANNEL_NEEDS_REKEY
    chain.rekey(third, [chain.company, chain.verifier, third])
    chain.post(chain.verifier, STATEMENT)
    assert chain.read_as(third, 2) == STATEMENT


# ------------------------------------------------------------------ every refusal, in CheckTx and FinalizeBlock


def _garbage_wrap(c: Chain) -> dict:
    msg, _ = c.key_message(c.company, 2)
    msg["wraps"][c.verifier.address] = "ab" * 300
    return msg


def _wrap_to_wrong_key(c: Chain) -> dict:
    msg, key = c.key_message(c.company, 2)
    msg["wraps"][c.verifier.address] = wrap_key(key, NAME, 2, bytes.fromhex(view_public_hex(c.outsider))).hex()
    return msg


def _wrap_of_another_epoch(c: Chain) -> dict:
    msg, key = c.key_message(c.company, 2)
    msg["wraps"][c.verifier.address] = wrap_key(key, NAME, 3, bytes.fromhex(view_public_hex(c.verifier))).hex()
    return msg


def _oversized(chunks: int, last: int) -> Callable[[Chain], dict]:
    def build(c: Chain) -> dict:
        msg, _ = c.post_message(c.company, b"x")
        msg["ciphertext"] = ["ab" * CHANNEL_CHUNK_BYTES] * (chunks - 1) + ["ab" * last]
        return msg
    return build


def _sealed_to_another_key(c: Chain) -> dict:
    return c.post_message(c.company, b"to a key nobody announced", key=new_key())[0]


def _sealed_to_two_readers(c: Chain) -> dict:
    msg, _ = c.post_message(c.company, b"x")
    box = seal_tx(b"x" * 40, 1, [public_bytes(c.keys[1]), public_bytes(new_key())])
    msg["ciphertext"] = list(to_chunks(box))
    return msg


def _duplicate(c: Chain) -> dict:  # the first post's ciphertext again, from the other member
    return {"type": "channel_post", "name": NAME, "epoch": 1, "kind": "readings", "ciphertext": list(to_chunks(c.posts[0]))}


def _stale_epoch(c: Chain) -> dict:
    c.rekey(c.verifier)
    return c.post_message(c.company, b"sealed to epoch 1", epoch=1)[0]


def _removed_then_old_key(c: Chain) -> dict:
    _, result = c.governed(_members([c.company, c.actors.companies[2]]))
    assert result.code == Code.OK
    return c.post_message(c.company, b"epoch 1 after the removal")[0]


def _many_members(count: int) -> list[str]:
    return sorted(Signer.from_seed(bytes([i]) * 32).address for i in range(1, count + 1))


def _propose(action: dict) -> Callable[[Chain], dict]:
    return lambda c: {"type": "propose", "action": action(c) if callable(action) else action}


KEY = lambda **over: lambda c: {**c.key_message(c.company, 2)[0], **over}  # noqa: E731
POST = lambda **over: lambda c: {**c.post_message(c.company, b"payload")[0], **over}  # noqa: E731

# (case, signer, build the msg against the ready chain, code)
CASES = [
    ("post to an unknown channel", "company", POST(name="no-such-channel"), Code.CHANNEL_NOT_FOUND),
    ("rekey an unknown channel", "company", KEY(name="no-such-channel"), Code.CHANNEL_NOT_FOUND),
    ("post by a non-member", "outsider", POST(), Code.CHANNEL_NOT_A_MEMBER),
    ("rekey by a non-member", "outsider", KEY(), Code.CHANNEL_NOT_A_MEMBER),
    ("post by an official who is no member", "gov", POST(), Code.CHANNEL_NOT_A_MEMBER),
    ("post with a stale epoch", "company", _stale_epoch, Code.CHANNEL_WRONG_EPOCH),
    ("post whose box says another epoch", "company", POST(epoch=2), Code.INVALID_MESSAGE),  # the box says epoch 1
    ("post sealed for a future epoch", "company", lambda c: c.post_message(c.company, b"x", epoch=2, key=new_key())[0],
     Code.CHANNEL_WRONG_EPOCH),
    ("rekey skipping an epoch", "company", KEY(epoch=3), Code.INVALID_MESSAGE),  # wraps sealed for epoch 2
    ("rekey the current epoch again", "company", lambda c: c.key_message(c.company, 1)[0], Code.CHANNEL_WRONG_EPOCH),
    ("rekey to epoch 3 from 1", "company", lambda c: c.key_message(c.company, 3)[0], Code.CHANNEL_WRONG_EPOCH),
    ("rekey with the current key", "company", lambda c: c.key_message(c.company, 2, key=c.keys[1])[0],
     Code.INVALID_MESSAGE),
    ("wraps missing a member", "company", lambda c: c.key_message(c.company, 2, [c.company, c.outsider])[0],
     Code.CHANNEL_WRAPS_MISMATCH),
    ("wraps with an extra non-member", "company", lambda c: c.key_message(c.company, 2, [c.company, c.verifier, c.outsider])[0],
     Code.CHANNEL_WRAPS_MISMATCH),
    ("a wrap sealed to another view key", "company", _wrap_to_wrong_key, Code.CHANNEL_WRAPS_MISMATCH),
    ("a wrap sealed for another epoch", "company", _wrap_of_another_epoch, Code.INVALID_MESSAGE),
    ("a wrap that is no sealed box", "company", _garbage_wrap, Code.INVALID_MESSAGE),
    ("no wraps", "company", lambda c: {**c.key_message(c.company, 2)[0], "wraps": {}}, Code.INVALID_MESSAGE),
    ("too many chunks", "company", _oversized(6, 10), Code.CHANNEL_POST_TOO_LARGE),
    ("too many bytes", "company", _oversized(5, MAX_CHANNEL_CIPHERTEXT - 4 * CHANNEL_CHUNK_BYTES + 1),
     Code.CHANNEL_POST_TOO_LARGE),
    ("a chunk that is not full", "company", lambda c: POST()(c) | {"ciphertext": ["ab" * 10, "ab" * 10]},
     Code.INVALID_MESSAGE),
    ("a chunk that is not hex", "company", lambda c: POST()(c) | {"ciphertext": ["zz" * 10]}, Code.INVALID_MESSAGE),
    ("ciphertext that is no sealed box", "company", lambda c: POST()(c) | {"ciphertext": ["ab" * 700]},
     Code.INVALID_MESSAGE),
    ("ciphertext as one string", "company", lambda c: POST()(c) | {"ciphertext": POST()(c)["ciphertext"][0]},
     Code.INVALID_MESSAGE),
    ("nested junk as ciphertext", "company", lambda c: POST()(c) | {"ciphertext": [[["ab"]]]}, Code.INVALID_MESSAGE),
    ("sealed to another key", "company", _sealed_to_another_key, Code.INVALID_MESSAGE),
    ("sealed to two readers", "company", _sealed_to_two_readers, Code.INVALID_MESSAGE),
    ("an unknown kind", "company", POST(kind="secret"), Code.INVALID_MESSAGE),
    ("a name that is no slug", "company", POST(name="Steel/MRV"), Code.INVALID_MESSAGE),
    ("a name too long", "company", POST(name="a" * 33), Code.INVALID_MESSAGE),
    ("an extra field", "company", POST(signer_hint="x"), Code.INVALID_MESSAGE),
    ("epoch 0", "company", POST(epoch=0), Code.INVALID_MESSAGE),
    ("the same ciphertext posted again", "verifier", _duplicate, Code.CHANNEL_DUPLICATE_POST),
    ("the old key after a removal", "company", _removed_then_old_key, Code.CHANNEL_NEEDS_REKEY),
    ("open a name already open", "gov", _propose(lambda c: _open(c.actors, [c.company, c.outsider])), Code.CHANNEL_EXISTS),
    ("open with a member without a view key", "gov",
     _propose(lambda c: _open(c.actors, [c.company, c.actors.bank], name="otc-1")), Code.MISSING_VIEW_KEY),
    ("open with an unregistered member", "gov",
     _propose(lambda c: _open(c.actors, [c.company, Signer.generate()], name="otc-1")), Code.UNKNOWN_ACCOUNT),
    ("open with one member", "gov", _propose(lambda c: _open(c.actors, [c.company], name="otc-1")), Code.INVALID_MESSAGE),
    ("open with a member twice", "gov", _propose(lambda c: _open(c.actors, [c.company, c.company], name="otc-1")),
     Code.INVALID_MESSAGE),
    ("open with 65 members", "gov", _propose({"type": "channel_open", "name": "otc-1", "purpose": "x",
                                              "members": _many_members(MAX_CHANNEL_MEMBERS + 1)}), Code.INVALID_MESSAGE),
    ("open with a blank purpose", "gov", _propose(lambda c: _open(c.actors, [c.company, c.outsider], "otc-1", " ")),
     Code.INVALID_MESSAGE),
    ("members unchanged", "gov", _propose(lambda c: _members([c.verifier, c.company])), Code.CHANNEL_UNCHANGED),
    ("members of an unknown channel", "gov", _propose(lambda c: _members([c.company, c.outsider], "no-such")),
     Code.CHANNEL_NOT_FOUND),
    ("members set by a company", "company", _propose(lambda c: _members([c.company, c.outsider])), Code.UNAUTHORIZED),
]


@pytest.mark.parametrize("case, who, build, code", CASES, ids=[c[0] for c in CASES])
def test_refusals(tmp_path, case, who, build, code):
    chain = _chain(tmp_path / "node")
    signer = {"company": chain.company, "verifier": chain.verifier, "outsider": chain.outsider,
              "gov": chain.actors.gov[2]}[who]
    msg = build(chain)
    before = chain.record()
    tx = chain.signed(signer, msg)
    checked = chain.node.check(tx)
    assert (checked.code, checked.codespace) == (code, CODESPACE), checked.log
    assert checked.log
    (result,) = chain.node.block([tx])
    assert (result.code, result.log) == (code, checked.log)
    assert chain.record() == before  # nothing of the channel moved


def test_a_replayed_post_is_refused_by_its_nonce(chain):
    msg, _ = chain.post_message(chain.verifier, STATEMENT)
    tx = chain.node.sign(chain.verifier, msg)
    assert chain.node.block([tx])[0].code == Code.OK
    (again,) = chain.node.block([tx])
    assert again.code == Code.NONCE_REPLAYED
    assert chain.record()["posts"] == 2


def test_the_largest_post_fits_and_one_byte_more_is_refused_by_the_client(chain):
    payload = bytes(range(256)) * (MAX_CHANNEL_PAYLOAD // 256)
    assert len(payload) == MAX_CHANNEL_PAYLOAD
    msg, sealed = chain.post_message(chain.company, payload, kind="document")
    assert len(sealed) <= MAX_CHANNEL_CIPHERTEXT
    result = chain.node.run(chain.company, msg)
    assert result.code == Code.OK, result.log
    chain.posts.append(sealed)
    assert chain.read_as(chain.verifier, 2) == payload
    with pytest.raises(ChannelBoxError, match="65,536"):
        chain.post_message(chain.company, payload + b"!")


def test_channel_queries_refuse_bad_paths(chain):
    for path, code in ((f"/channel/{NAME}/posts?from=0", Code.BAD_QUERY), (f"/channel/{NAME}/posts?limit=501", Code.BAD_QUERY),
                       (f"/channel/{NAME}/posts?sort=desc", Code.BAD_QUERY), (f"/channel/{NAME}/key/0", Code.BAD_QUERY),
                       (f"/channel/{NAME}/key/7", Code.NOT_FOUND), (f"/channel/{NAME}/key/x1", Code.BAD_QUERY),
                       ("/channel/no-such", Code.NOT_FOUND), ("/channel/Bad_Name", Code.BAD_QUERY), ("/channel", Code.BAD_QUERY),
                       (f"/channel/{NAME}/wraps", Code.BAD_QUERY)):
        response = chain.node.query(path)
        assert response.code == code, (path, response.code, response.log)
        assert response.log
    assert chain.node.read(f"/channel/{NAME}/posts?from=2") == []
    assert [p["seq"] for p in chain.node.read(f"/channel/{NAME}/posts?from=1&limit=1")] == [1]
