"""Signing keys and the encrypted keystore.

A keystore is a folder of ``<name>.key.json`` files. Each holds one Ed25519 private key
encrypted with AES-256-GCM under a key derived from the owner's passphrase by scrypt;
the public key and address are stored in clear so keys can be listed without the
passphrase. Private keys never touch the disk unencrypted.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from protocol.codec import address_of, canonical_json, encode_envelope, sign_digest
from protocol.messages import Wire
from protocol.replies import new_reply_key, open_reply, reply_public_hex

__all__ = ["Signer", "SignedQuery", "Keystore", "KeystoreError", "DEFAULT_SCRYPT_N"]

DEFAULT_SCRYPT_N = 2**15
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class KeystoreError(Exception):
    """A key that cannot be created, found or decrypted; the message says what to do."""


@dataclass(frozen=True)
class Signer:
    """An unlocked key: signs transactions and queries for one account."""

    private_key: Ed25519PrivateKey

    @classmethod
    def generate(cls) -> "Signer":
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_seed(cls, seed: bytes) -> "Signer":
        return cls(Ed25519PrivateKey.from_private_bytes(seed))

    @property
    def public_key(self) -> bytes:
        return self.private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def address(self) -> str:
        return address_of(self.public_key)

    def sign_tx(self, chain_id: str, nonce: int, msg: Wire | dict[str, Any]) -> bytes:
        """The envelope of ``msg`` (a protocol message, or its ``msg`` object as a dict) signed with ``nonce``.

        Signs what it is given; ``ets.rpc.ChainClient.sign`` checks a message before it gets here."""
        if isinstance(msg, Wire):
            msg = msg.to_json()
        body = canonical_json({"chain_id": chain_id, "msg": msg, "nonce": nonce, "signer": self.address})
        return encode_envelope(body, self.private_key.sign(sign_digest(body)))

    def signed_query(self, chain_id: str, path: str, issued_at: int) -> "SignedQuery":
        """A signed query for ``path`` with a reply key of its own; ``.open`` reads the sealed answer."""
        reply_key = new_reply_key()
        body = canonical_json({"chain_id": chain_id, "issued_at": issued_at, "path": path, "reader": self.address,
                               "reply_key": reply_public_hex(reply_key)})
        digest = sign_digest(body, query=True)
        return SignedQuery(encode_envelope(body, self.private_key.sign(digest), query=True), digest, reply_key)

    def sign_query(self, chain_id: str, path: str, issued_at: int) -> bytes:
        """Just the envelope bytes of a signed query (its answer cannot be opened: for access checks)."""
        return self.signed_query(chain_id, path, issued_at).data


@dataclass(frozen=True)
class SignedQuery:
    """The bytes to send as ``abci_query`` data, and what opens the node's sealed answer."""

    data: bytes
    digest: bytes
    reply_key: X25519PrivateKey

    def open(self, sealed: bytes) -> bytes:
        return open_reply(sealed, self.reply_key, self.digest)


def _kdf(passphrase: str, salt: bytes, n: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=8, p=1).derive(passphrase.encode())


class Keystore:
    """A folder of passphrase-encrypted keys."""

    def __init__(self, folder: str | os.PathLike[str]):
        self.folder = Path(folder)

    def _path(self, name: str) -> Path:
        if not _NAME.match(name):
            raise KeystoreError(
                f"key name {name!r} is not allowed: use 1-64 letters, digits, '_', '.', '-' (starting with a letter or digit)"
            )
        return self.folder / f"{name}.key.json"

    def create(self, name: str, passphrase: str, *, signer: Signer | None = None, scrypt_n: int = DEFAULT_SCRYPT_N) -> Signer:
        if len(passphrase) < 8:
            raise KeystoreError("passphrase too short: use at least 8 characters")
        path = self._path(name)
        if path.exists():
            raise KeystoreError(f"a key named {name!r} already exists in {self.folder}; choose another name")
        signer = signer or Signer.generate()
        salt, nonce = os.urandom(16), os.urandom(12)
        seed = signer.private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        record = {
            "version": 1,
            "name": name,
            "address": signer.address,
            "public_key": signer.public_key.hex(),
            "kdf": {"name": "scrypt", "n": scrypt_n, "r": 8, "p": 1, "salt": salt.hex()},
            "cipher": {"name": "aes-256-gcm", "nonce": nonce.hex()},
            "ciphertext": AESGCM(_kdf(passphrase, salt, scrypt_n)).encrypt(nonce, seed, name.encode()).hex(),
        }
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(canonical_json(record))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        return signer

    def info(self, name: str) -> dict[str, Any]:
        path = self._path(name)
        try:
            record = json.loads(path.read_bytes())
        except FileNotFoundError:
            raise KeystoreError(f"no key named {name!r} in {self.folder}; `ets keys list` shows the keys there") from None
        return {"name": record["name"], "address": record["address"], "public_key": record["public_key"]}

    def list(self) -> list[dict[str, Any]]:
        if not self.folder.is_dir():
            return []
        return [self.info(p.name[: -len(".key.json")]) for p in sorted(self.folder.glob("*.key.json"))]

    def load(self, name: str, passphrase: str) -> Signer:
        path = self._path(name)
        try:
            record = json.loads(path.read_bytes())
        except FileNotFoundError:
            raise KeystoreError(f"no key named {name!r} in {self.folder}; `ets keys list` shows the keys there") from None
        kdf = record["kdf"]
        key = _kdf(passphrase, bytes.fromhex(kdf["salt"]), int(kdf["n"]))
        try:
            seed = AESGCM(key).decrypt(bytes.fromhex(record["cipher"]["nonce"]), bytes.fromhex(record["ciphertext"]), name.encode())
        except InvalidTag:
            raise KeystoreError(f"wrong passphrase for key {name!r} (or the key file was altered)") from None
        signer = Signer.from_seed(seed)
        if signer.address != record["address"]:
            raise KeystoreError(f"key file {path} is inconsistent: its address does not match its private key")
        return signer
