"""Events of channels: public attributes only (names, epochs, counts, commitments; never a payload or a key)."""

from __future__ import annotations

from protocol.events import Attribute, EventType

__all__ = ["CHANNEL", "CHANNEL_POST"]

# change: "opened" (action channel_open), "members" (action channel_members), "key" (channel_key)
CHANNEL = EventType("channel", (Attribute("name", index=True), Attribute("change", index=True), Attribute("epoch"),
                                Attribute("members")))
# a member finds the posts with tx_search "channel_post.channel='<name>'"
CHANNEL_POST = EventType("channel_post", (Attribute("channel", index=True), Attribute("seq", index=True),
                                          Attribute("epoch"), Attribute("kind"), Attribute("sha256")))
