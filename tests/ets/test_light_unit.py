"""The light client's rules on chains signed here: encodings, validator-set changes, skipping and bisection.

A ``SignedChain`` builds headers and commits with the client's own encoder and signs them with
Ed25519 keys made here, so validator sets can change at will (the local network's cannot yet).
It answers the client's JSON-RPC calls in CometBFT's JSON shapes through a ``ChainClient`` whose
``call`` reads the chain instead of the network; everything after the JSON is the real client.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from typing import Any, Callable

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from protocol.merkle import leaf_hash, merkle_root as readings_root
from ets.light import (
    BLOCK_PROTOCOL, FLAG_ABSENT, FLAG_COMMIT, BlockID, Commit, CommitSig, Header, LightClient, Timestamp,
    TrustOptions, Validator, VerificationError, merkle_root, validator_set_hash,
)
from ets.rpc import ChainClient

CHAIN = "signed-here"
START = Timestamp.parse("2026-03-02T09:00:00.123456789Z")
DAY = 86400 * 1_000_000_000


class Key:
    def __init__(self, n: int):
        self.private = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(f"validator {n}".encode()).digest())
        self.public = self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


KEYS = [Key(n) for n in range(12)]


class SignedChain:
    """Heights 1..top; ``sets(h)`` gives the keys and powers validating height h."""

    def __init__(self, top: int, sets: Callable[[int], list[tuple[Key, int]]], signers: Callable[[int], int] | None = None):
        self.sets = sets
        self.blocks: dict[int, tuple[Header, Commit, list[Validator]]] = {}
        last = BlockID()
        for h in range(1, top + 1):
            keys = self._ordered(h)
            validators = [Validator(k.public, p) for k, p in keys]
            t = Timestamp(START.seconds + 5 * (h - 1), START.nanos)
            header = Header(
                BLOCK_PROTOCOL, 1, CHAIN, h, t, last, _digest("commit", h), _digest("data", h),
                validator_set_hash(validators), validator_set_hash(Validator(k.public, p) for k, p in self._ordered(h + 1)),
                _digest("params", 0), _digest("app", h), _digest("results", h), _digest("evidence", h), validators[0].address)
            block_id = BlockID(header.hash(), 1, _digest("parts", h))
            count = len(keys) if signers is None else signers(h)
            sigs = [CommitSig(FLAG_COMMIT, v.address, Timestamp(t.seconds + 1, i), b"") if i < count
                    else CommitSig(FLAG_ABSENT, b"", Timestamp.parse("0001-01-01T00:00:00Z"), b"")
                    for i, v in enumerate(validators)]
            unsigned = Commit(h, 0, block_id, tuple(sigs))
            signed = tuple(replace(s, signature=k.private.sign(unsigned.vote_sign_bytes(CHAIN, i))) if s.flag == FLAG_COMMIT else s
                           for i, (s, (k, _)) in enumerate(zip(sigs, keys)))
            self.blocks[h] = (header, Commit(h, 0, block_id, signed), validators)
            last = block_id
        self.top = top

    def _ordered(self, h: int) -> list[tuple[Key, int]]:
        return sorted(self.sets(h), key=lambda kp: (-kp[1], hashlib.sha256(kp[0].public).digest()[:20]))

    def genesis(self) -> dict[str, Any]:
        return {"chain_id": CHAIN, "initial_height": "1", "genesis_time": str(START),
                "validators": [{"pub_key": v["pub_key"], "power": v["voting_power"]} for v in self._validators_json(1)]}

    def _validators_json(self, h: int) -> list[dict[str, Any]]:
        return [v.to_json() for v in self.blocks[h][2]]

    def answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "status":
            return {"sync_info": {"latest_block_height": str(self.top)}}
        h = int(params["height"])
        header, commit, _ = self.blocks[h]
        if method == "commit":
            return {"signed_header": {"header": header.to_json(), "commit": commit.to_json()}, "canonical": True}
        if method == "validators":
            page, per_page = int(params["page"]), int(params["per_page"])
            items = self._validators_json(h)
            return {"block_height": str(h), "validators": items[(page - 1) * per_page:page * per_page],
                    "count": str(len(items)), "total": str(len(items))}
        raise AssertionError(method)


def _digest(what: str, h: int) -> bytes:
    return hashlib.sha256(f"{what} {h}".encode()).digest()


class ChainOf(ChainClient):
    """A ChainClient whose JSON-RPC is answered by a SignedChain (``change`` may alter an answer)."""

    def __init__(self, chain: SignedChain, change: Callable[[str, dict, dict], dict] | None = None):
        super().__init__("http://127.0.0.1:9", chain_id=CHAIN)
        self.chain, self.change, self.asked = chain, change, []

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.asked.append((method, params.get("height")))
        result = json.loads(json.dumps(self.chain.answer(method, params)))
        return self.change(method, params, result) if self.change else result

    def commit_heights(self) -> list[int]:
        return [int(h) for m, h in self.asked if m == "commit"]


def _clock_at(height: int) -> Callable[[], int]:
    return lambda: (START.ns + 5 * (height - 1) * 1_000_000_000 + 3_000_000_000)


def _light(chain: SignedChain, change=None, **options) -> tuple[LightClient, ChainOf]:
    source = ChainOf(chain, change)
    options.setdefault("clock", _clock_at(chain.top))
    return LightClient(source, TrustOptions.from_genesis(chain.genesis()), **options), source


def four(start: int = 0, power: int = 10) -> list[tuple[Key, int]]:
    return [(KEYS[start + i], power) for i in range(4)]


# ---------------------------------------------------------------- encodings

def test_times_parse_exactly_and_print_as_cometbft_does():
    assert Timestamp.parse("2026-12-01T12:16:36.995159808Z") == Timestamp(1796127396, 995159808)
    assert Timestamp.parse("2026-12-01T12:16:36.9951Z").nanos == 995100000
    assert Timestamp.parse("2026-12-01T21:16:36+09:00") == Timestamp(1796127396, 0)
    assert Timestamp.parse("0001-01-01T00:00:00Z") == Timestamp(-62135596800, 0)
    for text in ("2026-12-01T12:16:36.99515Z", "2026-12-01T12:16:36Z", "0001-01-01T00:00:00Z", "2026-12-01T12:16:36.000000001Z"):
        assert str(Timestamp.parse(text)) == text
    for bad in ("2026-02-30T00:00:00Z", "2026-12-01 12:16:36Z", "2026-12-01T12:16:36.0123456789Z", ""):
        with pytest.raises(ValueError):
            Timestamp.parse(bad)
    # Go's zero time as google.protobuf.Timestamp: the negative seconds as a ten-byte varint
    zero = Timestamp(-62135596800, 0).encode()
    assert zero[0] == 0x08 and len(zero) == 11 and zero[-1] == 0x01


def test_the_merkle_root_is_rfc6962_as_the_readings_tree_and_cometbft_define_it():
    assert merkle_root([]) == hashlib.sha256(b"").digest()
    for n in range(1, 18):
        items = [bytes([i]) * (i + 1) for i in range(n)]
        assert merkle_root(items) == readings_root(leaf_hash(x) for x in items)


def test_validators_hash_covers_keys_and_powers_in_the_sets_order():
    a, b = Validator(KEYS[0].public, 10), Validator(KEYS[1].public, 10)
    assert validator_set_hash([a, b]) != validator_set_hash([b, a])
    assert validator_set_hash([a, b]) != validator_set_hash([a, replace(b, power=11)])
    assert a.simple_bytes() == b"\x0a\x22\x0a\x20" + KEYS[0].public + b"\x10\x0a"


def test_a_genesis_with_a_wrong_address_or_no_validator_is_refused():
    doc = SignedChain(1, lambda h: four()).genesis()
    doc["validators"][0]["address"] = "00" * 20
    with pytest.raises(VerificationError, match="the address does not belong to its public key"):
        TrustOptions.from_genesis(doc)
    with pytest.raises(VerificationError, match="names no validators"):
        TrustOptions.from_genesis({**doc, "validators": []})


# ---------------------------------------------------------------- validator-set changes

def test_sequential_verification_follows_a_set_change_announced_by_next_validators_hash():
    chain = SignedChain(8, lambda h: four(0) if h <= 4 else four(4))  # a complete change at height 5
    light, source = _light(chain)
    for h in range(1, 9):
        assert light.verified_header(h).height == h
    assert light.verified_header(8).validators_hash == validator_set_hash(Validator(k.public, 10) for k, _ in chain._ordered(8))


def test_skipping_jumps_when_more_than_a_third_of_the_trusted_power_signs():
    chain = SignedChain(40, lambda h: four(0) if h < 20 else four(2))  # half the set replaced at 20
    light, source = _light(chain)
    assert light.verified_header(40).height == 40
    assert source.commit_heights() == [1, 40]
    assert light.trusted_heights() == [1, 40]


def test_bisection_finds_its_way_when_the_whole_set_changed():
    chain = SignedChain(33, lambda h: four(0) if h < 20 else four(4))  # nobody of the first set signs 20 and later
    light, source = _light(chain)
    assert light.verified_header(33).height == 33
    # pivots by 9/16: 1→33 fails, 19 passes, 19→33 fails, 26 fails, 22 fails, 20 passes (adjacent), 20→33 passes
    assert source.commit_heights() == [1, 33, 19, 26, 22, 20]
    assert light.trusted_heights() == [1, 19, 20, 33]


def test_a_forged_set_is_refused_at_the_adjacent_step():
    honest = SignedChain(12, lambda h: four(0))
    forged = SignedChain(12, lambda h: four(0) if h < 9 else four(8))  # an attacker's keys from height 9 on
    honest.blocks.update({h: forged.blocks[h] for h in range(9, 13)})
    light, source = _light(honest)
    with pytest.raises(VerificationError) as refused:
        light.verified_header(12)
    attacker, announced = forged.blocks[9][0].validators_hash.hex().upper(), honest.blocks[8][0].next_validators_hash.hex().upper()
    assert str(refused.value) == f"header 9: validators_hash {attacker} is not the next_validators_hash {announced} of trusted header 8"
    assert source.commit_heights() == [1, 12, 7, 9, 8]  # 8→12 fails again and the cached 9 is tried next


def test_a_new_set_must_still_sign_two_thirds_of_itself():
    chain = SignedChain(10, lambda h: four(0) if h < 6 else four(2), signers=lambda h: 2 if h == 10 else 4)
    light, _ = _light(chain)
    with pytest.raises(VerificationError, match="^header 10: commit signed by 2 of 4 validators \\(power 20 of 40\\), needs more than 2/3$"):
        light.verified_header(10)


def test_weighted_powers_count_power_not_heads():
    # one validator holds 70 of 100: it alone is more than 2/3
    chain = SignedChain(3, lambda h: [(KEYS[0], 70), (KEYS[1], 10), (KEYS[2], 10), (KEYS[3], 10)], signers=lambda h: 1)
    light, _ = _light(chain)
    verified = light.verified_header(3)
    assert (verified.signers, verified.validators, verified.signed_power, verified.total_power) == (1, 4, 70, 100)


# ---------------------------------------------------------------- time, expiry, store

def test_an_expired_trust_root_is_refused_with_what_to_do():
    chain = SignedChain(3, lambda h: four())
    light, _ = _light(chain, clock=lambda: START.ns + 15 * DAY)
    with pytest.raises(VerificationError, match="^trusted header 1 of .* is older than the trusting period \\(14 days\\): verify again from a recent"):
        light.verified_header(3)
    light, _ = _light(chain, clock=lambda: START.ns + 15 * DAY, trusting_period=30 * 86400)
    assert light.verified_header(3).height == 3


def test_a_header_not_after_the_trusted_one_is_refused():
    chain = SignedChain(5, lambda h: four())

    def earlier(method, params, result):
        if method == "commit" and params["height"] == "5":
            result["signed_header"]["header"]["time"] = str(START)
        return result

    light, _ = _light(chain, earlier)
    light.verified_header(2)
    with pytest.raises(VerificationError, match="^header 5: time .* is not after the time .* of trusted header 2$"):
        light.verified_header(5)


def test_validator_sets_are_read_page_by_page_and_a_short_one_is_refused(monkeypatch):
    monkeypatch.setattr("ets.light._PER_PAGE", 5)
    chain = SignedChain(2, lambda h: [(KEYS[i], 10) for i in range(12)])
    light, source = _light(chain)
    assert light.verified_header(2).validators == 12
    assert [h for m, h in source.asked if m == "validators"].count("2") == 3

    def short(method, params, result):
        if method == "validators":
            result["total"] = "13"
        return result
    with pytest.raises(VerificationError, match="^validator set of height 1: the node sent 12 of 13 validators$"):
        _light(chain, short)[0].verified_header(2)


def test_the_store_resumes_from_the_latest_trusted_header(tmp_path):
    chain = SignedChain(30, lambda h: four())
    store = tmp_path / "light.json"
    light, _ = _light(chain, store_path=store)
    light.verified_header(20)
    again, source = _light(chain, store_path=store)
    assert again.trusted_heights() == [1, 20]
    again.verified_header(30)
    assert source.commit_heights() == [30]
    other = TrustOptions.from_genesis({**chain.genesis(), "chain_id": "another"})
    with pytest.raises(VerificationError, match="holds chain 'signed-here', but the trust options are for 'another'"):
        LightClient(ChainOf(chain), other, store_path=store)


def test_below_a_trusted_hash_headers_are_verified_backwards_along_last_block_id():
    chain = SignedChain(12, lambda h: four())
    trust = TrustOptions.from_hash(10, chain.blocks[10][0].hash())
    source = ChainOf(chain)
    light = LightClient(source, trust, clock=_clock_at(12))
    assert light.verified_header(7).header_hash == chain.blocks[7][0].hash()
    assert source.commit_heights() == [10, 9, 8, 7]

    def altered(method, params, result):
        if method == "commit" and params["height"] == "8":
            result["signed_header"]["header"]["app_hash"] = "00" * 32
        return result
    light = LightClient(ChainOf(chain, altered), trust, clock=_clock_at(12))
    with pytest.raises(VerificationError, match=f"^header 8 hashes to [0-9A-F]{{64}}, but header 9 names {chain.blocks[8][1].block_id.hash.hex().upper()} as its previous block$"):
        light.verified_header(6)
