"""``ets verify``: a value proven against a header signed by the validators, trusting only the genesis.

    ets verify balance ADDRESS --instrument KAU25 --key NAME [--height H]
    ets verify emissions DEVICE --day YYYY-MM-DD [--height H]
    ets verify allocation ADDRESS [--plan HASH --vintage YYYY] [--height H]
    ets verify key STATE_KEY [--key NAME] [--height H]

What is trusted: ``--genesis FILE`` (env ``ETS_GENESIS``: the chain's published genesis.json),
or ``--trust-height H --trust-hash HEX`` obtained out of band. Headers verified once are kept in
``~/.ets/light/<chain id>-<trust root>.json`` (``--light-store``), so later checks start from there.
Output: JSON with at least ``{"verified": true, "value", "height", "app_hash"}``. Exit codes:
0 verified; 1 the node's answer does not hold (the message says what failed); 2 usage,
key or connection errors.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, Callable

from protocol import state_keys

from ets.console import address_arg, print_json
from ets.light import LightClient, TrustOptions, VerificationError
from ets.rpc import ChainClient, ChainError
from ets.verify import VerifiedValue, light_store_path, trust_root, verify_state

__all__ = ["add_verify_commands", "trust_from_args", "open_light_client"]

_address = address_arg("account")
_device = address_arg("device")


def trust_from_args(args: argparse.Namespace) -> TrustOptions:
    return trust_root(getattr(args, "genesis", None), args.trust_height, args.trust_hash)


def open_light_client(client: ChainClient, args: argparse.Namespace) -> LightClient:
    trust = trust_from_args(args)
    if args.no_light_store:
        return LightClient(client, trust)
    return LightClient(client, trust, store_path=args.light_store or light_store_path(trust.chain_id or client.chain_id, trust))


def _int_value(fact: VerifiedValue) -> int:
    return 0 if fact.value is None else int(fact.value)


def _verify(args: argparse.Namespace, signer: Callable[[argparse.Namespace], Any], node: Callable[[argparse.Namespace], ChainClient]) -> int:
    kind = args.verify_kind
    reader = signer(args) if getattr(args, "key", None) else None
    with node(args) as client, open_light_client(client, args) as light:
        if kind == "balance":
            fact = verify_state(client, light, state_keys.balance(args.address, args.instrument), reader=reader, height=args.height)
            out = fact.to_json(_int_value(fact))
            out.update(address=args.address, instrument=args.instrument, unit="tCO2-eq")
        elif kind == "emissions":
            fact = verify_state(client, light, state_keys.daily_total(args.device, args.day), height=args.height)
            if fact.value is None:
                raise VerificationError(f"proven absent: device {args.device} has no daily total for {args.day} "
                                        f"at height {fact.height}")
            out = fact.to_json(json.loads(fact.value))
            out.update(device=args.device, day=args.day)
        elif kind == "allocation":
            out = _verify_allocations(client, light, args)
        else:
            fact = verify_state(client, light, args.state_key, reader=reader, height=args.height)
            out = fact.to_json()
    print_json(out)
    return 0


def _verify_allocations(client: ChainClient, light: LightClient, args: argparse.Namespace) -> dict[str, Any]:
    if bool(args.plan) != bool(args.vintage):
        raise ValueError("--plan and --vintage go together (or leave both out to verify every allocation)")
    if args.plan:
        wanted = [(args.plan, args.vintage)]
    else:  # the listing is only a guide to the keys: each one is then proven
        listing = client.query(f"/allocations/{args.address}")
        wanted = sorted((plan, vintage) for plan, vintages in listing.items() for vintage in vintages)
        if not wanted:
            raise ChainError(f"the node lists no allocations for {args.address}: give --plan and --vintage to prove "
                             "one absent")
    height, facts = args.height, []
    for plan, vintage in wanted:
        fact = verify_state(client, light, state_keys.allocation(args.address, plan, vintage), height=height)
        height = fact.height  # every allocation at the same height
        facts.append((plan, vintage, fact))
    value: dict[str, dict[str, int]] = {}
    for plan, vintage, fact in facts:
        value.setdefault(plan, {})[vintage] = _int_value(fact)
    out = facts[-1][2].to_json(value)
    out.update(address=args.address, keys=[fact.key for _, _, fact in facts], unit="tCO2-eq")
    return out


def add_verify_commands(sub: argparse._SubParsersAction, common: Callable[..., None],
                        signer: Callable[[argparse.Namespace], Any], node: Callable[[argparse.Namespace], ChainClient]) -> None:
    verify = sub.add_parser(
        "verify", help="prove a value against a header signed by the validators (light client)",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    kinds = verify.add_subparsers(dest="verify_kind", required=True)
    p = kinds.add_parser("balance", help="a holder's available tonnes of an instrument (private: --key of the holder or an official)")
    p.add_argument("address", type=_address)
    p.add_argument("--instrument", required=True, help="e.g. KAU25")
    parsers = [(p, True)]
    p = kinds.add_parser("emissions", help="a device's daily total and that day's Merkle root of readings (public)")
    p.add_argument("device", type=_device)
    p.add_argument("--day", required=True, help="KST day, YYYY-MM-DD")
    parsers.append((p, False))
    p = kinds.add_parser("allocation", help="a company's e-order allocations (public)")
    p.add_argument("address", type=_address)
    p.add_argument("--plan", help="the plan hash (64 hex); default: every plan the node lists")
    p.add_argument("--vintage", help="e.g. 2026; with --plan")
    parsers.append((p, False))
    p = kinds.add_parser("key", help="any readable state key, e.g. supply/KAU25 (private keys need --key)")
    p.add_argument("state_key")
    parsers.append((p, None))
    for p, private in parsers:
        common(p, key=private is not False, key_required=bool(private))
        p.add_argument("--height", type=int, default=0, help="the state after this block (default: the latest); "
                                                            "past heights as far back as the node keeps")
        p.add_argument("--genesis", help="the chain's genesis.json to trust (env ETS_GENESIS)")
        p.add_argument("--trust-height", type=int, help="instead of the genesis: a height you trust ...")
        p.add_argument("--trust-hash", help="... and that height's header hash (hex)")
        p.add_argument("--light-store", type=Path, help="where verified headers are kept (default ~/.ets/light/<chain>-<trust root>.json)")
        p.add_argument("--no-light-store", action="store_true", help="keep nothing: verify from the trust root every time")
        p.set_defaults(func=lambda args: _verify(args, signer, node))

