"""How a page proves what it shows and the badge it shows beside it (in the visitor's language).

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
from .i18n import t

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


SUBJECTS = ("holdings", "daily_totals")  # what a badge can be about: its name is ``badge.subject.<subject>``


def badge_text(check: Verification, subject: str) -> str:
    """What the badge says (Markdown, in the visitor's language) about one of ``SUBJECTS``."""
    if subject not in SUBJECTS:
        raise ValueError(f"no badge for {subject!r}: one of {', '.join(SUBJECTS)}")
    name = t(f"badge.subject.{subject}")
    block = check.block
    if check.status == proofs.VERIFIED and block is None:
        return t("badge.nothing", subject=name)
    if check.status == proofs.VERIFIED:
        return t("badge.verified", Subject=f"{name[:1].upper()}{name[1:]}", block=block.block,
                 validators=block.validators, signers=block.signers)
    if check.status == proofs.DISCREPANCY:
        lines = "\n".join("- " + t("badge.discrepancy_line", what=d.what, shown=d.shown, proven=d.proven)
                          for d in check.discrepancies)
        return t("badge.discrepancy", subject=name, block=block.block, validators=block.validators,
                 signers=block.signers) + f"\n\n{lines}"
    if check.status == proofs.UNTRUSTED:
        return t("badge.untrusted")
    if check.unreachable:
        return t("badge.unreachable", subject=name)
    return t("badge.failed", subject=name, failure=check.failure)


def show(check: Verification, subject: str) -> None:
    """The badge under the figures it is about: success, warning (no trust configured) or error."""
    text = badge_text(check, subject)
    if check.status == proofs.VERIFIED:
        st.success(text, icon=":material/verified:")
        if check.block is not None:
            b = check.block
            st.caption(t("badge.verified_detail", checked=check.checked, app_hash=b.app_hash[:16], block=b.block,
                         time=b.time_kst, signed=b.signed_power, total=b.total_power))
    elif check.status == proofs.UNTRUSTED:
        st.warning(text, icon=":material/gpp_maybe:")
    else:
        st.error(text, icon=":material/gpp_bad:")
