"""Safe actions, the official's inbox and the registry basics, page by page in-process (Streamlit's AppTest)
against the seeded network: nothing irreversible happens before the user confirms what the page restates."""

from __future__ import annotations

import io

import pandas as pd
import pytest
import streamlit as st

from protocol.messages import Transfer

from portal.auth import PortalUser
from portal.data import inbox, statement
from portal_chain import Plan, SeededChain, upload_plan

TIMEOUT = 120  # a transaction waits for its block on a loaded machine


def _transfer_page():
    from portal.views import transfer

    transfer.render()


def _statement_page():
    from portal.views import statement

    statement.render()


def _inbox_page():
    from portal.views import inbox

    inbox.render()


def _plan_review_page():
    from portal.views import plan_review

    plan_review.render()


def _app(page, monkeypatch, chain: SeededChain, user: PortalUser):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("ETS_PORTAL_NODE", chain.rpc_url)
    monkeypatch.setenv("ETS_PORTAL_LANGUAGE", "en")
    monkeypatch.delenv("ETS_PORTAL_GENESIS", raising=False)
    st.cache_resource.clear()
    st.cache_data.clear()
    app = AppTest.from_function(page, default_timeout=TIMEOUT)
    app.session_state["portal_user"] = user
    return _run(app)


def _run(target):
    """Run the app (an AppTest, or a widget just changed: its run() runs the whole app)."""
    app = target.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def _company_user(chain: SeededChain, label: str) -> PortalUser:
    c = chain.company(label)
    return PortalUser(label, c.address, "company", c.name, c.company_id, c.sector, signer=c.signer)


def _official(chain: SeededChain, key: str, username: str) -> PortalUser:
    signer = chain.keys[key]
    return PortalUser(username, signer.address, "government", key, signer=signer)


def _balance(chain: SeededChain, label: str, instrument: str) -> int:
    c = chain.company(label)
    return int(chain.client.query(f"/balances/{c.address}", reader=c.signer).get(instrument, 0))


def _button(app, label: str):
    found = [b for b in app.button if b.label == label]
    assert len(found) == 1, [b.label for b in app.button]
    return found[0]


def _texts(app) -> str:
    return "\n".join(m.value for m in app.markdown)


def test_a_transfer_happens_only_after_its_confirmation(chain: SeededChain, monkeypatch):
    power = chain.company("power")
    steel_before, power_before = _balance(chain, "steel", "KAU26"), _balance(chain, "power", "KAU26")
    app = _app(_transfer_page, monkeypatch, chain, _company_user(chain, "steel"))
    assert "Four eyes are off" in " ".join(i.value for i in app.info)
    app.selectbox(key="transfer_to").set_value(power.address)
    app.selectbox(key="transfer_instrument").set_value("KAU26")
    app.number_input(key="transfer_amount").set_value(7)
    _run(_button(app, "Review transfer").click())
    restated = _texts(app)
    assert f"Transfer **7 t CO₂-eq KAU26** to **{power.name}** (`{power.address}`)." in restated  # named once
    assert "Nothing has been sent yet" in " ".join(w.value for w in app.warning)
    assert _balance(chain, "steel", "KAU26") == steel_before  # the first click sent nothing

    _run(app.button(key="confirm_back_transfer").click())
    assert not [b for b in app.button if b.key == "confirm_yes_transfer"]
    assert app.number_input(key="transfer_amount").value == 7  # the form kept its values
    assert _balance(chain, "steel", "KAU26") == steel_before

    _run(_button(app, "Review transfer").click())
    _run(app.button(key="confirm_yes_transfer").click())
    done = [s.value for s in app.success]
    assert len(done) == 1 and f"7 t CO₂-eq KAU26 transferred to {power.name}" in done[0], (done, [e.value for e in app.error])
    assert _balance(chain, "steel", "KAU26") == steel_before - 7
    assert _balance(chain, "power", "KAU26") == power_before + 7
    power = chain.company("power")  # give the tonnes back: other tests of this chain read steel's balance as allocated
    chain.client.submit(power.signer, Transfer(chain.company("steel").address, "KAU26", 7))


