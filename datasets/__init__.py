"""Public K-ETS data: importers for the files people download, and a demo-data generator.

Importers (each takes a path or the bytes of an upload, recognises CSV / HTML / XLSX and UTF-8 /
cp949 from the bytes, and returns frozen records; ``datasets.records`` describes them)::

    read_statements(file)             NGMS company statements (명세서)        → list[Statement]
    read_pre_allocation(file)         ETRS pre-allocation by year            → list[PreAllocation]
    read_additional_allocation(file)  ETRS additional allocation by year     → list[AdditionalAllocation]
    read_certified_emissions(file)    ETRS certified emissions               → list[CertifiedEmissions]
    read_offset_credits(file)         ETRS offset credits issued             → list[OffsetIssuance]
    read_total_cap(file)              ETRS total cap of a phase              → TotalCap
    read_market_daily(file)           KRX emissions market daily data        → list[MarketDay]
    read_sites(file)                  demo sites (no public equivalent)      → list[Site]

A file that cannot be read raises one ``DatasetError`` (``datasets.errors``) whose message names
the file, row and column and what was expected. ``company_id(name)`` is a company's public id on the
chain; ``file_sha256(path)`` fingerprints an input file. ``datasets.writers`` writes records in the
published formats; ``python -m datasets.demo --help`` generates a deterministic demo data set.

Provenance: the real files come from ETRS (배출권등록부 via data.go.kr), NGMS (GIR, 온실가스종합정보센터)
and KRX; say so wherever their figures are shown. Demo data is synthetic and says so in its folder.
"""

from .errors import CellError, DatasetError, DuplicateRecordError, EncodingError, MalformedFileError, MissingColumnError
from .etrs import (
    read_additional_allocation,
    read_certified_emissions,
    read_offset_credits,
    read_pre_allocation,
    read_total_cap,
)
from .hashing import file_sha256
from .identity import company_id
from .krx import read_market_daily
from .ngms import read_statements
from .records import (
    DESIGNATIONS,
    AdditionalAllocation,
    CertifiedEmissions,
    MarketDay,
    OffsetIssuance,
    PreAllocation,
    Site,
    Statement,
    TotalCap,
    YearAmounts,
    phase_of_year,
)
from .sites import read_sites

__all__ = [
    "DatasetError",
    "EncodingError",
    "MalformedFileError",
    "MissingColumnError",
    "CellError",
    "DuplicateRecordError",
    "company_id",
    "file_sha256",
    "DESIGNATIONS",
    "YearAmounts",
    "Statement",
    "PreAllocation",
    "AdditionalAllocation",
    "CertifiedEmissions",
    "OffsetIssuance",
    "TotalCap",
    "MarketDay",
    "Site",
    "phase_of_year",
    "read_statements",
    "read_pre_allocation",
    "read_additional_allocation",
    "read_certified_emissions",
    "read_offset_credits",
    "read_total_cap",
    "read_market_daily",
    "read_sites",
]
