"""The book's canonical JSON: one encoding per book, strict decoding, round trips."""

from __future__ import annotations

import json

import pytest

from abci_app.market import Book, CorruptState, Order, Side, add_order, book_from_json, book_to_json, match_order

BUY, SELL = Side.BUY, Side.SELL


def sample() -> Book:
    book = Book("KAU25")
    for n, (side, price, qty) in enumerate([(BUY, 9_990, 5), (BUY, 10_000, 7), (SELL, 10_010, 3), (BUY, 9_990, 2), (SELL, 10_005, 4)], 1):
        book = add_order(book, Order(n, n, f"회사{n}", "KAU25", side, price, qty))
    book, _, _ = match_order(book, Order(6, 9, "x", "KAU25", BUY, 10_005, 1), height=1)
    return book


def test_canonical_form_is_exact():
    data = book_to_json(sample())
    assert data.startswith(b'{"asks":[{"order_id":5,"owner":"')
    obj = json.loads(data)
    assert [o["order_id"] for o in obj["bids"]] == [2, 1, 4] and [o["order_id"] for o in obj["asks"]] == [5, 3]
    assert obj["asks"][0]["remaining"] == 3 and obj["last_sequence"] == 9 and obj["instrument"] == "KAU25"
    assert "회사1".encode() in data  # UTF-8, not \\u escapes
    assert data == json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def test_round_trip_keeps_everything():
    book = sample()
    again = book_from_json(book_to_json(book))
    assert again == book and book_to_json(again) == book_to_json(book)
    assert book_from_json(book_to_json(Book("KAU26"))) == Book("KAU26")
    assert Book.from_json(book.to_json()) == book and book.to_json() == book_to_json(book)


def _tamper(edit) -> bytes:
    obj = json.loads(book_to_json(sample()))
    edit(obj)
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@pytest.mark.parametrize(
    "data, fragment",
    [
        (b"not json", "not valid"),
        (b"\xff", "not valid"),
        (b"[]", "exactly"),
        (book_to_json(Book("KAU25")).replace(b":0", b":0.0"), "non-integer"),
        (b'{"asks":[],"asks":[],"bids":[],"instrument":"KAU25","last_sequence":0}', "duplicate key"),
        (json.dumps(json.loads(book_to_json(Book("KAU25"))), indent=1).encode(), "canonical"),
        (_tamper(lambda o: o.update(bids=[o["bids"][1], o["bids"][0], o["bids"][2]])), "price priority"),
        (_tamper(lambda o: o["asks"][0].update(remaining=0)), "nothing remaining"),
        (_tamper(lambda o: o["asks"][0].update(remaining=99)), "remaining"),
        (_tamper(lambda o: o.update(last_sequence=3)), "last_sequence"),
        (_tamper(lambda o: o["asks"][0].update(order_id=2)), "twice"),
        (_tamper(lambda o: o["asks"][0].pop("owner")), "exactly the fields"),
        (_tamper(lambda o: o["asks"][0].update(price=-5)), "price"),
        (_tamper(lambda o: o.update(bids={})), "list"),
        (_tamper(lambda o: o.update(instrument="")), "instrument"),
        (_tamper(lambda o: o["bids"][2].update(sequence=1)), "arrival order"),
    ],
)
def test_anything_but_a_valid_canonical_book_is_refused(data, fragment):
    with pytest.raises(CorruptState, match=fragment):
        book_from_json(data)
