"""Market makers and participant classes: the governed action that sets an account's class."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._base import _address, _fields, _instrument, _invalid, action, Wire

__all__ = ["PARTICIPANT_CLASSES", "SetParticipantClass"]

# market_maker: quotes both sides of one instrument daily, holding limit holding_limit_market_maker;
# third_party: a securities firm trading for itself, holding limit holding_limit_third_party;
# company: an ordinary covered company (holding_limit_company, 0 = unlimited): setting it clears a class
PARTICIPANT_CLASSES = ("market_maker", "third_party", "company")


@action
@dataclass(frozen=True, slots=True)
class SetParticipantClass(Wire):
    """Governed action: register a market maker (with the instrument it quotes), a third-party trader, or
    return an account to the ordinary company class."""

    account: str
    participant_class: str
    instrument: str = ""  # the instrument a market maker must quote; "" for the other classes
    TYPE = "set_participant_class"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "SetParticipantClass":
        kind = cls.TYPE
        _fields(obj, kind, ("account", "participant_class"), ("instrument",))
        if obj["participant_class"] not in PARTICIPANT_CLASSES:
            raise _invalid(f"{kind}.participant_class must be one of {', '.join(PARTICIPANT_CLASSES)}")
        maker = obj["participant_class"] == "market_maker"
        if maker != ("instrument" in obj and obj["instrument"] != ""):
            raise _invalid(f"{kind}.instrument names the instrument a market maker quotes (e.g. KAU25), and only then")
        instrument = _instrument(kind, obj["instrument"]) if maker else ""
        return cls(_address(kind, "account", obj["account"]), obj["participant_class"], instrument)
