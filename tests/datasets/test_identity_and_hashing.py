"""company_id (the chain's public company id) and file_sha256 (input fingerprints)."""

from __future__ import annotations

import hashlib
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from datasets import company_id, file_sha256


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("삼성전자 주식회사", "삼성전자 주식회사"),
        ("  삼성전자   주식회사 ", "삼성전자 주식회사"),
        (" 롯데이노베이트(주)", "롯데이노베이트(주)"),
        ("주식회사\t디비하이텍\n", "주식회사 디비하이텍"),
        ("한국\u00a0전력\u3000공사", "한국 전력 공사"),  # no-break and ideographic spaces
        (unicodedata.normalize("NFD", "포스코홀딩스 주식회사"), "포스코홀딩스 주식회사"),  # decomposed jamo
        ("(주)MSC", "(주)MSC"),
        ("㈜디엔브이", "㈜디엔브이"),  # ㈜ stays ㈜: only NFC, not NFKC
        ("GS파워", "GS파워"),
    ],
)
def test_company_id(name, expected):
    assert company_id(name) == expected


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "a company name must not be empty"),
        (" \t\u3000 ", "a company name must not be empty"),
        ("가" * 201, "a company name must be at most 200 characters, got 201"),
        ("회사\u200b이름", "a company name must be printable text (no control or zero-width characters): '회사\\u200b이름'"),
        (None, "a company name must be text, got NoneType"),
    ],
)
def test_company_id_refuses(name, message):
    with pytest.raises(ValueError) as caught:
        company_id(name)
    assert str(caught.value) == message


def test_distinct_spellings_stay_distinct():
    assert company_id("(주)하림") != company_id("㈜하림") != company_id("주식회사 하림")
    assert company_id("GS파워") != company_id("gs파워")


_pieces = list("가나다라 ()주식회사㈜AbC1-\t\u00a0\u3000") + [unicodedata.normalize("NFD", "한")]  # decomposed 한
_names = st.lists(st.sampled_from(_pieces), min_size=1, max_size=40).map("".join).filter(lambda s: s.split())


@settings(max_examples=200, deadline=None)
@given(_names)
def test_company_id_is_canonical(name):
    cid = company_id(name)
    assert company_id(cid) == cid
    assert cid == cid.strip() and "  " not in cid
    assert unicodedata.is_normalized("NFC", cid)
    assert company_id(f"  {name}\t") == cid


def test_file_sha256_matches_hashlib_across_chunks(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert file_sha256(empty) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    big = tmp_path / "big.csv"
    data = bytes(range(256)) * 9_000  # > 2 MiB: several read chunks
    big.write_bytes(data)
    assert file_sha256(big) == hashlib.sha256(data).hexdigest()
    assert file_sha256(str(big)) == file_sha256(big)
