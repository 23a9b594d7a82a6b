"""The Streamlit portal: public transparency and market data, government plan review, company trading.

Layout (each module has one job):

    app.py          the router: which pages the logged-in role may see (``streamlit run portal/app.py``)
    config.py       settings from the environment (node RPC URL, users folder, plan review folder)
    data/           the one data layer: pure functions of a ``ChainClient`` returning DataFrames or
                    frozen records, one module per domain (no Streamlit; notebooks use it too)
    cache.py        the one caching scheme: the shared client, public reads with a TTL, files
    submit.py       sending a transaction from a form: progress, the chain's refusal in words, flash
    ui.py           number formats, labels and read-only tables shared by the pages
    charts.py       Altair charts of the data layer's DataFrames
    krx_history.py  historical KRX exports, kept apart from chain data with their provenance
    reviews.py      plan review files written by the allocation engine, matched by plan hash
    proofs.py       checking a reading's Merkle inclusion proof against an on-chain daily root
    auth.py         login: decrypting a user's key file; the role always comes from the chain
    throttle.py     login throttling per user name and per client (lockouts that grow), pure and in memory
    session.py      the logged-in user in ``st.session_state`` and the per-page role check
    users.py        ``python -m portal.users``: create portal users from existing keys
    views/          one module per page; a page imports no other page

The portal reads only through ``ets.rpc.ChainClient`` (CometBFT RPC + abci_query); it never
opens a database file. Private reads (holdings, cash, orders, block trades) are signed queries;
writes are ``protocol.messages`` transactions signed with the logged-in user's key, which lives
only in the session.
"""

__all__: list[str] = []
