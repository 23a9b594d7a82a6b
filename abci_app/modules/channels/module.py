"""The channels' descriptor: governed opening and membership, members' keys and posts, the public paths."""

from __future__ import annotations

from protocol.codes import Code
from protocol.constants import ROLES
from protocol.messages.channels import ChannelKey, ChannelMembers, ChannelOpen, ChannelPost

from .. import GovernedAction, MessageRule, Module, Query, StateRead
from . import handlers, keys, queries
from .events import CHANNEL, CHANNEL_POST

MODULE = Module(
    name="channels",
    summary="member-only ledgers: governed membership, member-made key epochs wrapped to each member, "
            "sealed posts with public commitments",
    messages=(
        MessageRule(ChannelKey, ROLES, handlers.handle_channel_key,
                    "next key epoch: public key, private key wrapped to each current member's view key",
                    who="member", events=(CHANNEL,)),
        MessageRule(ChannelPost, ROLES, handlers.handle_channel_post,
                    "payload sealed to the epoch's channel key; the chain keeps its SHA-256 commitment",
                    who="member", events=(CHANNEL_POST,)),
    ),
    actions=(
        GovernedAction(ChannelOpen, handlers.check_open, handlers.execute_open,
                       "open a channel: name, purpose, 2 to 64 members with view keys; no key until a member rekeys",
                       events=(CHANNEL,)),
        GovernedAction(ChannelMembers, handlers.check_members, handlers.execute_members,
                       "set a channel's members; posts wait for a key wrapped to exactly them (a member who left "
                       "reads nothing new)", events=(CHANNEL,)),
    ),
    queries=(
        Query("channel", queries.channel, "/channel/<name>[/posts?from=&limit=|/key/<epoch>]",
              "members, epoch, public key, wraps, post count; post commitments; an epoch's key record"),
    ),
    codes=frozenset({Code.CHANNEL_NOT_FOUND, Code.CHANNEL_EXISTS, Code.CHANNEL_NOT_A_MEMBER, Code.CHANNEL_NEEDS_REKEY,
                     Code.CHANNEL_WRONG_EPOCH, Code.CHANNEL_WRAPS_MISMATCH, Code.CHANNEL_POST_TOO_LARGE,
                     Code.CHANNEL_DUPLICATE_POST, Code.CHANNEL_UNCHANGED}),
    code_range=range(1200, 1300),
    keys=keys.PREFIXES,
    state_reads=tuple(StateRead(prefix) for prefix in keys.PREFIXES),
)
