"""A chain refusal explained in the visitor's language: a Korean meaning for every registered result code
(``portal.code_text``), used by the one function every page reports a refusal with (``show_chain_error``)."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from portal.code_text import KOREAN, meaning
from protocol.codes import Code, describe

HANGUL = re.compile(r"[\uac00-\ud7a3]")


def test_every_registered_code_has_a_korean_meaning_and_nothing_else_does():
    assert set(KOREAN) == {c.name for c in Code}
    plain = [name for name, text in KOREAN.items() if not HANGUL.search(text)]
    assert plain == [], f"not Korean: {plain}"
    assert len(set(KOREAN.values())) == len(KOREAN), "two codes share one meaning"


@pytest.mark.parametrize("code", [Code.INSUFFICIENT_BALANCE, Code.MARKET_CLOSED, Code.ACCESS_NOT_RECORDED])
def test_the_meaning_follows_the_language(code, monkeypatch):
    assert meaning(code) == describe(code)  # the suite's portal speaks English
    monkeypatch.setenv("ETS_PORTAL_LANGUAGE", "ko")
    assert meaning(code) == KOREAN[code.name] != describe(code)
    assert meaning(12345) == "등록되지 않은 코드"


def _refusal_page():
    from ets.rpc import TxRejectedError
    from portal.i18n import language
    from protocol.codes import Code
    from portal.submit import show_chain_error

    doing = "이전" if language() == "ko" else "transferring"
    show_chain_error(TxRejectedError(int(Code.INSUFFICIENT_BALANCE), "not enough KAU25 in ets1abc for this transfer of 5,000 t",
                                     "AB" * 32), doing)


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_a_refusal_is_shown_in_plain_words_in_one_language(lang, monkeypatch):
    monkeypatch.setenv("ETS_PORTAL_LANGUAGE", lang)
    app = AppTest.from_function(_refusal_page).run(timeout=30)
    assert not app.exception, app.exception
    [error] = [e.value for e in app.error]
    assert "not enough KAU25" in error and "AB" * 32 in error  # the chain's own detail and the tx, not hidden
    if lang == "ko":
        assert "잔액이 부족합니다" in error and "체인이 거래를 거부했습니다" in error
        assert describe(Code.INSUFFICIENT_BALANCE) not in error
    else:
        assert "The chain rejected the transaction while transferring (code 11: the balance is too small)" in error
