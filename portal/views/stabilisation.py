"""Market stabilisation (시장안정화조치, Decree Art. 38): the triggers the chain computed today from its own
market data and the hash-committed reference series, their inputs, the result recomputed here from those
inputs, and the measures in force and past. Everything on this page is public."""

from __future__ import annotations

import streamlit as st

from .. import ui
from ..cache import cached
from ..data import auctions
from ..i18n import t

__all__ = ["render"]

_TRIGGERS = ("price_surge", "volume_and_price", "price_slump")


def _rule(trigger: str) -> str:
    return ui.coded("stabilisation.trigger", trigger, _TRIGGERS)


def _yes_no(value) -> str:
    return value if not isinstance(value, bool) else t("stabilisation.yes" if value else "stabilisation.no")


def render() -> None:
    st.title(t("page.stabilisation"))
    st.caption(t("stabilisation.caption"))
    overview = cached(auctions.stabilisation)
    day = overview["latest"]
    series = overview["series"]
    st.markdown(t("stabilisation.series", text=t("stabilisation.series_set", months=series["months"], sha=series["sha256"],
                                                 proposal=series["proposal_id"], source=series["source"])
                  if series else t("stabilisation.series_unset")))
    if day is None:
        st.info(t("stabilisation.no_evaluation"))
    else:
        st.subheader(t("stabilisation.triggers_on", day=day["day"], month=day["month"]))
        rows = auctions.trigger_rows(day)
        same = bool((rows["tripped"] == rows["recomputed"]).all())
        rows["rule"] = rows["trigger"].map(_rule)
        shown = rows.assign(tripped=rows["tripped"].map(_yes_no), recomputed=rows["recomputed"].map(_yes_no))
        ui.table(shown[["trigger", "rule", "tripped", "inputs", "missing", "recomputed"]])
        (st.success if same else st.error)(t("stabilisation.recomputed", result=t(
            "stabilisation.same" if same else "stabilisation.different")))
        if day["proposals"]:
            st.warning(t("stabilisation.proposed", list="; ".join(
                t("stabilisation.proposal_item", measure=p["measure"], proposal=p["proposal_id"]) if "proposal_id" in p
                else f"{_rule(p['trigger'])}: {p['refused']}" for p in day["proposals"])))
        with st.expander(t("stabilisation.monthly")):
            ui.table(auctions.month_rows(day))
    st.subheader(t("stabilisation.measures"))
    for m in overview["active"]:
        st.info(t("stabilisation.in_force", id=m["id"], kind=m["kind"], param=m.get("param"), value=f"{m.get('value'):,}",
                  previous=f"{m.get('previous'):,}", until=ui.kst(m["expires"])))
    history = cached(auctions.measures)
    if history.empty:
        st.caption(t("stabilisation.no_measure"))
    else:
        ui.table(history.assign(applied=history["applied"].map(ui.kst), expires=history["expires"].map(ui.kst)))