def test_a_transfer_beyond_the_available_tonnes_is_refused_before_anything_is_asked(chain: SeededChain, monkeypatch):
    app = _app(_transfer_page, monkeypatch, chain, _company_user(chain, "steel"))
    app.selectbox(key="transfer_instrument").set_value("KAU27")
    app.number_input(key="transfer_amount").set_value(_balance(chain, "steel", "KAU27") + 1)
    _run(_button(app, "Review transfer").click())
    assert any("Nothing was sent: transferring" in e.value for e in app.error), [e.value for e in app.error]
    assert not [b for b in app.button if b.key == "confirm_yes_transfer"]


def test_the_statement_lists_allocations_and_downloads_as_csv_and_excel(chain: SeededChain, monkeypatch):
    app = _app(_statement_page, monkeypatch, chain, _company_user(chain, "steel"))
    moves = statement.movements(chain.client, chain.company("steel").address, chain.company("steel").signer)
    issued = moves[moves["kind"] == "allocation"]
    plan = chain.plans["initial"]
    steel_id = chain.company("steel").company_id
    assert {(r.instrument, r.tonnes) for r in issued.itertuples()} >= {
        ("KAU26", plan.amount(steel_id, "KAU26")), ("KAU27", plan.amount(steel_id, "KAU27"))}
    assert moves["height"].dropna().is_monotonic_increasing
    downloads = {d.proto.label: d for d in app.get("download_button")}
    assert set(downloads) == {"Download CSV", "Download Excel"}, list(downloads)
    csv = pd.read_csv(io.BytesIO(statement.to_csv(moves)), encoding="utf-8-sig")
    assert list(csv.columns) == statement.STATEMENT_COLUMNS and len(csv) == len(moves)
    xlsx = pd.read_excel(io.BytesIO(statement.to_excel(moves)), engine="openpyxl")
    assert list(xlsx.columns) == statement.STATEMENT_COLUMNS and len(xlsx) == len(moves)
    assert int(xlsx.loc[xlsx["kind"] == "allocation", "tonnes"].sum()) == int(issued["tonnes"].sum())
    caption = " ".join(c.value for c in app.caption)
    assert "Not listed" not in caption  # every movement the chain records is on the statement


def test_a_transfer_received_is_on_the_recipients_statement_and_its_downloads_and_not_on_a_strangers(
        chain: SeededChain, monkeypatch):
    steel, power, chem = chain.company("steel"), chain.company("power"), chain.company("chem")
    sent = chain.client.submit(power.signer, Transfer(steel.address, "KAU26", 3))
    try:
        app = _app(_statement_page, monkeypatch, chain, _company_user(chain, "steel"))
        moves = statement.movements(chain.client, steel.address, steel.signer)
        received = moves[(moves["height"] == sent.height) & (moves["kind"] == "transfer in")]
        assert [(r.instrument, r.tonnes, r.counterparty) for r in received.itertuples()] == [("KAU26", 3, power.name)]
        assert received["time"].iloc[0] is not None and received["reference"].iloc[0].startswith("transfer record #")
        shown = app.dataframe[-1].value  # the movements table, under its catalogue column names
        assert len(shown) == len(moves) and (shown == power.name).any().any()
        csv = pd.read_csv(io.BytesIO(statement.to_csv(moves)), encoding="utf-8-sig")
        xlsx = pd.read_excel(io.BytesIO(statement.to_excel(moves)), engine="openpyxl")
        for table in (csv, xlsx):
            row = table[(table["height"] == sent.height) & (table["kind"] == "transfer in")]
            assert row[["instrument", "tonnes", "counterparty"]].values.tolist() == [["KAU26", 3, power.name]]
            assert row["time"].iloc[0].endswith(" KST")
        theirs = statement.movements(chain.client, power.address, power.signer)
        out = theirs[(theirs["height"] == sent.height) & (theirs["kind"] == "transfer out")]
        assert [(r.tonnes, r.counterparty) for r in out.itertuples()] == [(-3, steel.name)]
        stranger = statement.movements(chain.client, chem.address, chem.signer)
        assert stranger[stranger["height"] == sent.height].empty
        assert not stranger["counterparty"].isin([steel.name, power.name]).any()
    finally:  # give the tonnes back: other tests of this chain read steel's balance as allocated
        chain.client.submit(steel.signer, Transfer(power.address, "KAU26", 3))


