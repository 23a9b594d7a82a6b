"""How a page proves what it shows and the badge it shows beside it (Korean and English).

The checks are ``portal.data.verified``'s, run in the portal process by its one light client
(``portal.cache.light_client``: trusting only the genesis file ``ETS_PORTAL_GENESIS`` names,
keeping its verified headers in ``ETS_PORTAL_LIGHT_STORE/<chain id>-<genesis digest>.json``,
default folder ``./.portal/light``, so later checks and later runs start from the newest trusted
header).

    holdings(user)          the company's balances frame and their ``Verification`` (never cached)
    daily_totals(records)   the ``Verification`` of shown daily totals (public: cached ETS_PORTAL_TTL s)
    show(check, subject)    the badge: "verified against block N, signed by k of n validators", or
                            the discrepancy, what failed, or that no genesis is trusted
    badge_text(check, subject)  its words (Markdown), for ``show`` and for tests

Without ``ETS_PORTAL_GENESIS`` nothing is shown as verified: the badge says so and names the
setting. A failed check never stops the page, and its text never names the RPC address.
"""

from __future__ import annotations

import logging
from typing import Any, Iterable, Mapping

import pandas as pd
import streamlit as st

from . import cache
from .auth import PortalUser
from .data import verified as proofs
from .data.holdings import balances
from .data.verified import Verification

__all__ = ["SUBJECTS", "holdings", "daily_totals", "show", "badge_text"]

_LOG = logging.getLogger(__name__)
_RECORD_COLUMNS = ("device", "day", "total_kg", "readings", "substituted", "merkle_root")
_GENESIS_ERRORS = (OSError, ValueError, KeyError, TypeError)


def _genesis_failure(exc: Exception) -> Verification:
    _LOG.warning("the trusted genesis %s cannot be used: %r", cache.config().genesis, exc)
    return proofs.failed(f"the trusted genesis file (ETS_PORTAL_GENESIS) cannot be read as a genesis "
                         f"({type(exc).__name__}); the portal's log names the file and the error")


def holdings(user: PortalUser) -> tuple[pd.DataFrame, Verification]:
    """The logged-in company's balances (a signed query) and their proof at one height; never cached.

    Raises what ``portal.data.holdings.balances`` raises when the balances cannot be read at all."""
    try:
        light = cache.light_client()
    except _GENESIS_ERRORS as exc:
        return balances(cache.client(), user.address, user.signer), _genesis_failure(exc)
    if light is None:
        return balances(cache.client(), user.address, user.signer), proofs.untrusted()
    return proofs.verified_balances(cache.client(), light, user.address, user.signer)


def daily_totals(records: pd.DataFrame | Iterable[Mapping[str, Any]]) -> Verification:
    """The proof of shown daily totals (the first ``MAX_RECORDS``); public, so cached for ETS_PORTAL_TTL s."""
    rows = records.to_dict("records") if isinstance(records, pd.DataFrame) else list(records)
    key = tuple(tuple((c, _plain(r.get(c))) for c in _RECORD_COLUMNS) for r in rows[:proofs.MAX_RECORDS])
    try:
        return cache.verified_daily_totals(key)
    except _GENESIS_ERRORS as exc:
        return _genesis_failure(exc)


def _plain(value: Any) -> Any:
    """A hashable, picklable plain value (numpy integers from a DataFrame become int)."""
    if value is None or isinstance(value, str):
        return value
    try:
        return int(value)
    except (TypeError, ValueError):
        return str(value)


SUBJECTS = {"holdings": ("보유량", "holdings"), "daily_totals": ("일별 배출량", "daily totals")}  # (Korean, English)


def badge_text(check: Verification, subject: str) -> str:
    """What the badge says (Markdown; Korean first, then English) about a ``SUBJECTS`` entry."""
    ko, en = SUBJECTS[subject]
    block = check.block
    if check.status == proofs.VERIFIED and block is None:
        return f"검증할 {ko}이 없습니다.  \nNothing to verify: no {en} are shown."
    if check.status == proofs.VERIFIED:
        return (f"{ko}: 블록 {block.block} 기준 검증됨, 검증인 {block.validators}명 중 {block.signers}명 서명  \n"
                f"{en[:1].upper()}{en[1:]} verified against block {block.block}, signed by {block.signers} of "
                f"{block.validators} validators")
    if check.status == proofs.DISCREPANCY:
        lines = "\n".join(f"- {d.what}: shown {d.shown}, proven {d.proven}" for d in check.discrepancies)
        return (f"불일치: 노드가 보여준 {ko}이 블록 {block.block} 기준으로 검증된 값과 다릅니다. 위 수치를 믿지 마십시오.  \n"
                f"Discrepancy: the {en} the node showed differ from the values proven against block {block.block} "
                f"(signed by {block.signers} of {block.validators} validators). Do not rely on the figures above.\n\n"
                f"{lines}")
    if check.status == proofs.UNTRUSTED:
        return ("검증되지 않음: 신뢰할 제네시스가 설정되지 않았습니다 (ETS_PORTAL_GENESIS). 위 수치는 노드의 응답이며 "
                "검증인 서명으로 확인하지 않았습니다.  \n"
                "Not verified: no trusted genesis configured (ETS_PORTAL_GENESIS). The figures above are the node's "
                "answer, not checked against the validators' signatures.")
    if check.unreachable:
        return (f"검증 실패: 체인 노드에 연결할 수 없어 {ko}을 검증하지 못했습니다. 잠시 후 다시 시도하십시오.  \n"
                f"Not verified: the chain node could not be reached to verify the {en}. Try again in a moment.")
    return (f"검증 실패: {ko}을 검증인 서명으로 확인하지 못했습니다. 위 수치를 믿지 마십시오.  \n"
            f"Not verified: the {en} could not be proven against a header the validators signed: {check.failure}")


def show(check: Verification, subject: str) -> None:
    """The badge under the figures it is about: success, warning (no trust configured) or error."""
    text = badge_text(check, subject)
    if check.status == proofs.VERIFIED:
        st.success(text, icon=":material/verified:")
        if check.block is not None:
            b = check.block
            st.caption(f"{check.checked} value(s) proven with Merkle proofs against the app hash {b.app_hash[:16]}… "
                       f"of block {b.block:,} ({b.time_kst}), signed with power {b.signed_power} of {b.total_power}; "
                       "checked in the portal by its light client from the trusted genesis, not taken from the node.")
    elif check.status == proofs.UNTRUSTED:
        st.warning(text, icon=":material/gpp_maybe:")
    else:
        st.error(text, icon=":material/gpp_bad:")
