"""Monitoring, reporting, verification: daily totals posted by registered sensor devices.

A device account is bound to one company and site when a verifier registers it, so a
device can only ever report for that site. One daily total per device and KST day, posted
only after the day has ended in block time. Company emissions are public under Korean law,
so these records and their monthly sums per company and sector are public.

Writes (``keys.py``)::

    em/<device>/<YYYY-MM-DD>             {"device","company","site","day","total","unit","readings",
                                          "substituted","merkle_root","height","time"}
    emc/<company>/<YYYY-MM-DD>/<device>  index of a company's daily records
    agg/c/<company>/<YYYY-MM>            {"total","readings","substituted","reports"} (kg)
    agg/s/<sector>/<YYYY-MM>             the same per sector
"""
