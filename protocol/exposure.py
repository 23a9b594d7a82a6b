"""The exposure model: for every message and field, who may read it, and where it can be seen.

Readers:

    signer       the account that signed the tx
    party        the counterparty a field names (a transfer's recipient, a block trade's other side)
    regulator    the government's accounts (the regulator's view key, where a chain's genesis names
                 one, opens private txs in blocks; officials read private state with signed queries,
                 each only after a ``record_access`` the company reads: who looked, when and why)
    validators   the executing validators (the execution key of the epoch opens every private tx)
    members      the members of a channel (채널) at the epoch a payload is sealed for: the channel key
                 of that epoch is wrapped to each of their view keys, and to nobody else
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

Every block ends with its **outcome** (``protocol.outcome``), made by the proposer and checked by
every validator: the app hash, the public results and events, the validator updates and the
block's writes to public state keys. An **observer node** (``abci_app.observer``: a company's own
node, or the public's) has no execution or blinding key; it follows the chain from the outcomes,
verifies every commit and serves public state, and so sees exactly the ``public`` column below.
**Channels** (``protocol.channel_box``) are public messages carrying members-only ciphertext. A
private tx is readable only by the execution key and the regulator, so members could not read
one from the blocks; a channel's messages therefore travel in clear, and what only members may
read is sealed inside them to the channel key. Public: the channel's name, purpose and member
list (set by governed actions, which are public), its key epochs and their public keys, each
post's signer, epoch, kind, size bucket and SHA-256 commitment. Members only: the payloads and
the channel's private keys (each wrap opens with one member's view key). Neither the validators
nor the regulator hold a channel key unless they are members; a government-internal channel has
officials as members.

``FIELDS`` lists, for each message type, each field and who reads it; ``PRIVATE`` the sealed
types. A test checks this table against every registered message and the chain's rules.
"""

from __future__ import annotations

__all__ = ["READERS", "PLACES", "PRIVATE", "FIELDS", "readers_of", "render"]

READERS = ("signer", "party", "regulator", "validators", "members", "public")
PLACES = ("block", "result", "events", "queries", "logs", "metrics")

_SEALED = ("signer", "regulator", "validators")
_WITH_PARTY = ("signer", "party", "regulator", "validators")
_PUBLIC = ("public",)
_MEMBERS = ("members",)

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
                            "price_commitment": _WITH_PARTY, "sealed_price": _WITH_PARTY, "price": _WITH_PARTY,
                            "salt": _WITH_PARTY},
    "block_trade_accept": {"signer": _WITH_PARTY, "type": _SEALED, "trade_id": _WITH_PARTY},
    "block_trade_cancel": {"signer": _WITH_PARTY, "type": _SEALED, "trade_id": _WITH_PARTY},
    "record_access": {"signer": _WITH_PARTY, "type": _SEALED, "subject": _WITH_PARTY, "reason": _WITH_PARTY},
    # compliance: what a company surrenders, borrows and banks is its own and the regulator's until the
    # year's public compliance table shows the surrendered total after the deadline
    "surrender": {"signer": _SEALED, "type": _SEALED, "year": _SEALED, "instrument": _SEALED, "amount": _SEALED},
    "borrow": {"signer": _SEALED, "type": _SEALED, "year": _SEALED, "amount": _SEALED},
    "bank": {"signer": _SEALED, "type": _SEALED, "year": _SEALED, "amount": _SEALED},
    # account security (modules/custody): who represents an account, its limits, trusted list and transfers out
    # are the account's own and the regulator's; a transfer's recipient is its party
    "custody_representative": {"signer": _SEALED, "type": _SEALED, "op": _SEALED, "representative": _SEALED,
                               "public_key": _SEALED, "name": _SEALED, "rights": _SEALED},
    "custody_settings": {"signer": _SEALED, "type": _SEALED, "four_eyes": _SEALED, "transaction": _SEALED,
                         "daily": _SEALED, "weekly": _SEALED, "monthly": _SEALED},
    "custody_trusted": {"signer": _SEALED, "type": _SEALED, "op": _SEALED, "account": _SEALED},
    "custody_transfer": {"signer": _SEALED, "type": _SEALED, "to": _WITH_PARTY, "instrument": _WITH_PARTY,
                         "amount": _WITH_PARTY},
    "custody_approve": {"signer": _SEALED, "type": _SEALED, "transfer_id": _SEALED},
    "custody_cancel": {"signer": _SEALED, "type": _SEALED, "transfer_id": _SEALED},
    # government auctions: a bid is sealed until the close; the public sees only the result, without names
    "auction_bid": {"signer": _SEALED, "type": _SEALED, "auction_id": _SEALED, "price": _SEALED, "quantity": _SEALED},
    "auction_cancel_bid": {"signer": _SEALED, "type": _SEALED, "auction_id": _SEALED, "bid_id": _SEALED},
    # public: in clear, because the law publishes them or governance must be seen
    "register_device": {"*": _PUBLIC},
    "propose": {"*": _PUBLIC},
    "approve": {"*": _PUBLIC},
    "reject": {"*": _PUBLIC},
    "plan_open": {"*": _PUBLIC},
    "plan_chunk": {"*": _PUBLIC},
    "daily_total": {"*": _PUBLIC},
    "set_view_key": {"*": _PUBLIC},
    # public messages whose payload only a channel's members open (the governed channel_open and
    # channel_members travel inside propose, in clear)
    "channel_key": {"signer": _PUBLIC, "type": _PUBLIC, "name": _PUBLIC, "epoch": _PUBLIC, "public_key": _PUBLIC,
                    "wraps": _MEMBERS},
    "channel_post": {"signer": _PUBLIC, "type": _PUBLIC, "name": _PUBLIC, "epoch": _PUBLIC, "kind": _PUBLIC,
                     "ciphertext": _MEMBERS},
    # reported, verified and certified emissions are published (ETRS, NGMS); the statement document is sealed
    # to the company (party) and the regulator, only its hash is public; objections are public like governance
    "emissions_report": {"*": _PUBLIC},
    "verification_statement": {"*": _PUBLIC, "sealed_document": ("party", "regulator")},
    "objection": {"*": _PUBLIC},
}

# sealed on the wire: the types whose very type the public may not see
PRIVATE = frozenset(t for t, fields in FIELDS.items() if "public" not in fields.get("type", fields.get("*", ())))

# What the public still learns of private activity (market aggregates the law or the exchange publishes).
PUBLIC_AGGREGATES = (
    "market depth per price level (no owners), trades with price, tonnes, height (no counterparties), daily bars",
    "daily block-trade counts and tonnes per instrument (no prices, no parties)",
    "total supply per instrument; a private tx's existence, block, size bucket and key epoch",
    "channels: name, purpose, members, key epochs, and per post its signer, epoch, kind, size and commitment",
    "per company and compliance year, after its surrender deadline: surrendered tonnes, status code, penalty",
    "per government auction, after its close: uniform price, tonnes sold and unsold, tonnes bid, bid and bidder counts",
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
