"""The rules table: the assembled descriptors printed as the text ``abci_app/rules.py`` shows in its docstring.

``python -m abci_app.modules.render`` prints it; paste it over the tables in ``rules.py`` after changing
a descriptor (a test fails until the two are equal).
"""

from __future__ import annotations

import textwrap

from protocol.constants import ROLES
from protocol.events import MESSAGE, EventType

from . import Chain

__all__ = ["render_rules"]

_INDENT = "    "


def _table(header: tuple[str, ...], widths: tuple[int, ...], rows: list[tuple[str, ...]]) -> list[str]:
    """Fixed-width columns, each cell wrapped to its width; a first cell too long for its column
    (a query path) gets a line of its own above the rest of its row."""
    lines = [(_INDENT + "  ".join(h.ljust(w) for h, w in zip(header, widths))).rstrip()]
    for row in rows:
        first, cells = row[0], list(row)
        if len(first) > widths[0]:
            lines.append(_INDENT + first)
            cells[0] = ""
        wrapped = [textwrap.wrap(cell, width) or [""] for cell, width in zip(cells, widths)]
        for i in range(max(len(w) for w in wrapped)):
            parts = [(w[i] if i < len(w) else "").ljust(width) for w, width in zip(wrapped, widths)]
            lines.append((_INDENT + "  ".join(parts)).rstrip())
    return lines


def _roles(roles: frozenset[str], who: str) -> str:
    text = "any account" if roles == frozenset(ROLES) else ", ".join(sorted(roles))
    return f"{text} ({who})" if who else text


def _event_rows(chain: Chain) -> list[tuple[str, ...]]:
    private = [rule.message.TYPE for rule in chain.rules.values() if not rule.events and not rule.executes_actions]
    found: dict[str, tuple[EventType, str, list[str]]] = {
        MESSAGE.name: (MESSAGE, "core", ["every accepted tx; the only event of the private " + ", ".join(private)])}
    for module in chain.modules:
        emitters = [(e, rule.message.TYPE) for rule in module.messages for e in rule.events]
        emitters += [(e, f"action {action.action.TYPE}") for action in module.actions for e in action.events]
        emitters += [(e, "before the txs" if hook.stage == "begin" else "after the txs") for hook in module.hooks for e in hook.events]
        for event, emitter in emitters:
            found.setdefault(event.name, (event, module.name, []))[2].append(emitter)
    return [(event.name, ", ".join(a.key + "*" * a.index for a in event.attributes), ", ".join(emitters), module)
            for event, module, emitters in found.values()]


def render_rules(chain: Chain) -> str:
    """Every message, governed action, hook, query path, event and module of the chain, as text tables."""
    out = ["Messages (a tx carries one; the pipeline checks the role, the module's handler the rest):", ""]
    out += _table(("message", "roles", "effect", "module"), (20, 26, 54, 11), [
        (rule.message.TYPE, _roles(rule.roles, rule.who), rule.effect, rule.module) for rule in chain.rules.values()])
    out += ["", "Governed actions (carried by propose; executed at the m-th approval, inside that tx):", ""]
    out += _table(("action", "effect when executed", "module"), (20, 82, 11), [
        (action.action.TYPE, action.effect, action.module) for action in chain.actions.values()])
    out += ["", "Block hooks (the chain's own work in every block, in ProcessProposal and FinalizeBlock alike):", ""]
    out += _table(("when", "effect", "module"), (20, 82, 11), [
        ("before the txs" if hook.stage == "begin" else "after the txs", hook.effect, hook.module)
        for hook in chain.begin_block + chain.end_block])
    out += ["", "Transfer-out checks (before a transfer, a sell order or a block-trade sale moves allowances; never a surrender):", ""]
    out += _table(("check", "module"), (104, 11), [(check.effect, check.module) for check in chain.outgoing_checks])
    out += ["", "Queries (abci_query; a private path needs a signed query and its answer is sealed to the reader):", ""]
    out += _table(("path", "who may read", "answer", "module"), (36, 30, 36, 11), [
        (query.path, query.read.describe(), query.value, query.module) for query in chain.routes.values()])
    out += ["", "State keys read raw with a proof (/state/<key>, at the latest or a kept past height; others cannot be):", ""]
    out += _table(("key prefix", "who may read", "module"), (36, 68, 11), [
        (read.prefix, read.read.describe() if read.read.public else
         f"the account in segment {read.owner} of the key or {', '.join(sorted(read.read.roles))}", module.name)
        for module in chain.modules for read in module.state_reads])
    out += ["", "Events (public attributes only; * = indexed; a tx's events are in its result, the hooks' in the block's):", ""]
    out += _table(("event", "attributes", "emitted by", "module"), (18, 40, 44, 11), _event_rows(chain))
    out += ["", "Modules (result codes they own, the range for their new codes, prefixes of the state keys they write):", ""]
    out += _table(("module", "owns", "codes (new codes in)", "state keys"), (12, 40, 36, 24), [
        (module.name, module.summary,
         ", ".join(f"{c.name}={int(c)}" for c in sorted(module.codes)) + f" ({module.code_range.start}-{module.code_range.stop - 1})",
         " ".join(module.keys)) for module in chain.modules])
    return "\n".join(out)


if __name__ == "__main__":
    from ..rules import CHAIN

    print(render_rules(CHAIN))
