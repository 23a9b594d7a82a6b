"""Every text key the portal's source names exists in the catalogue, in Korean and English.

A key is named as a literal (``t("market.title")``) or built from a literal prefix and a known set of
values (``t(f"role.{role}")`` over session.ROLE_LABELS): both are checked here, from the source, so a
page never meets a missing key at run time in front of a visitor."""

from __future__ import annotations

import ast
import string
from pathlib import Path

from portal import i18n, session, ui
from portal.data import custody, makers, statement
from portal.views import account_security, verification
from protocol.messages import Approve, Propose, Reject
from protocol.messages.compliance import OPINIONS
from protocol.messages.custody import TRUSTED_OPS

PORTAL = Path(__file__).resolve().parents[2] / "portal"
SOURCES = sorted(PORTAL.rglob("*.py"))


def _calls_in(path: Path) -> list[ast.Call]:
    """Each ``t("...")`` call with a literal first argument."""
    return [node for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "t" and node.args
            and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)]


def _keys_in(path: Path) -> list[tuple[str, int]]:
    """(key, line) of each ``t("...")`` call with a literal first argument."""
    return [(node.args[0].value, node.lineno) for node in _calls_in(path)]


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_the_portal_names_text_keys():
    assert sum(len(_keys_in(p)) for p in SOURCES) > 100


def test_every_literal_key_in_the_source_is_in_the_catalogue():
    entries = i18n.catalogue()
    missing = [f"{path.relative_to(PORTAL.parent)}:{line} {key}" for path in SOURCES for key, line in _keys_in(path)
               if key not in entries]
    assert not missing, f"add these keys to a file in portal/text/: {missing}"


def test_every_call_fills_exactly_the_fields_of_its_text_in_both_languages():
    """A field the text names but the call does not give fails at run time; so does a field called ``key``
    (it is ``t``'s own parameter)."""
    entries = i18n.catalogue()
    wrong = []
    for path in SOURCES:
        for node in _calls_in(path):
            key = node.args[0].value
            if key not in entries or any(k.arg is None for k in node.keywords):
                continue
            given = {k.arg for k in node.keywords}
            wanted = _fields(entries[key]["ko"]) | _fields(entries[key]["en"])
            if given != wanted or "key" in given:
                wrong.append(f"{path.relative_to(PORTAL.parent)}:{node.lineno} {key}: gives {sorted(given)}, "
                             f"the text wants {sorted(wanted)}")
    assert not wrong, wrong


def test_every_key_built_from_a_known_set_is_in_the_catalogue():
    entries = i18n.catalogue()
    built = [f"role.{r}" for r in session.ROLE_LABELS] + ["role.none"]
    built += [f"common.phase.{p}" for p in (*ui._PHASES, "none")]
    built += [f"common.plan_status.{s}" for s in ui._PLAN_STATUS]
    built += [f"common.proposal_status.{s}" for s in ui.PROPOSAL_STATUSES]
    built += [f"review.sent_kind.{m.TYPE}" for m in (Propose, Approve, Reject)]  # what a plan decision sends
    built += [f"verification.opinions.{o}" for o in OPINIONS]
    built += [f"custody.transfer_status.{s}" for s in account_security.TRANSFER_STATUSES]
    built += [f"verification.statement_status.{s}" for s in verification.STATEMENT_STATUSES]
    built += [f"custody.trusted_op.{o}" for o in TRUSTED_OPS] + [f"custody.right.{r}" for r in custody.RIGHTS]
    built += [f"custody.period.{p}" for p in custody.LIMITS] + [f"makers.class.{c}" for c in makers.CLASSES]
    kinds = [f"flows.statement.kinds.{k.replace(' ', '_')}" for k in statement.KINDS]
    built += kinds
    assert [k for k in built if k not in entries] == []
    assert sorted(kinds) == sorted(k for k in entries if k.startswith("flows.statement.kinds."))  # none left over
    from abci_app.modules.transfers.journal import KINDS as RECORDED

    assert set(statement._KINDS) == set(RECORDED)  # every kind the chain records has its words on the statement


def test_korean_text_is_korean_and_english_text_is_not():
    """A key whose Korean is left in English (or the other way round) is a translation not done."""
    hangul = lambda text: any("\uac00" <= ch <= "\ud7a3" for ch in text)  # noqa: E731
    entries = i18n.catalogue()
    untranslated = [k for k, v in entries.items() if v["ko"] == v["en"] and any(ch.isalpha() for ch in v["en"])
                    and not _same_in_both(v["en"])]
    english_with_korean = [k for k, v in entries.items() if hangul(v["en"])]
    assert untranslated == [] and english_with_korean == []


def _same_in_both(text: str) -> bool:
    """Text that is the same in both languages: codes, units and placeholders only (KAU25, VWAP, {value} t)."""
    import re
    stripped = re.sub(r"\{[^}]*\}|KST|KRX|KAU\d*|KOC|KCU|VWAP|CSV|JSON|SHA-256|ETS_PORTAL_\w+|CO₂-eq|t\b|kg\b", "", text)
    return not any(ch.isalpha() for ch in stripped)
