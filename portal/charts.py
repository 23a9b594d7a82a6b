"""Altair charts of the portal, as functions of the data layer's DataFrames (``portal.data``).

Charts show tonnes CO2 (``total_t``) or allowances (whole tonnes); substituted readings are
always drawn in their own colour so they never pass for measurements. Axis and legend titles come from the
text catalogue (``chart.*`` keys), so a chart speaks the visitor's language.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from .i18n import t

__all__ = ["emissions_over_time", "substituted_share", "allocation_by_sector", "allocation_comparison", "price_chart",
           "volume_chart", "depth_chart", "BID_COLOUR", "ASK_COLOUR"]

SUBSTITUTED_COLOUR = "#d62728"
BID_COLOUR, ASK_COLOUR = "#2e7d32", "#c62828"


def emissions_over_time(df: pd.DataFrame, colour: str, title: str) -> alt.Chart:
    """Stacked bars of ``total_t`` per ``period``, one colour per ``colour`` (sector or company name)."""
    return (
        alt.Chart(df, title=title)
        .mark_bar()
        .encode(
            x=alt.X("period:O", title=None, sort="ascending"),
            y=alt.Y("sum(total_t):Q", title=t("chart.tco2")),
            color=alt.Color(f"{colour}:N", title=t(f"col.{colour}")),
            tooltip=["period", colour, alt.Tooltip("total_t:Q", format=",.3f", title=t("chart.tco2")),
                     "readings", "substituted", alt.Tooltip("substituted_share:Q", format=".1%", title=t("col.substituted_share"))],
        )
    )


def substituted_share(df: pd.DataFrame, label: str, title: str) -> alt.Chart:
    """Share of substituted readings per ``label`` (companies or sectors); any share above zero is red."""
    data = df.assign(has_substitutes=df["substituted"] > 0)
    return (
        alt.Chart(data, title=title)
        .mark_bar()
        .encode(
            x=alt.X("substituted_share:Q", title=t("chart.substituted_share"), axis=alt.Axis(format="%"),
                    scale=alt.Scale(domain=[0, max(0.05, float(data["substituted_share"].max() or 0))])),
            y=alt.Y(f"{label}:N", title=None, sort="-x"),
            color=alt.condition("datum.has_substitutes", alt.value(SUBSTITUTED_COLOUR), alt.value("#4c78a8")),
            tooltip=[label, "readings", "substituted", alt.Tooltip("substituted_share:Q", format=".2%")],
        )
    )


def allocation_by_sector(df: pd.DataFrame, title: str) -> alt.Chart:
    """Allowances per sector, one colour per vintage (from ``portal.data.allocations.plan_sector_totals``)."""
    return (
        alt.Chart(df, title=title)
        .mark_bar()
        .encode(
            x=alt.X("amount:Q", title=t("chart.allowances")),
            y=alt.Y("sector:N", title=None, sort="-x"),
            color=alt.Color("vintage:N", title=t("col.vintage")),
            tooltip=["sector", "vintage", alt.Tooltip("amount:Q", format=","), "companies"],
        )
    )


def allocation_comparison(df: pd.DataFrame, title: str) -> alt.Chart:
    """Each company's allocation next to its historical average emissions (tonnes)."""
    long = df.melt(id_vars=["company"], value_vars=["allocation", "historical average"], var_name="figure",
                   value_name="tonnes").dropna()
    long["figure"] = long["figure"].map({"allocation": t("chart.figure_allocation"),
                                         "historical average": t("chart.figure_history")})
    return (
        alt.Chart(long, title=title)
        .mark_bar()
        .encode(
            y=alt.Y("company:N", title=None),
            yOffset="figure:N",
            x=alt.X("tonnes:Q", title=t("chart.tonnes")),
            color=alt.Color("figure:N", title=None),
            tooltip=[alt.Tooltip("company:N", title=t("chart.company")), alt.Tooltip("figure:N", title=t("chart.figure")),
                     alt.Tooltip("tonnes:Q", format=",", title=t("chart.tonnes"))],
        )
    )


def price_chart(df: pd.DataFrame, day: str, title: str) -> alt.Chart:
    """Daily close (line) with the day's low–high range (rule) where the day had trades."""
    base = alt.Chart(df, title=title).encode(x=alt.X(f"{day}:T", title=None))
    traded = df[df["volume"] > 0]
    ranges = alt.Chart(traded).mark_rule(color="#9e9e9e").encode(
        x=alt.X(f"{day}:T"), y=alt.Y("low:Q"), y2="high:Q")
    line = base.mark_line(point=True).encode(
        y=alt.Y("close:Q", title=t("chart.krw_per_t"), scale=alt.Scale(zero=False), axis=alt.Axis(format=",d")),
        tooltip=[alt.Tooltip(f"{day}:T", title=t("chart.day")), alt.Tooltip("close:Q", format=","),
                 alt.Tooltip("high:Q", format=","), alt.Tooltip("low:Q", format=","), alt.Tooltip("volume:Q", format=",")])
    return ranges + line


def volume_chart(df: pd.DataFrame, day: str, title: str) -> alt.Chart:
    """Tonnes traded per day."""
    return alt.Chart(df, title=title).mark_bar().encode(
        x=alt.X(f"{day}:T", title=None), y=alt.Y("volume:Q", title=t("chart.tonnes"), axis=alt.Axis(format=",d")),
        tooltip=[alt.Tooltip(f"{day}:T", title=t("chart.day")),
                 alt.Tooltip("volume:Q", format=",", title=t("chart.tonnes"))])


def depth_chart(book: pd.DataFrame, title: str) -> alt.Chart:
    """The aggregated book: tonnes at each price, bids and asks in their own colours."""
    return alt.Chart(book, title=title).mark_bar().encode(
        y=alt.Y("price:O", title=t("chart.krw_per_t"), sort="descending", axis=alt.Axis(labelExpr="format(datum.value, ',')")),
        x=alt.X("quantity:Q", title=t("chart.tonnes"), axis=alt.Axis(format=",d")),
        color=alt.Color("side:N", title=t("chart.side"), scale=alt.Scale(domain=["bid", "ask"], range=[BID_COLOUR, ASK_COLOUR])),
        tooltip=["side", alt.Tooltip("price:Q", format=","), alt.Tooltip("quantity:Q", format=",")])
