"""Every result code the chain returns, registered in one place, and the rejection that carries one.

A rejected transaction or query carries one of these numeric codes (codespace ``ets``) and a log
that says what was wrong and what to do. Codes are part of the protocol: never renumber. Each
chain module owns a range of them (``abci_app.modules``); clients branch on ``Code`` members,
never on numbers or log text.
"""

from __future__ import annotations

from enum import IntEnum

__all__ = ["Code", "CODESPACE", "TxRejected", "describe"]

CODESPACE = "ets"


class Code(IntEnum):
    OK = 0
    MALFORMED_TX = 1
    WRONG_CHAIN_ID = 2
    UNKNOWN_SIGNER = 3
    BAD_SIGNATURE = 4
    NONCE_REPLAYED = 5
    NONCE_AHEAD = 6
    UNKNOWN_MESSAGE = 7
    INVALID_MESSAGE = 8
    UNAUTHORIZED = 9
    UNKNOWN_ACCOUNT = 10
    INSUFFICIENT_BALANCE = 11
    ACCOUNT_EXISTS = 12
    PROPOSAL_NOT_FOUND = 13
    PROPOSAL_CLOSED = 14
    PROPOSAL_EXPIRED = 15
    ALREADY_VOTED = 16
    LIMIT_EXCEEDED = 17
    INVALID_RECIPIENT = 18
    BLOCK_FULL = 19
    NOT_FOUND = 20
    BAD_QUERY = 21
    NOT_SUPPORTED = 22
    ALREADY_REPORTED = 23
    PLAN_CONFLICT = 24
    PLAN_HASH_MISMATCH = 25
    CHUNK_OUT_OF_ORDER = 26
    PLAN_NOT_FOUND = 27
    MARKET_CLOSED = 28
    ORDER_REJECTED = 29
    ORDER_NOT_FOUND = 30
    MISSING_VIEW_KEY = 31
    MALFORMED_REQUEST = 32
    NAME_TAKEN = 33
    NOT_A_CLIENT_TX = 100
    OBSERVER_ONLY_PUBLIC = 101
    CHECK_BACKLOG = 102
    DAY_NOT_ENDED = 600
    VALIDATOR_NOT_FOUND = 900
    VALIDATOR_UNCHANGED = 901
    VALIDATOR_POWER_SHIFT = 902
    VALIDATOR_SET_EMPTY = 903
    VALIDATOR_SET_FULL = 904
    VALIDATOR_CHANGED_IN_BLOCK = 905
    MUST_BE_SEALED = 1000
    NOT_A_PRIVATE_MESSAGE = 1001
    UNKNOWN_KEY_EPOCH = 1002
    EXECUTION_KEY_MISSING = 1003
    PRIVATE_TX_UNREADABLE = 1004
    REGULATOR_NOT_A_READER = 1005
    EPOCH_NOT_NEXT = 1006
    ACCESS_NOT_RECORDED = 1300
    CHANNEL_NOT_FOUND = 1200
    CHANNEL_EXISTS = 1201
    CHANNEL_NOT_A_MEMBER = 1202
    CHANNEL_NEEDS_REKEY = 1203
    CHANNEL_WRONG_EPOCH = 1204
    CHANNEL_WRAPS_MISMATCH = 1205
    CHANNEL_POST_TOO_LARGE = 1206
    CHANNEL_DUPLICATE_POST = 1207
    CHANNEL_UNCHANGED = 1208
    YEAR_NOT_ENDED = 1100
    REPORT_NOT_FOUND = 1101
    VERIFIER_NOT_ASSIGNED = 1102
    STATEMENT_NOT_FOUND = 1103
    ALREADY_CERTIFIED = 1104
    NOT_CERTIFIED = 1105
    VINTAGE_NOT_ELIGIBLE = 1106
    OFFSET_CAP_EXCEEDED = 1107
    OBLIGATION_EXCEEDED = 1108
    BORROW_LIMIT_EXCEEDED = 1109
    BORROWING_NOT_ALLOWED = 1110
    BANK_LIMIT_EXCEEDED = 1111
    BANKING_NOT_ALLOWED = 1112
    DEADLINE_PASSED = 1113
    ACCOUNT_BLOCKED = 1114
    OBJECTION_WINDOW_CLOSED = 1115
    OBJECTION_NOT_FOUND = 1116
    OBJECTION_CLOSED = 1117
    HISTORY_FULL = 1118
    VINTAGE_CLOSED = 1119
    AUCTION_NOT_FOUND = 1400
    AUCTION_NOT_OPEN = 1401
    AUCTION_BELOW_RESERVE = 1402
    AUCTION_CAP_EXCEEDED = 1403
    AUCTION_BID_LIMIT = 1404
    AUCTION_BID_NOT_FOUND = 1405
    AUCTION_SCHEDULE_CONFLICT = 1406
    RESERVE_EXCEEDED = 1407
    MEASURE_CONFLICT = 1500
    MEASURE_INVALID = 1501
    BLOCK_TRADE_OUT_OF_BAND = 800
    PRICE_OPENING_MISMATCH = 801
    HOLDING_LIMIT_EXCEEDED = 1600
    PARTICIPANT_CLASS_UNCHANGED = 1601
    TOO_MANY_MARKET_MAKERS = 1602
    FOUR_EYES_REQUIRED = 1700
    CUSTODY_NO_RIGHT = 1701
    CUSTODY_LIMIT_EXCEEDED = 1702
    CUSTODY_NOT_FOUND = 1703
    CUSTODY_SAME_PERSON = 1704
    CUSTODY_EXPIRED = 1705
    CUSTODY_FULL = 1706
    CUSTODY_KEY_IN_USE = 1707
    CUSTODY_UNCHANGED = 1708
    INTERNAL = 99


