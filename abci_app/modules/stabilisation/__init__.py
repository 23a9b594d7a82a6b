"""Rule-based market stabilisation (시장안정화조치, ETS Act Art. 23 / Decree Art. 38; DOMAIN.md).

Minimal discretion, in the open: every KST day, in block time, the chain computes the Decree's triggers
from its own daily bars plus a hash-committed reference series of monthly prices and volumes for the years
before the chain (``set_reference_series``, built by ``ets stabilisation series`` from KRX's public daily
files), and publishes the monthly statistics it used, the thresholds and each result
(``stab/day/<YYYY-MM-DD>``; the arithmetic is ``protocol.stabilisation``, so anyone reruns it:
``ets stabilisation verify``). A tripped trigger makes the chain open a governance proposal of a measure
(proposer ``chain``, no approval counted); it runs only at m-of-n approval of the officials. Measures
(``measures.py``): a reserve auction (≤ 25% of the reserve, into the auction calendar), a price floor
(lowest close of the last 5 trading days − 10%, to the tick) or ceiling (``market_price_floor`` /
``market_price_ceiling``, checked by the market on every order), or a temporary holding-limit or
banking/borrowing/offset parameter. Each records the previous value and is undone by rule at its expiry
(end-block hook); a floor is also lifted after 5 trading days at ≥ 10% above it.

The triggers (``protocol.stabilisation``), on the last complete month:
price ≥ 3× the two-year average for 6 consecutive months; the month's average daily volume ≥ 2× that of
the same month of the two previous years and its price ≥ 2× the two-year average; its price ≤ 60% of the
two-year average. The two-year average is the volume-weighted price of the two previous calendar years.

Writes (``keys.py``, all public)::

    stab/month/<YYYY-MM>        the chain's monthly statistics (KAU): value, volume, trading days
    stab/day/<YYYY-MM-DD>       the day's evaluation: stats used with their source, thresholds, triggers, proposals
    stab/last                   the last day evaluated
    stab/series                 the reference series: source, sha256, months, proposal
    stab/measure/<id:06d>       a measure: kind, trigger, parameter, previous value, expiry, status
    stab/seq  stab/active       the last measure id; the measures in force
    stab/proposed/<trigger>/<M> the proposal the chain opened for a trigger and month (once each)
    params                      the parameters a measure sets and restores
"""
