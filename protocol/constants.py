"""Roles, quantity limits and message limits: one place for every number the chain and its clients share."""

from __future__ import annotations

__all__ = [
    "ROLES", "REPRESENTATIVE", "MAX_AMOUNT", "MAX_HOLDING", "MAX_KRW", "MAX_PRICE", "MAX_NAME", "MAX_REASON", "MAX_SECTOR",
    "MAX_BATCH_ACCOUNTS", "MAX_PLAN_LINES", "MAX_CHUNK_LINES", "MAX_PLAN_HEADER_BYTES", "MAX_DAILY_KG",
    "MAX_DAILY_READINGS", "MAX_SEALED_READERS", "MAX_ID", "MAX_VALIDATOR_POWER", "MAX_VALIDATORS",
    "MAX_CHANNEL_NAME", "MIN_CHANNEL_MEMBERS", "MAX_CHANNEL_MEMBERS", "MAX_CHANNEL_PAYLOAD", "MAX_CHANNEL_CIPHERTEXT",
    "CHANNEL_CHUNK_BYTES", "MAX_CHANNEL_EPOCH",
    "MAX_OTHER_SOURCES", "MAX_STATEMENT_BYTES", "MAX_FINDINGS", "MAX_REVISIONS", "MAX_BATCH_COMPANIES",
    "MAX_AUCTION_ENTRIES", "MAX_BIDS_PER_BIDDER", "MAX_OPEN_AUCTIONS", "MAX_REFERENCE_MONTHS",
]

ROLES = ("government", "verifier", "exchange", "bank", "company", "edge_device", "validator_operator")
REPRESENTATIVE = "representative"  # not a registered role: a key a company admits to act for it (modules/custody)
MAX_AMOUNT = 10**12  # tonnes in one message; far above any national cap
MAX_HOLDING = 10**15  # tonnes in any balance or total supply; keeps every quantity well inside int64
MAX_KRW = 10**15  # one cash movement, KRW
MAX_PRICE = 10**9  # KRW per tonne in one order
MAX_NAME = 200  # characters of a registered name or company id
MAX_REASON = 500
MAX_SECTOR = 100
MAX_BATCH_ACCOUNTS = 1000
MAX_PLAN_LINES = 1_000_000
MAX_CHUNK_LINES = 5000
MAX_PLAN_HEADER_BYTES = 64 * 1024
MAX_DAILY_KG = 10**13  # a day's emissions of one device, in kg: far above any stack
MAX_DAILY_READINGS = 10**7
MAX_SEALED_READERS = 8  # readers of one sealed block-trade price
MAX_ID = 2**63 - 1  # proposal, order and trade ids
MAX_VALIDATOR_POWER = 1_000_000  # votes of one validator; the whole set stays far below CometBFT's MaxInt64/8
MAX_VALIDATORS = 100  # validators in the set at once
MAX_CHANNEL_NAME = 32  # characters of a channel's name (a slug: a-z, 0-9, inner hyphens)
MIN_CHANNEL_MEMBERS = 2  # a channel is shared: at least two members
MAX_CHANNEL_MEMBERS = 64  # members of one channel (one key wrap each in a channel_key tx)
MAX_CHANNEL_PAYLOAD = 64 * 1024  # bytes of one channel post's plaintext (a document, a CSV of readings)
MAX_CHANNEL_CIPHERTEXT = MAX_CHANNEL_PAYLOAD + 2048  # its sealed form: padding, header, wrap, tag
CHANNEL_CHUNK_BYTES = 16 * 1024  # a post's ciphertext travels as hex chunks of at most this many bytes
MAX_CHANNEL_EPOCH = 2**32 - 1  # key epochs of one channel (the sealed box carries a 32-bit epoch)
MAX_OTHER_SOURCES = 50  # declared other emission sources in one annual report
MAX_STATEMENT_BYTES = 16 * 1024  # a verification statement document, before sealing
MAX_FINDINGS = 10_000  # findings counted in one verification statement
MAX_REVISIONS = 20  # kept earlier versions of one report, statement or certification
MAX_BATCH_COMPANIES = 1000  # companies in one assignment or certification batch
MAX_AUCTION_ENTRIES = 24  # auctions in one schedule_auctions action (two years of monthly auctions)
MAX_BIDS_PER_BIDDER = 20  # bids one company may have in one auction
MAX_OPEN_AUCTIONS = 100  # auctions in the calendar not yet settled
MAX_REFERENCE_MONTHS = 360  # months of the historical reference series (30 years)
