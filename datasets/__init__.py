"""Public K-ETS data: importers for the files people download, and a demo-data generator.

Importers (each takes a path or the bytes of an upload, recognises CSV / HTML / XLSX / JSON and
UTF-8 / cp949 from the bytes, reads Korean or English headers, and returns frozen records;
``datasets.records`` describes them)::

    read_statements(file)             NGMS company statements (명세서)        → list[Statement]
    read_pre_allocation(file)         ETRS pre-allocation by year            → list[PreAllocation]
    read_additional_allocation(file)  ETRS additional allocation by year     → list[AdditionalAllocation]
    read_certified_emissions(file)    ETRS certified emissions               → list[CertifiedEmissions]
    read_offset_credits(file)         ETRS offset credits issued             → list[OffsetIssuance]
    read_total_cap(file)              ETRS total cap of a phase              → TotalCap
    read_market_daily(file)           KRX emissions market daily data        → list[MarketDay]
                                      (or English headers; vwap, change derived where absent)
    read_auction_results(file)        government auction results (JSON/CSV)  → list[AuctionResult]
    read_eu_compliance(file)          EU-style compliance table (EUTL)       → list[InstallationYear]
    read_entity_years(file)           generic long format by id              → list[EntityYear]
    read_sites(file)                  demo sites (no public equivalent)      → list[Site]

``iter_market_daily`` and ``iter_eu_compliance`` stream records instead. Large CSV files are read
as a stream; a file over ``ETS_DATA_MAX_BYTES`` (default 1 GiB) is refused; a row repeating an
earlier row exactly (a download pasted in twice) is an error; garbled text (mojibake) is named
with its likely encoding. Options of every reader: ``mapping`` (extra headers per field, from a
mapping file: ``datasets.mapping``), ``mapping_source``, ``allow_repeats``, ``max_bytes``.
``datasets.kinds.detect`` recognises what a file is; ``datasets.inspect`` reports everything
wrong with it (``ets data inspect``).

A file that cannot be read raises one ``DatasetError`` (``datasets.errors``) whose message names
the file, row and column and what was expected; its ``problems`` lists every problem found. ``company_id(name)`` is a company's public id on the
chain; ``file_sha256(path)`` fingerprints an input file. ``datasets.writers`` writes records in the
published formats; ``python -m datasets.demo --help`` generates a deterministic demo data set.

Provenance: the real files come from ETRS (배출권등록부 via data.go.kr), NGMS (GIR, 온실가스종합정보센터)
and KRX; say so wherever their figures are shown. Demo data is synthetic and says so in its folder.
"""

from .auctions import AuctionResult, read_auction_results
from .errors import (
    CellError,
    DatasetError,
    DuplicateRecordError,
    EncodingError,
    FileTooLargeError,
    MalformedFileError,
    MappingError,
    MissingColumnError,
)
from .etrs import (
    read_additional_allocation,
    read_certified_emissions,
    read_offset_credits,
    read_pre_allocation,
    read_total_cap,
)
from .eutl import InstallationYear, iter_eu_compliance, read_eu_compliance
from .hashing import file_sha256
from .identity import company_id
from .krx import iter_market_daily, read_market_daily
from .long_format import EntityYear, read_entity_years
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
    "FileTooLargeError",
    "MappingError",
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
    "AuctionResult",
    "InstallationYear",
    "EntityYear",
    "phase_of_year",
    "read_statements",
    "read_pre_allocation",
    "read_additional_allocation",
    "read_certified_emissions",
    "read_offset_credits",
    "read_total_cap",
    "read_market_daily",
    "iter_market_daily",
    "read_auction_results",
    "read_eu_compliance",
    "iter_eu_compliance",
    "read_entity_years",
    "read_sites",
]
