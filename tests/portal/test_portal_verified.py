"""What the portal shows as fact, proven in the portal process by the light client (``portal.data.verified``,
``portal.verified``) against the seeded validator: the holdings badge names the block and "k of n"; a
node that lies (through a tampering proxy), a figure that differs from the proof, an unreachable node
and a missing genesis each give their message and never the badge.

The pages themselves run in-process with Streamlit's ``AppTest`` (the logged-in company in the
session, the settings from the environment), so these are the words a visitor reads.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re

import pytest
import streamlit as st

from ets.light import LightClient, TrustOptions
from ets.rpc import ChainClient
from portal.auth import PortalUser
from portal.data import holdings, verified
from portal.verified import badge_text
from portal_chain import SeededChain
from tests.ports import free_port
from rpc_proxy import NodeProxy, alter_proof, state_rewrite

pytestmark = pytest.mark.localnet

BADGE = "Holdings verified against block {block}, signed by {k} of {n} validators"


@pytest.fixture(scope="module")
def trust(chain: SeededChain) -> TrustOptions:
    return TrustOptions.from_genesis(chain.net.home / "genesis.json")


@pytest.fixture(scope="module")
def light(chain: SeededChain, trust: TrustOptions) -> LightClient:
    return LightClient(chain.client, trust)


def _shown(chain: SeededChain, label: str) -> dict[str, int]:
    c = chain.company(label)
    return {r.instrument: int(r.amount) for r in holdings.balances(chain.client, c.address, c.signer).itertuples()}


# ---------------------------------------------------------------- the data layer


def test_balances_are_proven_at_one_block_signed_by_the_validators(chain: SeededChain, light: LightClient, monkeypatch):
    steel = chain.company("steel")
    frame, check = verified.verified_balances(chain.client, light, steel.address, steel.signer)
    assert check.status == verified.VERIFIED and check.checked == len(frame) >= 2, check
    header = light.verified_header(check.block.block)
    assert check.block.block == check.block.height + 1
    assert check.block.app_hash == header.app_hash.hex().upper()
    assert (check.block.signers, check.block.validators) == (header.signers, header.validators)
    assert header.validators == 4 and header.signers >= 3  # more than 2/3 of the power of 4 validators
    k = header.signers
    assert badge_text(check, "holdings") == BADGE.format(block=check.block.block, k=k, n=4)
    monkeypatch.setenv("ETS_PORTAL_LANGUAGE", "ko")
    assert badge_text(check, "holdings") == f"보유량: 블록 {check.block.block} 기준 검증됨, 검증인 4명 중 {k}명 서명"


def test_a_figure_that_differs_from_the_proof_is_a_discrepancy(chain: SeededChain, light: LightClient, monkeypatch):
    steel = chain.company("steel")
    shown = _shown(chain, "steel")
    instrument = sorted(shown)[0]
    check = verified.check_balances(chain.client, light, steel.address, steel.signer,
                                    {**shown, instrument: shown[instrument] + 1})
    assert check.status == verified.DISCREPANCY
    assert [d.what for d in check.discrepancies] == [f"{instrument} available"]
    assert check.discrepancies[0].proven == f"{shown[instrument]:,} t"
    text = badge_text(check, "holdings")
    assert text.startswith("Discrepancy") and "verified against" not in text
    assert f"- {instrument} available: shown {shown[instrument] + 1:,} t, proven {shown[instrument]:,} t" in text
    monkeypatch.setenv("ETS_PORTAL_LANGUAGE", "ko")
    assert badge_text(check, "holdings").startswith("불일치: 노드가 보여준 보유량이")


def test_daily_totals_are_proven_and_an_altered_record_is_named(chain: SeededChain, light: LightClient):
    from portal.data import emissions

    daily = emissions.emissions_daily(chain.client, chain.company("power").address)
    check = verified.check_daily_totals(chain.client, light, daily.to_dict("records"))
    assert check.status == verified.VERIFIED and check.checked == len(daily)
    assert "Daily totals verified against block" in badge_text(check, "daily_totals")
    altered = daily.to_dict("records")
    altered[0] = {**altered[0], "total_kg": altered[0]["total_kg"] - 1000}
    check = verified.check_daily_totals(chain.client, light, altered)
    assert check.status == verified.DISCREPANCY and check.discrepancies[0].what.endswith("total (kg)")






def _garble_sealed(response):
    sealed = bytearray(base64.b64decode(response["value"]))
    sealed[-1] ^= 1
    response["value"] = base64.b64encode(bytes(sealed)).decode()


def _alter_app_hash(method, params, result):
    if method == "commit":
        result["signed_header"]["header"]["app_hash"] = "CD" * 32
    return result


@pytest.mark.parametrize("rewrite, words", [
    (state_rewrite(alter_proof), "state proof of 'bal/"),
    (state_rewrite(_garble_sealed), "could not be opened"),
    (_alter_app_hash, "the header was altered"),
], ids=["proof", "sealed-value", "app-hash"])
def test_a_node_that_lies_gives_the_failure_not_the_badge(chain: SeededChain, trust: TrustOptions, rewrite, words,
                                                         monkeypatch):
    steel = chain.company("steel")
    shown = _shown(chain, "steel")
    proxy = NodeProxy(chain.rpc_url, rewrite)
    try:
        with ChainClient(proxy.url) as client:
            check = verified.check_balances(client, LightClient(client, trust), steel.address, steel.signer, shown)
    finally:
        proxy.close()
    assert check.status == verified.FAILED and words in check.failure, check
    assert check.block is None and proxy.url not in check.failure
    text = badge_text(check, "holdings")
    assert text.startswith("Not verified: the holdings could not be proven") and words in text
    monkeypatch.setenv("ETS_PORTAL_LANGUAGE", "ko")
    text = badge_text(check, "holdings")
    assert text.startswith("검증 실패: 보유량을") and "verified against" not in text and words in text


def test_an_unreachable_node_is_said_without_its_address(chain: SeededChain, trust: TrustOptions):
    steel = chain.company("steel")
    url = f"http://127.0.0.1:{free_port()}"
    with ChainClient(url) as client:
        check = verified.check_balances(client, LightClient(client, trust), steel.address, steel.signer, {"KAU26": 1})
    assert check.status == verified.FAILED and check.unreachable
    text = badge_text(check, "holdings")
    assert "could not be reached" in text and url not in text and "127.0.0.1" not in text


# ---------------------------------------------------------------- the pages, in-process


def _holdings_page():
    from portal.views import my_holdings

    my_holdings.render()


def _transparency_page():
    from portal.views import transparency

    transparency.render()


def _run(page, monkeypatch, env: dict[str, str], user: PortalUser | None = None):
    from streamlit.testing.v1 import AppTest

    for name in ("ETS_PORTAL_GENESIS", "ETS_PORTAL_LIGHT_STORE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    st.cache_resource.clear()  # the settings, the chain client and the light client are read afresh
    st.cache_data.clear()
    app = AppTest.from_function(page, default_timeout=30)
    if user is not None:
        app.session_state["portal_user"] = user
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def _steel_user(chain: SeededChain) -> PortalUser:
    steel = chain.company("steel")
    return PortalUser("steel", steel.address, "company", steel.name, steel.company_id, steel.sector, signer=steel.signer)


def _texts(elements) -> list[str]:
    return [e.value for e in elements]


def test_the_holdings_page_shows_the_badge(chain: SeededChain, monkeypatch, tmp_path):
    store = tmp_path / "light"
    app = _run(_holdings_page, monkeypatch, {"ETS_PORTAL_NODE": chain.rpc_url,
                                            "ETS_PORTAL_GENESIS": str(chain.net.home / "genesis.json"),
                                            "ETS_PORTAL_LIGHT_STORE": str(store)}, _steel_user(chain))
    success = _texts(app.success)
    assert len(success) == 1 and "Holdings verified against block" in success[0], success
    block = int(success[0].split("against block ")[1].split(",")[0])
    assert re.search(BADGE.format(block=block, k="[34]", n=4) + "$", success[0]), success[0]
    assert not app.error and not app.warning
    digest = hashlib.sha256((chain.net.home / "genesis.json").read_bytes()).hexdigest()[:16]
    kept = store / f"ets-portal-test-{digest}.json"
    assert list(store.iterdir()) == [kept]  # verified headers kept for the next check, by chain and genesis
    stored = json.loads(kept.read_text())
    assert block in {int(b["header"]["height"]) for b in stored["blocks"]}


def test_the_holdings_page_through_a_lying_node_shows_the_failure(chain: SeededChain, monkeypatch, tmp_path):
    proxy = NodeProxy(chain.rpc_url, state_rewrite(alter_proof))
    try:
        app = _run(_holdings_page, monkeypatch, {"ETS_PORTAL_NODE": proxy.url,
                                                "ETS_PORTAL_GENESIS": str(chain.net.home / "genesis.json"),
                                                "ETS_PORTAL_LIGHT_STORE": str(tmp_path / "light")}, _steel_user(chain))
    finally:
        proxy.close()
    errors = _texts(app.error)
    assert len(errors) == 1 and "Not verified: the holdings could not be proven" in errors[0], errors
    assert "state proof of 'bal/" in errors[0] and proxy.url not in errors[0]
    assert not app.success
    assert [m.value for m in app.metric]  # the figures are still shown, under the failure's message


def test_without_a_trusted_genesis_the_pages_say_not_verified(chain: SeededChain, monkeypatch):
    app = _run(_holdings_page, monkeypatch, {"ETS_PORTAL_NODE": chain.rpc_url}, _steel_user(chain))
    warnings = _texts(app.warning)
    assert any("Not verified: no trusted genesis configured (ETS_PORTAL_GENESIS)" in w for w in warnings), warnings
    assert not app.success
    public = _run(_transparency_page, monkeypatch, {"ETS_PORTAL_NODE": chain.rpc_url})
    assert any("no trusted genesis configured" in w for w in _texts(public.warning))
    assert not any("verified against" in s for s in _texts(public.success))


def test_an_unreadable_genesis_is_a_failure_not_a_crash(chain: SeededChain, monkeypatch, tmp_path):
    genesis = tmp_path / "genesis.json"
    genesis.write_text("not a genesis")
    app = _run(_holdings_page, monkeypatch, {"ETS_PORTAL_NODE": chain.rpc_url, "ETS_PORTAL_GENESIS": str(genesis)},
               _steel_user(chain))
    errors = _texts(app.error)
    assert len(errors) == 1 and "the trusted genesis file (ETS_PORTAL_GENESIS) cannot be read" in errors[0], errors
    assert str(tmp_path) not in errors[0] and not app.success and [m.value for m in app.metric]


def test_the_transparency_page_shows_the_daily_totals_badge(chain: SeededChain, monkeypatch, tmp_path):
    app = _run(_transparency_page, monkeypatch, {"ETS_PORTAL_NODE": chain.rpc_url,
                                                "ETS_PORTAL_GENESIS": str(chain.net.home / "genesis.json"),
                                                "ETS_PORTAL_LIGHT_STORE": str(tmp_path / "light")})
    badges = [s for s in _texts(app.success) if "Daily totals verified against block" in s]
    assert len(badges) == 1 and re.search(r"signed by [34] of 4 validators$", badges[0]), _texts(app.success)
