"""The chain's own exceptions (result codes and ``TxRejected`` are in ``protocol.codes``).

    GenesisError  genesis ``app_state`` is invalid; the node refuses to start the chain
    StorageError  the state database failed; the process stops rather than diverge
"""

from __future__ import annotations

__all__ = ["GenesisError", "StorageError"]


class GenesisError(ValueError):
    """Genesis ``app_state`` is invalid."""


class StorageError(RuntimeError):
    """The state database failed; consensus processes must stop."""
