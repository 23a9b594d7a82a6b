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
    c1.metric("Status", record["status"])
    c2.metric("Lines", f"{record['received']:,} of {record['lines']:,}")
    c3.metric("Companies", f"{lines['company_id'].nunique():,}")
    c4.metric("Allowances in plan", f"{int(lines['amount'].sum()):,} t")
    names = cached(registry.accounts)
    proposer = names.loc[names["address"] == record["proposer"], "name"]
    st.caption(f"Plan hash {record['hash']}. Uploaded by {proposer.iloc[0] if len(proposer) else record['proposer']}, "
               f"opened at block {record['opened']['height']}"
               + (f", sealed at block {record['sealed']['height']}" if record.get("sealed") else "") + ".")
    header = record.get("header") or {}
    if isinstance(header.get("totals"), dict) and header["totals"]:
        with st.expander("Header totals (cap, reserves, scaling)"):
            st.table(pd.DataFrame(header["totals"]).T)
    if record["status"] == "uploading":
        st.warning(f"The upload is incomplete: {record['received']:,} of {record['lines']:,} lines are on chain. "
                   "The plan can be decided once its last line arrives and its hash checks.")
    missing = lines.loc[~lines["registered"], "company_id"].unique()
    if len(missing):
        st.error(f"{len(missing)} company id(s) in this plan have no registered account, so issuing it would be "
                 f"rejected: {', '.join(missing[:10])}{' …' if len(missing) > 10 else ''}. Register them first.")


def _lines_table(lines: pd.DataFrame) -> None:
    st.subheader("Lines")
    search = st.text_input("Search company (name, company id or sector)", key="review_search")
    wide = allocations.allocation_table(lines, search)
    st.caption(f"{len(wide):,} companies shown.")
    ui.table(wide)


def _sectors(lines: pd.DataFrame) -> None:
    st.subheader("Sector totals")
    totals = allocations.plan_sector_totals(lines)
    left, right = st.columns([2, 3])
    with left:
        shown = totals.assign(amount=totals["amount"].map(lambda v: f"{int(v):,}"))
        st.table(shown.reset_index(drop=True))
    with right:
        st.altair_chart(charts.allocation_by_sector(totals, "Allowances by sector"), width="stretch")


def _history(plan_hash: str, lines: pd.DataFrame) -> None:
    st.subheader("Allocation next to historical emissions")
    review = cache.plan_review(plan_hash)
    per_vintage = lines.pivot_table(index=["company_id"], columns="vintage", values="amount", aggfunc="sum",
                                    fill_value=0)
    per_vintage.columns = [f"allocation {v}" for v in per_vintage.columns]
    per_vintage = per_vintage.reset_index()
    per_vintage["allocation"] = per_vintage.filter(like="allocation ").mean(axis=1).round().astype("int64")
    if review is None:
        folder = cache.config().plans_dir
        where = f"no review file with this plan hash in {folder}" if folder else "ETS_PORTAL_PLANS is not set"
        st.info(f"Historical emissions are unavailable for this plan ({where}). The engine writes the review file "
                "beside the plan it computes.")
        table = per_vintage
    else:
        st.caption(f"From the engine's review file {review.source} (not on chain; matched by plan hash).")
        table = per_vintage.merge(review.companies[["company_id", "method", "base_average"]], on="company_id", how="left")
        table = table.merge(review.history_wide(), on="company_id", how="left")
        table["allocation / history"] = (table["allocation"] / table["base_average"].where(table["base_average"] > 0))
        names = lines.drop_duplicates("company_id").set_index("company_id")["company_name"]
        chart = table.head(40).assign(company=table["company_id"].map(lambda c: names.get(c) or c),
                                      **{"historical average": table["base_average"]})
        st.altair_chart(charts.allocation_comparison(chart, "Average allocation per vintage vs. base-year average"),
                        width="stretch")
    reported = cached(emissions.emissions_by_company, "year")
    if not reported.empty:
        on_chain = reported.pivot_table(index="company_id", columns="period", values="total_t", aggfunc="sum")
        on_chain.columns = [f"reported {y} (t, on chain)" for y in on_chain.columns]
        table = table.merge(on_chain.reset_index(), on="company_id", how="left")
    ui.table(table)


