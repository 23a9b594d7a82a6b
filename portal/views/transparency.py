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
from ..i18n import t
from ..cache import cached
from ..data import chain, emissions, registry

__all__ = ["render"]

_PERIODS = {"day": "transparency.period_day", "month": "transparency.period_month", "year": "transparency.period_year"}


def _totals_table(df: pd.DataFrame, label: str, label_title: str) -> pd.DataFrame:
    """Readable summary rows: exact kg, tCO2, readings, substituted and its share (with a marker)."""
    out = pd.DataFrame({
        t(f"transparency.col_{label_title}"): df[label],
        t("transparency.col_tco2"): df["total_kg"].map(ui.kg_to_t_text),
        t("transparency.col_kg"): df["total_kg"].map(ui.number),
        t("transparency.col_readings"): df["readings"].map(ui.number),
        t("transparency.col_substituted"): df["substituted"].map(ui.number),
        t("transparency.col_share"): df["substituted_share"].map(lambda v: f"{v:.1%}"),
        _MARK: df["substituted"].map(lambda v: t("transparency.mark_substituted") if v else ""),
    })
    return out.reset_index(drop=True)


_MARK = "⚠"  # the marker column's heading (the same in both languages)


def _highlight(row: pd.Series) -> list[str]:
    style = "background-color: #fde2e1" if row.get(_MARK) else ""
    return [style] * len(row)


def _freshness() -> str | None:
    status = cached(chain.chain_status)
    latest = cached(emissions.latest_reports)
    last_day = latest["latest_day"].max() if not latest.empty else None
    c1, c2, c3 = st.columns(3)
    c1.metric(t("transparency.latest_day"), last_day or t("common.none_yet"))
    c2.metric(t("transparency.latest_block"), ui.kst(status.time), help=t("transparency.latest_block_help",
                                                                          height=ui.number(status.height)))
    c3.metric(t("transparency.reporting_companies"), ui.number(len(latest)))
    st.caption(t("common.cached_for", chain=status.chain_id, time=ui.kst(status.time, seconds=True),
                 seconds=cache.config().ttl_seconds))
    return last_day


def _range(period: str, last_day: str) -> tuple[str | None, str | None]:
    if period != "day":
        return None, None
    end = date.fromisoformat(last_day)
    picked = st.date_input(t("transparency.days"), value=(end - timedelta(days=30), end), max_value=end + timedelta(days=1))
    if isinstance(picked, (tuple, list)) and len(picked) == 2:
        return picked[0].isoformat(), picked[1].isoformat()
    return (end - timedelta(days=30)).isoformat(), end.isoformat()


def _overview(by_sector: pd.DataFrame, by_company: pd.DataFrame) -> None:
    total_kg = int(by_sector["total_kg"].sum())
    readings = int(by_sector["readings"].sum())
    substituted = int(by_sector["substituted"].sum())
    c1, c2, c3 = st.columns(3)
    c1.metric(t("transparency.total"), ui.kg_to_t_text(total_kg), help=t("transparency.total_help", kg=ui.number(total_kg)))
    c2.metric(t("transparency.readings"), ui.number(readings))
    c3.metric(t("transparency.substituted"), f"{substituted:,} ({substituted / readings:.1%})" if readings else "0")
    if substituted:
        st.warning(t("transparency.substituted_warning", substituted=ui.number(substituted), readings=ui.number(readings)))
    tab_sector, tab_company = st.tabs([t("transparency.by_sector"), t("transparency.by_company")])
    with tab_sector:
        st.altair_chart(charts.emissions_over_time(by_sector, "sector", t("transparency.chart_sector")), width="stretch")
        sums = by_sector.groupby("sector", as_index=False)[["total_kg", "readings", "substituted", "reports"]].sum()
        sums["substituted_share"] = sums["substituted"] / sums["readings"].where(sums["readings"] > 0)
        sums["substituted_share"] = sums["substituted_share"].fillna(0.0)
        st.subheader(t("transparency.sector_totals"))
        st.table(_totals_table(sums.sort_values("total_kg", ascending=False), "sector", "sector")
                 .style.apply(_highlight, axis=1))
    with tab_company:
        st.altair_chart(charts.emissions_over_time(by_company, "company_name", t("transparency.chart_company")), width="stretch")
        per = by_company.groupby(["company_name", "company_id", "sector"], as_index=False, dropna=False)[
            ["total_kg", "readings", "substituted", "reports"]].sum()
        per["substituted_share"] = (per["substituted"] / per["readings"].where(per["readings"] > 0)).fillna(0.0)
        st.subheader(t("transparency.company_totals"))
        table = _totals_table(per.sort_values("total_kg", ascending=False), "company_name", "company")
        table.insert(1, t("transparency.col_sector"), per.sort_values("total_kg", ascending=False)["sector"].values)
        st.dataframe(table.style.apply(_highlight, axis=1), hide_index=True, width="stretch")
        st.altair_chart(charts.substituted_share(per, "company_name", t("transparency.chart_substituted")), width="stretch")
    with st.expander(t("transparency.every_period")):
        ui.table(by_company[["period", "company_name", "sector", "total_kg", "total_t", "readings", "substituted",
                             "substituted_share"]])


