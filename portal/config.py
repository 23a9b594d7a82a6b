"""The portal's settings, read from the environment once per process.

    ETS_PORTAL_NODE    CometBFT RPC URL of a validator (default http://127.0.0.1:26657)
    ETS_PORTAL_USERS   folder of portal user key files (default ./.portal/users)
    ETS_PORTAL_PLANS   optional folder of allocation plan review files (JSON written by the engine)
    ETS_PORTAL_TTL     seconds public query results are cached (default 10)
    ETS_PORTAL_GENESIS the chain's genesis.json that the portal's light client trusts: holdings and
                       daily totals are shown "verified against block N, signed by k of n
                       validators" only when set (unset: shown with a "not verified" note)
    ETS_PORTAL_COMPLIANCE_YEAR  the year the compliance pages open on (default: the last ended year, KST)
    ETS_PORTAL_LIGHT_STORE  folder of the light client's store of verified headers, one
                       ``<chain id>-<genesis digest>.json`` per trusted genesis (default ./.portal/light,
                       beside the users folder's default)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping
from urllib.parse import urlparse

__all__ = ["PortalConfig", "ConfigError", "DEFAULT_NODE", "DEFAULT_USERS", "DEFAULT_TTL", "DEFAULT_LIGHT_STORE"]

DEFAULT_NODE = "http://127.0.0.1:26657"
DEFAULT_USERS = "./.portal/users"
DEFAULT_TTL = 10
DEFAULT_LIGHT_STORE = "./.portal/light"


class ConfigError(ValueError):
    """A setting that cannot be used; the message names the variable and what it should be."""


@dataclass(frozen=True)
class PortalConfig:
    """Where the portal finds the chain, its users, the engine's review files and what it trusts."""

    node_url: str
    users_dir: Path
    plans_dir: Path | None = None
    ttl_seconds: int = DEFAULT_TTL
    genesis: Path | None = None  # None: nothing is trusted, nothing is shown as verified
    light_store_dir: Path = Path(DEFAULT_LIGHT_STORE)
    auction_results: Path | None = None  # a published auction-results file (JSON or CSV), shown beside the chain's

    def __post_init__(self) -> None:
        url = urlparse(self.node_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ConfigError(f"ETS_PORTAL_NODE {self.node_url!r} must be an http(s) URL such as {DEFAULT_NODE}")
        if not isinstance(self.ttl_seconds, int) or not 1 <= self.ttl_seconds <= 3600:
            raise ConfigError(f"ETS_PORTAL_TTL must be a whole number of seconds from 1 to 3600, got {self.ttl_seconds!r}")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "PortalConfig":
        env = os.environ if env is None else env
        plans = env.get("ETS_PORTAL_PLANS", "").strip()
        genesis = env.get("ETS_PORTAL_GENESIS", "").strip()
        results = env.get("ETS_PORTAL_AUCTION_RESULTS", "").strip()
        ttl_text = env.get("ETS_PORTAL_TTL", str(DEFAULT_TTL)).strip()
        try:
            ttl = int(ttl_text)
        except ValueError:
            raise ConfigError(f"ETS_PORTAL_TTL must be a whole number of seconds, got {ttl_text!r}") from None
        return cls(
            node_url=env.get("ETS_PORTAL_NODE", "").strip() or DEFAULT_NODE,
            users_dir=Path(env.get("ETS_PORTAL_USERS", "").strip() or DEFAULT_USERS).expanduser(),
            plans_dir=Path(plans).expanduser() if plans else None,
            ttl_seconds=ttl,
            genesis=Path(genesis).expanduser() if genesis else None,
            light_store_dir=Path(env.get("ETS_PORTAL_LIGHT_STORE", "").strip() or DEFAULT_LIGHT_STORE).expanduser(),
            auction_results=Path(results).expanduser() if results else None,
        )
