"""Account security (계정 보안): a company's representatives, four eyes, trusted accounts and limits; the
four-eyes flow for its representatives — initiate a transfer, see what awaits an approver, approve or cancel.

Who sees what: the company's own key (the holder) manages representatives and settings and may initiate; a
representative logs in with its own key and acts within its rights (initiate, approve, read-only). Every
read is a query signed by the logged-in key and never cached; the chain itself refuses what a key may not
do, and this page shows its answer in full. Initiating, approving and cancelling a transfer are restated and
sent only once confirmed (``portal.confirm``); settings and representatives are sent by their forms.
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

from .. import cache, confirm, session, ui
from ..data import custody
from ..i18n import t
from ..submit import flash, show_chain_error, submit

__all__ = ["render"]

_WAITING, _INITIATE = "custody_waiting", "custody_initiate"  # portal.confirm keys
TRANSFER_STATUSES = ("waiting", "executed", "cancelled", "expired")  # a custody transfer's (catalogue: custody.transfer_status.*)


def _duration(seconds: int) -> str:
    days, rest = divmod(int(seconds), 86_400)
    parts = [(days, "d"), (rest // 3600, "h"), (rest % 3600 // 60, "min"), (rest % 60, "s")]
    return " ".join(t(f"custody.duration.{unit}", n=n) for n, unit in parts if n) or t("common.none")


def _rights(rights: list[str] | None) -> str:
    """A representative's rights in words (none: read-only)."""
    return ", ".join(t(f"custody.right.{r}") if r in custody.RIGHTS else r for r in rights) if rights \
        else t("custody.read_only")


def _on_off(value: bool) -> str:
    return t("common.on" if value else "common.off")


def _overview(answer: dict[str, Any]) -> None:
    limits, usage = answer.get("limits") or {}, answer.get("usage") or {}
    cols = st.columns(4)
    cols[0].metric(t("custody.four_eyes"), _on_off(answer.get("four_eyes")))
    cols[1].metric(t("custody.central_cap"), ui.tonnes(answer["central_cap"]), help=t("custody.central_cap_help"))
    cols[2].metric(t("custody.own_limit"), ui.tonnes(limits["transaction"]) if limits.get("transaction")
                   else t("common.none"))
    cols[3].metric(t("custody.delay"), _duration(answer["delay_seconds"]), help=t("custody.delay_help"))
    st.caption(" · ".join(t("custody.usage", period=t(f"custody.period.{name}"), used=ui.tonnes(usage.get(name, 0)),
                            limit=ui.tonnes(limits[name]) if limits.get(name) else t("custody.no_own_limit"))
                          for name in ("daily", "weekly", "monthly")) + t("custody.usage_note"))
    if answer.get("next"):
        st.info(t("custody.scheduled", time=ui.kst(answer["next"]["from"]), four_eyes=_on_off(answer["next"]["four_eyes"]),
                  limits=answer["next"]["limits"]))


def _waiting(user, answer: dict[str, Any], may_approve: bool) -> None:
    st.subheader(t("custody.waiting"))
    pending = waiting(answer)
    if not pending:
        st.caption(t("custody.none_waiting"))
        return
    labels = {p["id"]: t("custody.transfer_label", id=p["id"], amount=ui.tonnes(p["amount"]), instrument=p["instrument"],
                         to=_account_name(p["to"])) for p in pending}
    st.markdown("\n".join(t("custody.waiting_line", label=labels[p["id"]], initiator=_account_name(p["initiator"]),
                             expires=ui.kst(p["expires"])) for p in pending))
    with st.form("custody_waiting"):
        chosen = st.selectbox(t("custody.waiting_transfer"), list(labels), format_func=labels.get, key="custody_chosen")
        left, right = st.columns(2)
        approve = left.form_submit_button(t("custody.approve"), type="primary", disabled=not may_approve)
        cancel = right.form_submit_button(t("custody.cancel"))
    confirm.pending(_WAITING, user.signer)
    transfer = next((p for p in pending if p["id"] == chosen), None)
    if transfer is None or not (approve or cancel):
        return
    fields = {"id": chosen, "amount": ui.tonnes(transfer["amount"]), "instrument": transfer["instrument"],
              "name": _account_name(transfer["to"]), "address": transfer["to"]}
    if approve:
        confirm.ask(_WAITING, t("custody.confirm_approve", **fields), CustodyApprove(int(chosen)),
                    doing=t("custody.doing_approve", id=chosen), done=lambda c: t("custody.approved", id=chosen, height=c.height))
    else:
        confirm.ask(_WAITING, t("custody.confirm_cancel", **fields), CustodyCancel(int(chosen)),
                    doing=t("custody.doing_cancel", id=chosen), done=lambda c: t("custody.cancelled", id=chosen, height=c.height))


def _transfer_status(status: str) -> str:
    return ui.coded("custody.transfer_status", status, TRANSFER_STATUSES)


def _account_name(address: str) -> str:
    """A registered account's name with the start of its address; the address alone when the registry has no name."""
    try:
        name = (cache.account_record(address) or {}).get("name")
    except ChainError:
        name = None
    return t("custody.account_named", name=name, address=address[:12]) if name else address


