"""State keys of channels: the channel record, its key epochs, its post commitments and their digests."""

from __future__ import annotations

from protocol import state_keys

__all__ = ["PREFIXES", "CHANNELS", "channel", "channel_key", "post", "posts_of", "posted_digest", "seq_in"]

PREFIXES = ("channel/",)

CHANNELS = "channel/"
channel = state_keys.channel  # channel/<name>
channel_key = state_keys.channel_key  # channel/<name>/key/<epoch:010d>
post = state_keys.channel_post  # channel/<name>/post/<seq:012d>


def posts_of(name: str) -> str:
    return f"channel/{name}/post/"


def posted_digest(name: str, digest: str) -> str:
    """The seq of the post whose ciphertext has this SHA-256: the same ciphertext is posted once."""
    return f"channel/{name}/digest/{digest}"


def seq_in(post_key: str) -> int:
    return int(post_key.rsplit("/", 1)[1])
