"""The Streamlit portal: public transparency and market data, government plan review, company trading.

Layout (each module has one job):

    app.py          the router: which pages the logged-in role may see (``streamlit run portal/app.py``)
    config.py       settings from the environment (node RPC URL, users folder, plan review folder)
    queries.py      the data layer: pure functions of a ``ChainClient`` returning pandas DataFrames
    market_queries.py  the market's data layer (depth, trades, bars, orders, cash, block trades)
    krx_history.py  historical KRX exports, kept apart from chain data with their provenance
    reviews.py      plan review files written by the allocation engine, matched by plan hash
    proofs.py       checking a reading's Merkle inclusion proof against an on-chain daily root
    decisions.py    the government's approve / reject of an allocation plan as chain transactions
    auth.py         login: decrypting a user's key file; the role always comes from the chain
    throttle.py     login throttling per user name and per client (lockouts that grow), pure and in memory
    session.py      the logged-in user in ``st.session_state`` and the per-page role check
    ui.py           shared Streamlit pieces: cached client and queries, chain error display
    users.py        ``python -m portal.users``: create portal users from existing keys
    views/          one module per page

The portal reads only through ``ets.rpc.ChainClient`` (CometBFT RPC + abci_query); it never
opens a database file. Private reads (balances) are signed queries; writes are transactions
signed with the logged-in user's key, which lives only in the session.
"""

__all__: list[str] = []
