"""Account security (계정 보안): a company's representatives, four eyes, trusted accounts and limits; the
four-eyes flow for its representatives — initiate a transfer, see what awaits an approver, approve or cancel.

Who sees what: the company's own key (the holder) manages representatives and settings and may initiate; a
representative logs in with its own key and acts within its rights (initiate, approve, read-only). Every
read is a query signed by the logged-in key and never cached; the chain itself refuses what a key may not
do, and this page shows its answer in full.
"""

from __future__ import annotations

import json
from typing import Any

import streamlit as st

from ets.custody import representative_message, settings_with, waiting
from ets.rpc import ChainError
from protocol.constants import REPRESENTATIVE
from protocol.messages.custody import TRUSTED_OPS, CustodyApprove, CustodyCancel, CustodyRepresentative, \
    CustodyTransfer, CustodyTrusted

from .. import cache, session, ui
from ..data import custody
from ..data._base import to_kst
from ..submit import flash, show_chain_error, submit

__all__ = ["render"]


def _duration(seconds: int) -> str:
    days, rest = divmod(int(seconds), 86_400)
    parts = [(days, "d"), (rest // 3600, "h"), (rest % 3600 // 60, "min"), (rest % 60, "s")]
    return " ".join(f"{n} {unit}" for n, unit in parts if n) or "none"


def _overview(answer: dict[str, Any]) -> None:
    limits, usage = answer.get("limits") or {}, answer.get("usage") or {}
    cols = st.columns(4)
    cols[0].metric("Four eyes (이중 승인)", "on" if answer.get("four_eyes") else "off")
    cols[1].metric("Central cap per transfer", ui.tonnes(answer["central_cap"]), help="to an account not on the trusted list")
    cols[2].metric("Own limit per transaction", ui.tonnes(limits["transaction"]) if limits.get("transaction") else "none")
    cols[3].metric("Delay for loosening", _duration(answer["delay_seconds"]),
                   help="new rights, four eyes off, higher limits and trusted accounts wait this long (block time)")
    st.caption(" · ".join(f"{name}: {usage.get(name, 0):,} t used of "
                          + (f"{limits[name]:,} t" if limits.get(name) else "no own limit")
                          for name in ("daily", "weekly", "monthly")) + " (transfers to untrusted accounts)")
    if answer.get("next"):
        st.info(f"Scheduled loosening from block time {answer['next']['from']}: four eyes "
                f"{'on' if answer['next']['four_eyes'] else 'off'}, limits {answer['next']['limits']}. "
                "Send the current settings again to cancel it.")


def _waiting(user, answer: dict[str, Any], may_approve: bool) -> None:
    st.subheader("Awaiting an approver (승인 대기)")
    pending = waiting(answer)
    if not pending:
        st.caption("No transfer awaits an approver.")
        return
    labels = {t["id"]: f"Transfer #{t['id']}: {t['amount']:,} t {t['instrument']} → {t['to']}" for t in pending}
    st.markdown("\n".join(f"- {labels[t['id']]} · initiated by `{t['initiator']}` · expires "
                           f"{to_kst(t['expires']):%Y-%m-%d %H:%M} KST" for t in pending))
    with st.form("custody_waiting"):
        chosen = st.selectbox("Waiting transfer", list(labels), format_func=labels.get)
        left, right = st.columns(2)
        approve = left.form_submit_button("Approve", type="primary", disabled=not may_approve)
        cancel = right.form_submit_button("Cancel transfer")
    if approve:
        submit(user.signer, CustodyApprove(int(chosen)), doing=f"approving transfer #{chosen}",
               done=lambda c: f"Transfer #{chosen} approved and executed at block {c.height}.")
    if cancel:
        submit(user.signer, CustodyCancel(int(chosen)), doing=f"cancelling transfer #{chosen}",
               done=lambda c: f"Transfer #{chosen} cancelled at block {c.height}; its tonnes are available again.")


def _initiate(user) -> None:
    with st.form("custody_initiate"):
        st.markdown("**Initiate a transfer out (이전 개시)** — with four eyes it waits, its tonnes held, for an approver.")
        to = st.text_input("Recipient account (address)")
        instrument = st.text_input("Instrument", value="KAU25")
        amount = st.number_input("Tonnes", min_value=1, step=1, key="custody_amount")
        if st.form_submit_button("Initiate transfer"):
            submit(user.signer, CustodyTransfer(to.strip(), instrument.strip(), int(amount)), doing="initiating the transfer",
                   done=lambda c: f"Transfer of {int(amount):,} t committed at block {c.height}: "
                                  f"{_status_of(c)}.")


def _status_of(commit) -> str:
    result = json.loads(commit.data) if commit.data else {}
    if result.get("status") == "waiting":
        return f"transfer #{result['transfer_id']} awaits an approver"
    return "executed"


def _trusted(user, answer: dict[str, Any]) -> None:
    st.subheader("Trusted accounts (신뢰 계정)")
    ui.table(custody.trusted(answer))
    with st.form("custody_trusted"):
        other = st.text_input("Account (address)", key="custody_trusted_account")
        op = st.selectbox("Change", TRUSTED_OPS, help="add: one person; confirm: a second person with the approve "
                                                      "right (the delay starts); cancel: before it takes effect; "
                                                      "remove: at once")
        if st.form_submit_button("Send trusted-list change"):
            submit(user.signer, CustodyTrusted(op, other.strip()), doing=f"sending '{op}' for {other.strip()[:12]}",
                   done=lambda c: f"Trusted list: {op} committed at block {c.height}.")


def _holder_forms(user, answer: dict[str, Any]) -> None:
    with st.form("custody_representative"):
        st.markdown("**Admit a representative (대리인 등록)** — by its public key; new rights act after the delay.")
        public_key = st.text_input("Public key (hex)")
        name = st.text_input("Name")
        rights = st.multiselect("Rights", ["initiate", "approve"], help="none: read-only")
        if st.form_submit_button("Admit representative"):
            submit(user.signer, representative_message(public_key.strip(), name.strip(), rights),
                   doing="admitting the representative", done=lambda c: f"Representative admitted at block {c.height}.")
    reps = [r["representative"] for r in answer.get("representatives", [])]
    if reps:
        with st.form("custody_remove"):
            chosen = st.selectbox("Representative", reps)
            if st.form_submit_button("Remove at once"):
                submit(user.signer, CustodyRepresentative("remove", chosen), doing="removing the representative",
                       done=lambda c: f"Representative removed at block {c.height}.")
    with st.form("custody_settings"):
        st.markdown("**Settings** — stricter at once, looser after the delay.")
        four_eyes = st.checkbox("Four eyes on transfers out", value=bool(answer.get("four_eyes")))
        limits = answer.get("limits") or {}
        values = {name: st.number_input(f"Own {name} limit (t, 0 = none)", min_value=0, step=1,
                                        value=int(limits.get(name, 0)), key=f"custody_limit_{name}")
                  for name in ("transaction", "daily", "weekly", "monthly")}
        if st.form_submit_button("Save settings"):
            submit(user.signer, settings_with(answer, four_eyes, **{k: int(v) for k, v in values.items()}),
                   doing="saving the settings", done=lambda c: f"Settings committed at block {c.height}.")


def render() -> None:
    user = session.require_role("company", REPRESENTATIVE)
    st.title("Account security")
    st.caption("계정 보안 · representatives, four eyes, trusted accounts and limits on transfers out")
    flash()
    try:
        account, rights = custody.acting_for(cache.client(), user.signer)
        answer = custody.record(cache.client(), user.signer, account)
    except ChainError as exc:
        show_chain_error(exc, "reading the account's security record")
        return
    holder = rights == "holder"
    st.markdown(f"Account `{account}` · you: **{'the holder (own key)' if holder else user.name}** · rights: "
                f"**{'holder' if holder else custody.rights_text(rights)}**")
    if not answer["under_custody"]:
        st.info("This account is not under custody: no representatives, no four eyes, no caps. Admit a "
                "representative or save settings to start.")
    else:
        _overview(answer)
        _waiting(user, answer, may_approve=not holder and "approve" in rights)
    if holder or "initiate" in rights:
        _initiate(user)
    st.subheader("Representatives (대리인)")
    ui.table(custody.representatives(answer))
    if holder or rights:
        _trusted(user, answer)
    if holder:
        _holder_forms(user, answer)
    if answer.get("transfers"):
        st.subheader("Latest transfers")
        ui.table(custody.transfers(answer))
