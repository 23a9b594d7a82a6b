"""Fixtures for the in-process ABCI tests: a fresh cast of accounts and a node started from their genesis."""

from __future__ import annotations

import pytest

from abci_harness import Actors, Node


@pytest.fixture
def actors() -> Actors:
    return Actors.make()


@pytest.fixture
def node(tmp_path, actors) -> Node:
    return Node.start(tmp_path / "node", actors.app_state())
