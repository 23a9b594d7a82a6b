"""A real 4-validator market network for the trading pages, and the portal in front of it.

Genesis (every key from a fixed seed, so every run is the same):

    gov-1, gov-2        government (2-of-2 approvals); gov-1 publishes its view key (the regulator)
    bank-1              settlement bank; funds the buyer's cash account after start
    buyer   Daehan Cement   company, no allowances, cash from the bank
    seller  Seoul Power     company, KAU25 from genesis
    other   Busan Chemical  company, KAU25 and KAU26 from genesis (a third party to the browser's trades)
    steel   Incheon Steel   company, no allowances (the other party of the query tests' block trade)

    params: ets_tools.devnet.default_params(market_around_the_clock=1)   continuous trading all day

``start_portal`` runs ``streamlit run portal/app.py`` as a real process against it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ets_tools.devnet import default_params
from ets.keys import Signer
from ets_tools.localnet import LocalNet
from ets.rpc import ChainClient
from protocol.messages import FundCash, SetViewKey
from protocol.sealed import view_public_hex
from portal_chain import VALIDATORS, free_base_port
from portal_process import start_portal  # noqa: F401  (re-exported for the trading tests)

REPO = Path(__file__).resolve().parents[2]
COMETBFT = REPO / "bin" / "cometbft"

__all__ = ["TRADER_PASSWORDS", "FUNDING", "GENESIS", "Trader", "MarketChain", "start_market_chain",
           "add_portal_users", "start_portal", "trading_signer"]

TRADER_PASSWORDS = {"buyer": "buyer-company-pw", "seller": "seller-company-pw", "other": "other-company-pw",
                    "regulator": "regulator-official-pw"}
FUNDING = 200_000_000  # KRW the bank puts in the buyer's cash account
GENESIS = {("seller", "KAU25"): 50_000, ("other", "KAU25"): 10_000, ("other", "KAU26"): 20_000}


def trading_signer(label: str) -> Signer:
    return Signer.from_seed(hashlib.sha256(f"portal-trading-test/{label}".encode()).digest())


@dataclass(frozen=True)
class Trader:
    label: str
    name: str
    company_id: str
    sector: str
    signer: Signer = field(repr=False)

    @property
    def address(self) -> str:
        return self.signer.address


TRADERS = (
    Trader("buyer", "Daehan Cement", "(주)대한시멘트", "시멘트", trading_signer("company/buyer")),
    Trader("seller", "Seoul Power", "서울발전(주)", "발전에너지", trading_signer("company/seller")),
    Trader("other", "Busan Chemical", "(주)부산화학", "석유화학", trading_signer("company/other")),
    Trader("steel", "Incheon Steel", "(주)인천제철", "철강", trading_signer("company/steel")),
)
OFFICIALS = {"gov-1": trading_signer("gov-1"), "gov-2": trading_signer("gov-2"), "bank-1": trading_signer("bank-1")}


@dataclass
class MarketChain:
    net: LocalNet
    client: ChainClient
    traders: tuple[Trader, ...] = TRADERS
    keys: dict[str, Signer] = field(default_factory=lambda: dict(OFFICIALS))

    @property
    def rpc_url(self) -> str:
        return self.net.rpc_url("node0")

    def trader(self, label: str) -> Trader:
        return next(t for t in self.traders if t.label == label)

    @property
    def regulator(self) -> Signer:
        return self.keys["gov-1"]

    @property
    def bank(self) -> Signer:
        return self.keys["bank-1"]


def _app_state() -> dict:
    accounts = [{"address": s.address, "public_key": s.public_key.hex(), "role": role, "name": name}
                for name, role, s in (("Ministry official 1", "government", OFFICIALS["gov-1"]),
                                      ("Ministry official 2", "government", OFFICIALS["gov-2"]),
                                      ("Settlement bank", "bank", OFFICIALS["bank-1"]))]
    accounts += [{"address": t.address, "public_key": t.signer.public_key.hex(), "role": "company", "name": t.name,
                  "company_id": t.company_id, "sector": t.sector} for t in TRADERS]
    balances = [{"address": next(t for t in TRADERS if t.label == label).address, "instrument": instrument,
                 "amount": amount} for (label, instrument), amount in GENESIS.items()]
    return {"params": default_params(market_around_the_clock=1),
            "accounts": sorted(accounts, key=lambda a: a["address"]),
            "balances": sorted(balances, key=lambda b: (b["address"], b["instrument"]))}


def start_market_chain(home: Path) -> MarketChain:
    """Create and start the network, fund the buyer and publish the regulator's view key."""
    if not COMETBFT.exists():
        pytest.skip("bin/cometbft is missing: run ./scripts/setup.sh (the README's test command does)")
    net = LocalNet(home, base_port=free_base_port(VALIDATORS))
    net.create(VALIDATORS, chain_id="ets-portal-trading", app_state=_app_state())
    net.start()
    try:
        chain = MarketChain(net, ChainClient(net.rpc_url("node0")))
        chain.client.submit(chain.bank, FundCash(chain.trader("buyer").address, FUNDING).to_json())
        chain.client.submit(chain.regulator, SetViewKey(view_public_hex(chain.regulator)).to_json())
    except BaseException:
        net.stop()
        raise
    return chain


def add_portal_users(chain: MarketChain, folder: Path) -> Path:
    """Portal users for the three companies and the regulator (fast scrypt: test keys only)."""
    from portal.users import add_user

    for label in ("buyer", "seller", "other"):  # steel has no portal user
        add_user(folder, label, TRADER_PASSWORDS[label], chain.trader(label).signer, scrypt_n=2**12)
    add_user(folder, "regulator", TRADER_PASSWORDS["regulator"], chain.regulator, scrypt_n=2**12)
    return folder


