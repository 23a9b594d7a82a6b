"""Public page: company and sector emissions over time, substituted readings marked, proofs checked.

Korean law publishes company emissions, so everything here is public chain data: the daily
totals posted by verified sensor devices, their monthly and yearly sums, and each day's
Merkle root, against which anyone can check a single reading. Nothing private is shown. The
daily records of one day (the latest, or the day the visitor picks) are proven against a header
the validators signed (``portal.verified``); the badge under them says at which block.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from .. import cache, charts, proofs, ui, verified
from ..cache import cached
from ..data import chain, emissions, registry

__all__ = ["render"]

_PERIODS = {"Daily": "day", "Monthly": "month", "Yearly": "year"}


def _totals_table(df: pd.DataFrame, label: str, label_title: str) -> pd.DataFrame:
    """Readable summary rows: exact kg, tCO2, readings, substituted and its share (with a marker)."""
    out = pd.DataFrame({
        label_title: df[label],
        "tCO2": df["total_kg"].map(ui.kg_to_t_text),
        "kg": df["total_kg"].map(lambda v: f"{int(v):,}"),
        "readings": df["readings"].map(lambda v: f"{int(v):,}"),
        "substituted": df["substituted"].map(lambda v: f"{int(v):,}"),
        "substituted share": df["substituted_share"].map(lambda v: f"{v:.1%}"),
        "mark": df["substituted"].map(lambda v: "⚠ substituted values" if v else ""),
    })
    return out.reset_index(drop=True)


def _highlight(row: pd.Series) -> list[str]:
    style = "background-color: #fde2e1" if row.get("mark") else ""
    return [style] * len(row)


def _freshness() -> str | None:
    status = cached(chain.chain_status)
    latest = cached(emissions.latest_reports)
    last_day = latest["latest_day"].max() if not latest.empty else None
    c1, c2, c3 = st.columns(3)
    c1.metric("Latest day reported", last_day or "none yet")
    c2.metric("Block height", f"{status.height:,}", help=f"Latest block at {status.time_kst}")
    c3.metric("Reporting companies", f"{len(latest):,}")
    st.caption(f"Chain {status.chain_id}, latest block at {status.time_kst}. Figures are cached for "
               f"{cache.config().ttl_seconds} s.")
    return last_day


def _range(period: str, last_day: str) -> tuple[str | None, str | None]:
    if period != "day":
        return None, None
    end = date.fromisoformat(last_day)
    picked = st.date_input("Days", value=(end - timedelta(days=30), end), max_value=end + timedelta(days=1))
    if isinstance(picked, (tuple, list)) and len(picked) == 2:
        return picked[0].isoformat(), picked[1].isoformat()
    return (end - timedelta(days=30)).isoformat(), end.isoformat()


def _overview(by_sector: pd.DataFrame, by_company: pd.DataFrame) -> None:
    total_kg = int(by_sector["total_kg"].sum())
    readings = int(by_sector["readings"].sum())
    substituted = int(by_sector["substituted"].sum())
    c1, c2, c3 = st.columns(3)
    c1.metric("Total emissions", ui.kg_to_t_text(total_kg), help=f"{total_kg:,} kg CO2")
    c2.metric("Hourly readings", f"{readings:,}")
    c3.metric("Substituted readings", f"{substituted:,} ({substituted / readings:.1%})" if readings else "0")
    if substituted:
        st.warning(f"{substituted:,} of {readings:,} readings are substituted values (missing data filled with the "
                   "mean + 2σ of the valid hours), not measurements. They are marked wherever they appear.")
    tab_sector, tab_company = st.tabs(["By sector", "By company"])
    with tab_sector:
        st.altair_chart(charts.emissions_over_time(by_sector, "sector", "Emissions by sector"), width="stretch")
        sums = by_sector.groupby("sector", as_index=False)[["total_kg", "readings", "substituted", "reports"]].sum()
        sums["substituted_share"] = sums["substituted"] / sums["readings"].where(sums["readings"] > 0)
        sums["substituted_share"] = sums["substituted_share"].fillna(0.0)
        st.subheader("Sector totals")
        st.table(_totals_table(sums.sort_values("total_kg", ascending=False), "sector", "sector")
                 .style.apply(_highlight, axis=1))
    with tab_company:
        st.altair_chart(charts.emissions_over_time(by_company, "company_name", "Emissions by company"), width="stretch")
        per = by_company.groupby(["company_name", "company_id", "sector"], as_index=False, dropna=False)[
            ["total_kg", "readings", "substituted", "reports"]].sum()
        per["substituted_share"] = (per["substituted"] / per["readings"].where(per["readings"] > 0)).fillna(0.0)
        st.subheader("Company totals")
        table = _totals_table(per.sort_values("total_kg", ascending=False), "company_name", "company")
        table.insert(1, "company id", per.sort_values("total_kg", ascending=False)["company_id"].values)
        table.insert(2, "sector", per.sort_values("total_kg", ascending=False)["sector"].values)
        st.dataframe(table.style.apply(_highlight, axis=1), hide_index=True, width="stretch")
        st.altair_chart(charts.substituted_share(per, "company_name", "Share of substituted readings"), width="stretch")
    with st.expander("Every period (table)"):
        ui.table(by_company[["period", "company_name", "company_id", "sector", "total_kg", "total_t", "readings",
                             "substituted", "substituted_share"]])


def _records_table(daily: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "day": daily["day"], "site": daily["site"], "device": daily["device"].map(lambda d: ui.short(d, 10)),
        "total kg": daily["total_kg"].map(lambda v: f"{int(v):,}"), "tCO2": daily["total_kg"].map(ui.kg_to_t_text),
        "readings": daily["readings"], "substituted": daily["substituted"],
        "mark": daily["substituted"].map(lambda v: f"⚠ {v} substituted" if v else ""),
        "Merkle root": daily["merkle_root"].map(lambda r: ui.short(r, 16)), "block": daily["height"],
    }).reset_index(drop=True)


def _drilldown() -> None:
    st.header("Company drill-down")
    devices = cached(registry.devices)
    if devices.empty:
        st.info("No sensor devices are registered yet.")
        return
    owners = devices.drop_duplicates("company")[["company", "company_name", "company_id"]]
    labels = {r.company: f"{r.company_name} ({r.company_id or r.company[:10]})" for r in owners.itertuples()}
    company = st.selectbox("Company", list(labels), format_func=labels.get, key="drill_company")
    yearly = cached(emissions.emissions_yearly, company=company)
    monthly = cached(emissions.emissions_monthly, company=company)
    daily = cached(emissions.emissions_daily, company)
    if daily.empty:
        st.info("This company has not reported any day yet.")
        return
    cols = st.columns(max(1, len(yearly)))
    for col, row in zip(cols, yearly.itertuples()):
        col.metric(f"Emissions {row.year}", ui.kg_to_t_text(row.total_kg),
                   help=f"{row.total_kg:,} kg; {row.substituted} of {row.readings} readings substituted")
    with st.expander("Monthly sums"):
        st.table(_totals_table(monthly, "month", "month").style.apply(_highlight, axis=1))
    st.subheader("Daily records")
    st.table(_records_table(daily).style.apply(_highlight, axis=1))
    _verified_day(daily)
    _proof_check(daily)


def _verified_day(daily: pd.DataFrame) -> None:
    """The badge of one day's records of the company: the latest day unless the visitor picks another."""
    days = sorted(daily["day"].unique(), reverse=True)
    day = st.selectbox("Day to verify against the validators' signatures (검증할 날짜)", days, index=0,
                       key=f"verify_day_{daily['company'].iloc[0]}")
    records = daily[daily["day"] == day]
    with st.spinner("Proving the daily totals against a signed header…"):
        check = verified.daily_totals(records)
    verified.show(check, "daily_totals")