def test_the_inbox_follows_a_plan_from_sealed_to_approved_only_after_confirmation(chain: SeededChain, monkeypatch):
    chem = chain.company("chem")
    plan = Plan({"kind": "additional", "name": "inbox test plan", "vintages": ["KAU27"]}, ((chem.company_id, "KAU27", 4_321),))
    upload_plan(chain.client, chain.keys["gov-1"], plan)
    st.cache_data.clear()
    first = _official(chain, "gov-1", "official1")
    tasks = inbox.tasks(chain.client, first.address, (2024,))
    mine = tasks[tasks["item"] == f"plan {plan.hash[:12]}…"]
    assert list(mine["kind"]) == ["plan"] and list(mine["page"]) == ["plan_review"]

    app = _app(_inbox_page, monkeypatch, chain, first)
    assert f"plan {plan.hash[:12]}…" in _texts(app) and "→ Open Plan review" in _texts(app)
    assert int(next(m for m in app.metric if m.label == "Plans awaiting approval").value) >= 1

    review = _app(_plan_review_page, monkeypatch, chain, first)
    review.selectbox(key="review_plan").set_value(plan.hash)
    _run(review)
    review.radio(key="decision_choice").set_value("Approve")
    _run(_button(review, "Send decision").click())
    restated = _texts(review)
    assert f"Approve plan **{plan.hash[:12]}…**: 1 companies, 1 lines, **4,321 t CO₂-eq** in all (KAU27: 4,321 t CO₂-eq)" in restated
    st.cache_data.clear()
    assert inbox.tasks(chain.client, first.address, (2024,))["item"].eq(f"plan {plan.hash[:12]}…").any()  # not sent

    _run(review.button(key="confirm_yes_plan_decision").click())
    assert any("proposal #" in s.value for s in review.success), [e.value for e in review.error]
    st.cache_data.clear()
    second = _official(chain, "gov-2", "official2")
    waiting = inbox.tasks(chain.client, second.address, (2024,))
    assert waiting[waiting["kind"] == "approval"]["page"].eq("plan_review").any()
    for who in (first, second):
        items = inbox.tasks(chain.client, who.address, (2024,))
        assert not items["item"].eq(f"plan {plan.hash[:12]}…").any()  # proposed: no longer a plan without proposal
    assert not any(plan.hash[:12] in d for d in inbox.tasks(chain.client, first.address, (2024,))["detail"])


@pytest.mark.parametrize("language, expected", [("ko", "업무함"), ("en", "Inbox")])
def test_the_inbox_speaks_both_languages(chain: SeededChain, monkeypatch, language, expected):
    app = _app(_inbox_page, monkeypatch, chain, _official(chain, "gov-2", "official2"))
    monkeypatch.setenv("ETS_PORTAL_LANGUAGE", language)
    _run(app)
    assert [t.value for t in app.title] == [expected]


def test_the_statement_names_each_kind_of_movement_in_the_visitors_language(chain: SeededChain, monkeypatch):
    app = _app(_statement_page, monkeypatch, chain, _company_user(chain, "steel"))
    monkeypatch.setenv("ETS_PORTAL_LANGUAGE", "ko")  # the same session, now Korean
    _run(app)
    assert not app.exception, app.exception
    table = app.dataframe[-1].value
    assert {"종류", "수량 (t)", "가격 (원/t)", "대금 (원)", "참조"} <= set(table.columns), list(table.columns)
    cells = {str(v) for column in table.columns for v in table[column]}
    assert "할당" in cells and "allocation" not in cells, (list(table.columns), sorted(cells)[-20:])
