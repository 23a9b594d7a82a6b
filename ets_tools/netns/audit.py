"""After the faults: does every node hold the same chain, and every acknowledged tx?

``chain_divergences`` reads every node's block headers (``/blockchain``, 20 a call) and compares them
height by height: the same block hash (no fork) and the same app hash (each header carries the state
after the block before it; each node's CometBFT has checked its own app against it), then each app's
own ``abci_info`` against the header that follows its height. ``lost_txs`` looks each acknowledged tx
up on every node (``/tx/<hash>``, read as its signer). Both return what they found wrong, as text.
"""

from __future__ import annotations

import base64
from typing import Callable, Iterable

from ets.rpc import ChainClient, ChainError

from .load import Ack

__all__ = ["chain_divergences", "lost_txs", "headers"]

Rpc = Callable[..., dict]  # rpc(node, method, **params) -> result


def headers(rpc: Rpc, node: str, top: int) -> dict[int, tuple[str, str]]:
    """``node``'s (block hash, app hash) of every height 1..top."""
    found: dict[int, tuple[str, str]] = {}
    high = top
    while high >= 1:
        low = max(1, high - 19)
        metas = rpc(node, "blockchain", minHeight=low, maxHeight=high)["block_metas"]
        for meta in metas:
            found[int(meta["header"]["height"])] = (meta["block_id"]["hash"], meta["header"]["app_hash"])
        high = low - 1
    return found


def chain_divergences(rpc: Rpc, nodes: list[str]) -> tuple[int, list[str]]:
    """(heights compared, what differs); every node must answer RPC."""
    tops = {n: int(rpc(n, "status")["sync_info"]["latest_block_height"]) for n in nodes}
    chains = {n: headers(rpc, n, tops[n]) for n in nodes}
    problems: list[str] = []
    for height in range(1, max(tops.values()) + 1):
        seen = {n: chain[height] for n, chain in chains.items() if height in chain}
        if len(set(seen.values())) > 1:
            problems.append(f"height {height}: nodes disagree (block hash, app hash): {seen}")
    for node in nodes:
        info = rpc(node, "abci_info")["response"]
        app_height = int(info.get("last_block_height", 0))
        own = base64.b64decode(info.get("last_block_app_hash") or "").hex().upper()
        after = next((c[app_height + 1][1] for c in chains.values() if app_height + 1 in c), None)
        if after is not None and own != after:
            problems.append(f"{node}'s app holds app hash {own} at height {app_height}; the chain says {after}")
    return max(tops.values()), problems[:20]


def lost_txs(client_for: Callable[[str], ChainClient], nodes: list[str], acks: Iterable[Ack]) -> list[str]:
    """Acknowledged txs some node does not hold as committed with code 0."""
    acks = list(acks)
    missing: list[str] = []
    for node in nodes:
        with client_for(node) as client:
            for ack in acks:
                try:
                    record = client.query(f"/tx/{ack.hash}", reader=ack.signer)
                except ChainError as exc:
                    missing.append(f"{node}: acknowledged tx {ack.hash}: {exc}")
                    continue
                if record.get("code") != 0:
                    missing.append(f"{node}: acknowledged tx {ack.hash} has result {record}")
    return missing[:20]
