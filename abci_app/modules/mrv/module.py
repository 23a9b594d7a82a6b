"""MRV's descriptor: the daily total message and the public emission paths."""

from __future__ import annotations

from protocol.codes import Code
from protocol.messages.mrv import DailyTotal

from .. import MessageRule, Module, Query, StateRead
from . import handlers, keys, queries
from .events import DAILY_TOTAL

MODULE = Module(
    name="mrv",
    summary="sensor devices' daily totals with Merkle roots; monthly sums per company and sector (public)",
    messages=(
        MessageRule(DailyTotal, {"edge_device"}, handlers.handle_daily_total,
                    "a device's daily emissions + Merkle root, once per KST day, after the day ended",
                    events=(DAILY_TOTAL,)),
    ),
    queries=(
        Query("emissions/daily", queries.daily,
              "/emissions/daily?device=D|company=C[&site=S][&from=YYYY-MM-DD&to=YYYY-MM-DD]", "daily records"),
        Query("emissions/monthly", queries.monthly, "/emissions/monthly?company=C|sector=S[&from=YYYY-MM&to=YYYY-MM]",
              "monthly sums (kg)"),
        Query("emissions/yearly", queries.yearly, "/emissions/yearly?company=C|sector=S", "yearly sums (kg)"),
        Query("emissions/sectors", queries.sectors, "/emissions/sectors?from=YYYY-MM&to=YYYY-MM",
              "every sector's monthly sums (public statistics)"),
        Query("emissions/companies", queries.companies, "/emissions/companies?from=YYYY-MM&to=YYYY-MM",
              "every company's monthly sums"),
    ),
    codes=frozenset({Code.ALREADY_REPORTED, Code.DAY_NOT_ENDED}),
    code_range=range(600, 700),
    keys=keys.PREFIXES,
    state_reads=tuple(StateRead(prefix) for prefix in keys.PREFIXES),  # emissions are published
)
