"""Genesis ``app_state``: validated, sorted, and turned into the first state entries.

Shape (JSON, inside CometBFT's genesis.json)::

    {"params":   {"approvals_required": 2, "proposal_ttl_seconds": 604800, "query_max_age_seconds": 30},
     "accounts": [{"address", "public_key", "role", "name", ["company"], ["company_id"], ["sector"]}, ...],
     "balances": [{"address", "instrument", "amount"}, ...],
     "privacy":  {"epoch": 1, "execution_key": "<64 hex X25519>", ["regulator_key": "<64 hex X25519>"]}}

``privacy`` names the keys private txs are sealed to (``abci_app.modules.privacy``): the
validators' execution key of the first epoch and, optionally, the regulator's view key.

Anything wrong raises ``GenesisError`` naming the entry and the rule; the chain does not start.
"""

from __future__ import annotations

import json
from typing import Any

from protocol.codec import canonical_json, reject_duplicate_keys

from protocol.codes import TxRejected
from protocol.constants import MAX_HOLDING, ROLES
from protocol.messages import is_instrument, RegisterAccount

from .errors import GenesisError
from .modules.accounts import keys as account_keys
from .modules.accounts.handlers import account_record
from .modules.core import keys as core_keys
from .modules.privacy import keys as privacy_keys
from .modules.transfers import keys as ledger_keys

__all__ = ["PARAM_LIMITS", "PARAM_DEFAULTS", "genesis_entries"]

