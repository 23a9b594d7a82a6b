"""The wire contract shared by the chain and every client; imports nothing else of the project.

    codec        signed envelopes (tx, query), canonical JSON, addresses, explicit JSON limits
    codes        result codes with descriptions, ``TxRejected``
    ed25519      the one Ed25519 signature check (libsodium; stricter than OpenSSL on small-order points)
    constants    roles, quantity limits, message limits
    calendar     KST days of block times and reading timestamps
    text         explicit character classes for free text and registered names
    messages     every message and governed action as a frozen dataclass: ``from_json`` validates,
                 ``to_json`` is what clients sign
    plan_format  the allocation plan's hash (engine and chain)
    merkle       the daily Merkle tree of readings (edge uploader, portal, ``ets edge prove``)
    readings     a sensor reading's canonical bytes and signature
    hotpath      the native extension (``protocol/native``, Rust) for Merkle hashing and many signatures, if built
    replies      signed-query answers sealed to the query's reply key
    sealed       block-trade prices sealed to their readers, with a hash commitment
"""
