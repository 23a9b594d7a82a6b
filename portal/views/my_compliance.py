"""Company page: the compliance position of a year and the forms that change it — the annual report,
surrender, borrowing and banking — each with the limit the chain enforces shown beside it, and objections.

The position is read with a query signed by the company's key (only the company and the regulator may read
it) and never cached; every form sends one transaction and shows the chain's answer in full.
"""

from __future__ import annotations

import hashlib

import streamlit as st

from ets.rpc import ChainError
from protocol.messages.compliance import Bank, Borrow, EmissionsReport, Objection, OtherSource, Surrender

from .. import cache, confirm, session, ui
from ..data import compliance
from ..data._base import to_kst
from ..i18n import t
from ..submit import flash, show_chain_error, submit

__all__ = ["render"]


def _report_form(user, year: int) -> None:
    with st.form("compliance_report"):
        st.markdown(t("my_compliance.report_intro"))
        source = st.text_input(t("my_compliance.other_source"), value="")
        method = st.text_input(t("my_compliance.method"), value="")
        quantity = st.number_input(t("common.tonnes_label"), min_value=0, step=1, key="report_tonnes")
        evidence = st.file_uploader(t("my_compliance.evidence"), key="report_evidence")
        if st.form_submit_button(t("my_compliance.submit_report")):
            sources = ()
            if source and quantity:
                digest = hashlib.sha256(evidence.getvalue() if evidence else b"").hexdigest()
                sources = (OtherSource(source, method or "declared", int(quantity), digest),)
            submit(user.signer, EmissionsReport(year, sources), doing=t("my_compliance.doing_report"),
                   done=lambda c: t("my_compliance.report_done", year=year, height=c.height))


def _amount_form(user, key: str, label: str, limit: int, build, doing: str, instruments: list[str] | None = None) -> None:
    with st.form(key):
        st.markdown(t("my_compliance.may_now", label=label, limit=ui.number(limit)))
        instrument = st.selectbox(t("common.instrument"), instruments, key=f"{key}_instrument") if instruments else None
        amount = st.number_input(t("common.tonnes_label"), min_value=1, step=1, key=f"{key}_amount")
        submitted = st.form_submit_button(label)
    confirm.pending(key, user.signer)
    if submitted:
        msg = build(int(amount), instrument)
        restated = t("flows.confirm.compliance", action=label, year=getattr(msg, "year", ""), amount=ui.tonnes(amount),
                     instrument=f" {instrument}" if instrument else "")
        confirm.ask(key, restated, msg, doing=doing,
                    done=lambda c: t("my_compliance.amount_done", label=label, amount=ui.number(amount), height=c.height))


def render() -> None:
    user = session.require_role("company")
    st.title(t("page.my_compliance"))
    flash()
    year = ui.year_input("my_compliance_year")
    try:
        answer = compliance.position(cache.client(), user.address, user.signer)
    except ChainError as exc:
        show_chain_error(exc, t("my_compliance.doing_position"))
        return
    if answer["blocked_years"]:
        st.error(t("my_compliance.blocked", years=", ".join(map(str, answer["blocked_years"]))))
    position = answer["years"].get(str(year))
    if position is None:
        st.info(t("my_compliance.nothing_yet", year=year))
        _report_form(user, year)
        return
    cols = st.columns(5)
    cols[0].metric(t("my_compliance.certified"), "-" if position["certified"] is None else ui.tonnes(position["certified"]))
    cols[1].metric(t("my_compliance.surrendered"), ui.tonnes(position["surrendered_total"]))
    cols[2].metric(t("my_compliance.shortfall"), "-" if position["shortfall"] is None else ui.tonnes(position["shortfall"]))
    cols[3].metric(t("my_compliance.penalty"), "-" if position["penalty_if_unpaid"] is None
                   else ui.krw(position["penalty_if_unpaid"]),
                   help=t("my_compliance.penalty_help", price=ui.krw(position["penalty_per_tonne"])))
    cols[4].metric(t("my_compliance.status"), position["status"], help=ui.compliance_status(position["status"]))
    maybe = lambda v: "-" if v is None else ui.tonnes(v)  # noqa: E731
    st.caption(t("my_compliance.summary", deadline=ui.kst(position["deadline"]), reported=maybe(position["reported"]),
                 verified=maybe(position["verified"]), borrowed=ui.tonnes(position["borrowed"]),
                 banked=ui.tonnes(position["banked"])))
    limits = position["limits"]
    if position["certified"] is None:
        if position["verified"] is None:
            _report_form(user, year)
        st.info(t("my_compliance.opens_after_certification"))
        return
    eligible = [i for i, held in position["eligible"].items() if held and (i[3:] == str(year)[2:] or i.startswith("KCU")
                                                                           or position["status"] != "open")]
    _amount_form(user, "compliance_surrender", t("my_compliance.surrender"), limits["may_surrender"],
                 lambda amount, instrument: Surrender(year, instrument, amount), t("my_compliance.doing_surrender"),
                 eligible or [f"KAU{str(year)[2:]}"])
    st.caption(t("my_compliance.offsets", cap=ui.number(limits["offset_cap"]), percent=limits["offset_cap_bps"] // 100,
                 left=ui.number(limits["may_surrender_kcu"]),
                 holdings=", ".join(f"{i} {ui.tonnes(n)}" for i, n in position["eligible"].items())))
    left, right = st.columns(2)
    with left:
        _amount_form(user, "compliance_borrow", t("my_compliance.borrow"), limits["may_borrow"],
                     lambda amount, _: Borrow(year, amount), t("my_compliance.doing_borrow"))
        st.caption(t("my_compliance.borrow_limit", limit=ui.tonnes(limits["borrow_limit"]),
                     percent=limits["borrow_limit_bps"] // 100))
    with right:
        _amount_form(user, "compliance_bank", t("my_compliance.bank"), limits["may_bank"],
                     lambda amount, _: Bank(year, amount), t("my_compliance.doing_bank"))
        st.caption(t("my_compliance.bank_limit", limit=ui.tonnes(limits["bank_limit"])))
    with st.expander(t("my_compliance.object")):
        with st.form("compliance_objection"):
            reason = st.text_area(t("common.reason"))
            requested = st.number_input(t("my_compliance.requested"), min_value=0, step=1)
            evidence = st.file_uploader(t("my_compliance.evidence_file"), key="objection_evidence")
            if st.form_submit_button(t("my_compliance.file_objection")) and reason:
                digest = hashlib.sha256(evidence.getvalue() if evidence else b"").hexdigest()
                submit(user.signer, Objection("certification", year, reason, digest, int(requested) or None),
                       doing=t("my_compliance.doing_objection"),
                       done=lambda c: t("my_compliance.objection_done", height=c.height))