def _proof_check(daily: pd.DataFrame) -> None:
    st.subheader("Check a reading against the chain")
    st.caption("Paste or upload the inclusion proof of one reading (as printed by the edge uploader). It is checked "
               "against the Merkle root the chain holds for that device and day.")
    with st.expander("Proof format"):
        st.code(proofs.format_help(), language="text")
    options = list(daily.index)
    label = {i: f"{daily.at[i, 'day']} · {daily.at[i, 'site']} · device {ui.short(daily.at[i, 'device'], 10)}"
             for i in options}
    with st.form("proof_check"):
        chosen = st.selectbox("Daily record (used when the proof does not name device and day)", options,
                              format_func=label.get, index=len(options) - 1)
        text = st.text_area("Proof JSON", height=160, key="proof_text")
        upload = st.file_uploader("…or upload a proof file", type=["json"])
        submitted = st.form_submit_button("Check proof")
    if not submitted:
        return
    raw = upload.getvalue() if upload is not None else text
    try:
        proof = proofs.parse_proof(raw)
    except proofs.ProofError as exc:
        st.error(f"The proof cannot be read: {exc}")
        return
    record = daily.loc[chosen]
    if proof.device and proof.day:
        found = cached(emissions.emissions_daily, device=proof.device, start=proof.day, end=proof.day)
        if found.empty:
            st.error(f"The chain holds no daily total of device {proof.device} for {proof.day}.")
            return
        record = found.iloc[0]
    result = proofs.verify_inclusion(proof, record["merkle_root"], device=record["device"])
    where = f"device {record['device']} on {record['day']} (block {record['height']})"
    if result.ok:
        st.success(f"{result.message}  \nRecord: {where}; root {record['merkle_root']}")
        if proof.reading:
            kind = "a SUBSTITUTED value" if proof.reading.get("substituted") else "a measurement"
            st.markdown(f"Reading #{proof.reading.get('seq')}: **{int(proof.reading.get('co2_kg', 0)):,} kg CO2**, {kind}.")
        device = cache.account_record(record["device"]) or {}
        signed = proofs.verify_signature(proof, device.get("public_key", "00" * 32))
        if signed is True:
            st.success("The reading's signature verifies with the device key registered on chain.")
        elif signed is False:
            st.error("The reading's signature does NOT verify with the device key registered on chain.")
    else:
        st.error(f"{result.message}  \nRecord: {where}; on-chain root {record['merkle_root']}"
                 + (f"; the proof leads to {result.computed_root}" if result.computed_root else ""))


def render() -> None:
    st.title("Emission transparency")
    st.caption("Company emissions are public under the K-ETS Act. Source: daily totals (kg CO2) posted on chain by "
               "sensor devices that a verification body registered for each company site.")
    last_day = _freshness()
    if last_day is None:
        st.info("No emissions have been reported on chain yet.")
        return
    choice = st.radio("Period", list(_PERIODS), index=1, horizontal=True)
    period = _PERIODS[choice]
    start, end = _range(period, last_day)
    with st.spinner("Reading emissions from the chain…"):
        by_sector = cached(emissions.emissions_by_sector, period, start, end)
        by_company = cached(emissions.emissions_by_company, period, start, end)
    if by_sector.empty:
        st.info("No emissions in this range.")
    else:
        _overview(by_sector, by_company)
    _drilldown()
