"""The chain itself: how fresh the data is (chain id, latest block) and the chain's parameters (public)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ets.rpc import ChainClient, parse_block_time
from abci_app.modules.plans.events import EORDER as EORDER_EVENT, PLAN as PLAN_EVENT
from protocol.events import MESSAGE

from ._base import KST, public

__all__ = ["ChainStatus", "chain_status", "params", "plan_activity_since"]


@dataclass(frozen=True)
class ChainStatus:
    """How fresh the data is: the chain id and the latest committed block."""

    chain_id: str
    height: int
    time: int  # unix seconds of the latest block

    @property
    def time_kst(self) -> str:
        return datetime.fromtimestamp(self.time, KST).strftime("%Y-%m-%d %H:%M:%S KST")


@public
def chain_status(client: ChainClient) -> ChainStatus:
    status = client.status()
    sync = status["sync_info"]
    return ChainStatus(status["node_info"]["network"], int(sync["latest_block_height"]),
                       parse_block_time(sync["latest_block_time"]))


@public
def params(client: ChainClient) -> dict[str, Any]:
    """Chain parameters (approvals required, proposal lifetime, query skew, market rules)."""
    return client.query("/params")


def _matches_since(client: ChainClient, method: str, query: str, height: int) -> bool:
    """Whether any tx (``tx_search``) or block (``block_search``) after ``height`` matches the event query."""
    field = "tx.height" if method == "tx_search" else "block.height"
    result = client.call(method, query=f"{query} AND {field}>{height}", page="1", per_page="1")
    return int(result.get("total_count", 0)) > 0


def plan_activity_since(client: ChainClient, plan_hash: str, height: int) -> bool:
    """Whether anything about allocation plan ``plan_hash`` happened after block ``height``, by the chain's
    public events: the plan's own events, governance votes and proposals, and e-order batches credited
    by the block hook. Live views re-read the plan only when this says so, instead of polling every query."""
    queries = (
        ("tx_search", PLAN_EVENT.query("hash", plan_hash)),
        ("tx_search", EORDER_EVENT.query("plan_hash", plan_hash)),
        ("tx_search", MESSAGE.query("module", "governance")),
        ("block_search", EORDER_EVENT.query("plan_hash", plan_hash)),
    )
    return any(_matches_since(client, method, query, height) for method, query in queries)
