"""Market stabilisation (시장안정화조치, Decree Art. 38): the triggers the chain computed today from its own
market data and the hash-committed reference series, their inputs, the result recomputed here from those
inputs, and the measures in force and past. Everything on this page is public."""

from __future__ import annotations

import streamlit as st

from .. import ui
from ..cache import cached
from ..data import auctions
from ..data._base import to_kst

__all__ = ["render"]

_TRIGGERS = {"price_surge": "price ≥ 3× the two-year average for 6 months · 6개월 연속 3배",
             "volume_and_price": "volume ≥ 2× the same month and price ≥ 2× · 거래량 2배·가격 2배",
             "price_slump": "price ≤ 60% of the two-year average · 60% 이하"}


def render() -> None:
    st.title("Market stabilisation")
    st.caption("시장안정화조치 · computed by the chain every KST day in block time; a tripped trigger makes the chain "
               "propose a measure, which runs only when officials approve it (m-of-n) and ends by rule")
    overview = cached(auctions.stabilisation)
    day = overview["latest"]
    series = overview["series"]
    st.markdown("**Reference series** · 기준 시계열: " + (f"{series['months']} months, SHA-256 `{series['sha256']}` "
                f"(proposal {series['proposal_id']}; {series['source']})" if series else "not set yet"))
    if day is None:
        st.info("No evaluation yet: the chain evaluates once the market has its first order or the series is set.")
    else:
        st.subheader(f"Triggers on {day['day']} (month {day['month']}) · 발동 요건")
        rows = auctions.trigger_rows(day)
        rows["rule"] = rows["trigger"].map(_TRIGGERS)
        ui.table(rows[["trigger", "rule", "tripped", "inputs", "missing", "recomputed"]])
        same = bool((rows["tripped"] == rows["recomputed"]).all())
        (st.success if same else st.error)("Recomputed here from the published inputs: " +
                                           ("the same result." if same else "a DIFFERENT result than the chain's."))
        if day["proposals"]:
            st.warning("The chain proposed: " + "; ".join(
                f"{p['measure']} (proposal {p['proposal_id']})" if "proposal_id" in p else f"{p['trigger']}: {p['refused']}"
                for p in day["proposals"]))
        with st.expander("Monthly statistics used · 월별 통계"):
            ui.table(auctions.month_rows(day))
    st.subheader("Measures · 안정화 조치")
    for m in overview["active"]:
        st.info(f"In force: measure {m['id']} — {m['kind']} {m.get('param')} = {m.get('value'):,} "
                f"(was {m.get('previous'):,}) until {to_kst(m['expires']):%Y-%m-%d %H:%M} KST")
    history = cached(auctions.measures)
    if history.empty:
        st.caption("No measure has been applied.")
    else:
        ui.table(history)