# name → (minimum, maximum); every parameter is a whole number.
PARAM_LIMITS: dict[str, tuple[int, int]] = {
    "approvals_required": (1, 1000),
    "proposal_ttl_seconds": (60, 366 * 24 * 3600),
    "query_max_age_seconds": (5, 30),  # how long a signed query stays good (queries: node clock)
    "market_tick_size": (1, 10**6),
    "market_max_order_quantity": (1, 10**9),
    "market_band_bps": (0, 9_999),
    "market_initial_reference_price": (1, 10**9),
    "market_around_the_clock": (0, 1),
    "access_window_seconds": (300, 7 * 24 * 3600),  # how long a record_access lets an official read (block time)
    # the compliance cycle (abci_app/modules/compliance); shares in basis points of the obligation
    "compliance_offset_cap_bps": (0, 10_000),
    "compliance_borrow_first_year_bps": (0, 10_000),
    "compliance_bank_net_sales_multiple": (0, 100),
    "compliance_penalty_price_multiple": (0, 10),
    "compliance_penalty_cap_krw": (0, 10**9),
    "compliance_report_month": (1, 12),
    "compliance_surrender_month": (1, 12),
    "compliance_objection_window_seconds": (0, 366 * 24 * 3600),
    # government auctions (abci_app/modules/auctions): per-bidder cap in basis points of the volume, bids per auction
    "auction_bidder_cap_bps": (1, 10_000),
    "auction_max_bids": (1, 100_000),
    # market stabilisation (abci_app/modules/stabilisation): price floor and ceiling (0 = none), the reserve, triggers
    "market_price_floor": (0, 10**9),
    "market_price_ceiling": (0, 10**9),
    "stabilisation_reserve": (0, 10**12),
    "stabilisation_auction_share_bps": (0, 2_500),
    "stabilisation_surge_multiple": (1, 100),
    "stabilisation_surge_months": (1, 24),
    "stabilisation_volume_multiple": (1, 100),
    "stabilisation_high_multiple": (1, 100),
    "stabilisation_low_bps": (0, 10_000),
    "stabilisation_floor_discount_bps": (0, 5_000),
    "stabilisation_floor_lift_bps": (0, 10_000),
    "stabilisation_floor_lift_days": (1, 60),
    "stabilisation_measure_seconds": (60, 366 * 24 * 3600),
    # market makers and holding limits (abci_app/modules/makers); a holding limit of 0 means unlimited
    "holding_limit_market_maker": (0, 10**12),
    "holding_limit_third_party": (0, 10**12),
    "holding_limit_company": (0, 10**12),
    "mm_max_spread_krw": (0, 10**9),
    "mm_min_quote_tonnes": (1, 10**9),
    "mm_min_quote_seconds": (1, 86_400),
    # account security (abci_app/modules/custody): block-time delay, central cap, how long a transfer waits
    "custody_delay_seconds": (0, 90 * 24 * 3600),
    "custody_untrusted_cap": (1, 10**12),
    "custody_transfer_ttl_seconds": (60, 90 * 24 * 3600),
}
# Defaults for parameters a genesis may leave out (DOMAIN.md: KRX rules).
PARAM_DEFAULTS: dict[str, int] = {
    "market_tick_size": 5,
    # order-size limit: DOMAIN.md's market rules give 100,000 t per order; the KRX launch rules (2014) had 5,000 t.
    # The figure in force is in KRX's emissions-market business rules (배출권시장 업무규정, order quantity limit):
    # check it there before a launch and set it in genesis; every order's size is checked against this parameter
    "market_max_order_quantity": 100_000,
    "market_band_bps": 1_000,
    "market_initial_reference_price": 10_000,
    "market_around_the_clock": 0,
    "query_max_age_seconds": 30,
    "access_window_seconds": 3600,
    # DOMAIN.md: offsets 5% of the obligation (Phase 3 on); borrowing 15% in the first year; banking a multiple
    # of net sales (3×); penalty up to 3× the year's average price, at most KRW 100,000/t; report by the end of
    # March, surrender by the end of June of the next year; 30 days to object
    "compliance_offset_cap_bps": 500,
    "compliance_borrow_first_year_bps": 1_500,
    "compliance_bank_net_sales_multiple": 3,
    "compliance_penalty_price_multiple": 3,
    "compliance_penalty_cap_krw": 100_000,
    "compliance_report_month": 3,
    "compliance_surrender_month": 6,
    "compliance_objection_window_seconds": 30 * 24 * 3600,
    # DOMAIN.md: per-bidder cap 15% of the auction volume
    "auction_bidder_cap_bps": 1_500,
    "auction_max_bids": 10_000,
    # DOMAIN.md (Decree Art. 38): no floor or ceiling until a measure sets one; K-MSR 85.28 Mt, at most 25% in one
    # auction; triggers 3× for 6 months, 2× volume and 2× price, ≤ 60%; floor = lowest close of 5 days − 10%,
    # lifted after 5 days at ≥ 10% above it; an automatic measure lasts 30 days unless lifted earlier
    "market_price_floor": 0,
    "market_price_ceiling": 0,
    "stabilisation_reserve": 85_280_000,
    "stabilisation_auction_share_bps": 2_500,
    "stabilisation_surge_multiple": 3,
    "stabilisation_surge_months": 6,
    "stabilisation_volume_multiple": 2,
    "stabilisation_high_multiple": 2,
    "stabilisation_low_bps": 6_000,
    "stabilisation_floor_discount_bps": 1_000,
    "stabilisation_floor_lift_bps": 1_000,
    "stabilisation_floor_lift_days": 5,
    "stabilisation_measure_seconds": 30 * 24 * 3600,
    # DOMAIN.md (Korea, since 2019): market makers quote both sides, spread ≤ KRW 500, ≥ 3,000 t a side, ≥ 30 minutes a
    # day; holding limits 1.5 Mt for market makers, 200,000 t for third-party securities firms; companies unlimited
    "holding_limit_market_maker": 1_500_000,
    "holding_limit_third_party": 200_000,
    "holding_limit_company": 0,
    "mm_max_spread_krw": 500,
    "mm_min_quote_tonnes": 3_000,
    "mm_min_quote_seconds": 1_800,
    # DOMAIN.md (EU registry): trusted accounts after 4 days (business days there), 2,000,000 t per transfer to
    # an untrusted account (EU 2023); a transfer awaiting its approver expires after 7 days
    "custody_delay_seconds": 4 * 24 * 3600,
    "custody_untrusted_cap": 2_000_000,
    "custody_transfer_ttl_seconds": 7 * 24 * 3600,
}