def _diff(plans: pd.DataFrame, plan_hash: str, lines: pd.DataFrame) -> None:
    st.subheader("Difference from a previous plan")
    current = plans.loc[plans["plan_hash"] == plan_hash].iloc[0]
    others = plans[plans["plan_hash"] != plan_hash]
    if others.empty:
        st.info("There is no other plan on chain to compare with.")
        return
    earlier = others[others["opened_height"] <= current["opened_height"]]
    same_kind = earlier[earlier["kind"] == current["kind"]]
    options = list(others["plan_hash"])
    pick = same_kind if not same_kind.empty else earlier  # the latest earlier plan, of the same kind if any
    default = options.index(pick.iloc[0]["plan_hash"]) if not pick.empty else 0
    labels = {r["plan_hash"]: ui.plan_label(r) for _, r in others.iterrows()}
    previous = st.selectbox("Compare with", options, index=default, format_func=labels.get, key="review_previous")
    diff = allocations.plan_diff(lines, cached(allocations.plan_lines, previous))
    changed = diff[diff["change"] != 0]
    c1, c2 = st.columns(2)
    c1.metric("Company-vintage lines changed", f"{len(changed):,}")
    c2.metric("Net change", f"{int(diff['change'].sum()):+,} t")
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
        show_chain_error(exc, "following the approval")
        return
    if record is None:
        return
    st.markdown(f"**Plan status: {record['status']}** · chain height {status.height:,} · {status.time_kst}")
    if not props:
        st.caption("No proposal to issue this plan yet.")
    for p in props[:3]:
        approvals = ", ".join(f"{names.get(v['official'], v['official'][:10])} (block {v['height']})" for v in p["approvals"])
        line = (f"Proposal #{p['id']} — **{p['status']}** — {len(p['approvals'])} of {required} approvals"
                + (f": {approvals}" if approvals else ""))
        st.markdown(line)
        for v in p["rejections"]:
            st.markdown(f"&nbsp;&nbsp;Rejected by {names.get(v['official'], v['official'][:10])} at block {v['height']}: "
                        f"“{v.get('reason', '')}”")
    if record["status"] == "issued":
        eorder = allocations.eorder(client, plan_hash)
        if eorder:
            st.success(f"Issued at block {eorder['issued']['height']} by proposal #{eorder['proposal_id']}: "
                       f"{eorder['lines']:,} e-orders, " + ", ".join(f"{v} {t:,} t" for v, t in eorder["totals"].items()))


def _decision(user, plan_hash: str) -> None:
    st.subheader("Decision")
    flash()
    _live_status(plan_hash)
    client = cache.client()
    try:
        record = allocations.plan_record(client, plan_hash)  # fresh: another official may just have decided
        open_proposal = governance.open_plan_proposal(client, plan_hash)
    except ChainError as exc:
        show_chain_error(exc, "looking for an open proposal")
        return
    if open_proposal is None and record["status"] != decisions.SEALED:
        st.info(f"This plan is {record['status']}; there is nothing to decide.")
        return
    if open_proposal is None:
        st.caption("No proposal is open for this plan: approving proposes to issue it (your approval counts as "
                   "the first). Rejecting needs an open proposal.")
    else:
        voted = {v["official"] for v in open_proposal["approvals"] + open_proposal["rejections"]}
        st.caption(f"Proposal #{open_proposal['id']} is open: approving adds your approval (the last one needed "
                   "issues every line at once); rejecting records your reason on chain."
                   + (" You have already voted on it." if user.address in voted else ""))
    with st.form("plan_decision"):
        choice = st.radio("Your decision", ["Approve", "Reject"], horizontal=True, key="decision_choice")
        reason = st.text_input(f"Reason (required to reject, at most {decisions.MAX_REASON} characters; "
                               "sent on chain with a rejection)", key="decision_reason")
        submitted = st.form_submit_button("Send decision", type="primary")
    confirm.pending("plan_decision", user.signer)
    if not submitted:
        return
    try:
        msg = decisions.plan_decision_message(client, record["hash"], approve=choice == "Approve", reason=reason)
    except decisions.DecisionError as exc:
        st.error(f"Nothing was sent: {exc}")
        return
    except ChainError as exc:
        show_chain_error(exc, "preparing your decision")
        return

    def done(commit) -> str:
        result = decisions.decision_result(msg, commit)
        return (f"Sent {result.sent}: proposal #{result.proposal_id} is now {result.status} "
                f"(block {result.height}, transaction {result.tx_hash[:16]}…).")

    confirm.ask("plan_decision", _restated(plan_hash, choice == "Approve", reason), msg, doing="sending your decision",
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
    st.title("Plan review")
    plans = cached(allocations.plans)
    if plans.empty:
        st.info("No allocation plan is on chain yet. Officials upload plans computed by the allocation engine.")
        return
    labels = {r["plan_hash"]: ui.plan_label(r) for _, r in plans.iterrows()}
    plan_hash = st.selectbox("Plan", list(labels), index=_default_index(plans), format_func=labels.get,
                             key="review_plan")
    record = cached(allocations.plan_record, plan_hash)
    if record is None:
        st.error("This plan is no longer on chain.")
        return
    lines = cached(allocations.plan_lines, plan_hash)
    _summary(record, lines)
    _lines_table(lines)
    _sectors(lines)
    _history(plan_hash, lines)
    _diff(plans, plan_hash, lines)
    _decision(user, plan_hash)
