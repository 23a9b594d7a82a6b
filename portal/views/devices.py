"""Verifier page: the sensor devices registered for each company site (public registry data)."""

from __future__ import annotations

import streamlit as st

from .. import session, ui
from ..cache import cached
from ..data import registry
from ..i18n import t

__all__ = ["render"]


def render() -> None:
    session.require_role("verifier", "government")
    st.title(t("page.devices"))
    st.caption(t("devices.caption"))
    devices = cached(registry.devices)
    if devices.empty:
        st.info(t("devices.none"))
        return
    companies = ["", *sorted(devices["company_name"].dropna().unique())]
    chosen = st.selectbox(t("common.company"), companies, key="devices_company",
                          format_func=lambda c: c or t("common.all_companies"))
    shown = devices if not chosen else devices[devices["company_name"] == chosen]
    c1, c2 = st.columns(2)
    c1.metric(t("devices.devices"), ui.number(len(shown)))
    c2.metric(t("devices.companies"), ui.number(shown["company"].nunique()))
    ui.table(shown[["company_name", "site", "device", "measures", "unit", "registered_by_name", "since"]]
             .assign(since=shown["since"].map(ui.kst)))
