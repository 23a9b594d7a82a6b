"""Market stabilisation's descriptor: the governed series and measures, the daily triggers, expiry by rule."""

from __future__ import annotations

from protocol.codes import Code
from protocol.messages.stabilisation import SetReferenceSeries, StabilisationMeasure

from .. import GovernedAction, Hook, Module, Query, StateRead
from ..auctions.events import GOVERNMENT_AUCTION
from ..governance.events import PROPOSAL
from . import keys, measures, queries, triggers
from .events import MEASURE, STABILISATION_DAY

MODULE = Module(
    name="stabilisation",
    summary="rule-based market stabilisation (Decree Art. 38): daily triggers from the chain's bars and a hash-"
            "committed reference series, chain-opened proposals of measures, m-of-n approval, expiry by rule",
    actions=(
        GovernedAction(SetReferenceSeries, triggers.check_series, triggers.execute_series,
                       "commit the monthly reference series (KRX, the years before the chain) with its SHA-256; "
                       "re-evaluates today's triggers", events=(STABILISATION_DAY, PROPOSAL)),
        GovernedAction(StabilisationMeasure, measures.check_measure, measures.execute_measure,
                       "apply a measure: a reserve auction (≤ 25% of the reserve) joins the calendar, or a price "
                       "floor/ceiling or limit parameter is set until its expiry", events=(MEASURE, GOVERNMENT_AUCTION)),
    ),
    queries=(
        Query("stabilisation", queries.overview, "/stabilisation", "the latest day's triggers with their inputs, the "
                                                                   "measures in force, the series' SHA-256"),
        Query("stabilisation/day", queries.day, "/stabilisation/day/<YYYY-MM-DD>",
              "one day's evaluation: monthly statistics used (chain or reference), thresholds, each trigger"),
        Query("stabilisation/series", queries.series, "/stabilisation/series", "the reference series with its SHA-256"),
        Query("stabilisation/measures", queries.measures, "/stabilisation/measures", "the latest 200 measures"),
    ),
    hooks=(
        Hook("begin", measures.daily,
             "at the first block of a KST day: lift a floor the market stayed 10% above for 5 days, evaluate the "
             "triggers, publish inputs and results, open a proposal of a measure for a tripped trigger",
             events=(MEASURE, STABILISATION_DAY, PROPOSAL)),
        Hook("end", measures.expire_measures, "restore the parameters of measures whose expiry has come",
             events=(MEASURE,)),
    ),
    codes=frozenset({Code.MEASURE_CONFLICT, Code.MEASURE_INVALID}),
    code_range=range(1500, 1600),
    keys=keys.PREFIXES,
    state_reads=tuple(StateRead(prefix) for prefix in keys.PREFIXES),  # all public: anyone recomputes the triggers
)
