"""State keys of account security. The account comes second in every key of an account's records (its
own and the regulator's to read); a representative's record is found by the representative's address."""

from __future__ import annotations

__all__ = [
    "PREFIXES", "ACCOUNT", "REPS", "TRUSTED", "USAGE", "TRANSFERS", "account", "representative", "representative_of",
    "representatives_of", "trusted", "trusted_of", "usage", "transfer", "expiring", "expiry_slot", "EXPIRY_CURSOR",
]

ACCOUNT, REP, REPS, TRUSTED, USAGE, TRANSFERS = "cust/acct/", "cust/rep/", "cust/reps/", "cust/trust/", "cust/usage/", "cust/xfer/"
EXPIRING, EXPIRY_CURSOR = "cust/exp/", "cust/expcursor"
PREFIXES = (ACCOUNT, REP, REPS, TRUSTED, USAGE, TRANSFERS, EXPIRING, EXPIRY_CURSOR)


def account(address: str) -> str:
    """The account's custody record: settings, a scheduled loosening, counters (absent: not under custody)."""
    return f"{ACCOUNT}{address}"


def representative(rep: str) -> str:
    """A representative's record by its own address: the account it acts for, its key and rights."""
    return f"{REP}{rep}"


def representative_of(address: str, rep: str) -> str:
    return f"{REPS}{address}/{rep}"


def representatives_of(address: str) -> str:
    return f"{REPS}{address}/"


def trusted(address: str, other: str) -> str:
    return f"{TRUSTED}{address}/{other}"


def trusted_of(address: str) -> str:
    return f"{TRUSTED}{address}/"


def usage(address: str) -> str:
    """Tonnes sent to untrusted accounts in the current KST day, week and month."""
    return f"{USAGE}{address}"


def transfer(address: str, transfer_id: int) -> str:
    return f"{TRANSFERS}{address}/{transfer_id:012d}"



def expiring(minute: int) -> str:
    """How many expiry slots one minute of block time has used (a slot is freed when its transfer closes)."""
    return f"{EXPIRING}{minute:012d}"


def expiry_slot(minute: int, slot: int) -> str:
    """One waiting transfer that expires in that minute: ``<account>/<id>``."""
    return f"{EXPIRING}{minute:012d}/{slot:09d}"
