"""A real 4-validator local network seeded with what the portal shows, and the figures to expect.

Seeding goes through the chain's own messages, signed by the localnet's first accounts:

    register_accounts  (gov-1 proposes, gov-2 approves)  three companies with company_id and sector
    register_device    (verifier-1)                       two sensor devices at company sites
    daily_total        (the devices)                      days in Dec 2024 – Feb 2025, Merkle roots of
                                                          real readings (protocol.merkle)
    plan_open/_chunk   (gov-1)                            plans; ``issued`` ones proposed and approved
    custody_*          (company-2, a localnet company)    four eyes on, one representative with the approve
                                                          right (the genesis custody delay is a few seconds,
                                                          so the right is in effect soon after seeding)

Every key is derived from a fixed seed, so the figures are the same on every run. The localnet's own companies
(company-1 … company-4, opening balances of KAU25 and KAU26) are the ones tests may change freely: the three
seeded companies keep what other tests read.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from protocol.merkle import MerkleTree
from protocol.codec import canonical_json
from ets_tools.devnet import create_localnet_accounts, localnet_passphrase
from ets.custody import representative_message
from ets.keys import Keystore, Signer
from protocol.messages.custody import CustodySettings
from ets_tools.localnet import LocalNet
from tests.ports import network_base

CUSTODY_DELAY = 2  # seconds of block time before new custody rights act (the chain's default is 4 days)
VALIDATORS = 4  # the portal talks to node0 of a real multi-validator network (proofs signed by 3+ of 4)
from ets.rpc import ChainClient, TxCommit
from protocol.plan_format import plan_hash

REPO = Path(__file__).resolve().parents[2]
COMETBFT = REPO / "bin" / "cometbft"
KST = timezone(timedelta(hours=9))

__all__ = ["PASSWORDS", "CUSTODY_HOLDER", "REPRESENTATIVE_NAME", "Company", "Device", "Plan", "SeededChain", "start_seeded_chain", "free_base_port", "signer_of",
           "upload_plan", "issue_plan", "reading_bytes", "day_readings"]


PASSWORDS = {"official1": "official-one-pw", "official2": "official-two-pw", "steel": "steel-company-pw",
             "power": "power-company-pw", "verifier": "verifier-body-pw",
             "representative": "representative-pw"}  # portal users of the tests
LOCALNET_KEYS = ("gov-1", "gov-2", "gov-3", "verifier-1", "company-1", "company-2", "company-3", "company-4")
CUSTODY_HOLDER = "company-2"  # the localnet company under four eyes, whose representative approves
REPRESENTATIVE_NAME = "company-2 approver"


def signer_of(label: str) -> Signer:
    return Signer.from_seed(hashlib.sha256(f"portal-test/{label}".encode()).digest())


def free_base_port(nodes: int = 1) -> int:
    """A base port for the portal tests' network, from the suite's one allocator (tests/ports.py)."""
    return network_base(nodes)


@dataclass(frozen=True)
class Company:
    label: str
    name: str
    company_id: str
    sector: str
    signer: Signer = field(repr=False)

    @property
    def address(self) -> str:
        return self.signer.address


@dataclass(frozen=True)
class Device:
    label: str
    company: Company
    site: str
    signer: Signer = field(repr=False)

    @property
    def address(self) -> str:
        return self.signer.address


@dataclass(frozen=True)
class Plan:
    header: dict[str, Any]
    lines: tuple[tuple[str, str, int], ...]

    @property
    def hash(self) -> str:
        return plan_hash(self.header, self.lines)

    def amount(self, company_id: str, vintage: str) -> int:
        return next(a for c, v, a in self.lines if c == company_id and v == vintage)


COMPANIES = (
    Company("steel", "Hanbit Steel", "(주)한빛철강", "철강", signer_of("company/steel")),
    Company("power", "Hanbit Power", "한빛발전(주)", "발전에너지", signer_of("company/power")),
    Company("chem", "Mirae Chemical", "(주)미래화학", "석유화학", signer_of("company/chem")),
)
DEVICES = (
    Device("steel-stack", COMPANIES[0], "stack-1", signer_of("device/steel-stack")),
    Device("power-unit", COMPANIES[1], "unit-2", signer_of("device/power-unit")),
)
# (device label, day, number of substituted hours) — 24 hourly readings each
REPORTS = (
    ("steel-stack", "2024-12-31", 0),
    ("steel-stack", "2025-01-30", 0),
    ("steel-stack", "2025-01-31", 2),
    ("power-unit", "2025-01-31", 3),
    ("power-unit", "2025-02-01", 0),
)


def day_readings(device: Device, day: str, substituted: int) -> list[dict[str, Any]]:
    """24 hourly readings (kg CO2) of a device for a KST day; the last ``substituted`` hours are substitutes."""
    start = int(datetime.combine(date.fromisoformat(day), datetime.min.time(), KST).timestamp())
    base = 40_000 if device.company.label == "steel" else 90_000
    salt = date.fromisoformat(day).toordinal() % 97
    out = []
    for hour in range(24):
        sub = hour >= 24 - substituted
        out.append({"co2_kg": base + 137 * hour + 11 * salt + (5_000 if sub else 0), "device": device.address,
                    "seq": (date.fromisoformat(day).toordinal() - 738_000) * 24 + hour,
                    "source": "substitute" if sub else "synthetic", "substituted": sub, "timestamp": start + 3600 * hour})
    return out


def reading_bytes(reading: dict[str, Any]) -> bytes:
    return canonical_json(reading)


@dataclass
class SeededChain:
    net: LocalNet
    client: ChainClient
    keys: dict[str, Signer]
    companies: tuple[Company, ...] = COMPANIES
    devices: tuple[Device, ...] = DEVICES
    readings: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)  # (device label, day) → readings
    roots: dict[tuple[str, str], str] = field(default_factory=dict)
    plans: dict[str, Plan] = field(default_factory=dict)
    representative: Signer = field(default_factory=lambda: signer_of(f"representative/{CUSTODY_HOLDER}"), repr=False)

    @property
    def rpc_url(self) -> str:
        return self.net.rpc_url("node0")

    def company(self, label: str) -> Company:
        return next(c for c in self.companies if c.label == label)

    def device(self, label: str) -> Device:
        return next(d for d in self.devices if d.label == label)

    def totals(self) -> dict[tuple[str, str], dict[str, int]]:
        """(device label, day) → total kg, readings and substituted, as posted."""
        return {key: {"total": sum(r["co2_kg"] for r in rs), "readings": len(rs),
                      "substituted": sum(1 for r in rs if r["substituted"])} for key, rs in self.readings.items()}


def _wait_all(client: ChainClient, hashes: list[str]) -> None:
    for h in hashes:
        commit = client.wait_for_tx(h)
        assert commit.code == 0, f"seeding tx {h} failed with code {commit.code}: {commit.log}"


def upload_plan(client: ChainClient, official: Signer, plan: Plan) -> None:
    client.submit(official, {"type": "plan_open", "plan_hash": plan.hash, "header": plan.header, "lines": len(plan.lines)})
    client.submit(official, {"type": "plan_chunk", "plan_hash": plan.hash, "offset": 0, "lines": [list(x) for x in plan.lines]})


def issue_plan(client: ChainClient, proposer: Signer, approver: Signer, plan: Plan) -> int:
    commit = client.submit(proposer, {"type": "propose", "action": {"type": "issue_plan", "plan_hash": plan.hash}})
    assert isinstance(commit, TxCommit)
    proposal_id = json.loads(commit.data)["proposal_id"]
    client.submit(approver, {"type": "approve", "proposal_id": proposal_id})
    return proposal_id


def _plan(name: str, kind: str, lines: list[tuple[str, str, int]]) -> Plan:
    vintages = sorted({v for _, v, _ in lines})
    return Plan({"kind": kind, "name": name, "vintages": vintages}, tuple(sorted(lines)))


def plans_for(companies: tuple[Company, ...]) -> dict[str, Plan]:
    steel, power, chem = (c.company_id for c in companies)
    return {
        # issued while seeding: the published allocations
        "initial": _plan("portal test initial plan", "initial", [
            (steel, "KAU26", 500_000), (steel, "KAU27", 480_000), (power, "KAU26", 900_000),
            (power, "KAU27", 870_000), (chem, "KAU26", 120_000)]),
        # sealed, left for the browser's approval flow
        "browser": _plan("portal test additional plan", "additional", [(steel, "KAU26", 123_457), (power, "KAU26", 65_432)]),
        # sealed, left for the decision tests (reject path)
        "decisions": _plan("portal test plan to reject", "additional", [(chem, "KAU27", 7_777)]),
    }


def start_seeded_chain(home: Path) -> SeededChain:
    if not COMETBFT.exists():
        pytest.skip("bin/cometbft is missing: run ./scripts/setup.sh (the README's test command does)")
    net = LocalNet(home, base_port=free_base_port(VALIDATORS))
    staging = home.parent / f"{home.name}-keys"  # a network is created in an empty folder: its keys move in after
    app_state = create_localnet_accounts(Keystore(staging), companies=4)
    app_state["params"]["custody_delay_seconds"] = CUSTODY_DELAY
    net.create(VALIDATORS, chain_id="ets-portal-test", app_state=app_state)
    shutil.move(staging, home / "keys")  # where the localnet keeps them (and tests read them)
    net.start()
    try:
        keystore = Keystore(home / "keys")
        passphrase = localnet_passphrase()
        keys = {name: keystore.load(name, passphrase) for name in LOCALNET_KEYS}
        chain = SeededChain(net, ChainClient(net.rpc_url("node0")), keys)
        _seed(chain)
    except BaseException:
        net.stop()
        raise
    return chain


def _seed(chain: SeededChain) -> None:
    client, keys = chain.client, chain.keys
    accounts = [{"address": c.address, "public_key": c.signer.public_key.hex(), "role": "company", "name": c.name,
                 "company_id": c.company_id, "sector": c.sector} for c in chain.companies]
    commit = client.submit(keys["gov-1"], {"type": "propose", "action": {"type": "register_accounts", "accounts": accounts}})
    client.submit(keys["gov-2"], {"type": "approve", "proposal_id": json.loads(commit.data)["proposal_id"]})
    pending = [client.submit(keys["verifier-1"], {"type": "register_device", "device": d.address,
                                                  "public_key": d.signer.public_key.hex(), "company": d.company.address,
                                                  "site": d.site, "measures": "CO2", "unit": "kg"}, wait=False)
               for d in chain.devices]
    holder = keys[CUSTODY_HOLDER]
    pending.append(client.submit(holder, representative_message(chain.representative.public_key.hex(), REPRESENTATIVE_NAME,
                                                                ["approve"]), wait=False))
    _wait_all(client, pending)
    pending = [client.submit(holder, CustodySettings(True), wait=False)]  # four eyes on: acts at once
    for label, day, substituted in REPORTS:
        device = chain.device(label)
        readings = day_readings(device, day, substituted)
        root = MerkleTree.from_leaves(reading_bytes(r) for r in readings).root.hex()
        chain.readings[(label, day)] = readings
        chain.roots[(label, day)] = root
        pending.append(client.submit(device.signer, {
            "type": "daily_total", "day": day, "total": sum(r["co2_kg"] for r in readings), "unit": "kg",
            "readings": len(readings), "substituted": substituted, "merkle_root": root}, wait=False))
    _wait_all(client, pending)
    chain.plans.update(plans_for(chain.companies))
    for plan in chain.plans.values():
        upload_plan(client, keys["gov-1"], plan)
    issue_plan(client, keys["gov-1"], keys["gov-2"], chain.plans["initial"])
