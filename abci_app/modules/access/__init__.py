"""Who looked: every read of a company's private data by an official is preceded by a record on chain.

An official (a ``government`` account) sends ``record_access {subject, reason}`` (a private tx: the
public does not learn whom the regulator is looking at). For ``access_window_seconds`` of block time
from then (a chain parameter, default one hour) the query gate (``abci_app.query``) answers that
official's signed queries of ``subject``'s private data — balances, holdings, cash, orders, fills,
nonces, block trades, private tx results, raw keys with proofs; ``*`` covers listings of every
account's. Without a record the query is refused (``ACCESS_NOT_RECORDED``) with what to do. The
company reads every record about itself (``/looked/<addr>``): who, when, why, until when; an
auditor (any official) reads them all. Each answered read is also logged by the node that served it
(``abci_app.query`` logger: reader, subject, path).

Writes (``keys.py``)::

    looked/<subject>/<seq 12>      {"reader", "reason", "height", "time", "until"}: the record, kept for good
    lookgrant/<reader>/<subject>   block time until which the reader may read the subject's data
    seq/looked                     the last record's number
"""
