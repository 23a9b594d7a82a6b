"""The exposure model: for every message and field, who may read it, and where it can be seen.

Readers:

    signer       the account that signed the tx
    party        the counterparty a field names (a transfer's recipient, a block trade's other side)
    regulator    the government's accounts (the regulator's view key opens private txs in blocks;
                 officials read private state with signed queries)
    validators   the executing validators (the execution key of the epoch opens every private tx)
    public       anyone who reaches RPC or runs a full node: what Korean law publishes

Places a field can be seen: ``block`` (the tx bytes in /block, /unconfirmed_txs, /tx_search),
``result`` (FinalizeBlock's tx result: code, log, data), ``events``, ``queries`` (abci_query),
``logs`` (the node's own log files) and ``metrics``.

A **private** message travels sealed (``protocol.private_tx``) to the validators and the
regulator: in a block it is an ``ETSP`` ciphertext padded to 512-byte buckets, with no signer,
type, amount, price or recipient outside it. Its public result is the same for every private tx
(code 0, no log, no data, no events, type and signer not recorded in public); the real outcome is
read by the signer (and the regulator) with a signed ``/tx/<hash>`` query. Logs name only the tx
hash and the result code of a private tx; metrics count txs by stage and code. A **public**
message is in clear in the block, with its public events (``abci_app/rules.py``).

``FIELDS`` lists, for each message type, each field and who reads it; ``PRIVATE`` the sealed
types. A test checks this table against every registered message and the chain's rules.
"""

from __future__ import annotations

__all__ = ["READERS", "PLACES", "PRIVATE", "FIELDS", "readers_of", "render"]

READERS = ("signer", "party", "regulator", "validators", "public")
PLACES = ("block", "result", "events", "queries", "logs", "metrics")

_SEALED = ("signer", "regulator", "validators")
_WITH_PARTY = ("signer", "party", "regulator", "validators")
_PUBLIC = ("public",)

# message type → {field: readers}. "signer" and "type" are the envelope's own.
FIELDS: dict[str, dict[str, tuple[str, ...]]] = {
    "transfer": {"signer": _WITH_PARTY, "type": _SEALED, "to": _WITH_PARTY, "instrument": _WITH_PARTY,
                 "amount": _WITH_PARTY},
    "fund_cash": {"signer": _SEALED, "type": _SEALED, "to": _WITH_PARTY, "amount": _WITH_PARTY},
    "withdraw_cash": {"signer": _SEALED, "type": _SEALED, "account": _WITH_PARTY, "amount": _WITH_PARTY},
    "place_order": {"signer": _SEALED, "type": _SEALED, "instrument": _SEALED, "side": _SEALED, "price": _SEALED,
                    "quantity": _SEALED},
    "cancel_order": {"signer": _SEALED, "type": _SEALED, "order_id": _SEALED},
    "block_trade_propose": {"signer": _WITH_PARTY, "type": _SEALED, "counterparty": _WITH_PARTY,
                            "instrument": _WITH_PARTY, "side": _WITH_PARTY, "quantity": _WITH_PARTY,
                            "price_commitment": _WITH_PARTY, "sealed_price": _WITH_PARTY},
    "block_trade_accept": {"signer": _WITH_PARTY, "type": _SEALED, "trade_id": _WITH_PARTY},
    "block_trade_cancel": {"signer": _WITH_PARTY, "type": _SEALED, "trade_id": _WITH_PARTY},
    # compliance: what a company surrenders, borrows and banks is its own and the regulator's until the
    # year's public compliance table shows the surrendered total after the deadline
    "surrender": {"signer": _SEALED, "type": _SEALED, "year": _SEALED, "instrument": _SEALED, "amount": _SEALED},
    "borrow": {"signer": _SEALED, "type": _SEALED, "year": _SEALED, "amount": _SEALED},
    "bank": {"signer": _SEALED, "type": _SEALED, "year": _SEALED, "amount": _SEALED},
    # public: in clear, because the law publishes them or governance must be seen
    "register_device": {"*": _PUBLIC},
    "propose": {"*": _PUBLIC},
    "approve": {"*": _PUBLIC},
    "reject": {"*": _PUBLIC},
    "plan_open": {"*": _PUBLIC},
    "plan_chunk": {"*": _PUBLIC},
    "daily_total": {"*": _PUBLIC},
    "set_view_key": {"*": _PUBLIC},
    # reported, verified and certified emissions are published (ETRS, NGMS); the statement document is sealed
    # to the company (party) and the regulator, only its hash is public; objections are public like governance
    "emissions_report": {"*": _PUBLIC},
    "verification_statement": {"*": _PUBLIC, "sealed_document": ("party", "regulator")},
    "objection": {"*": _PUBLIC},
}

PRIVATE = frozenset(t for t, fields in FIELDS.items() if "*" not in fields)

# What the public still learns of private activity (market aggregates the law or the exchange publishes).
PUBLIC_AGGREGATES = (
    "market depth per price level (no owners), trades with price, tonnes, height (no counterparties), daily bars",
    "daily block-trade counts and tonnes per instrument (no prices, no parties)",
    "total supply per instrument; a private tx's existence, block, size bucket and key epoch",
    "per company and compliance year, after its surrender deadline: surrendered tonnes, status code, penalty",
)


def readers_of(message_type: str, field: str) -> tuple[str, ...]:
    fields = FIELDS[message_type]
    return fields.get(field, fields.get("*", _SEALED))


def render() -> str:
    """The model as a text table (for docs and the portal's disclosure page)."""
    lines = ["message               field             readers"]
    for message_type in sorted(FIELDS, key=lambda t: (t not in PRIVATE, t)):
        for field, readers in FIELDS[message_type].items():
            lines.append(f"{message_type:<21} {field:<17} {', '.join(readers)}")
    return "\n".join(lines)
