"""What the command lines built on the client share: the default node, JSON output, address arguments.

``ets`` (``ets_tools.cli``) and ``ets edge`` / ``python -m edge_uploader`` print their results and
read account addresses the same way.
"""

from __future__ import annotations

import argparse
import json
from typing import Any, Callable

from protocol.codec import is_address

__all__ = ["DEFAULT_NODE", "print_json", "address_arg"]

DEFAULT_NODE = "http://127.0.0.1:26657"


def print_json(value: Any) -> None:
    """Print ``value`` as indented JSON with sorted keys (non-ASCII text as it is)."""
    print(json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True))


def address_arg(kind: str = "account") -> Callable[[str], str]:
    """An ``argparse`` type for an account address; ``kind`` names it in the error ("account", "device")."""

    def address(text: str) -> str:
        if not is_address(text):
            raise argparse.ArgumentTypeError(f"expected a 40-character lowercase hex {kind} address")
        return text

    return address