def _params(raw: Any, officials: int) -> dict[str, int]:
    if not isinstance(raw, dict):
        raise GenesisError("app_state.params must be an object")
    raw = {**PARAM_DEFAULTS, **raw}
    unknown = sorted(set(raw) - set(PARAM_LIMITS))
    missing = sorted(set(PARAM_LIMITS) - set(raw))
    if unknown or missing:
        raise GenesisError(f"app_state.params: unknown {unknown or '-'}, missing {missing or '-'}")
    for name, (low, high) in sorted(PARAM_LIMITS.items()):
        value = raw[name]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise GenesisError(f"app_state.params.{name} must be an integer in [{low}, {high}], got {value!r}")
    if raw["market_initial_reference_price"] % raw["market_tick_size"]:
        raise GenesisError("app_state.params.market_initial_reference_price must be a multiple of market_tick_size")
    if raw["approvals_required"] > officials:
        raise GenesisError(
            f"app_state.params.approvals_required is {raw['approvals_required']} but genesis has only {officials} government account(s)"
        )
    return dict(sorted(raw.items()))


def genesis_entries(app_state_bytes: bytes) -> dict[str, bytes]:
    """State entries for ``app_state`` (raw JSON bytes from InitChain)."""
    try:
        app_state = json.loads(app_state_bytes or b"{}", object_pairs_hook=reject_duplicate_keys)
    except ValueError as exc:  # CodecError for a repeated key is a ValueError too
        raise GenesisError(f"app_state is not JSON: {exc}") from None
    if not isinstance(app_state, dict) or set(app_state) - {"params", "accounts", "balances", "privacy"}:
        raise GenesisError("app_state must be an object with params, accounts, privacy and (optionally) balances")
    accounts = app_state.get("accounts")
    if not isinstance(accounts, list) or not accounts:
        raise GenesisError("app_state.accounts must be a non-empty list")
    entries: dict[str, bytes] = {}
    roles: dict[str, str] = {}
    counts = {role: 0 for role in ROLES}
    for i, raw in enumerate(accounts):
        if not isinstance(raw, dict):
            raise GenesisError(f"app_state.accounts[{i}] must be an object")
        try:
            acct = RegisterAccount.from_json(raw)  # a genesis account is the action without its type
        except TxRejected as exc:
            raise GenesisError(f"app_state.accounts[{i}]: {exc.log}") from None
        if acct.address in roles:
            raise GenesisError(f"app_state.accounts[{i}]: address {acct.address} appears twice")
        roles[acct.address] = acct.role
        counts[acct.role] += 1
        entries[account_keys.account(acct.address)] = canonical_json(account_record(acct, since=0))
        if account_keys.name(acct.name) in entries:
            raise GenesisError(f"app_state.accounts[{i}]: the name {acct.name!r} is already used by another account "
                               "(names that differ only in case, spaces or punctuation are the same name)")
        entries[account_keys.name(acct.name)] = acct.address.encode()
        if acct.company_id is not None:
            if account_keys.company_id(acct.company_id) in entries:
                raise GenesisError(f"app_state.accounts[{i}]: company_id {acct.company_id!r} appears twice")
            entries[account_keys.company_id(acct.company_id)] = acct.address.encode()
    for address in sorted(roles):
        record = json.loads(entries[account_keys.account(address)])
        if "company" in record and roles.get(record["company"]) != "company":
            raise GenesisError(f"app_state: edge device {address} names {record['company']}, which is not a company account")
    for role, count in sorted(counts.items()):
        if count:
            entries[account_keys.role_count(role)] = str(count).encode()
    entries[core_keys.PARAMS] = canonical_json(_params(app_state.get("params"), counts["government"]))
    supply: dict[str, int] = {}
    seen: set[tuple[str, str]] = set()
    balances = app_state.get("balances", [])
    if not isinstance(balances, list):
        raise GenesisError("app_state.balances must be a list")
    for i, raw in enumerate(balances):
        if not isinstance(raw, dict) or set(raw) != {"address", "instrument", "amount"}:
            raise GenesisError(f"app_state.balances[{i}] must be an object with address, instrument, amount")
        address, instrument, amount = raw["address"], raw["instrument"], raw["amount"]
        if roles.get(address) != "company":
            raise GenesisError(f"app_state.balances[{i}]: {address!r} is not a company account of this genesis")
        if not is_instrument(instrument):
            raise GenesisError(f"app_state.balances[{i}]: instrument {instrument!r} should look like KAU25")
        if not isinstance(amount, int) or isinstance(amount, bool) or not 1 <= amount <= MAX_HOLDING:
            raise GenesisError(f"app_state.balances[{i}]: amount must be an integer in [1, {MAX_HOLDING}]")
        if (address, instrument) in seen:
            raise GenesisError(f"app_state.balances[{i}]: {address} {instrument} appears twice")
        seen.add((address, instrument))
        entries[ledger_keys.balance(address, instrument)] = str(amount).encode()
        supply[instrument] = supply.get(instrument, 0) + amount
    for instrument, total in sorted(supply.items()):
        if total > MAX_HOLDING:
            raise GenesisError(f"app_state.balances: total {instrument} exceeds {MAX_HOLDING:,} t")
        entries[ledger_keys.supply(instrument)] = str(total).encode()
    entries[privacy_keys.PRIVACY] = canonical_json(_privacy(app_state.get("privacy")))
    return dict(sorted(entries.items()))


