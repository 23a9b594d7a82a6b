"""Login: a portal user is an encrypted key file; logging in is decrypting it.

Each user is one ``ets.keys.Keystore`` file in the users folder (file name = user name),
encrypted under that user's password. Logging in decrypts it; the role is then read from the
chain's participant registry (``/account/<address>``), never from the file, so a user's rights
are whatever the chain says at login. A wrong user name and a wrong password give the same
error (and take the same time), so the login form does not reveal which user names exist.

Attempts are throttled (``portal.throttle``) per user name and per client before anything is
decrypted: after too many failures the form refuses every attempt, the right password included,
and says how long to wait (``LoginThrottled``).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from ets.custody import representative_of
from ets.keys import DEFAULT_SCRYPT_N, Keystore, KeystoreError, Signer
from ets.rpc import ChainClient
from protocol.constants import REPRESENTATIVE

from .data.registry import account
from .throttle import LOGIN_THROTTLE, LoginThrottle, Throttled

__all__ = ["PortalUser", "LoginError", "LoginThrottled", "LOGIN_FAILED", "login"]

_LOG = logging.getLogger(__name__)

LOGIN_FAILED = "Unknown user name or wrong password."


class LoginError(Exception):
    """Login refused; the message is safe to show to whoever typed at the form."""


class LoginThrottled(LoginError):
    """Refused before the password was checked: too many failures; ``retry_after`` seconds remain."""

    def __init__(self, retry_after: float, message: str) -> None:
        self.retry_after = retry_after
        super().__init__(message)


@dataclass(frozen=True)
class PortalUser:
    """A logged-in user: the unlocked signer plus what the chain says about the account."""

    username: str
    address: str
    role: str
    name: str
    company_id: str | None = None
    sector: str | None = None
    acts_for: str | None = None  # a representative's account (modules/custody); None for an account's own key
    signer: Signer = field(repr=False, compare=False, default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.signer is None or self.signer.address != self.address:
            raise ValueError("a portal user needs the signer of its own address")


def _burn_time(password: str) -> None:
    """Spend what a real decryption costs, so an unknown user name cannot be told apart by timing."""
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    Scrypt(salt=b"\0" * 16, length=32, n=DEFAULT_SCRYPT_N, r=8, p=1).derive(password.encode())


def login(users_dir: str | os.PathLike[str], username: str, password: str, client: ChainClient, *,
          client_key: str | None = None, throttle: LoginThrottle | None = None) -> PortalUser:
    """Decrypt ``username``'s key file with ``password`` and read the account's role from the chain.

    ``client_key`` names who is at the form (``portal.session.client_key``) for the per-client
    limit; ``throttle`` defaults to the process's ``LOGIN_THROTTLE``. Raises ``LoginThrottled``
    (too many failures: nothing was checked), ``LoginError`` (bad credentials, unregistered
    account) or ``ets.rpc.ChainError`` (the node cannot be reached)."""
    username = username.strip()
    gate = LOGIN_THROTTLE if throttle is None else throttle
    try:
        attempt = gate.begin(username, client_key)
    except Throttled as exc:
        raise LoginThrottled(exc.retry_after, str(exc)) from None
    password_ok = False
    try:
        keystore = Keystore(Path(users_dir))
        try:
            keystore.info(username)
        except (KeystoreError, ValueError, OSError):
            _burn_time(password)
            raise LoginError(LOGIN_FAILED) from None
        try:
            signer = keystore.load(username, password)
        except (KeystoreError, ValueError, OSError):
            raise LoginError(LOGIN_FAILED) from None
        password_ok = True
    finally:
        lockout = attempt.finish(password_ok)
        if lockout:
            _LOG.warning("login failures: user name %r%s locked out for %d s", username,
                         f" / client {client_key!r}" if client_key else "", lockout)
    record = account(client, signer.address)
    if record is None:
        rep = representative_of(client, signer)  # a key a company admitted to act for it
        if rep is not None:
            return PortalUser(username=username, address=signer.address, role=REPRESENTATIVE, name=rep["name"],
                              acts_for=rep["account"], signer=signer)
        raise LoginError(
            f"Your key (account {signer.address}) is not registered on the chain, so it has no role; "
            "ask the government to register the account."
        )
    return PortalUser(
        username=username, address=signer.address, role=record["role"], name=record.get("name", ""),
        company_id=record.get("company_id"), sector=record.get("sector"), signer=signer,
    )
