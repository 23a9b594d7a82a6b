"""Every message and governed action of the chain, as frozen dataclasses.

``parse_message(obj)`` turns the ``msg`` object of a decoded envelope into one of these, or raises
``TxRejected`` with ``UNKNOWN_MESSAGE`` / ``INVALID_MESSAGE`` and a log naming the field and what is
expected (stateless checks only; checks against state belong to the chain's modules). Clients
build the same classes and sign ``m.to_json()``; ``parse_message(m.to_json()) == m`` for each.

One file per domain (``access``, ``accounts``, ``auctions``, ``compliance``, ``transfers``, ``governance``, ``plans``, ``mrv``,
``trading``, ``blocktrades``, ``validators``, ``privacy``, ``channels``, ``makers``, ``custody``, ``stabilisation``); a class joins the
registry with ``@message`` or ``@action``.
"""

from __future__ import annotations

from typing import Any

from ..codes import Code, TxRejected
from . import (
    access, accounts, auctions, blocktrades, channels, compliance, custody, governance, makers, mrv, plans, privacy, stabilisation,
    trading, transfers, validators,
)
from ._base import ACTIONS, MESSAGES, Wire, day_number, is_instrument
from .access import *  # noqa: F401,F403  (each domain file's __all__)
from .accounts import *  # noqa: F401,F403
from .auctions import *  # noqa: F401,F403
from .blocktrades import *  # noqa: F401,F403
from .channels import *  # noqa: F401,F403
from .compliance import *  # noqa: F401,F403
from .custody import *  # noqa: F401,F403
from .governance import *  # noqa: F401,F403
from .makers import *  # noqa: F401,F403
from .mrv import *  # noqa: F401,F403
from .plans import *  # noqa: F401,F403
from .privacy import *  # noqa: F401,F403
from .stabilisation import *  # noqa: F401,F403
from .trading import *  # noqa: F401,F403
from .transfers import *  # noqa: F401,F403
from .validators import *  # noqa: F401,F403

_DOMAINS = (access, accounts, auctions, blocktrades, channels, compliance, custody, governance, makers, mrv, plans, privacy,
            stabilisation, trading, transfers, validators)
__all__ = [name for domain in _DOMAINS for name in domain.__all__] + [
    "Message", "Action", "Wire", "MESSAGES", "ACTIONS", "day_number", "parse_message", "parse_action", "is_instrument",
]

# For type annotations: any registered message or governed action (the registries are the full lists).
Message = Wire
Action = Wire


def parse_message(obj: dict[str, Any]) -> Message:
    parser = MESSAGES.get(obj.get("type"))  # type: ignore[arg-type]
    if parser is None:
        raise TxRejected(Code.UNKNOWN_MESSAGE, f"unknown message type {str(obj.get('type'))[:40]!r}; known: {', '.join(sorted(MESSAGES))}")
    return parser(obj)


def parse_action(obj: dict[str, Any]) -> Action:
    parser = ACTIONS.get(obj.get("type"))  # type: ignore[arg-type]
    if parser is None:
        raise TxRejected(Code.INVALID_MESSAGE, f"unknown governed action {str(obj.get('type'))[:40]!r}; known: {', '.join(sorted(ACTIONS))}")
    return parser(obj)
