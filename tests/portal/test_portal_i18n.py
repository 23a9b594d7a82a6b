"""The text catalogue (portal/i18n.py, portal/text/*.toml): complete in both languages, no key twice."""

from __future__ import annotations

import pytest

from portal import i18n


def test_the_shipped_catalogue_loads_with_korean_and_english_for_every_key():
    entries = i18n.catalogue()
    assert "common.unit_tonnes" in entries
    assert all(set(texts) == set(i18n.LANGUAGES) and all(v.strip() for v in texts.values()) for texts in entries.values())


@pytest.mark.parametrize("files, complaint", [
    ({"a.toml": '[x.y]\nko = "가"\n'}, "no text for en"),
    ({"a.toml": '[x.y]\nko = "가"\nen = "a"\n', "b.toml": '[x.y]\nko = "나"\nen = "b"\n'}, "already defined in a.toml"),
    ({"a.toml": '[x.y]\nko = "가"\nen = "a"\nfr = "z"\n'}, "unknown languages"),
    ({"a.toml": '[x.y\n'}, "not valid TOML"),
    ({"a.toml": 'x = "loose"\n'}, "must be a table"),
])
def test_an_incomplete_or_contradictory_catalogue_is_refused_with_the_file_and_key(tmp_path, files, complaint):
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(i18n.CatalogueError, match=complaint):
        i18n.catalogue.__wrapped__(tmp_path)


def test_korean_is_the_default_and_the_environment_may_choose_english(monkeypatch):
    monkeypatch.delenv("ETS_PORTAL_LANGUAGE", raising=False)
    assert i18n.default_language() == "ko"
    monkeypatch.setenv("ETS_PORTAL_LANGUAGE", "en")
    assert i18n.default_language() == "en"
    monkeypatch.setenv("ETS_PORTAL_LANGUAGE", "klingon")
    assert i18n.default_language() == "ko"


def test_compliance_pages_open_on_the_last_ended_year_unless_the_portal_names_one():
    from datetime import date

    from portal.ui import compliance_year_default

    assert compliance_year_default({}, date(2026, 12, 1)) == 2025
    assert compliance_year_default({}, date(2026, 1, 1)) == 2025
    assert compliance_year_default({"ETS_PORTAL_COMPLIANCE_YEAR": "2024"}, date(2026, 12, 1)) == 2024
    assert compliance_year_default({"ETS_PORTAL_COMPLIANCE_YEAR": "1999"}, date(2026, 12, 1)) == 2025
    assert compliance_year_default({"ETS_PORTAL_COMPLIANCE_YEAR": "soon"}, date(2040, 6, 1)) == 2030
