"""Government page: review an allocation plan on chain, then approve or reject it.

The review shows the plan's lines with search, its sector totals, each company's allocation
next to its historical emissions (from the engine's review file, when present) and the change
from a previous plan. The decision is one transaction signed with the official's key
(``portal.data.decisions`` builds it, ``portal.submit`` sends it); a live panel follows the
proposal's approvals and the issue (e-order).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ets.rpc import ChainError

from .. import cache, charts, confirm, session, ui
from ..cache import cached
from ..data import allocations, chain, decisions, emissions, governance, registry
from ..i18n import t
from ..submit import flash, show_chain_error

__all__ = ["render"]

_LIVE_SECONDS = 2


def _default_index(plans: pd.DataFrame) -> int:
    waiting = plans.index[plans["status"] == "sealed"].tolist()
    return waiting[0] if waiting else 0


def _summary(record: dict, lines: pd.DataFrame) -> None:
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(t("review.status"), ui.status_text(record["status"]))
    c2.metric(t("review.lines"), t("review.lines_value", received=ui.number(record["received"]), lines=ui.number(record["lines"])))
    c3.metric(t("review.companies"), ui.number(lines["company_id"].nunique()))
    c4.metric(t("review.allowances"), ui.tonnes(lines["amount"].sum()))
    names = cached(registry.accounts)
    proposer = names.loc[names["address"] == record["proposer"], "name"]
    st.caption(t("review.plan_caption", hash=record["hash"], proposer=proposer.iloc[0] if len(proposer) else record["proposer"],
                 opened=ui.kst(record["opened"]["time"]),
                 sealed=t("review.sealed_at", time=ui.kst(record["sealed"]["time"])) if record.get("sealed") else ""))
    header = record.get("header") or {}
    if isinstance(header.get("totals"), dict) and header["totals"]:
        with st.expander(t("review.header_totals")):
            st.table(pd.DataFrame(header["totals"]).T)
    if record["status"] == "uploading":
        st.warning(t("review.incomplete", received=ui.number(record["received"]), lines=ui.number(record["lines"])))
    missing = lines.loc[~lines["registered"], "company_id"].unique()
    if len(missing):
        st.error(t("review.unregistered", n=len(missing), ids=", ".join(missing[:10]) + (" …" if len(missing) > 10 else "")))


def _lines_table(lines: pd.DataFrame) -> None:
    st.subheader(t("review.lines_title"))
    search = st.text_input(t("review.search"), key="review_search")
    wide = allocations.allocation_table(lines, search)
    st.caption(t("review.shown", n=ui.number(len(wide))))
    ui.table(wide)


def _sectors(lines: pd.DataFrame) -> None:
    st.subheader(t("review.sector_totals"))
    totals = allocations.plan_sector_totals(lines)
    left, right = st.columns([2, 3])
    with left:
        shown = totals.assign(amount=totals["amount"].map(ui.number))
        st.table(ui.columns(shown).reset_index(drop=True))
    with right:
        st.altair_chart(charts.allocation_by_sector(totals, t("review.by_sector_chart")), width="stretch")


def _history(plan_hash: str, lines: pd.DataFrame) -> None:
    st.subheader(t("review.history"))
    review = cache.plan_review(plan_hash)
    per_vintage = lines.pivot_table(index=["company_id"], columns="vintage", values="amount", aggfunc="sum",
                                    fill_value=0)
    shown = {f"allocation {v}": t("review.col_allocation_vintage", vintage=v) for v in per_vintage.columns}
    per_vintage.columns = [f"allocation {v}" for v in per_vintage.columns]
    per_vintage = per_vintage.reset_index()
    per_vintage["allocation"] = per_vintage.filter(like="allocation ").mean(axis=1).round().astype("int64")
    if review is None:
        folder = cache.config().plans_dir
        where = t("review.no_review_file", folder=folder) if folder else t("review.no_plans_dir")
        st.info(t("review.history_unavailable", where=where))
        table = per_vintage
    else:
        st.caption(t("review.from_file", source=review.source))
        table = per_vintage.merge(review.companies[["company_id", "method", "base_average"]], on="company_id", how="left")
        history = review.history_wide()
        shown.update({c: t("review.col_emissions_year", year=c.split(" ", 1)[1]) for c in history.columns if c != "company_id"})
        table = table.merge(history, on="company_id", how="left")
        table["allocation / history"] = (table["allocation"] / table["base_average"].where(table["base_average"] > 0))
        shown["allocation / history"] = t("review.col_allocation_history")
        names = lines.drop_duplicates("company_id").set_index("company_id")["company_name"]
        chart = table.head(40).assign(company=table["company_id"].map(lambda c: names.get(c) or c),
                                      **{"historical average": table["base_average"]})
        st.altair_chart(charts.allocation_comparison(chart, t("review.comparison_chart")),
                        width="stretch")
    reported = cached(emissions.emissions_by_company, "year")
    if not reported.empty:
        on_chain = reported.pivot_table(index="company_id", columns="period", values="total_t", aggfunc="sum")
        shown.update({f"reported {y} (t, on chain)": t("review.col_reported_year", year=y) for y in on_chain.columns})
        on_chain.columns = [f"reported {y} (t, on chain)" for y in on_chain.columns]
        table = table.merge(on_chain.reset_index(), on="company_id", how="left")
    ui.table(table.rename(columns=shown))  # the columns named here in the visitor's language, the others by ui.table


def _diff(plans: pd.DataFrame, plan_hash: str, lines: pd.DataFrame) -> None:
    st.subheader(t("review.diff"))
    current = plans.loc[plans["plan_hash"] == plan_hash].iloc[0]
    others = plans[plans["plan_hash"] != plan_hash]
    if others.empty:
        st.info(t("review.no_other"))
        return
    earlier = others[others["opened_height"] <= current["opened_height"]]
    same_kind = earlier[earlier["kind"] == current["kind"]]
    options = list(others["plan_hash"])
    pick = same_kind if not same_kind.empty else earlier  # the latest earlier plan, of the same kind if any
    default = options.index(pick.iloc[0]["plan_hash"]) if not pick.empty else 0
    labels = {r["plan_hash"]: ui.plan_label(r) for _, r in others.iterrows()}
    previous = st.selectbox(t("review.compare_with"), options, index=default, format_func=labels.get, key="review_previous")
    diff = allocations.plan_diff(lines, cached(allocations.plan_lines, previous))
    changed = diff[diff["change"] != 0]
    c1, c2 = st.columns(2)
    c1.metric(t("review.changed"), ui.number(len(changed)))
    c2.metric(t("review.net_change"), t("common.unit_tonnes", value=f"{int(diff['change'].sum()):+,}"))
    ui.table(changed if not changed.empty else diff)


@st.fragment(run_every=_LIVE_SECONDS)
def _live_status(plan_hash: str) -> None:
    """Follow the plan's proposal and issue live: every few seconds the latest block is read, and the plan
    and its proposals are read again (uncached) only when the chain's events show activity since the
    block last shown (``chain.plan_activity_since``)."""
    client = cache.client()
    seen_key = f"plan_live/{plan_hash}"
    try:
        status = chain.chain_status(client)
        seen = st.session_state.get(seen_key)
        if seen is None or (status.height > seen[0] and chain.plan_activity_since(client, plan_hash, seen[0])):
            seen = (status.height, allocations.plan_record(client, plan_hash), governance.plan_proposals(client, plan_hash))
        else:
            seen = (status.height, seen[1], seen[2])
        st.session_state[seen_key] = seen
        _, record, props = seen
        required = cached(chain.params)["approvals_required"]
        accounts = cached(registry.accounts)
        names = dict(zip(accounts["address"], accounts["name"]))
    except ChainError as exc:
        show_chain_error(exc, t("review.doing_follow"))
        return
    if record is None:
        return
    st.markdown(t("review.live", status=ui.status_text(record["status"]), time=ui.kst(status.time, seconds=True)))
    if not props:
        st.caption(t("review.no_proposal_yet"))
    for p in props[:3]:
        approvals = ", ".join(t("review.approval", official=names.get(v["official"], v["official"][:10]),
                                time=ui.kst(v.get("time"))) for v in p["approvals"])
        line = (t("review.proposal_line", id=p["id"], status=ui.proposal_status(p["status"]), approvals=len(p["approvals"]),
                  required=required)
                + (f": {approvals}" if approvals else ""))
        st.markdown(line)
        for v in p["rejections"]:
            st.markdown(t("review.rejected_by", official=names.get(v["official"], v["official"][:10]),
                          time=ui.kst(v.get("time")), reason=v.get("reason", "")))
    if record["status"] == "issued":
        eorder = allocations.eorder(client, plan_hash)
        if eorder:
            st.success(t("review.issued", height=eorder["issued"]["height"], proposal=eorder["proposal_id"],
                         time=ui.kst(eorder["issued"]["time"]), lines=ui.number(eorder["lines"]),
                         totals=", ".join(f"{v} {ui.tonnes(n)}" for v, n in eorder["totals"].items())))


def _decision(user, plan_hash: str) -> None:
    st.subheader(t("review.decision"))
    flash()
    _live_status(plan_hash)
    client = cache.client()
    try:
        record = allocations.plan_record(client, plan_hash)  # fresh: another official may just have decided
        open_proposal = governance.open_plan_proposal(client, plan_hash)
    except ChainError as exc:
        show_chain_error(exc, t("review.doing_open"))
        return
    if open_proposal is None and record["status"] != decisions.SEALED:
        st.info(t("review.nothing_to_decide", status=ui.status_text(record["status"])))
        return
    if open_proposal is None:
        st.caption(t("review.no_open_proposal"))
    else:
        voted = {v["official"] for v in open_proposal["approvals"] + open_proposal["rejections"]}
        st.caption(t("review.open_proposal", id=open_proposal["id"])
                   + (t("review.already_voted") if user.address in voted else ""))
    with st.form("plan_decision"):
        choice = st.radio(t("review.your_decision"), ["Approve", "Reject"], horizontal=True, key="decision_choice",
                          format_func=lambda c: t(f"review.{c.lower()}"))
        reason = st.text_input(t("review.reason", n=decisions.MAX_REASON), key="decision_reason")
        submitted = st.form_submit_button(t("review.send"), type="primary")
    confirm.pending("plan_decision", user.signer)
    if not submitted:
        return
    try:
        msg = decisions.plan_decision_message(client, record["hash"], approve=choice == "Approve", reason=reason)
    except decisions.DecisionError as exc:
        st.error(t("review.not_sent", error=exc))
        return
    except ChainError as exc:
        show_chain_error(exc, t("review.doing_prepare"))
        return

    def done(commit) -> str:
        result = decisions.decision_result(msg, commit)
        return t("review.sent", sent=t(f"review.sent_kind.{result.sent}"), id=result.proposal_id,
                 status=ui.proposal_status(result.status), height=result.height, tx=result.tx_hash[:16])

    confirm.ask("plan_decision", _restated(plan_hash, choice == "Approve", reason), msg, doing=t("review.doing_send"),
                done=done)


def _restated(plan_hash: str, approve: bool, reason: str) -> str:
    """What the decision does, with the plan's totals: companies, lines, tonnes per vintage."""
    lines = cached(allocations.plan_lines, plan_hash)
    per_vintage = lines.groupby("vintage")["amount"].sum()
    fields = {"plan": f"{plan_hash[:12]}…", "companies": f"{lines['company_id'].nunique():,}", "lines": f"{len(lines):,}",
              "total": ui.tonnes(int(lines["amount"].sum())),
              "vintages": ", ".join(f"{v}: {ui.tonnes(int(a))}" for v, a in per_vintage.items())}
    if approve:
        return t("flows.confirm.plan_approve", **fields)
    return t("flows.confirm.plan_reject", reason=reason.strip(), **fields)


def render() -> None:
    user = session.require_role("government")
    st.title(t("page.plan_review"))
    plans = cached(allocations.plans)
    if plans.empty:
        st.info(t("review.no_plan"))
        return
    labels = {r["plan_hash"]: ui.plan_label(r) for _, r in plans.iterrows()}
    plan_hash = st.selectbox(t("review.plan"), list(labels), index=_default_index(plans), format_func=labels.get,
                             key="review_plan")
    record = cached(allocations.plan_record, plan_hash)
    if record is None:
        st.error(t("review.gone"))
        return
    lines = cached(allocations.plan_lines, plan_hash)
    _summary(record, lines)
    _lines_table(lines)
    _sectors(lines)
    _history(plan_hash, lines)
    _diff(plans, plan_hash, lines)
    _decision(user, plan_hash)
