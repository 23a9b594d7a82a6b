"""Ed25519 signature verification: the one rule every signature on the chain is checked by.

Verification is libsodium's ``crypto_sign_open`` (through PyNaCl), about twice as fast as the
OpenSSL path of ``cryptography`` and stricter where the two differ:

    signature   exactly 64 bytes; S below the group order (no malleable S + L)
    public key  exactly 32 bytes; a canonical encoding of a point that is not of small order
    R           not of small order

OpenSSL accepts small-order public keys and R values: with the identity point as the public key,
R = identity and S = 0 "verify" for every message. Honest keys (``Ed25519PrivateKey.generate``)
never meet those cases, so every signature an honest signer makes is accepted by both; what only
OpenSSL accepts is a forgery. ``verify_openssl`` is kept for the tests that compare the two.

``verify_many`` checks many signatures at once with exactly these rules: in the native hot path
(``protocol.hotpath``: ed25519-dalek's ``verify_strict`` plus libsodium's canonical-key check), else one
``verify`` each. The native path checks a run of one key in batches (one random linear combination of
the equations) only after every R passed the single check's refusals and a test that it lies in the
prime-order subgroup, which is what keeps the accepted set the single check's: plain batch
verification accepts an R carrying a small-order part for many weights. A failed batch is checked one
signature at a time (``protocol/native/src/lib.rs`` gives the argument).
"""

from __future__ import annotations

from typing import Sequence

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from nacl.bindings import crypto_sign_open
from nacl.exceptions import BadSignatureError

from .hotpath import native

__all__ = ["PUBLIC_KEY_SIZE", "SIGNATURE_SIZE", "verify", "verify_many", "verify_openssl"]

PUBLIC_KEY_SIZE = 32
SIGNATURE_SIZE = 64


def verify(public_key: bytes, signature: bytes, message: bytes) -> bool:
    """Whether ``signature`` is a valid Ed25519 signature of ``message`` by ``public_key``."""
    if len(public_key) != PUBLIC_KEY_SIZE or len(signature) != SIGNATURE_SIZE:
        return False
    try:
        crypto_sign_open(bytes(signature) + bytes(message), bytes(public_key))
    except BadSignatureError:
        return False
    return True


def verify_many(public_keys: Sequence[bytes], signatures: Sequence[bytes], messages: Sequence[bytes]) -> list[bool]:
    """``verify`` of each (public key, signature, message), as ``bytes``; the GIL is released meanwhile."""
    if not len(public_keys) == len(signatures) == len(messages):
        raise ValueError("verify_many needs as many public keys, signatures and messages")
    fast = native()
    if fast is not None:
        return fast.verify_many(list(public_keys), list(signatures), list(messages))
    return [verify(k, s, m) for k, s, m in zip(public_keys, signatures, messages)]


def verify_openssl(public_key: bytes, signature: bytes, message: bytes) -> bool:
    """The same check through OpenSSL (``cryptography``): for comparison only, see the module docstring."""
    if len(public_key) != PUBLIC_KEY_SIZE or len(signature) != SIGNATURE_SIZE:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True
