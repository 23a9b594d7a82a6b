"""EU-style compliance tables (the EU Transaction Log's per-installation compliance data).

The EUTL publishes, per installation and year, the free allocation, the verified emissions, the
surrendered units and a compliance code. Installations are known by their id, not their name
(names repeat across installations and many are blank), so records are keyed by
``installation_id``. Columns (English, as the EUTL and its mirrors export them; case, spaces and
underscores do not matter)::

    registry (optional)      registry_code, country, country code          e.g. DE
    installation_id          installation identifier, installation id      e.g. 1234
    name (optional)          installation_name, installation name          may be blank
    activity (optional)      activity_type, main activity, activity code   e.g. 20
    year                     year
    allocated                allocated_free, allocation, free allocation   tonnes
    verified                 verified_emissions, verified emissions        tonnes
    surrendered (optional)   surrendered units, surrendered                tonnes
    compliance_code (opt.)   compliance code                               A, B, C, …

An installation's id is ``registry-installation_id`` when a registry column is present (EUTL ids
are unique only within a registry), else the id as written. Blank cells, ``-`` and ``n/a`` in the
amounts mean not reported (None); one row per installation and year.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from ._columns import Column, Row
from ._scan import Kind, open_scan, read_all
from ._tables import FileInput
from .records import _int, _text, _year

__all__ = ["InstallationYear", "read_eu_compliance", "iter_eu_compliance", "EU_COMPLIANCE", "EU_HEADERS"]


@dataclass(frozen=True)
class InstallationYear:
    """One installation's compliance figures for one year."""

    installation_id: str
    name: str  # may be "" (many EUTL installations have no name)
    registry: str  # may be ""
    activity: str  # main activity code or text, may be ""
    year: int
    allocated: int | None  # free allocation (t), None when not reported
    verified: int | None  # verified emissions (t), None when not reported
    surrendered: int | None = None
    compliance_code: str = ""

    def __post_init__(self) -> None:
        _text("installation_id", self.installation_id)
        for name in ("name", "registry", "activity", "compliance_code"):
            _text(name, getattr(self, name), required=False)
        _year("year", self.year)
        for name, value in (("allocated", self.allocated), ("verified", self.verified), ("surrendered", self.surrendered)):
            if value is not None and (type(value) is not int or value < 0):
                _int(name, value)


def _n(*names: str) -> tuple[str, ...]:
    """Header variants with spaces and with underscores."""
    return tuple(dict.fromkeys(v for n in names for v in (n, n.replace(" ", "_"), n.replace(" ", ""))))


_COLUMNS = (
    Column("registry", "registry", _n("registry code", "country", "country code", "등록부"), required=False),
    Column("installation_id", "installation_id", _n("installation identifier", "installation id", "installation",
                                                    "시설ID", "시설 ID")),
    Column("name", "installation_name", _n("installation name", "name", "시설명"), required=False),
    Column("activity", "activity", _n("activity type", "main activity", "activity code", "main activity type code",
                                      "activity id", "업종"), required=False),
    Column("year", "year", ("연도", "이행연도")),
    Column("allocated", "allocated", _n("allocated free", "allocation", "free allocation", "allocated allowances",
                                        "할당량")),
    Column("verified", "verified", _n("verified emissions", "verified emission", "검증배출량", "인증 배출량")),
    Column("surrendered", "surrendered", _n("surrendered units", "units surrendered", "제출량"), required=False),
    Column("compliance_code", "compliance_code", _n("compliance code", "compliance"), required=False),
)

EU_HEADERS = tuple(c.label for c in _COLUMNS)


def _installation(row: Row) -> InstallationYear:
    registry = row.text("registry", required=False)
    raw_id = row.identifier("installation_id", "an installation id")
    installation_id = f"{registry}-{raw_id}" if registry and not raw_id.startswith(f"{registry}-") else raw_id
    return row.build(
        InstallationYear,
        installation_id=installation_id,
        name=row.text("name", required=False),
        registry=registry,
        activity=row.text("activity", required=False),
        year=row.year("year"),
        allocated=row.optional_amount("allocated"),
        verified=row.optional_amount("verified"),
        surrendered=row.optional_amount("surrendered"),
        compliance_code=row.text("compliance_code", required=False),
    )


EU_COMPLIANCE = Kind(
    name="eu_compliance",
    title="EU-style compliance table (allocated and verified emissions per installation and year)",
    what="an EU-style compliance table",
    publisher="",
    columns=_COLUMNS,
    record=_installation,
    key=lambda r: ((r.installation_id, r.year), "installation_id", f"installation {r.installation_id!r} ({r.year})"),
    unique_what="the table has one row per installation and year",
    unique_advice="Keep one row per installation and year (the EUTL export has no repeats).",
    span=lambda r: r.year,
)


def iter_eu_compliance(file: FileInput, **options: Any) -> Iterator[InstallationYear]:
    """Stream an EU-style compliance table's records in file order."""
    scan = open_scan(EU_COMPLIANCE, file, **options)
    yield from scan.records()
    scan.problems.raise_first()


def read_eu_compliance(file: FileInput, *, name: str | None = None, format: str | None = None,
                       **options: Any) -> list[InstallationYear]:
    """Read an EU-style compliance table: one record per installation and year."""
    return read_all(EU_COMPLIANCE, file, name=name, format=format, **options)
