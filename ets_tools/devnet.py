"""The first accounts of a local network: keys in an encrypted keystore, and the genesis ``app_state``.

A local network gets three government officials (2-of-3 approvals), one verification
body, one exchange, one settlement bank, a validator operator and a few companies, each
company holding an opening balance of allowances so transfers can be exercised at once.
The keys are encrypted with the local network's passphrase (``ETS_LOCALNET_PASSPHRASE``,
default below, for local development only).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from protocol.sealed import view_public_hex

from ets.keys import Keystore, Signer

__all__ = ["DEV_PASSPHRASE", "LOCALNET_SCRYPT_N", "GenesisAccount", "localnet_passphrase", "build_app_state", "create_localnet_accounts"]

DEV_PASSPHRASE = "localnet-dev-passphrase"
LOCALNET_SCRYPT_N = 2**14
OPENING_INSTRUMENTS = ("KAU25", "KAU26")
OPENING_BALANCE = 1_000_000


def localnet_passphrase() -> str:
    return os.environ.get("ETS_LOCALNET_PASSPHRASE", DEV_PASSPHRASE)


@dataclass(frozen=True)
class GenesisAccount:
    name: str
    role: str
    signer: Signer


def default_params(**overrides: int) -> dict[str, int]:
    params = {
        "approvals_required": 2,
        "proposal_ttl_seconds": 7 * 24 * 3600,
        "query_max_age_seconds": 30,
    }
    params.update(overrides)
    return params


def build_app_state(
    accounts: list[GenesisAccount],
    *,
    balances: dict[str, dict[str, int]] | None = None,
    params: dict[str, int] | None = None,
    execution_key: str | None = None,
) -> dict[str, Any]:
    """Genesis ``app_state`` for the given accounts; ``balances`` maps address → instrument → tonnes.

    ``execution_key`` (X25519 public key, hex) is the validators' key private txs are sealed to;
    without it ``ets localnet create`` makes one. The regulator's view key is the first
    government account's (``protocol.sealed.view_public_hex``)."""
    privacy: dict[str, Any] = {"epoch": 1}
    if execution_key is not None:
        privacy["execution_key"] = execution_key
    officials = [a for a in accounts if a.role == "government"]
    if officials:
        privacy["regulator_key"] = view_public_hex(officials[0].signer)
    return {
        "privacy": privacy,
        "params": params or default_params(),
        "accounts": sorted(
            (
                {"address": a.signer.address, "public_key": a.signer.public_key.hex(), "role": a.role, "name": a.name}
                for a in accounts
            ),
            key=lambda r: r["address"],
        ),
        "balances": sorted(
            (
                {"address": addr, "instrument": inst, "amount": amount}
                for addr, per in (balances or {}).items()
                for inst, amount in per.items()
            ),
            key=lambda r: (r["address"], r["instrument"]),
        ),
    }


def create_localnet_accounts(keystore: Keystore, *, companies: int = 4, passphrase: str | None = None) -> dict[str, Any]:
    """Create the local network's keys in ``keystore`` and return the genesis ``app_state``."""
    passphrase = passphrase or localnet_passphrase()
    plan = [("gov-1", "government"), ("gov-2", "government"), ("gov-3", "government"),
            ("verifier-1", "verifier"), ("exchange-1", "exchange"), ("bank-1", "bank"),
            ("operator-1", "validator_operator")]
    plan += [(f"company-{i}", "company") for i in range(1, companies + 1)]
    accounts = [GenesisAccount(name, role, keystore.create(name, passphrase, scrypt_n=LOCALNET_SCRYPT_N)) for name, role in plan]
    balances = {
        a.signer.address: {inst: OPENING_BALANCE for inst in OPENING_INSTRUMENTS} for a in accounts if a.role == "company"
    }
    return build_app_state(accounts, balances=balances)
