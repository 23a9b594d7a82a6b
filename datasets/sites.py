"""Company sites of the demo data set (``sites.csv``): which sites report through edge devices.

No public K-ETS file lists sites, so this format is the project's own, written by the demo
generator in UTF-8 like the other demo files::

    업체명, 사업장ID, 사업장명, 소재지, 배출량(tCO2eq)

사업장ID is the chain's site id (ASCII letters, digits, ``_ . -``); a (company, site id) pair is unique.
"""

from __future__ import annotations

from typing import Any

from ._columns import Column, Row
from ._scan import Kind, read_all
from ._tables import FileInput
from .records import Site

__all__ = ["read_sites", "SITE_HEADERS", "SITES"]

_COLUMNS = (
    Column("company", "업체명"),
    Column("site_id", "사업장ID"),
    Column("site_name", "사업장명"),
    Column("region", "소재지"),
    Column("emissions", "배출량(tCO2eq)"),
)

SITE_HEADERS = tuple(c.label for c in _COLUMNS)


def _site(row: Row) -> Site:
    return row.build(
        Site,
        company=row.company("company"),
        site_id=row.text("site_id", what="a site id such as s0001-01"),
        site_name=row.text("site_name", what="a site name"),
        region=row.text("region", what="a region"),
        emissions_tco2eq=row.whole("emissions"),
    )


SITES = Kind(
    name="sites",
    title="demo company sites (사업장)",
    what="a demo sites file",
    publisher="the project's demo data (synthetic)",
    columns=_COLUMNS,
    record=_site,
    key=lambda s: ((s.company, s.site_id), "site_id", f"site {s.site_id!r} of {s.company!r}"),
    unique_what="a site id appears once per company",
    unique_advice="Give each site of a company its own id.",
)


def read_sites(file: FileInput, *, name: str | None = None, format: str | None = None, **options: Any) -> list[Site]:
    """Read a demo ``sites.csv``: one row per company site."""
    return read_all(SITES, file, name=name, format=format, **options)
