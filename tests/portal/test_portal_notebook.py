"""The analysts' notebook runs top to bottom against a real seeded validator."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from portal_chain import SeededChain

pytestmark = pytest.mark.localnet

NOTEBOOK = Path(__file__).resolve().parents[2] / "portal" / "notebooks" / "emissions.ipynb"


def test_emissions_notebook_executes(chain: SeededChain, monkeypatch):
    monkeypatch.setenv("ETS_PORTAL_NODE", chain.rpc_url)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not cell.get("outputs") for cell in nb.cells if cell.cell_type == "code"), "commit the notebook without outputs"
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    text = "\n".join(out.get("text", "") for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs)
    assert "chain ets-portal-test" in text
    assert "company-months agree with their 5 daily records" in text
    tables = [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs if "data" in out]
    html = "\n".join(out["data"].get("text/html", "") for out in tables)
    assert "(주)한빛철강" in html and "reported_t (all years)" in html
