"""Altair charts of the portal, as functions of the query layer's DataFrames.

Charts show tonnes CO2 (``total_t``) or allowances (whole tonnes); substituted readings are
always drawn in their own colour so they never pass for measurements.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

__all__ = ["emissions_over_time", "substituted_share", "allocation_by_sector", "allocation_comparison"]

SUBSTITUTED_COLOUR = "#d62728"


def emissions_over_time(df: pd.DataFrame, colour: str, title: str) -> alt.Chart:
    """Stacked bars of ``total_t`` per ``period``, one colour per ``colour`` (sector or company name)."""
    return (
        alt.Chart(df, title=title)
        .mark_bar()
        .encode(
            x=alt.X("period:O", title=None, sort="ascending"),
            y=alt.Y("sum(total_t):Q", title="tCO2"),
            color=alt.Color(f"{colour}:N", title=colour.replace("_", " ")),
            tooltip=["period", colour, alt.Tooltip("total_t:Q", format=",.3f", title="tCO2"),
                     "readings", "substituted", alt.Tooltip("substituted_share:Q", format=".1%", title="substituted")],
        )
    )


def substituted_share(df: pd.DataFrame, label: str, title: str) -> alt.Chart:
    """Share of substituted readings per ``label`` (companies or sectors); any share above zero is red."""
    data = df.assign(has_substitutes=df["substituted"] > 0)
    return (
        alt.Chart(data, title=title)
        .mark_bar()
        .encode(
            x=alt.X("substituted_share:Q", title="share of readings substituted", axis=alt.Axis(format="%"),
                    scale=alt.Scale(domain=[0, max(0.05, float(data["substituted_share"].max() or 0))])),
            y=alt.Y(f"{label}:N", title=None, sort="-x"),
            color=alt.condition("datum.has_substitutes", alt.value(SUBSTITUTED_COLOUR), alt.value("#4c78a8")),
            tooltip=[label, "readings", "substituted", alt.Tooltip("substituted_share:Q", format=".2%")],
        )
    )


def allocation_by_sector(df: pd.DataFrame, title: str) -> alt.Chart:
    """Allowances per sector, one colour per vintage (from ``queries.plan_sector_totals``)."""
    return (
        alt.Chart(df, title=title)
        .mark_bar()
        .encode(
            x=alt.X("amount:Q", title="allowances (t)"),
            y=alt.Y("sector:N", title=None, sort="-x"),
            color=alt.Color("vintage:N"),
            tooltip=["sector", "vintage", alt.Tooltip("amount:Q", format=","), "companies"],
        )
    )


def allocation_comparison(df: pd.DataFrame, title: str) -> alt.Chart:
    """Each company's allocation next to its historical average emissions (tonnes)."""
    long = df.melt(id_vars=["company"], value_vars=["allocation", "historical average"], var_name="figure",
                   value_name="tonnes").dropna()
    return (
        alt.Chart(long, title=title)
        .mark_bar()
        .encode(
            y=alt.Y("company:N", title=None),
            yOffset="figure:N",
            x=alt.X("tonnes:Q", title="t"),
            color=alt.Color("figure:N"),
            tooltip=["company", "figure", alt.Tooltip("tonnes:Q", format=",")],
        )
    )
