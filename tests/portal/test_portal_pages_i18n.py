"""Every page in Korean and in English, in-process (Streamlit AppTest) against the seeded validator.

Each page renders without an exception in both languages, with its title from the catalogue; the Korean
page shows Korean text and no English sentence of its English twin, and figures keep their units and
thousands separators (t CO₂-eq, KRW) in both."""

from __future__ import annotations

import importlib
import re

import pytest
import streamlit as st

from portal.auth import PortalUser
from portal.i18n import catalogue

from portal_chain import SeededChain

PAGES = {  # page module: who looks at it (None: a visitor who is not logged in)
    "transparency": None, "allocations": None, "market": None, "compliance_table": None, "auctions": None,
    "stabilisation": None, "market_makers": None, "proposals": "gov-1", "devices": "gov-1", "certification": "gov-1",
    "plan_review": "gov-1", "block_trades": "steel", "my_allocation": "steel", "my_holdings": "steel",
    "trading": "steel", "my_compliance": "steel", "account_security": "steel", "verification": "verifier-1",
}
TITLES = {"compliance_table": "page.compliance"}
HANGUL = re.compile("[\uac00-\ud7a3]")


def _user(chain: SeededChain, who: str | None) -> PortalUser | None:
    if who is None:
        return None
    if who in ("steel", "power"):
        company = chain.company(who)
        return PortalUser(who, company.address, "company", company.name, company.company_id, company.sector,
                          signer=company.signer)
    key = chain.keys[who]
    role = "verifier" if who.startswith("verifier") else "government"
    return PortalUser(who, key.address, role, who, signer=key)


def _run(chain: SeededChain, monkeypatch, module: str, language: str):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("ETS_PORTAL_NODE", chain.rpc_url)
    monkeypatch.setenv("ETS_PORTAL_LANGUAGE", language)
    for name in ("ETS_PORTAL_GENESIS", "ETS_PORTAL_LIGHT_STORE"):
        monkeypatch.delenv(name, raising=False)
    st.cache_resource.clear()
    st.cache_data.clear()
    app = AppTest.from_string(f"from portal.views import {module}\n{module}.render()\n", default_timeout=60)
    user = _user(chain, PAGES[module])
    if user is not None:
        app.session_state["portal_user"] = user
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]
    return app


def _texts(app) -> list[str]:
    found = [e.value for e in (*app.title, *app.header, *app.subheader, *app.caption, *app.info, *app.markdown)]
    return [str(v) for v in found] + [m.label for m in app.metric]


@pytest.mark.parametrize("module", sorted(PAGES))
def test_each_page_renders_in_korean_and_english(chain: SeededChain, monkeypatch, module):
    importlib.import_module(f"portal.views.{module}")
    title = catalogue()[TITLES.get(module, f"page.{module}")]
    korean = _run(chain, monkeypatch, module, "ko")
    assert korean.title[0].value == title["ko"]
    english = _run(chain, monkeypatch, module, "en")
    assert english.title[0].value == title["en"]
    ko_texts, en_texts = _texts(korean), _texts(english)
    assert any(HANGUL.search(text) for text in ko_texts if text != title["ko"]) or len(ko_texts) == 1
    english_sentences = {text for text in en_texts if " " in text and not HANGUL.search(text) and len(text) > 25}
    assert not english_sentences & set(ko_texts), english_sentences & set(ko_texts)


def test_figures_keep_units_and_separators_in_both_languages(chain: SeededChain, monkeypatch):
    for language, unit in (("ko", "tCO₂-eq"), ("en", "t CO₂-eq")):
        app = _run(chain, monkeypatch, "transparency", language)
        total = next(m.value for m in app.metric if m.label == catalogue()["transparency.total"][language])
        assert re.fullmatch(r"\d{1,3}(,\d{3})*\.\d{3} " + re.escape(unit), total), total


def test_choice_lists_name_statuses_and_operations_in_the_visitors_language(chain: SeededChain, monkeypatch):
    from protocol.messages.custody import TRUSTED_OPS

    text = catalogue()
    for language in ("ko", "en"):
        proposals = _run(chain, monkeypatch, "proposals", language)
        statuses = proposals.multiselect(key="proposal_status").options
        assert statuses and set(statuses) <= {text[f"common.proposal_status.{s}"][language]
                                              for s in ("open", "executed", "rejected")}, statuses
        security = _run(chain, monkeypatch, "account_security", language)
        (change,) = [box for box in security.selectbox if box.label == text["custody.change"][language]]
        assert change.options == [text[f"custody.trusted_op.{op}"][language] for op in TRUSTED_OPS]
