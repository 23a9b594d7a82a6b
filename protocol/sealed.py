"""Sealed block-trade prices: encrypted to their readers, committed by hash on chain.

Every account can publish an X25519 *view key* (``set_view_key``). Its private half is derived
from the account's Ed25519 seed, so nothing new has to be stored::

    view key   = X25519(SHA-256("ETS-VIEW-KEY-V1" || Ed25519 seed))
    commitment = SHA-256("ETS-PRICE-V1\\0" || canonical_json({"price": p, "salt": hex16}))
    per reader : ephemeral X25519 → ECDH → HKDF-SHA256(info = "ETS-SEALED-PRICE-V1" || reader address)
                 → AES-256-GCM(nonce 12, plaintext = canonical_json({"price","salt"}), aad = commitment)

Only the two parties and the regulator can open the price; anyone can see the commitment, and a
reader checks that what it decrypts matches it.

Sealed documents (a verification statement) use the same view keys: the document is encrypted once
with a fresh content key (AES-256-GCM, aad = its SHA-256 hex), and the content key is wrapped to each
reader as above (info = "ETS-SEALED-DOC-V1" || reader address). The hash is public; a reader checks
that the document it opens hashes to it.
"""

from __future__ import annotations

import hashlib
import json
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from .codec import canonical_json

__all__ = ["SealedPriceError", "view_key_of", "view_public_hex", "price_commitment", "seal_price", "seal_price_opening", "open_price",
           "document_hash", "seal_document", "open_document"]


class SealedPriceError(ValueError):
    """A sealed price that cannot be opened by this key, or that does not match its commitment."""


def view_key_of(signer) -> X25519PrivateKey:
    """The X25519 view key of an account, from its signer (anything with an Ed25519 ``private_key``)."""
    seed = signer.private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return X25519PrivateKey.from_private_bytes(hashlib.sha256(b"ETS-VIEW-KEY-V1" + seed).digest())


def view_public_hex(signer) -> str:
    return view_key_of(signer).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def price_commitment(price: int, salt_hex: str) -> str:
    return hashlib.sha256(b"ETS-PRICE-V1\x00" + canonical_json({"price": price, "salt": salt_hex})).hexdigest()


_PRICE_INFO = b"ETS-SEALED-PRICE-V1"


def _key(shared: bytes, reader: str, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info + reader.encode()).derive(shared)


def _seal_entry(plaintext: bytes, reader: str, public_hex: str, aad: bytes, info: bytes) -> dict[str, str]:
    """``plaintext`` sealed to one reader's X25519 key: an ephemeral key, a nonce and the AES-GCM ciphertext."""
    ephemeral = X25519PrivateKey.generate()
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(bytes.fromhex(public_hex)))
    nonce = os.urandom(12)
    return {
        "epk": ephemeral.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex(),
        "nonce": nonce.hex(),
        "ct": AESGCM(_key(shared, reader, info)).encrypt(nonce, plaintext, aad).hex(),
    }


def _open_entry(entry: dict[str, str], view_key: X25519PrivateKey, reader: str, aad: bytes, info: bytes) -> bytes:
    shared = view_key.exchange(X25519PublicKey.from_public_bytes(bytes.fromhex(entry["epk"])))
    return AESGCM(_key(shared, reader, info)).decrypt(bytes.fromhex(entry["nonce"]), bytes.fromhex(entry["ct"]), aad)


def seal_price(price: int, readers: dict[str, str]) -> tuple[str, dict[str, dict[str, str]]]:
    """Encrypt ``price`` (KRW per tonne) to each reader (address → X25519 public key hex)."""
    commitment, sealed, _ = seal_price_opening(price, readers)
    return commitment, sealed


def seal_price_opening(price: int, readers: dict[str, str]) -> tuple[str, dict[str, dict[str, str]], str]:
    """``seal_price`` with the salt too: a block-trade proposal carries (price, salt) inside its private tx,
    so that the executing validators check the price against the day's band and the commitment."""
    if not isinstance(price, int) or isinstance(price, bool) or price <= 0:
        raise SealedPriceError("a block trade price is a positive whole number of KRW per tonne")
    salt = os.urandom(16).hex()
    commitment = price_commitment(price, salt)
    payload = canonical_json({"price": price, "salt": salt})
    sealed = {reader: _seal_entry(payload, reader, public_hex, commitment.encode(), _PRICE_INFO)
              for reader, public_hex in sorted(readers.items())}
    return commitment, sealed, salt


def open_price(entry: dict[str, str], view_key: X25519PrivateKey, reader: str, commitment: str) -> int:
    """Decrypt a reader's entry and check it against the commitment; returns the price."""
    try:
        value = json.loads(_open_entry(entry, view_key, reader, commitment.encode(), _PRICE_INFO))
    except (InvalidTag, KeyError, ValueError) as exc:
        raise SealedPriceError(f"this sealed price cannot be opened with {reader}'s view key ({type(exc).__name__})") from None
    if price_commitment(value["price"], value["salt"]) != commitment:
        raise SealedPriceError("the sealed price does not match its commitment on chain: do not accept this trade")
    return int(value["price"])


_DOC_INFO = b"ETS-SEALED-DOC-V1"


def document_hash(document: bytes) -> str:
    return hashlib.sha256(document).hexdigest()


def seal_document(document: bytes, readers: dict[str, str]) -> tuple[str, dict]:
    """Encrypt ``document`` to each reader (address → X25519 public key hex): (its hash, the sealed form)."""
    digest = document_hash(document)
    content_key, nonce = AESGCM.generate_key(bit_length=256), os.urandom(12)
    keys = {reader: _seal_entry(content_key, reader, public_hex, digest.encode(), _DOC_INFO)
            for reader, public_hex in sorted(readers.items())}
    return digest, {"ct": AESGCM(content_key).encrypt(nonce, document, digest.encode()).hex(), "nonce": nonce.hex(), "keys": keys}


def open_document(sealed: dict, view_key: X25519PrivateKey, reader: str, digest: str) -> bytes:
    """The document, opened with a reader's view key and checked against its public hash."""
    try:
        content_key = _open_entry(sealed["keys"][reader], view_key, reader, digest.encode(), _DOC_INFO)
        document = AESGCM(content_key).decrypt(bytes.fromhex(sealed["nonce"]), bytes.fromhex(sealed["ct"]), digest.encode())
    except (InvalidTag, KeyError, ValueError, TypeError) as exc:
        raise SealedPriceError(f"this sealed document cannot be opened with {reader}'s view key ({type(exc).__name__})") from None
    if document_hash(document) != digest:
        raise SealedPriceError("the sealed document does not match its hash on chain")
    return document
