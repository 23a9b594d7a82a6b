"""The chain itself: how fresh the data is (chain id, latest block) and the chain's parameters (public)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ets.rpc import ChainClient, parse_block_time

from ._base import KST, public

__all__ = ["ChainStatus", "chain_status", "params"]


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