def _records_table(daily: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        t("transparency.col_day"): daily["day"], t("transparency.col_site"): daily["site"],
        t("transparency.col_device"): daily["device"].map(lambda d: ui.short(d, 10)),
        t("transparency.col_kg"): daily["total_kg"].map(ui.number), t("transparency.col_tco2"): daily["total_kg"].map(ui.kg_to_t_text),
        t("transparency.col_readings"): daily["readings"], t("transparency.col_substituted"): daily["substituted"],
        _MARK: daily["substituted"].map(lambda v: t("transparency.mark_n_substituted", n=v) if v else ""),
        t("transparency.col_merkle"): daily["merkle_root"].map(lambda r: ui.short(r, 16)),
        t("transparency.col_time"): daily["time"].map(ui.kst),
    }).reset_index(drop=True)


def _drilldown() -> None:
    st.header(t("transparency.drilldown"))
    devices = cached(registry.devices)
    if devices.empty:
        st.info(t("transparency.no_devices"))
        return
    owners = devices.drop_duplicates("company")[["company", "company_name", "company_id"]]
    labels = {r.company: r.company_name or r.company_id or ui.short(r.company, 10) for r in owners.itertuples()}
    company = st.selectbox(t("common.company"), list(labels), format_func=labels.get, key="drill_company")
    yearly = cached(emissions.emissions_yearly, company=company)
    monthly = cached(emissions.emissions_monthly, company=company)
    daily = cached(emissions.emissions_daily, company)
    if daily.empty:
        st.info(t("transparency.no_day"))
        return
    cols = st.columns(max(1, len(yearly)))
    for col, row in zip(cols, yearly.itertuples()):
        col.metric(t("transparency.emissions_year", year=row.year), ui.kg_to_t_text(row.total_kg),
                   help=t("transparency.emissions_year_help", kg=ui.number(row.total_kg), substituted=row.substituted,
                          readings=row.readings))
    with st.expander(t("transparency.monthly")):
        st.table(_totals_table(monthly, "month", "month").style.apply(_highlight, axis=1))
    st.subheader(t("transparency.daily_records"))
    st.table(_records_table(daily).style.apply(_highlight, axis=1))
    _verified_day(daily)
    _proof_check(daily)


def _verified_day(daily: pd.DataFrame) -> None:
    """The badge of one day's records of the company: the latest day unless the visitor picks another."""
    days = sorted(daily["day"].unique(), reverse=True)
    day = st.selectbox(t("transparency.verify_day"), days, index=0,
                       key=f"verify_day_{daily['company'].iloc[0]}")
    records = daily[daily["day"] == day]
    with st.spinner(t("transparency.proving")):
        check = verified.daily_totals(records)
    verified.show(check, "daily_totals")


def _proof_check(daily: pd.DataFrame) -> None:
    st.subheader(t("transparency.proof_title"))
    st.caption(t("transparency.proof_caption"))
    with st.expander(t("transparency.proof_format")):
        st.code(proofs.format_help(), language="text")
    options = list(daily.index)
    label = {i: t("transparency.record_label", day=daily.at[i, "day"], site=daily.at[i, "site"],
                  device=ui.short(daily.at[i, "device"], 10)) for i in options}
    with st.form("proof_check"):
        chosen = st.selectbox(t("transparency.record_choice"), options,
                              format_func=label.get, index=len(options) - 1)
        text = st.text_area(t("transparency.proof_json"), height=160, key="proof_text")
        upload = st.file_uploader(t("transparency.proof_upload"), type=["json"])
        submitted = st.form_submit_button(t("transparency.check_proof"))
    if not submitted:
        return
    raw = upload.getvalue() if upload is not None else text
    try:
        proof = proofs.parse_proof(raw)
    except proofs.ProofError as exc:
        st.error(t("transparency.proof_unreadable", error=exc))
        return
    record = daily.loc[chosen]
    if proof.device and proof.day:
        found = cached(emissions.emissions_daily, device=proof.device, start=proof.day, end=proof.day)
        if found.empty:
            st.error(t("transparency.no_daily_total", device=proof.device, day=proof.day))
            return
        record = found.iloc[0]
    result = proofs.verify_inclusion(proof, record["merkle_root"], device=record["device"])
    where = t("transparency.where", device=record["device"], day=record["day"], time=ui.kst(record["time"]))
    if result.ok:
        st.success(t("transparency.proof_ok", message=result.message, where=where, root=record["merkle_root"]))
        if proof.reading:
            kind = t("transparency.reading_substituted" if proof.reading.get("substituted") else "transparency.reading_measured")
            st.markdown(t("transparency.reading_line", seq=proof.reading.get("seq"),
                          kg=ui.number(proof.reading.get("co2_kg", 0)), kind=kind))
        device = cache.account_record(record["device"]) or {}
        signed = proofs.verify_signature(proof, device.get("public_key", "00" * 32))
        if signed is True:
            st.success(t("transparency.signature_ok"))
        elif signed is False:
            st.error(t("transparency.signature_bad"))
    else:
        st.error(t("transparency.proof_failed", message=result.message, where=where, root=record["merkle_root"])
                 + (t("transparency.proof_leads_to", root=result.computed_root) if result.computed_root else ""))


def render() -> None:
    st.title(t("page.transparency"))
    st.caption(t("transparency.caption"))
    last_day = _freshness()
    if last_day is None:
        st.info(t("transparency.none_reported"))
        return
    period = st.radio(t("transparency.period"), list(_PERIODS), index=1, horizontal=True,
                      format_func=lambda p: t(_PERIODS[p]))
    start, end = _range(period, last_day)
    with st.spinner(t("transparency.reading")):
        by_sector = cached(emissions.emissions_by_sector, period, start, end)
        by_company = cached(emissions.emissions_by_company, period, start, end)
    if by_sector.empty:
        st.info(t("transparency.none_in_range"))
    else:
        _overview(by_sector, by_company)
    _drilldown()
