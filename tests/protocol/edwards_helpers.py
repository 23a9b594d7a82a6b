"""Edwards25519 point arithmetic in plain Python (slow, for building test signatures only): decoding,
encoding, addition, scalar multiplication, and signing with any point as the public key, so tests can
make the signatures an honest signer never makes (R or the key carrying a small-order part)."""

from __future__ import annotations

import hashlib

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)

Point = tuple[int, int, int, int]  # extended coordinates (X, Y, Z, T), x = X/Z, y = Y/Z, xy = T/Z
IDENTITY: Point = (0, 1, 1, 0)


def add(a: Point, b: Point) -> Point:
    x1, y1, z1, t1 = a
    x2, y2, z2, t2 = b
    e = (y1 - x1) * (y2 - x2) % P
    f = (y1 + x1) * (y2 + x2) % P
    g = 2 * D * t1 * t2 % P
    h = 2 * z1 * z2 % P
    e, f, g, h = f - e, h - g, h + g, f + e
    return e * f % P, g * h % P, f * g % P, e * h % P


def mul(k: int, point: Point) -> Point:
    out = IDENTITY
    while k:
        if k & 1:
            out = add(out, point)
        point = add(point, point)
        k >>= 1
    return out


def decode(data: bytes) -> Point:
    y = int.from_bytes(data, "little") & ((1 << 255) - 1)
    sign = data[31] >> 7
    if y >= P:
        raise ValueError("not a canonical encoding")
    xx = (y * y - 1) * pow(D * y * y + 1, P - 2, P) % P
    x = pow(xx, (P + 3) // 8, P)
    if (x * x - xx) % P:
        x = x * SQRT_M1 % P
    if (x * x - xx) % P:
        raise ValueError("not a point")
    if x & 1 != sign:
        x = P - x
    return x, y, 1, x * y % P


def encode(point: Point) -> bytes:
    x, y, z, _ = point
    zi = pow(z, P - 2, P)
    x, y = x * zi % P, y * zi % P
    return (y | (x & 1) << 255).to_bytes(32, "little")


BASE = decode((4 * pow(5, P - 2, P) % P).to_bytes(32, "little"))
ORDER_8 = decode(bytes.fromhex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"))  # generates the small-order points


def challenge(r: bytes, public: bytes, message: bytes) -> int:
    return int.from_bytes(hashlib.sha512(r + public + message).digest(), "little") % L


def sign_with_torsion_key(secret: int, torsion: int, message: bytes, nonce: int) -> tuple[bytes, bytes]:
    """(public key, signature): the key is [secret]B + [torsion]T8 (a point outside the prime-order
    subgroup, not of small order), and the signature satisfies the cofactorless equation R = [S]B - [k]A.
    R then needs the small-order part -[k]T8; nonces are tried until R's chosen part is that one."""
    public = encode(add(mul(secret, BASE), mul(torsion, ORDER_8)))
    for attempt in range(nonce, nonce + 1000):
        r = int.from_bytes(hashlib.sha512(b"nonce %d" % attempt).digest(), "little") % L
        rb = mul(r, BASE)
        for j in range(8):
            big_r = encode(add(rb, mul(j, ORDER_8)))
            k = challenge(big_r, public, message)
            if (j + k * torsion) % 8 == 0:
                return public, big_r + ((r + k * secret) % L).to_bytes(32, "little")
    raise AssertionError("no nonce fitted")


def sign_with_small_order_r(secret: int, point: bytes, message: bytes, nonce: int) -> tuple[bytes, bytes]:
    """(public key, signature) by the key [secret]B whose R is [r]B plus the small-order ``point``:
    S = r + k * secret answers the challenge k of that R, so the cofactorless equation misses by exactly
    ``point`` (the signer's own doing; a third party cannot make one). ``point`` = identity: an honest signature."""
    public = encode(mul(secret, BASE))
    r = int.from_bytes(hashlib.sha512(b"nonce %d" % nonce).digest(), "little") % L
    big_r = encode(add(mul(r, BASE), decode(point)))
    k = challenge(big_r, public, message)
    return public, big_r + ((r + k * secret) % L).to_bytes(32, "little")