_DESCRIPTIONS = {
    Code.OK: "accepted",
    Code.MALFORMED_TX: "the bytes are not a well-formed ETS envelope",
    Code.WRONG_CHAIN_ID: "the transaction was signed for another chain",
    Code.UNKNOWN_SIGNER: "the signer is not a registered account",
    Code.BAD_SIGNATURE: "the signature does not match the body and the signer's key",
    Code.NONCE_REPLAYED: "the nonce was already used (replay or duplicate)",
    Code.NONCE_AHEAD: "the nonce is ahead of the account's next nonce",
    Code.UNKNOWN_MESSAGE: "the message type is not registered",
    Code.INVALID_MESSAGE: "the message fields are invalid",
    Code.UNAUTHORIZED: "the signer's role may not send this message",
    Code.UNKNOWN_ACCOUNT: "an account named in the message is not registered",
    Code.INSUFFICIENT_BALANCE: "the balance is too small",
    Code.ACCOUNT_EXISTS: "the account is already registered",
    Code.PROPOSAL_NOT_FOUND: "no such proposal",
    Code.PROPOSAL_CLOSED: "the proposal was already executed or rejected",
    Code.PROPOSAL_EXPIRED: "the proposal expired",
    Code.ALREADY_VOTED: "this official already voted on the proposal",
    Code.LIMIT_EXCEEDED: "a quantity limit would be exceeded",
    Code.INVALID_RECIPIENT: "the recipient's role cannot receive this",
    Code.BLOCK_FULL: "the transaction did not fit in the block",
    Code.NOT_FOUND: "nothing is stored under that query path",
    Code.BAD_QUERY: "the query path or its signature is invalid",
    Code.NOT_SUPPORTED: "this ABCI feature is not used by the chain",
    Code.ALREADY_REPORTED: "this device already reported that day",
    Code.PLAN_CONFLICT: "the allocation plan is not in a state that allows this",
    Code.PLAN_HASH_MISMATCH: "the uploaded plan lines do not hash to the declared plan hash",
    Code.CHUNK_OUT_OF_ORDER: "the plan chunk does not continue where the upload stands",
    Code.PLAN_NOT_FOUND: "no allocation plan with that hash",
    Code.MARKET_CLOSED: "the market does not take orders at this time",
    Code.ORDER_REJECTED: "the order breaks a market rule (price band, tick, size)",
    Code.ORDER_NOT_FOUND: "no such open order or block trade",
    Code.MISSING_VIEW_KEY: "a reader of a sealed price has no view key on chain",
    Code.MALFORMED_REQUEST: "the ABCI request could not be parsed (for example a query path that is not UTF-8)",
    Code.NAME_TAKEN: "another participant is registered under the same (normalised) name",
    Code.NOT_A_CLIENT_TX: "a block outcome is written by the block's proposer; clients cannot send one",
    Code.OBSERVER_ONLY_PUBLIC: "an observer node holds only public state and takes no txs; ask a validator",
    Code.CHECK_BACKLOG: "this validator has more txs waiting to be checked than it checks in about a second; send again shortly",
    Code.DAY_NOT_ENDED: "the reported day has not ended yet in block time (KST); post it after midnight",
    Code.VALIDATOR_NOT_FOUND: "no validator with that public key is in the set",
    Code.VALIDATOR_UNCHANGED: "the validator already has that voting power",
    Code.VALIDATOR_POWER_SHIFT: "the change would move a third or more of the voting power in one block",
    Code.VALIDATOR_SET_EMPTY: "the change would leave the chain without validators",
    Code.VALIDATOR_SET_FULL: "the validator set would exceed its size limit",
    Code.VALIDATOR_CHANGED_IN_BLOCK: "this validator's power already changes in this block",
    Code.MUST_BE_SEALED: "a private message was sent in clear; seal it to the execution key (see /privacy)",
    Code.NOT_A_PRIVATE_MESSAGE: "a public message was sealed; public messages travel in clear",
    Code.UNKNOWN_KEY_EPOCH: "the private tx is sealed to an execution key epoch the chain does not accept now",
    Code.EXECUTION_KEY_MISSING: "this validator does not hold the execution key of the tx's epoch",
    Code.PRIVATE_TX_UNREADABLE: "the private tx does not open with the execution key (altered or malformed)",
    Code.REGULATOR_NOT_A_READER: "the private tx is not sealed to the regulator's view key",
    Code.EPOCH_NOT_NEXT: "a new execution key must have the next epoch number",
    Code.ACCESS_NOT_RECORDED: "an official reads a company's private data only after recording why (record_access)",
    Code.CHANNEL_NOT_FOUND: "no channel with that name",
    Code.CHANNEL_EXISTS: "a channel with that name is already open",
    Code.CHANNEL_NOT_A_MEMBER: "the signer is not a current member of the channel",
    Code.CHANNEL_NEEDS_REKEY: "the channel has no key for its current members; a member must post a new key (rekey)",
    Code.CHANNEL_WRONG_EPOCH: "the channel key epoch is not the one the channel is at (stale key, or not the next epoch)",
    Code.CHANNEL_WRAPS_MISMATCH: "the new channel key is not wrapped exactly once to each current member's view key",
    Code.CHANNEL_POST_TOO_LARGE: "the channel post is larger than the limit",
    Code.CHANNEL_DUPLICATE_POST: "this ciphertext was already posted to the channel",
    Code.CHANNEL_UNCHANGED: "the channel already has exactly these members",
    Code.YEAR_NOT_ENDED: "the compliance year has not ended yet in block time (KST); report after 1 January",
    Code.REPORT_NOT_FOUND: "the company has not submitted its emissions report for that year",
    Code.VERIFIER_NOT_ASSIGNED: "the verification body is not the one assigned to that company and year",
    Code.STATEMENT_NOT_FOUND: "there is no current verification statement for that company and year",
    Code.ALREADY_CERTIFIED: "the year's emissions are already certified; correct them by objection or re-certification",
    Code.NOT_CERTIFIED: "the year's emissions are not certified yet, so there is no obligation to act on",
    Code.VINTAGE_NOT_ELIGIBLE: "that instrument or vintage cannot be used for that compliance year",
    Code.OFFSET_CAP_EXCEEDED: "surrendered KCU would exceed the offset cap (a share of the obligation)",
    Code.OBLIGATION_EXCEEDED: "the quantity is more than what remains of the year's obligation",
    Code.BORROW_LIMIT_EXCEEDED: "borrowing would exceed the year's borrowing limit",
    Code.BORROWING_NOT_ALLOWED: "borrowing is not allowed here (across a phase, after banking, or for the phase's last year)",
    Code.BANK_LIMIT_EXCEEDED: "banking would exceed the year's banking limit (a multiple of net sales)",
    Code.BANKING_NOT_ALLOWED: "banking is not allowed here (obligation not met, after borrowing, or beyond 2030)",
    Code.DEADLINE_PASSED: "the year's surrender deadline has passed in block time",
    Code.ACCOUNT_BLOCKED: "the account has a compliance shortfall past a deadline and is blocked for transfers out",
    Code.OBJECTION_WINDOW_CLOSED: "the objection window has closed (or never opened: nothing to object to)",
    Code.OBJECTION_NOT_FOUND: "no such objection",
    Code.OBJECTION_CLOSED: "the objection was already decided",
    Code.HISTORY_FULL: "the record has reached its limit of kept revisions",
    Code.BLOCK_TRADE_OUT_OF_BAND: "a block trade's price must lie within the day's price band (reference ± market_band_bps)",
    Code.PRICE_OPENING_MISMATCH: "the block trade's price and salt do not open its price commitment",
    Code.HOLDING_LIMIT_EXCEEDED: "the account's holding limit (by participant class) would be exceeded",
    Code.PARTICIPANT_CLASS_UNCHANGED: "the account already has that participant class",
    Code.TOO_MANY_MARKET_MAKERS: "the chain measures at most 50 market makers",
    Code.VINTAGE_CLOSED: "the vintage stopped trading at its year's surrender deadline; it can only be surrendered",
    Code.FOUR_EYES_REQUIRED: "the account requires an approver's confirmation of transfers out: use custody_transfer",
    Code.CUSTODY_NO_RIGHT: "the representative does not hold that right for the account (or not yet: new rights wait the delay)",
    Code.CUSTODY_LIMIT_EXCEEDED: "a transfer to an untrusted account would exceed the central cap or the account's own limit",
    Code.CUSTODY_NOT_FOUND: "no such representative, trusted-list entry or waiting transfer of this account",
    Code.CUSTODY_SAME_PERSON: "four eyes: a second, different person must confirm what one started",
    Code.CUSTODY_EXPIRED: "the waiting transfer expired; its held tonnes are released",
    Code.CUSTODY_FULL: "the account has reached its limit of representatives, trusted accounts or waiting transfers",
    Code.CUSTODY_KEY_IN_USE: "that key already belongs to a registered account or another representative",
    Code.CUSTODY_UNCHANGED: "the account's custody record already says so",
    Code.AUCTION_NOT_FOUND: "no government auction with that id in the calendar",
    Code.AUCTION_NOT_OPEN: "the auction does not take bids now (not open yet, or closed at its close time)",
    Code.AUCTION_BELOW_RESERVE: "the bid price is below the auction's reserve price (or off the tick grid)",
    Code.AUCTION_CAP_EXCEEDED: "the bidder's bids would exceed the per-bidder cap (a share of the auction volume)",
    Code.AUCTION_BID_LIMIT: "the auction or the bidder has reached its limit of bids",
    Code.AUCTION_BID_NOT_FOUND: "no such open bid of yours in that auction",
    Code.AUCTION_SCHEDULE_CONFLICT: "the auction calendar entry cannot be set or changed (times, opened already)",
    Code.RESERVE_EXCEEDED: "the reserve auction would take more than its share of the market-stabilisation reserve",
    Code.MEASURE_CONFLICT: "a stabilisation measure on the same parameter is still in force",
    Code.MEASURE_INVALID: "the stabilisation measure cannot apply here (unknown parameter, value out of range, floor above ceiling)",
    Code.INTERNAL: "internal error",
}


def describe(code: int) -> str:
    try:
        return _DESCRIPTIONS[Code(code)]
    except ValueError:
        return "unregistered code"


class TxRejected(Exception):
    """A transaction rejected with a registered code and a human-readable log."""

    def __init__(self, code: Code, log: str):
        super().__init__(log)
        self.code = code
        self.log = log
