"""Text and names by explicit character classes (protocol/text.py), and the registry's refusal of look-alikes."""

from __future__ import annotations

import unicodedata

import pytest

from protocol.codes import Code
from abci_harness import Actors, Node, approve, register
from ets.keys import Signer
from protocol.text import _LETTERS, _PUNCTUATION, is_name, is_text, name_key, name_problem, normalize_name


@pytest.mark.parametrize("value, ok", [
    ("Steel works no. 2", True), ("포스코 광양제철소", True), ("reason: 과다 배출", True),
    ("", False), ("   ", False), ("\u3000", False), ("a\nb", False), ("a\x00", False), ("a\x7f", False),
    ("a\u202eb", False), ("\u200b", False), ("a\u2028b", False), ("\ufeffa", False), ("a\ufffe", False),
    ("x" * 201, False), (5, False), (None, False),
])
def test_free_text(value, ok):
    assert is_text(value, 200) is ok


def test_ascii_text_is_judged_by_the_same_classes_as_any_text():
    """ASCII takes a short path; it must refuse exactly the C0 controls and DEL, and all-blank text."""
    ascii_chars = [chr(c) for c in range(128)]
    for a in ascii_chars:
        for b in ascii_chars + [""]:
            value = a + b
            control = any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value)
            assert is_text(value, 200) is (not control and value != " " * len(value)), repr(value)
            assert is_text(value + "가", 200) is not control, repr(value)  # the per-character path


@pytest.mark.parametrize("value", [
    "Samsung Electronics", "SK하이닉스", "LG화학", "포스코", "現代製鐵", "Société Générale", "Łódź Energia",
    "Газпром", "Ελληνικά Πετρέλαια", "K-Steel Co., Ltd.", "A&B (Korea) 2", "3M",
])
def test_real_names_are_accepted(value):
    assert name_problem(value, 200) is None


@pytest.mark.parametrize("value, why", [
    ("Sаmsung", "mixes Cyrillic and Latin"),              # Cyrillic а (U+0430) in a Latin name
    ("Ηyundai", "mixes Greek and Latin"),                 # Greek Eta
    ("Cafe\u0301", "U+0301"),                             # a combining accent
    ("ｓａｍｓｕｎｇ", "U+FF53"),                          # fullwidth: clients send NFKC
    ("Samsung  Electronics", "two spaces"),
    (" Samsung", "start or end"),
    ("Samsung\u00a0Electronics", "U+00A0"),
    ("Samsung\u200bElectronics", "U+200B"),
    ("ﬁnance", "U+FB01"),                                 # a ligature
    ("...", "at least one letter or digit"),
    ("", "1 to 200"),
])
def test_look_alike_and_odd_names_are_refused(value, why):
    problem = name_problem(value, 200)
    assert problem is not None and why in problem


def test_every_allowed_name_character_is_its_own_nfkc_form():
    """The chain never calls unicodedata; this test checks its tables against it once."""
    for low, high, _ in _LETTERS:
        for cp in range(low, high + 1):
            c = chr(cp)
            assert unicodedata.normalize("NFKC", c) == c, f"U+{cp:04X}"
            assert unicodedata.category(c).startswith("L"), f"U+{cp:04X}"
    for c in _PUNCTUATION:
        assert unicodedata.normalize("NFKC", c) == c


@pytest.mark.parametrize("a, b", [
    ("Samsung Electronics", "SAMSUNG ELECTRONICS"), ("Ελληνικά Πετρέλαια", "ΕΛΛΗΝΙΚΆ ΠΕΤΡΈΛΑΙΑ"), ("Σας", "ΣΑΣ"), ("Samsung Electronics", "Samsung-Electronics"),
    ("Société Générale", "SOCIÉTÉ GÉNÉRALE"), ("Łódź", "ŁÓDŹ"), ("Газпром", "ГАЗПРОМ"), ("포스코", "포 스 코"),
])
def test_names_that_differ_in_case_space_or_punctuation_share_a_key(a, b):
    assert name_key(a) == name_key(b)


def test_different_names_have_different_keys():
    assert len({name_key(n) for n in ["Samsung", "Samsonite", "포스코", "포스코건설", "Ham", "Hám"]}) == 6


@pytest.mark.parametrize("typed, sent", [
    ("ｓａｍｓｕｎｇ", "samsung"), ("Cafe\u0301", "Café"), ("  SK   하이닉스 ", "SK 하이닉스"), ("ﬁnance", "finance"),
])
def test_clients_normalise_to_nfkc_before_sending(typed, sent):
    assert normalize_name(typed) == sent and is_name(sent, 200)


def _register_via_proposal(node: Node, actors: Actors, name: str, nonce: int):
    new = Signer.generate()
    result = node.run(actors.gov[0], register(new, "company", name))
    if result.code != Code.OK:
        node.nonces[actors.gov[0].address] = node.committed_nonce(actors.gov[0])  # a refused message uses no nonce
        return result
    pid = __import__("json").loads(result.data)["proposal_id"]
    return node.run(actors.gov[1], approve(pid))


def test_the_registry_refuses_look_alikes_and_duplicates_of_a_normalised_name(tmp_path):
    actors = Actors.make()
    node = Node.start(tmp_path / "node", {**actors.app_state(), "params": {**actors.app_state()["params"], "approvals_required": 2}})
    assert _register_via_proposal(node, actors, "Hanbit Steel", 0).code == Code.OK
    for look_alike, code in [("Hanbit Steel", Code.NAME_TAKEN), ("HANBIT STEEL", Code.NAME_TAKEN), ("Hanbit-Steel", Code.NAME_TAKEN),
                             ("Hаnbit Steel", Code.INVALID_MESSAGE), ("Hanbit Stee\u0301l", Code.INVALID_MESSAGE)]:
        result = _register_via_proposal(node, actors, look_alike, 0)
        assert result.code == code, (look_alike, result.log)
    assert _register_via_proposal(node, actors, "Hanbit Steel 2", 0).code == Code.OK


def test_a_batch_with_two_spellings_of_one_name_is_refused(tmp_path):
    actors = Actors.make()
    node = Node.start(tmp_path / "node", actors.app_state())
    accounts = []
    for name in ("Daehan Cement", "DAEHAN CEMENT"):
        new = Signer.generate()
        accounts.append({"address": new.address, "public_key": new.public_key.hex(), "role": "company", "name": name})
    result = node.run(actors.gov[0], {"type": "propose", "action": {"type": "register_accounts", "accounts": accounts}})
    assert result.code == Code.INVALID_MESSAGE and "differ only in case" in result.log
