"""Verifier page: the sensor devices registered for each company site (public registry data)."""

from __future__ import annotations

import streamlit as st

from .. import session, ui
from ..cache import cached
from ..data import registry

__all__ = ["render"]


def render() -> None:
    session.require_role("verifier", "government")
    st.title("Devices")
    st.caption("Edge devices admitted by a verification body; each may report only its own company site.")
    devices = cached(registry.devices)
    if devices.empty:
        st.info("No device is registered yet.")
        return
    companies = ["all companies", *sorted(devices["company_name"].dropna().unique())]
    chosen = st.selectbox("Company", companies, key="devices_company")
    shown = devices if chosen == "all companies" else devices[devices["company_name"] == chosen]
    c1, c2 = st.columns(2)
    c1.metric("Devices", f"{len(shown):,}")
    c2.metric("Companies", f"{shown['company'].nunique():,}")
    ui.table(shown[["company_name", "company_id", "site", "device", "measures", "unit", "registered_by_name", "since"]])
