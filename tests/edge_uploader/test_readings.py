"""Readings: canonical bytes, signatures over a domain-separated digest, parsing, ingest throughput."""

from __future__ import annotations

import dataclasses
import time

import pytest
from hypothesis import given, settings, strategies as st

from protocol.codec import canonical_json
from protocol.readings import PublicKeyVerifier, Reading, READING_DOMAIN, sign_reading, SignedReading

from edge_uploader.errors import ReadingError

from edge_helpers import HOUR0, device_signer


def reading(signer, seq=0, hour=0, kg=50_000, substituted=False, source="csv") -> Reading:
    return Reading(signer.address, seq, HOUR0 + 3600 * hour, kg, substituted, source)


@settings(max_examples=50, deadline=None)
@given(seq=st.integers(0, 2**63 - 1), hour=st.integers(0, 10**6), kg=st.integers(0, 10**12), sub=st.booleans(),
       source=st.sampled_from(["csv", "modbus", "substitute", "synthetic", "csv:gas_turbine_2011"]))
def test_canonical_bytes_are_the_ets_canonical_json(seq, hour, kg, sub, source):
    r = Reading(device_signer().address, seq, 3600 * hour, kg, sub, source)
    assert r.canonical_bytes() == canonical_json(r.to_json())
    assert Reading.from_json(r.to_json()) == r


def test_signature_verifies_and_every_tampered_field_fails():
    signer = device_signer()
    signed = sign_reading(signer, reading(signer, seq=7, hour=3))
    verifier = PublicKeyVerifier(signer.public_key)
    assert verifier.verify(signed)
    assert signer.public_key and signed.signature != signer.private_key.sign(signed.reading.canonical_bytes()), \
        "the signature covers the domain-separated digest, not the raw bytes"
    for change in ({"seq": 8}, {"timestamp": HOUR0 + 4 * 3600}, {"co2_kg": 50_001}, {"substituted": True}, {"source": "modbus"}):
        tampered = SignedReading(dataclasses.replace(signed.reading, **change), signed.signature)
        assert not verifier.verify(tampered), change
    other = device_signer(2)
    assert not PublicKeyVerifier(other.public_key).verify(signed), "another device's key must not verify"
    assert READING_DOMAIN == b"ETS-READING-V1\x00"


def test_a_key_cannot_sign_another_devices_reading():
    with pytest.raises(ReadingError):
        sign_reading(device_signer(2), reading(device_signer(1)))


@pytest.mark.parametrize("fields, message", [
    ({"device": "XYZ"}, "device"),
    ({"seq": -1}, "seq"),
    ({"timestamp": HOUR0 + 1}, "start of an hour"),
    ({"co2_kg": -5}, "co2_kg"),
    ({"co2_kg": 1.5}, "co2_kg"),
    ({"co2_kg": True}, "co2_kg"),
    ({"substituted": 1}, "substituted"),
    ({"source": "Bad Source"}, "source"),
])
def test_malformed_readings_are_refused_with_the_field_named(fields, message):
    base = reading(device_signer()).to_json()
    base.update(fields)
    with pytest.raises(ReadingError, match=message):
        Reading.from_json(base)


def test_json_line_round_trip_and_malformed_lines():
    signer = device_signer()
    signed = sign_reading(signer, reading(signer))
    assert SignedReading.from_line(signed.to_line()) == signed
    for line in ("not json", '{"reading": {}, "signature": "00"}', signed.to_line().replace('"co2_kg":50000', '"co2_kg":5.0e4'),
                 signed.to_line().replace('"signature":"', '"signature":"zz')[:-3] + '"}'):
        with pytest.raises(ReadingError):
            SignedReading.from_line(line)


def test_ingest_throughput_with_signature_verification(spool_factory):
    from edge_uploader.ingest import Ingestor
    from edge_uploader.validity import Limits

    signer = device_signer()
    spool = spool_factory(signer)
    n = 2000
    signed = [sign_reading(signer, reading(signer, seq=i, hour=i)) for i in range(n)]
    verifier = PublicKeyVerifier(signer.public_key)
    start = time.perf_counter()
    assert all(verifier.verify(s) for s in signed)
    verify_rate = n / (time.perf_counter() - start)
    ingestor = Ingestor(spool, Limits())
    start = time.perf_counter()
    results = [ingestor.ingest(s) for s in signed]
    ingest_rate = n / (time.perf_counter() - start)
    assert all(r.accepted for r in results) and spool.stats().readings == n
    print(f"\n[readings] signature verification alone {verify_rate:,.0f} readings/s; full ingest (verify + checks + "
          f"durable SQLite commit per reading, synchronous=FULL) {ingest_rate:,.0f} readings/s")