def _key_hex(value: Any, what: str) -> str:
    if not isinstance(value, str) or len(value) != 64 or any(c not in "0123456789abcdef" for c in value) or value == "0" * 64:
        raise GenesisError(f"app_state.privacy.{what} must be an X25519 public key: 64 lowercase hex characters")
    return value


def _privacy(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict) or not {"epoch", "execution_key"} <= set(raw) <= {"epoch", "execution_key", "regulator_key"}:
        raise GenesisError("app_state.privacy must be {\"epoch\": 1, \"execution_key\": hex, [\"regulator_key\": hex]}: "
                           "the keys private txs are sealed to (ets localnet create writes it)")
    epoch = raw["epoch"]
    if not isinstance(epoch, int) or isinstance(epoch, bool) or not 1 <= epoch < 2**32:
        raise GenesisError("app_state.privacy.epoch must be a whole number from 1")
    regulator = raw.get("regulator_key")
    return {"epoch": epoch, "execution_key": _key_hex(raw["execution_key"], "execution_key"), "previous": None,
            "regulator_key": None if regulator is None else _key_hex(regulator, "regulator_key"), "since": 0}


def genesis_state(app_state_bytes: bytes, validators: list[tuple[str, bytes, int]]) -> dict[str, bytes]:
    """Every state entry at height 0: ``app_state`` and the genesis validators (as InitChain sees them)."""
    from .modules.validators.updates import genesis_entries as validator_entries

    return {**genesis_entries(app_state_bytes), **validator_entries(validators)}


def genesis_validators(genesis_doc: dict[str, Any]) -> list[tuple[str, bytes, int]]:
    """The validators of a CometBFT genesis.json as (key type, key bytes, power), the way InitChain passes them."""
    import base64

    import hashlib

    kinds = {"tendermint/PubKeyEd25519": "ed25519"}
    try:
        validators = [(kinds.get(v["pub_key"]["type"], v["pub_key"]["type"]), base64.b64decode(v["pub_key"]["value"]),
                       int(v["power"])) for v in genesis_doc.get("validators") or []]
    except (KeyError, TypeError, ValueError) as exc:
        raise GenesisError(f"genesis.json validators are malformed: {exc}") from None
    # CometBFT's order (a validator set sorted by voting power, then address): the genesis validators' names follow it
    return sorted(validators, key=lambda v: (-v[2], hashlib.sha256(v[1]).digest()[:20]))


def genesis_app_hash(genesis_doc: dict[str, Any], blinding_key: bytes) -> bytes:
    """The app hash InitChain returns for ``genesis_doc`` (a genesis.json as a dict) on a validator holding
    ``blinding_key``: written into genesis.json's ``app_hash``, where an observer node, which has no
    blinding key, takes it from."""
    from .smt import root_of

    entries = genesis_state(canonical_json(genesis_doc.get("app_state") or {}), genesis_validators(genesis_doc))
    return root_of(sorted(entries.items()), blinding_key)
