"""Fixtures for the edge uploader tests: device keys and spools."""

from __future__ import annotations

import pytest

from edge_uploader.spool import Spool
from ets.keys import Signer

from edge_helpers import START_DAY, device_signer


@pytest.fixture
def signer() -> Signer:
    return device_signer(1)


@pytest.fixture
def spool_factory(tmp_path):
    opened: list[Spool] = []

    def make(signer: Signer, start_day: str = START_DAY, name: str = "spool.sqlite") -> Spool:
        spool = Spool(tmp_path / name, device=signer.address, public_key=signer.public_key, start_day=start_day)
        opened.append(spool)
        return spool

    yield make
    for spool in opened:
        try:
            spool.close()
        except Exception:
            pass