def _initiate(user, answer: dict[str, Any]) -> None:
    with st.form("custody_initiate"):
        st.markdown(t("custody.initiate_intro"))
        to = st.text_input(t("custody.recipient"), key="custody_to").strip()
        instrument = st.text_input(t("common.instrument"), value="KAU25", key="custody_instrument").strip()
        amount = int(st.number_input(t("common.tonnes_label"), min_value=1, step=1, key="custody_amount"))
        submitted = st.form_submit_button(t("custody.initiate"))
    confirm.pending(_INITIATE, user.signer)
    if not submitted:
        return
    waits = bool(answer.get("under_custody") and answer.get("four_eyes"))
    restated = t("flows.confirm.transfer_waits" if waits else "flows.confirm.transfer", amount=ui.tonnes(amount),
                 instrument=instrument, name=_account_name(to) if to else "—", address=to)
    confirm.ask(_INITIATE, restated, CustodyTransfer(to, instrument, amount), doing=t("custody.doing_initiate"),
                done=lambda c: t("custody.initiated", amount=ui.tonnes(amount), height=c.height, status=_status_of(c)))


def _status_of(commit) -> str:
    result = json.loads(commit.data) if commit.data else {}
    if result.get("status") == "waiting":
        return t("custody.status_waiting", id=result["transfer_id"])
    return t("custody.status_executed")


def _trusted(user, answer: dict[str, Any]) -> None:
    st.subheader(t("custody.trusted"))
    trusted = custody.trusted(answer)
    ui.table(trusted.assign(**{"from": trusted["from"].map(ui.kst)}))
    with st.form("custody_trusted"):
        other = st.text_input(t("custody.trusted_account"), key="custody_trusted_account")
        op = st.selectbox(t("custody.change"), TRUSTED_OPS, help=t("custody.change_help"),
                          format_func=lambda o: t(f"custody.trusted_op.{o}"))
        if st.form_submit_button(t("custody.send_trusted")):
            submit(user.signer, CustodyTrusted(op, other.strip()),
                   doing=t("custody.doing_trusted", op=t(f"custody.trusted_op.{op}"), account=other.strip()[:12]),
                   done=lambda c: t("custody.trusted_done", op=t(f"custody.trusted_op.{op}"), height=c.height))


def _holder_forms(user, answer: dict[str, Any]) -> None:
    with st.form("custody_representative"):
        st.markdown(t("custody.admit_intro"))
        public_key = st.text_input(t("custody.public_key"))
        name = st.text_input(t("custody.name"))
        rights = st.multiselect(t("custody.rights"), ["initiate", "approve"], format_func=lambda r: t(f"custody.right.{r}"),
                                help=t("custody.rights_help"))
        if st.form_submit_button(t("custody.admit")):
            submit(user.signer, representative_message(public_key.strip(), name.strip(), rights),
                   doing=t("custody.doing_admit"), done=lambda c: t("custody.admitted", height=c.height))
    reps = [r["representative"] for r in answer.get("representatives", [])]
    if reps:
        with st.form("custody_remove"):
            chosen = st.selectbox(t("custody.representative"), reps)
            if st.form_submit_button(t("custody.remove")):
                submit(user.signer, CustodyRepresentative("remove", chosen), doing=t("custody.doing_remove"),
                       done=lambda c: t("custody.removed", height=c.height))
    with st.form("custody_settings"):
        st.markdown(t("custody.settings_intro"))
        four_eyes = st.checkbox(t("custody.four_eyes_check"), value=bool(answer.get("four_eyes")))
        limits = answer.get("limits") or {}
        values = {name: st.number_input(t("custody.limit_input", period=t(f"custody.period.{name}")), min_value=0, step=1,
                                        value=int(limits.get(name, 0)), key=f"custody_limit_{name}")
                  for name in custody.LIMITS}
        if st.form_submit_button(t("custody.save")):
            submit(user.signer, settings_with(answer, four_eyes, **{k: int(v) for k, v in values.items()}),
                   doing=t("custody.doing_save"), done=lambda c: t("custody.saved", height=c.height))


def render() -> None:
    user = session.require_role("company", REPRESENTATIVE)
    st.title(t("page.account_security"))
    st.caption(t("custody.caption"))
    flash()
    try:
        account, rights = custody.acting_for(cache.client(), user.signer)
        answer = custody.record(cache.client(), user.signer, account)
    except ChainError as exc:
        show_chain_error(exc, t("custody.doing_record"))
        return
    holder = rights == "holder"
    st.markdown(t("custody.who", account=account, you=t("custody.holder_you") if holder else user.name,
                  rights=t("custody.holder") if holder else _rights(rights)))
    if not answer["under_custody"]:
        st.info(t("custody.not_under_custody"))
    else:
        _overview(answer)
        _waiting(user, answer, may_approve=not holder and "approve" in rights)
    if holder or "initiate" in rights:
        _initiate(user, answer)
    st.subheader(t("custody.representatives"))
    reps = custody.representatives(answer)
    ui.table(reps.assign(rights=reps["rights"].map(_rights),
                         scheduled=reps["scheduled"].map(lambda r: "" if r is None else _rights(r)),
                         **{"from": reps["from"].map(ui.kst)}))
    if holder or rights:
        _trusted(user, answer)
    if holder:
        _holder_forms(user, answer)
    if answer.get("transfers"):
        st.subheader(t("custody.latest_transfers"))
        transfers = custody.transfers(answer)
        ui.table(transfers.assign(initiated=transfers["initiated"].map(ui.kst), expires=transfers["expires"].map(ui.kst),
                                  status=transfers["status"].map(_transfer_status), to=transfers["to"].map(_account_name)))
