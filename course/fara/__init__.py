"""DOJ FARA registry data: read the bulk files losslessly, account for every record, validate,
flag anomalies, answer "who was active on a date", and derive the course datasets.

One concern per module; everything public is importable from ``course.fara``:

- ``layout``: headers, column names and types, file names, source URLs;
- ``report``: ``FaraDataError`` and the per-file accounting (``LoadReport``, ``LoadResult``);
- ``rawfiles``: bytes from .csv or .csv.zip, decoding, finding the files in a folder;
- ``bulk``: the DOJ format, split on ``","`` and re-serialised byte for byte (``read_bulk``);
- ``history``: the re-serialised fara-history snapshots (``read_history``);
- ``schema``: pandera validation and typing;
- ``countries``: ``normalize_country``;
- ``active``: ``active_on`` and the yearly counts;
- ``derive``: flags, the derived tables, datapackage.json (``build_datasets``);
- ``store``: the committed files in data/fara (``load_principals`` and friends).

No plotting and no command-line parsing here (see ``course.fara.cli``).
"""

from course.fara.active import ACTIVE_COLUMNS, FIRST_YEAR, active_by_country_year, active_on
from course.fara.bulk import (
    SEPARATOR,
    BulkRecord,
    looks_escaped,
    parse_bulk_record,
    read_bulk,
    serialize_bulk_record,
    split_bulk_text,
)
from course.fara.countries import (
    COUNTRY_NORMALIZATION,
    RUSSIA,
    USSR,
    is_russian,
    normalize_country,
    russian_rows,
)
from course.fara.derive import (
    COLUMN_DESCRIPTIONS,
    FLAG_DESCRIPTIONS,
    PRINCIPALS_COLUMNS,
    REGISTRANTS_COLUMNS,
    SNAPSHOT_CHECK_COLUMNS,
    build_datasets,
    datapackage,
    derive_principals,
    derive_registrants,
    naive_read_csv_check,
    principal_flags,
    registrant_flags,
    snapshot_check,
)
from course.fara.history import read_history
from course.fara.layout import (
    BULK_COLUMNS,
    BULK_FILE_NAMES,
    DATE_PATTERN,
    DOJ_BULK_URL,
    INT_PATTERN,
    KINDS,
    SOURCE_URLS,
    bulk_header,
    column_names,
    history_header,
)
from course.fara.rawfiles import (
    describe_non_zip,
    find_bulk_file,
    read_raw_bytes,
    snapshot_date_from_folder,
)
from course.fara.report import FaraDataError, LoadReport, LoadResult, RecordNote
from course.fara.schema import raw_schema
from course.fara.store import (
    clear_cache,
    load_active_by_country_year,
    load_datapackage,
    load_principals,
    load_registrants,
    load_snapshot_checks,
    read_derived,
    to_csv_bytes,
)

__all__ = [
    "ACTIVE_COLUMNS",
    "BULK_COLUMNS",
    "BULK_FILE_NAMES",
    "COLUMN_DESCRIPTIONS",
    "COUNTRY_NORMALIZATION",
    "RUSSIA",
    "USSR",
    "is_russian",
    "russian_rows",
    "DATE_PATTERN",
    "DOJ_BULK_URL",
    "FIRST_YEAR",
    "FLAG_DESCRIPTIONS",
    "INT_PATTERN",
    "KINDS",
    "PRINCIPALS_COLUMNS",
    "REGISTRANTS_COLUMNS",
    "SEPARATOR",
    "SNAPSHOT_CHECK_COLUMNS",
    "SNAPSHOT_DATE",
    "SOURCE_URLS",
    "BulkRecord",
    "FaraDataError",
    "LoadReport",
    "LoadResult",
    "RecordNote",
    "active_by_country_year",
    "active_on",
    "build_datasets",
    "bulk_header",
    "clear_cache",
    "column_names",
    "datapackage",
    "derive_principals",
    "derive_registrants",
    "describe_non_zip",
    "find_bulk_file",
    "history_header",
    "load_active_by_country_year",
    "load_datapackage",
    "load_principals",
    "load_registrants",
    "load_snapshot_checks",
    "looks_escaped",
    "naive_read_csv_check",
    "normalize_country",
    "parse_bulk_record",
    "principal_flags",
    "raw_schema",
    "read_bulk",
    "read_derived",
    "read_history",
    "read_raw_bytes",
    "registrant_flags",
    "serialize_bulk_record",
    "snapshot_check",
    "snapshot_date_from_folder",
    "split_bulk_text",
    "to_csv_bytes",
]


def __getattr__(name: str):
    # SNAPSHOT_DATE follows the committed data, so a refresh needs no code change.
    if name == "SNAPSHOT_DATE":
        return load_datapackage()["snapshot_date"]
    raise AttributeError(f"module 'course.fara' has no attribute {name!r}")
