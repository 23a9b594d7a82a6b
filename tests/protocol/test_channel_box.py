"""Channel keys and posts (protocol.channel_box): what is sealed opens for its reader only, bound to its channel,
epoch, kind and author; the message classes read back what clients build."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from protocol.channel_box import ChannelBoxError, from_chunks, new_key, open_post, post_digest, seal_post, to_chunks, \
    unwrap_key, wrap_key
from protocol.codes import Code, TxRejected
from protocol.constants import CHANNEL_CHUNK_BYTES, MAX_CHANNEL_PAYLOAD
from protocol.messages import ChannelKey, ChannelMembers, ChannelOpen, ChannelPost, Propose, parse_message
from protocol.messages.channels import POST_KINDS
from protocol.private_tx import epoch_of, public_bytes, reader_id, reader_ids

names = st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?", fullmatch=True)
authors = st.binary(min_size=20, max_size=20).map(bytes.hex)
def _other(name: str) -> str:
    """Another valid channel name."""
    return name[:-1] + ("0" if name[-1] != "0" else "1")


keys = st.binary(min_size=32, max_size=32).map(lambda seed: new_key(lambda n: hashlib.sha256(seed).digest()[:n]))


@settings(max_examples=60, deadline=None)
@given(payload=st.binary(min_size=1, max_size=3000), name=names, epoch=st.integers(1, 2**32 - 1),
       kind=st.sampled_from(POST_KINDS), author=authors, key=keys, other=keys)
def test_a_post_opens_with_its_epoch_key_only_and_only_as_recorded(payload, name, epoch, kind, author, key, other):
    sealed = seal_post(payload, channel=name, epoch=epoch, kind=kind, author=author, channel_public=public_bytes(key))
    assert epoch_of(sealed) == epoch and reader_ids(sealed) == [reader_id(public_bytes(key))]
    assert (len(sealed) - 126) % 512 == 0  # one reader: header 98, nonce 12, tag 16; padded to 512-byte buckets
    assert payload not in sealed or len(payload) < 8
    assert from_chunks(to_chunks(sealed)) == sealed
    assert all(len(c) == 2 * CHANNEL_CHUNK_BYTES for c in to_chunks(sealed)[:-1])
    assert open_post(sealed, key, channel=name, epoch=epoch, kind=kind, author=author) == payload
    if public_bytes(other) != public_bytes(key):
        with pytest.raises(ChannelBoxError):
            open_post(sealed, other, channel=name, epoch=epoch, kind=kind, author=author)
    for change in ({"channel": _other(name)}, {"epoch": epoch % (2**32 - 1) + 1}, {"author": "f" * 40 if author != "f" * 40 else "e" * 40},
                   {"kind": next(k for k in POST_KINDS if k != kind)}):
        fields = {"channel": name, "epoch": epoch, "kind": kind, "author": author, **change}
        with pytest.raises(ChannelBoxError):
            open_post(sealed, key, **fields)
    altered = bytearray(sealed)
    altered[-1] ^= 1
    with pytest.raises(ChannelBoxError):
        open_post(bytes(altered), key, channel=name, epoch=epoch, kind=kind, author=author)


@settings(max_examples=40, deadline=None)
@given(name=names, epoch=st.integers(1, 2**32 - 1), key=keys, member=keys, stranger=keys)
def test_a_wrap_opens_for_its_member_to_the_announced_key(name, epoch, key, member, stranger):
    wrap = wrap_key(key, name, epoch, public_bytes(member))
    assert epoch_of(wrap) == epoch and reader_ids(wrap) == [reader_id(public_bytes(member))]
    opened = unwrap_key(wrap, member, name, epoch, public_bytes(key))
    assert public_bytes(opened) == public_bytes(key)
    if public_bytes(stranger) != public_bytes(member):
        with pytest.raises(ChannelBoxError):
            unwrap_key(wrap, stranger, name, epoch, public_bytes(key))
    with pytest.raises(ChannelBoxError):
        unwrap_key(wrap, member, _other(name), epoch, public_bytes(key))  # another channel's wrap
    with pytest.raises(ChannelBoxError):
        unwrap_key(wrap, member, name, epoch % (2**32 - 1) + 1, public_bytes(key))  # another epoch's
    if public_bytes(stranger) != public_bytes(key):
        with pytest.raises(ChannelBoxError, match="not the channel's public key"):
            unwrap_key(wrap, member, name, epoch, public_bytes(stranger))  # a wrap of another key than announced


def test_payload_and_header_limits():
    key = new_key()
    for channel, epoch in (("a", 0), ("a", 2**32), ("", 1), ("a" * 33, 1)):
        with pytest.raises(ChannelBoxError):
            seal_post(b"x", channel=channel, epoch=epoch, kind="message", author="ab" * 20, channel_public=public_bytes(key))
        with pytest.raises(ChannelBoxError):
            wrap_key(key, channel, epoch, public_bytes(key))
    with pytest.raises(ChannelBoxError):
        seal_post(b"", channel="a", epoch=1, kind="message", author="ab" * 20, channel_public=public_bytes(key))
    with pytest.raises(ChannelBoxError):
        seal_post(b"x" * (MAX_CHANNEL_PAYLOAD + 1), channel="a", epoch=1, kind="message", author="ab" * 20,
                  channel_public=public_bytes(key))


@settings(max_examples=30, deadline=None)
@given(payload=st.binary(min_size=1, max_size=MAX_CHANNEL_PAYLOAD), name=names, kind=st.sampled_from(POST_KINDS))
def test_every_post_a_client_seals_is_a_valid_message(payload, name, kind):
    key = new_key()
    sealed = seal_post(payload, channel=name, epoch=3, kind=kind, author="ab" * 20, channel_public=public_bytes(key))
    msg = ChannelPost(name, 3, kind, to_chunks(sealed))
    parsed = parse_message(msg.to_json())
    assert parsed == msg and parsed.sealed == sealed and post_digest(parsed.sealed) == hashlib.sha256(sealed).hexdigest()


def test_members_are_kept_sorted_and_the_actions_round_trip():
    a, b = "cd" * 20, "ab" * 20
    opened = ChannelOpen("otc-1", "block trade negotiation", (a, b))
    assert opened.members == (b, a)
    assert parse_message(Propose(opened).to_json()) == Propose(opened)
    assert parse_message(Propose(ChannelMembers("otc-1", [a, b])).to_json()).action == ChannelMembers("otc-1", (b, a))
    key, view_a, view_b = new_key(), new_key(), new_key()
    msg = ChannelKey("otc-1", 1, public_bytes(key).hex(), {a: wrap_key(key, "otc-1", 1, public_bytes(view_a)).hex(),
                                                          b: wrap_key(key, "otc-1", 1, public_bytes(view_b)).hex()})
    assert parse_message(msg.to_json()) == msg
    with pytest.raises(TxRejected) as info:
        parse_message({**msg.to_json(), "epoch": 2})  # the wraps are sealed for epoch 1
    assert info.value.code == Code.INVALID_MESSAGE and "epoch" in info.value.log
