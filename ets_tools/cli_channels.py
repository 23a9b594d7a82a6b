"""``ets channel``: channels (채널), ledgers only their members read.

    ets channel view-key --key NAME                              publish your view key (every member needs one)
    ets channel open NAME --purpose TEXT --member ADDR ... --key OFFICIAL    propose opening (governed, m-of-n)
    ets channel members NAME --member ADDR ... --key OFFICIAL    propose the new member list (governed)
    ets tx approve PROPOSAL_ID --key OFFICIAL                    the other officials approve
    ets channel rekey NAME --key MEMBER                          a new key epoch, wrapped to every member
    ets channel post NAME (--file F | --text T) [--kind K] --key MEMBER
    ets channel read NAME --key MEMBER [--out DIR] [--genesis genesis.json]
    ets channel show NAME [--posts]

A channel takes posts once a member has posted its first key, and again after every change of
members once a member has rekeyed: a member who left cannot read anything posted after it left
(it keeps what it could read before). ``read`` finds the posts in the node's blocks, checks each
against its commitment on chain (proven against a header the validators signed with
``--genesis`` or ``--trust-height/--trust-hash``) and opens those your key epochs open.
Exit codes: 0 done; 2 the channel refuses (not a member, needs a rekey, too large), usage or
connection errors; 3 the chain rejected the transaction.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Callable

from protocol.constants import MAX_CHANNEL_MEMBERS, MAX_CHANNEL_PAYLOAD, MIN_CHANNEL_MEMBERS
from protocol.messages import ChannelMembers, ChannelOpen, Propose, SetViewKey
from protocol.messages.channels import POST_KINDS, is_channel_name
from protocol.sealed import view_public_hex

from ets.channels import channel_record, post_message, read_ledger, rekey_message
from ets.console import address_arg, print_json
from ets.rpc import ChainClient, TxCommit
from ets.verify import verify_state

from .cli_verify import open_light_client

__all__ = ["add_channel_commands"]

_address = address_arg("member")


def _name(text: str) -> str:
    if not is_channel_name(text):
        raise argparse.ArgumentTypeError("a channel name is a slug of 1 to 32 characters: a-z, 0-9 and inner hyphens "
                                         "(채널 이름 형식 오류)")
    return text


def _result(commit: TxCommit) -> dict[str, Any]:
    out: dict[str, Any] = {"hash": commit.hash, "height": commit.height, "code": int(commit.code)}
    if commit.data:
        out["result"] = json.loads(commit.data)
    return out


def _members(args: argparse.Namespace) -> tuple[str, ...]:
    members = tuple(sorted(set(args.member)))
    if not MIN_CHANNEL_MEMBERS <= len(members) <= MAX_CHANNEL_MEMBERS:
        raise ValueError(f"a channel has {MIN_CHANNEL_MEMBERS} to {MAX_CHANNEL_MEMBERS} members; {len(members)} given "
                         "(--member ADDR, repeated)")
    return members


def _run(args: argparse.Namespace, signer: Callable[[argparse.Namespace], Any],
         node: Callable[[argparse.Namespace], ChainClient]) -> int:
    kind = args.channel_command
    with node(args) as client:
        if kind == "show":
            record = channel_record(client, args.name)
            if args.posts:
                record["post_commitments"] = client.query(f"/channel/{args.name}/posts?from={args.start}&limit=500")
            print_json(record)
            return 0
        me = signer(args)
        if kind == "view-key":
            print_json(_result(client.submit(me, SetViewKey(view_public_hex(me)))))
        elif kind in ("open", "members"):
            action = (ChannelOpen(args.name, args.purpose, _members(args)) if kind == "open"
                      else ChannelMembers(args.name, _members(args)))
            out = _result(client.submit(me, Propose(action)))
            out["next"] = ("the channel is set" if out["result"]["status"] == "executed" else
                           f"other officials approve: ets tx approve {out['result']['proposal_id']} --key OFFICIAL")
            print_json(out)
        elif kind == "rekey":
            msg = rekey_message(client, me, args.name)
            out = _result(client.submit(me, msg))
            out["wrapped_to"] = sorted(msg.wraps)
            print_json(out)
        elif kind == "post":
            payload = Path(args.file).read_bytes() if args.file else args.text.encode("utf-8")
            msg = post_message(client, me, args.name, payload, args.kind)
            print_json(_result(client.submit(me, msg)))
        elif kind == "read":
            _read(client, me, args)
    return 0


def _read(client: ChainClient, me: Any, args: argparse.Namespace) -> None:
    verified = None
    light = None
    if args.genesis or args.trust_height is not None:
        light = open_light_client(client, args)
        height = [0]

        def verified(key: str) -> bytes | None:  # every commitment proven at one height
            fact = verify_state(client, light, key, height=height[0])
            height[0] = fact.height
            return fact.value
    try:
        posts = read_ledger(client, me, args.name, verified=verified)
    finally:
        if light is not None:
            light.close()
    if args.seq is not None:
        posts = [p for p in posts if p.seq == args.seq]
    if args.out:
        folder = Path(args.out)
        folder.mkdir(parents=True, exist_ok=True)
        for post in posts:
            if post.payload is not None:
                (folder / f"{post.seq:06d}-{post.kind}").write_bytes(post.payload)
    unreadable = [p.seq for p in posts if p.payload is None]
    print_json({"channel": args.name, "reader": me.address, "verified": verified is not None,
                "posts": [p.to_json() for p in posts], "unreadable": unreadable})
    if unreadable:
        print(f"ets: {len(unreadable)} post(s) of {args.name!r} are not readable with your keys (읽을 수 없는 게시물): "
              f"{', '.join(map(str, unreadable))}; see their \"problem\"", file=sys.stderr)


def add_channel_commands(sub: argparse._SubParsersAction, common: Callable[..., None],
                         signer: Callable[[argparse.Namespace], Any], node: Callable[[argparse.Namespace], ChainClient]) -> None:
    channel = sub.add_parser("channel", help="channels (채널): ledgers only their members read",
                             description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    kinds = channel.add_subparsers(dest="channel_command", required=True)
    p = kinds.add_parser("view-key", help="publish your X25519 view key (derived from your key): members need one",
                         description="Send set_view_key with the view key derived from your signing key, so channel "
                                     "keys (and sealed block-trade prices) can be wrapped to you.")
    common(p, key=True)
    p = kinds.add_parser("open", help="official: propose opening a channel (governed; approved m-of-n)",
                         description="Propose channel_open. Every member must be registered and have published a view "
                                     "key (`ets channel view-key`). The channel takes posts once a member rekeys.")
    p.add_argument("name", type=_name, help="slug, e.g. steel-mrv-2025")
    p.add_argument("--purpose", required=True, help="why the channel exists (public), e.g. '2025 MRV: raw data, statement'")
    p.add_argument("--member", required=True, action="append", type=_address,
                   help=f"a member's address; repeat ({MIN_CHANNEL_MEMBERS} to {MAX_CHANNEL_MEMBERS})")
    common(p, key=True)
    p = kinds.add_parser("members", help="official: propose the channel's new member list (governed)",
                         description="Propose channel_members: the complete new list. After it executes, posts wait "
                                     "until a remaining member rekeys; a removed member reads nothing posted later.")
    p.add_argument("name", type=_name)
    p.add_argument("--member", required=True, action="append", type=_address, help="a member's address; repeat")
    common(p, key=True)
    p = kinds.add_parser("rekey", help="member: post the channel's next key epoch, wrapped to every current member",
                         description="Make a fresh channel key, wrap it to each current member's view key on chain and "
                                     "send channel_key. Needed before the first post and after any change of members.")
    p.add_argument("name", type=_name)
    common(p, key=True)
    p = kinds.add_parser("post", help="member: seal a document or text to the channel and post it",
                         description=f"Seal up to {MAX_CHANNEL_PAYLOAD:,} bytes to the channel's current key and send "
                                     "channel_post. The chain keeps only its SHA-256 commitment; the kind is public.")
    p.add_argument("name", type=_name)
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--file", help="the file to post (a statement, a CSV of readings, ...)")
    what.add_argument("--text", help="text to post")
    p.add_argument("--kind", choices=POST_KINDS, default="document", help="what it is (public; default document)")
    common(p, key=True)
    p = kinds.add_parser("read", help="member: every post of the channel, checked against its commitment and opened",
                         description="Find the channel's posts in the node's blocks (tx_search), check each against its "
                                     "commitment on chain and open those your key epochs open. With --genesis (or "
                                     "--trust-height/--trust-hash) every commitment is proven against a signed header.")
    p.add_argument("name", type=_name)
    p.add_argument("--seq", type=int, help="only this post")
    p.add_argument("--out", help="also write each readable payload to DIR/<seq>-<kind>")
    p.add_argument("--genesis", help="prove the commitments, trusting this genesis.json")
    p.add_argument("--trust-height", type=int, help="instead of the genesis: a height you trust ...")
    p.add_argument("--trust-hash", help="... and that height's header hash (hex)")
    p.add_argument("--light-store", type=Path, help="where verified headers are kept (default ~/.ets/light/<chain>.json)")
    p.add_argument("--no-light-store", action="store_true", help="keep no verified headers")
    common(p, key=True)
    p = kinds.add_parser("show", help="the channel's public record: members, epoch, wraps, post count",
                         description="Show /channel/<name>: purpose, members, key epoch and public key, the current "
                                     "wraps, whether it needs a rekey and why; --posts adds the post commitments.")
    p.add_argument("name", type=_name)
    p.add_argument("--posts", action="store_true", help="also list post commitments")
    p.add_argument("--from", dest="start", type=int, default=1, help="first post with --posts (default 1)")
    common(p, key=False)
    for parser in kinds.choices.values():
        parser.set_defaults(func=lambda args: _run(args, signer, node))

