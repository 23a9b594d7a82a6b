"""The allowance ledger: transfers between companies, governed issuance, available and held tonnes, supply.

Writes (``keys.py``)::

    bal/<addr>/<instrument>   tonnes available (absent = 0)
    held/<addr>/<instrument>  tonnes held behind sell orders and proposed block trades (trading, blocktrades)
    supply/<instrument>       tonnes issued in total
    xlog/<addr>[/<seq>]       private: the account's transfer record (``journal.py``): every movement
                              no other record lists for it (transfers, custody transfers, surrenders, issues,
                              borrowing, banking, offsets, objection adjustments), each with height and time

``ledger.move`` is how every module changes an available holding (``hold``/``release`` set tonnes aside
and back). A transfer first asks every module's outgoing checks (``modules.check_outgoing``: the
compliance block on a shortfall), then account security (``custody.limits.guard_transfer``: four eyes,
caps on untrusted recipients) for an account under custody.
"""
