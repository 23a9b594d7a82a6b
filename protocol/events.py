"""ABCI events: how the chain names what happened, for indexers and ``tx_search``/``block_search``.

An ``EventType`` declares an event's name and its attributes once; calling it builds an ``Event``
with exactly those attributes, every value as text. Attributes declared ``index=True`` are indexed
by CometBFT, so a client finds the txs of proposal 3 with ``PROPOSAL.query("id", 3)`` →
``"proposal.id='3'"``. Events carry only what the public may see: governance, plans and e-orders, the
registry, devices and daily totals, market aggregates. A private transaction (transfers, cash,
orders, block trades) carries only the ``message`` event below: its type, never an amount, a price
or a counterparty.

    message   every accepted tx: type* (its message type), module* (the chain module that ran it)

The chain's modules declare their own event types (``abci_app/modules/<domain>/events.py``); the
rules table in ``abci_app/rules.py`` lists every type with its attributes (* indexed) and who emits it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Attribute", "Event", "EventType", "MESSAGE"]


@dataclass(frozen=True, slots=True)
class Attribute:
    key: str
    index: bool = False  # indexed by CometBFT: usable in tx_search / block_search queries


@dataclass(frozen=True, slots=True)
class Event:
    """One emitted event: its type and (key, value, indexed) attributes in declared order."""

    type: str
    attributes: tuple[tuple[str, str, bool], ...]

    def get(self, key: str) -> str | None:
        for k, value, _ in self.attributes:
            if k == key:
                return value
        return None


@dataclass(frozen=True, slots=True)
class EventType:
    name: str
    attributes: tuple[Attribute, ...]

    def __post_init__(self) -> None:
        keys = [a.key for a in self.attributes]
        assert self.name and self.name not in ("tx", "block") and len(set(keys)) == len(keys), self

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(a.key for a in self.attributes)

    def __call__(self, **values: str | int) -> Event:
        """The event with these attribute values (exactly the declared attributes; text or integers)."""
        if set(values) != set(self.keys):
            raise TypeError(f"event {self.name} takes exactly {', '.join(self.keys)}; got {', '.join(sorted(values))}")
        out = []
        for attribute in self.attributes:
            value = values[attribute.key]
            if isinstance(value, bool) or not isinstance(value, (str, int)):
                raise TypeError(f"event {self.name}.{attribute.key} must be text or an integer; got {value!r}")
            out.append((attribute.key, str(value), attribute.index))
        return Event(self.name, tuple(out))

    def query(self, key: str, value: str | int) -> str:
        """A CometBFT event query for txs (or blocks) whose event has this indexed attribute value."""
        attribute = next((a for a in self.attributes if a.key == key), None)
        if attribute is None or not attribute.index:
            raise ValueError(f"{self.name}.{key} is not an indexed attribute")
        text = str(value)
        if "'" in text:
            raise ValueError("event query values cannot contain a quote")
        return f"{self.name}.{key}='{text}'"


MESSAGE = EventType("message", (Attribute("type", index=True), Attribute("module", index=True)))
