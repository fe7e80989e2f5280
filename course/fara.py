"""DOJ FARA registry data: read the bulk files losslessly, account for every record, validate,
flag anomalies, answer "who was active on a date", and derive the course datasets.

The DOJ bulk CSVs quote every field but do not escape embedded quotes reliably. No field ever
contains the three characters ``","``, so a record is split on that separator instead of being
handed to a CSV parser; :func:`split_bulk_records` and :func:`serialize_bulk_record` undo and
redo DOJ's quoting exactly. The older ``fara-history_*`` snapshots were re-serialised by a
scraper and are read with the ``csv`` module plus a documented repair of the rows it split.

No plotting and no command-line parsing here (see ``course.fara_cli``).
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from course import paths

# --------------------------------------------------------------------------------------------
# File layouts
# --------------------------------------------------------------------------------------------

KINDS = ("principals", "registrants")

#: DOJ header, course column name, type ("date", "int" or "str") for each kind, in file order.
BULK_COLUMNS: dict[str, list[tuple[str, str, str]]] = {
    "principals": [
        ("Foreign Principal Termination Date", "principal_terminated", "date"),
        ("Foreign Principal", "foreign_principal", "str"),
        ("Foreign Principal Registration Date", "principal_registered", "date"),
        ("Country/Location Represented", "country", "str"),
        ("Registration Number", "registration_number", "int"),
        ("Registrant Date", "registrant_registered", "date"),
        ("Registrant Name", "registrant_name", "str"),
        ("Address 1", "address_1", "str"),
        ("Address 2", "address_2", "str"),
        ("City", "city", "str"),
        ("State", "state", "str"),
        ("Zip", "zip", "str"),
    ],
    "registrants": [
        ("Registration Number", "registration_number", "int"),
        ("Registration Date", "registered", "date"),
        ("Termination Date", "terminated", "date"),
        ("Name", "name", "str"),
        ("Business Name", "business_name", "str"),
        ("Address 1", "address_1", "str"),
        ("Address 2", "address_2", "str"),
        ("City", "city", "str"),
        ("State", "state", "str"),
        ("Zip", "zip", "str"),
    ],
}

BULK_FILE_NAMES = {
    "principals": "FARA_All_ForeignPrincipals.csv",
    "registrants": "FARA_All_Registrants.csv",
}
DOJ_BULK_URL = "https://efile.fara.gov/bulk/zip/"
SOURCE_URLS = {kind: DOJ_BULK_URL + name + ".zip" for kind, name in BULK_FILE_NAMES.items()}

DATE_PATTERN = r"^(\d{2}/\d{2}/\d{4})?$"
INT_PATTERN = r"^\d+$"


def bulk_header(kind: str) -> list[str]:
    """The DOJ bulk header of ``kind``."""
    return [doj for doj, _, _ in _columns(kind)]


def history_header(kind: str) -> list[str]:
    """The header of the re-serialised fara-history snapshots (spaces became underscores)."""
    return [doj.replace(" ", "_") for doj in bulk_header(kind)]


def column_names(kind: str) -> list[str]:
    """Course (snake_case) column names of ``kind``, in file order."""
    return [name for _, name, _ in _columns(kind)]


def _columns(kind: str) -> list[tuple[str, str, str]]:
    if kind not in BULK_COLUMNS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    return BULK_COLUMNS[kind]


# --------------------------------------------------------------------------------------------
# Errors and accounting
# --------------------------------------------------------------------------------------------


class FaraDataError(ValueError):
    """Input that cannot be read as FARA data; the message names the file, line and column."""

    def __init__(self, path, problem: str, line: int | None = None, column: str | None = None):
        self.path, self.problem, self.line, self.column = str(path), problem, line, column
        where = self.path
        if line is not None:
            where += f", line {line}"
        if column is not None:
            where += f", column {column!r}"
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class RecordNote:
    """One record that needed repair or was rejected: its first physical line and the reason."""

    line: int
    reason: str
    raw: str


@dataclass
class LoadReport:
    """What happened to every record of one file: ``parsed + repaired + rejected == raw``."""

    path: str
    kind: str
    raw: int = 0
    parsed: int = 0
    repaired: list[RecordNote] = field(default_factory=list)
    rejected: list[RecordNote] = field(default_factory=list)
    #: Counts of documented quirks (records may have several); they do not partition ``raw``.
    quirks: dict[str, int] = field(default_factory=dict)

    @property
    def balanced(self) -> bool:
        return self.parsed + len(self.repaired) + len(self.rejected) == self.raw

    def summary(self) -> dict:
        """A JSON-friendly summary (counts and reasons, no raw text)."""
        reasons: dict[str, int] = {}
        for note in self.repaired:
            reasons[note.reason] = reasons.get(note.reason, 0) + 1
        return {
            "raw": self.raw,
            "parsed": self.parsed,
            "repaired": len(self.repaired),
            "rejected": len(self.rejected),
            "repair_reasons": dict(sorted(reasons.items())),
            "rejected_lines": [note.line for note in self.rejected],
            "quirks": dict(sorted(self.quirks.items())),
        }


@dataclass
class LoadResult:
    """A typed frame (one row per accepted record, ``raw_line`` = first physical line) and its report."""

    frame: pd.DataFrame
    report: LoadReport
    sha256: str = ""
    source_sha256: str = ""


# --------------------------------------------------------------------------------------------
# Raw bytes
# --------------------------------------------------------------------------------------------


def read_raw_bytes(path: Path | str, kind: str) -> tuple[bytes, str]:
    """The CSV bytes of ``path`` (a .csv, or a .zip holding one .csv) and the sha256 of ``path``."""
    path = Path(path)
    if path.is_dir():
        raise FaraDataError(path, "is a folder, expected a .csv or .csv.zip file")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise FaraDataError(path, "file not found") from None
    digest = hashlib.sha256(data).hexdigest()
    if path.suffix.lower() != ".zip":
        return data, digest
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise FaraDataError(path, f"not a ZIP archive ({describe_non_zip(data)})") from None
    with archive:
        members = [m for m in archive.namelist() if m.lower().endswith(".csv")]
        if len(members) != 1:
            raise FaraDataError(path, f"ZIP should hold exactly one .csv, found {archive.namelist()}")
        try:
            return archive.read(members[0]), digest
        except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as err:
            raise FaraDataError(path, f"ZIP member {members[0]} is damaged: {err}") from None


def describe_non_zip(data: bytes) -> str:
    head = data[:200].lstrip().lower()
    if not data:
        return "the file is empty"
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
        return "it is an HTML page, probably an error page served instead of the download"
    if data.startswith(b"PK"):
        return "the archive is truncated or damaged"
    return f"it starts with {data[:20]!r}"


def _decode(data: bytes, encoding: str, path) -> str:
    if not data:
        raise FaraDataError(path, "file is empty (no header line)", line=1)
    if data.startswith(b"\xef\xbb\xbf") and encoding != "utf-8":
        raise FaraDataError(
            path, "starts with a UTF-8 byte-order mark; DOJ bulk files are cp1252 without one "
            "(was the file re-saved by a spreadsheet program?)", line=1)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise FaraDataError(path, f"byte {data[err.start:err.start + 1]!r} is not valid {encoding}", line=line) from None


# --------------------------------------------------------------------------------------------
# DOJ bulk format: lossless split and its inverse
# --------------------------------------------------------------------------------------------

SEPARATOR = '","'
_DOUBLED_ONLY = re.compile(r'(?:[^"]|"")*', re.S)


@dataclass(frozen=True)
class BulkRecord:
    """One DOJ record: field values (quotes undone, whitespace kept), how each was quoted."""

    line: int
    values: tuple[str, ...]
    doubled: tuple[bool, ...]  # field used "" escapes
    bare: tuple[bool, ...]  # field holds unescaped quotes
    terminator: str = "\r\n"


def split_bulk_text(text: str, ncols: int) -> tuple[list[tuple[int, str]], list[RecordNote]]:
    """Group the physical lines after the header into records of exactly ``ncols`` fields.

    Returns ``(line, raw record text)`` pairs and the rejected pieces. A record is complete when
    it ends with ``"`` + CRLF and holds ``ncols - 1`` separators; line breaks inside fields stay.
    A file whose header ends in a bare LF (re-saved on Unix) is read with LF as the record end.
    """
    separators = ncols - 1
    records: list[tuple[int, str]] = []
    rejected: list[RecordNote] = []
    lines = text.split("\n")
    # lines[0] is the header; a final "" means the file ended with a line break.
    ends_with_newline = lines[-1] == ""
    crlf = lines[0].endswith("\r")
    eol = "\r\n" if crlf else "\n"
    body = lines[1:-1] if ends_with_newline else lines[1:]
    chunk: list[str] = []
    start = 2
    i = 0
    while i < len(body):
        line = body[i]
        if not chunk:
            start = i + 2
        chunk.append(line)
        is_last = i == len(body) - 1
        newline = "" if (is_last and not ends_with_newline) else "\n"
        joined = "\n".join(chunk) + newline
        count = joined.count('","')
        # The closing quote must be its own character, not the tail of the last separator.
        closed = joined.endswith('"' + eol) and not joined.endswith('","' + eol) or (
            is_last and not newline and joined.endswith('"') and not joined.endswith('","'))
        if count == separators and joined.startswith('"') and closed:
            records.append((start, joined))
            chunk = []
        elif count > separators:
            # Too many separators: an earlier line of the chunk was a short record. Reject up to
            # the first line that looks like a record end, then read on from the next line.
            cut = next((k for k, piece in enumerate(chunk[:-1]) if piece.endswith('"\r' if crlf else '"')),
                       len(chunk) - 1)
            bad = "\n".join(chunk[:cut + 1]) + "\n"
            rejected.append(RecordNote(start, f"record has {bad.count(SEPARATOR) + 1} fields, expected {ncols}", bad))
            i = i - (len(chunk) - cut - 1)
            chunk = []
        i += 1
    if chunk:
        joined = "\n".join(chunk) + ("\n" if ends_with_newline else "")
        rejected.append(RecordNote(start, "truncated final record: the file ends inside a record "
                                   f"({joined.count(SEPARATOR) + 1} of {ncols} fields, no closing quote and CRLF)", joined))
    return records, rejected


def parse_bulk_record(line: int, raw: str) -> BulkRecord:
    """Undo DOJ's quoting of one complete record (see :func:`split_bulk_text`)."""
    terminator = "\r\n" if raw.endswith("\r\n") else "\n" if raw.endswith("\n") else ""
    inner = raw[1:len(raw) - len(terminator) - 1]
    pieces = inner.split('","')
    values, doubled, bare = [], [], []
    for piece in pieces:
        if '"' not in piece:
            values.append(piece), doubled.append(False), bare.append(False)
        elif _DOUBLED_ONLY.fullmatch(piece):
            values.append(piece.replace('""', '"')), doubled.append(True), bare.append(False)
        else:
            values.append(piece), doubled.append(False), bare.append(True)
    return BulkRecord(line, tuple(values), tuple(doubled), tuple(bare), terminator)


def serialize_bulk_record(record: BulkRecord) -> str:
    """DOJ's style: every field quoted, ``""`` only where DOJ used it, CRLF at the end."""
    fields = (v.replace('"', '""') if esc else v for v, esc in zip(record.values, record.doubled))
    return '"' + '","'.join(fields) + '"' + record.terminator


def _header_problem(found: list[str], expected: list[str]) -> str | None:
    missing = [c for c in expected if c not in found]
    extra = [c for c in found if c not in expected]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing column(s) {', '.join(map(repr, missing))}")
        if extra:
            parts.append(f"unexpected column(s) {', '.join(map(repr, extra))}")
        return "; ".join(parts) + f" (expected {expected})"
    if found != expected:
        return f"columns out of order: {found} (expected {expected})"
    return None


def _split_bulk_header(header_line: str) -> list[str]:
    header = header_line.rstrip("\r")
    if header.startswith('"') and header.endswith('"'):
        return header[1:-1].split('","')
    return next(csv.reader([header]), [])


def read_bulk(path: Path | str, kind: str) -> LoadResult:
    """Read a DOJ bulk file (.csv or .csv.zip) of ``kind`` ("principals" or "registrants").

    cp1252 decoding, lossless split, pandera validation, typed columns. Raises
    :class:`FaraDataError` for a wrong header, a bad date or number; records that cannot be
    split into the right number of fields are listed in ``report.rejected``.
    """
    columns = _columns(kind)
    data, digest = read_raw_bytes(path, kind)
    text = _decode(data, "cp1252", path)
    header_line = text.split("\n", 1)[0]
    problem = _header_problem(_split_bulk_header(header_line), bulk_header(kind))
    if problem:
        raise FaraDataError(path, problem, line=1)
    chunks, rejected = split_bulk_text(text, len(columns))
    report = LoadReport(path=str(path), kind=kind, rejected=rejected)
    report.raw = len(chunks) + len(rejected)
    quirks = {"bare_quote_records": 0, "doubled_quote_records": 0, "embedded_line_break_records": 0,
              "missing_final_crlf": 0, "lf_instead_of_crlf": 0}
    rows, lines, bare_flags = [], [], []
    for line, raw in chunks:
        record = parse_bulk_record(line, raw)
        has_bare, has_doubled = any(record.bare), any(record.doubled)
        quirks["bare_quote_records"] += has_bare
        quirks["doubled_quote_records"] += has_doubled
        body = raw[:len(raw) - len(record.terminator)]
        quirks["embedded_line_break_records"] += "\n" in body or "\r" in body
        if not record.terminator:
            quirks["missing_final_crlf"] += 1
        elif record.terminator == "\n":
            quirks["lf_instead_of_crlf"] += 1
        if has_bare:
            report.repaired.append(RecordNote(line, "bare quotes inside a quoted field: split on '\",\"'", raw))
        else:
            report.parsed += 1
        rows.append(record.values)
        lines.append(line)
        bare_flags.append(has_bare)
    report.quirks = quirks
    frame = pd.DataFrame(rows, columns=column_names(kind), dtype=object) if rows else \
        pd.DataFrame({name: pd.Series([], dtype=object) for name in column_names(kind)})
    frame["raw_line"] = lines
    frame = _typed(frame, kind, path)
    frame["bare_quotes"] = pd.array(bare_flags, dtype="boolean")
    sha_csv = hashlib.sha256(data).hexdigest()
    return LoadResult(frame=frame, report=report, sha256=sha_csv, source_sha256=digest)


# --------------------------------------------------------------------------------------------
# fara-history snapshots (re-serialised by a scraper)
# --------------------------------------------------------------------------------------------

_C1 = re.compile("[\u0080-\u009f]")


def _c1_to_cp1252(text: str) -> str:
    # The scraper decoded cp1252 bytes as latin-1, so curly quotes became C1 controls.
    def fix(m: re.Match) -> str:
        try:
            return m.group().encode("latin-1").decode("cp1252")
        except UnicodeDecodeError:
            return m.group()

    return _C1.sub(fix, text)


def _merge_split_pieces(row: list[str], ncols: int) -> tuple[list[str], list[int]] | None:
    """Re-join pieces the scraper split at a bare quote: from a piece holding a ``"`` to the next
    piece ending in one. Returns the row and the merged positions, or None if that fails."""
    row = list(row)
    merged_at = []
    i = 0
    while len(row) > ncols and i < len(row):
        if '"' in row[i]:
            j = next((k for k in range(i + 1, len(row)) if row[k].endswith('"')), None)
            if j is not None and len(row) - (j - i) >= ncols:
                row[i:j + 1] = [",".join(row[i:j + 1])]
                merged_at.append(i)
                continue
        i += 1
    # The scraper padded split rows with empty trailing fields; only those may be dropped.
    while len(row) > ncols and row[-1] == "":
        row.pop()
    return (row, merged_at) if len(row) == ncols else None


def _key_fields_valid(row: list[str], kind: str) -> bool:
    for value, (_, _, typ) in zip(row, _columns(kind)):
        if typ == "date" and not re.fullmatch(DATE_PATTERN, value):
            return False
        if typ == "int" and not re.fullmatch(INT_PATTERN, value):
            return False
    return True


def read_history(path: Path | str, kind: str) -> LoadResult:
    """Read a ``fara-history_*`` snapshot file (UTF-8, underscore headers, QUOTE_ALL).

    Rows the scraper split into 13 or 14 fields are re-joined when the dates and numbers then
    validate (``report.repaired``, not byte-lossless); others go to ``report.rejected``.
    """
    columns = _columns(kind)
    ncols = len(columns)
    data, digest = read_raw_bytes(path, kind)
    text = _decode(data, "utf-8", path)
    if text.startswith("\ufeff"):
        raise FaraDataError(path, "starts with a byte-order mark; fara-history files have none", line=1)
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    try:
        header = next(reader)
    except StopIteration:
        raise FaraDataError(path, "file is empty (no header line)", line=1) from None
    problem = _header_problem(header, history_header(kind))
    if problem:
        raise FaraDataError(path, problem, line=1)
    report = LoadReport(path=str(path), kind=kind)
    quirks = {"split_rows": 0, "c1_control_records": 0, "embedded_line_break_records": 0}
    rows, lines = [], []
    physical = text.split("\n")
    previous_end = reader.line_num
    try:
        for row in reader:
            line = previous_end + 1
            previous_end = reader.line_num
            report.raw += 1
            raw = "\n".join(physical[line - 1:previous_end])
            joined = "\x00".join(row)
            if "\n" in joined or "\r" in joined:
                quirks["embedded_line_break_records"] += 1
            if _C1.search(joined):
                quirks["c1_control_records"] += 1
                row = [_c1_to_cp1252(v) for v in row]
            if len(row) == ncols:
                report.parsed += 1
            else:
                quirks["split_rows"] += 1
                fixed = _merge_split_pieces(row, ncols) if len(row) > ncols else None
                if fixed is None or not _key_fields_valid(fixed[0], kind):
                    report.rejected.append(RecordNote(line, f"{len(row)} fields, expected {ncols}; "
                                                      "cannot re-join the split pieces", raw))
                    continue
                row, merged_at = fixed
                names = ", ".join(column_names(kind)[k] for k in merged_at)
                report.repaired.append(RecordNote(
                    line, f"scraper split a field at a bare quote; re-joined {names} "
                    "(one quote lost, not byte-lossless)", raw))
            rows.append(row)
            lines.append(line)
    except csv.Error as err:
        raise FaraDataError(path, f"CSV error: {err}", line=reader.line_num) from None
    report.quirks = quirks
    frame = pd.DataFrame(rows, columns=column_names(kind), dtype=object) if rows else \
        pd.DataFrame({name: pd.Series([], dtype=object) for name in column_names(kind)})
    frame["raw_line"] = lines
    frame = _typed(frame, kind, path)
    return LoadResult(frame=frame, report=report, sha256=hashlib.sha256(data).hexdigest(), source_sha256=digest)


# --------------------------------------------------------------------------------------------
# Validation and typing
# --------------------------------------------------------------------------------------------


@functools.cache
def raw_schema(kind: str):
    """Pandera schema of the split (still textual) fields of ``kind``."""
    import pandera.pandas as pa  # here, not at the top: notebooks that only load derived data skip it

    checks = {
        "date": pa.Check.str_matches(DATE_PATTERN, error="not a MM/DD/YYYY date"),
        "int": pa.Check.str_matches(INT_PATTERN, error="not a whole number"),
    }
    cols = {name: pa.Column(object, checks=[checks[typ]] if typ in checks else [], nullable=False)
            for _, name, typ in _columns(kind)}
    cols["raw_line"] = pa.Column(int)
    return pa.DataFrameSchema(cols, strict=True, ordered=False)


def _typed(frame: pd.DataFrame, kind: str, path) -> pd.DataFrame:
    """Validate textual fields with pandera, then type them; errors name file, line and column."""
    import pandera.pandas as pa

    try:
        raw_schema(kind).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases
        cases = cases[cases["index"].notna()] if "index" in cases else cases
        if len(cases):
            first = cases.sort_values("index").iloc[0]
            line = int(frame["raw_line"].iloc[int(first["index"])])
            column = str(first["column"])
            doj = {name: doj for doj, name, _ in _columns(kind)}.get(column, column)
            more = f" ({len(cases) - 1} more problems)" if len(cases) > 1 else ""
            raise FaraDataError(path, f"{first['failure_case']!r} is {_check_text(first)}{more}",
                                line=line, column=doj) from None
        raise FaraDataError(path, f"schema error: {err}") from None
    out = pd.DataFrame(index=frame.index)
    for doj, name, typ in _columns(kind):
        values = frame[name]
        if typ == "date":
            parsed = pd.to_datetime(values.replace("", None), format="%m/%d/%Y", errors="coerce")
            bad = parsed.isna() & (values != "")
            if bad.any():
                at = bad.idxmax()
                raise FaraDataError(path, f"{values[at]!r} is not a calendar date",
                                    line=int(frame["raw_line"][at]), column=doj)
            out[name] = parsed.astype("datetime64[ns]")
        elif typ == "int":
            out[name] = pd.array(values.astype("int64"), dtype="Int64")
        else:
            out[name] = values.str.strip().astype("str")
    if kind == "principals":
        labels = {label: normalize_country(label) for label in out["country"].unique()}
        out["country_normalized"] = out["country"].map(labels).astype("str")
    out["raw_line"] = frame["raw_line"].astype("int64")
    return out.reset_index(drop=True)


def _check_text(case) -> str:
    check = str(case["check"])
    return check if check else "invalid"


# --------------------------------------------------------------------------------------------
# Country labels
# --------------------------------------------------------------------------------------------

#: Labels filed for the same country, mapped to one value. Historical states that changed
#: borders or regime (USSR, YUGOSLAVIA, CZECHOSLOVAKIA, GERMAN DEMOCRATIC REPUBLIC, the
#: South African homelands) keep their own value: merging them would invent continuity.
COUNTRY_NORMALIZATION: dict[str, str] = {
    "GREAT BRITAIN": "UNITED KINGDOM",
    "ENGLAND": "UNITED KINGDOM",
    "SCOTLAND": "UNITED KINGDOM",
    "NORTHERN IRELAND": "UNITED KINGDOM",
    "UNITED KINGDOM": "UNITED KINGDOM",
    "BURMA": "MYANMAR",
    "MYANMAR (BURMA)": "MYANMAR",
    "MYANMAR": "MYANMAR",
    "KOREA, SOUTH": "KOREA, SOUTH",
    "SOUTH KOREA": "KOREA, SOUTH",
    "REPUBLIC OF KOREA": "KOREA, SOUTH",
    "KOREA, NORTH": "KOREA, NORTH",
    "NORTH KOREA": "KOREA, NORTH",
    "GERMANY, FEDERAL REPUBLIC OF": "GERMANY",
    "GERMANY": "GERMANY",
    "SOMALI DEMOCRATIC REPUBLIC": "SOMALIA",
    "CEYLON (SRI LANKA)": "SRI LANKA",
    "CEYLON": "SRI LANKA",
    "TIMOR-LESTE (EAST TIMOR)": "TIMOR-LESTE",
    "EAST TIMOR": "TIMOR-LESTE",
    "MACEDONIA": "NORTH MACEDONIA",
    "REPUBLIC OF SOUTH SUDAN": "SOUTH SUDAN",
    "WESTERN SAMOA": "SAMOA",
    "DAHOMEY": "BENIN",
    "ZAIRE": "CONGO, DEMOCRATIC REPUBLIC OF THE",
    "CONGO, DEMOCRATIC REPUBLIC OF THE": "CONGO, DEMOCRATIC REPUBLIC OF THE",
    "CONGO, REPUBLIC OF THE": "CONGO, REPUBLIC OF THE",
    "MUSCAT": "OMAN",
    "KOSOVA": "KOSOVO",
    "SOUTHERN YEMAN": "YEMEN, PEOPLES DEMOCRATIC REPUBLIC OF YEMEN",
    "COTE D'IVOIRE (IVORY COAST)": "COTE D'IVOIRE",
    "IVORY COAST": "COTE D'IVOIRE",
    "GAMBIA, THE": "GAMBIA",
    "RUSSIA": "RUSSIA",
    "RUSSIAN FEDERATION": "RUSSIA",
    "USSR": "USSR",
}


def _loose(label: str) -> str:
    # Variants differ in commas, dots and spacing: "KOREA SOUTH" vs "KOREA, SOUTH".
    return " ".join(re.sub(r"[^A-Z0-9&'() -]", " ", label.upper()).split())


_LOOSE_LOOKUP = {}
for _label, _value in COUNTRY_NORMALIZATION.items():
    _LOOSE_LOOKUP[_loose(_label)] = _value
    _LOOSE_LOOKUP.setdefault(_loose(_value), _value)


def normalize_country(label) -> str:
    """One value per country (see :data:`COUNTRY_NORMALIZATION`); other labels are returned
    upper-cased with whitespace collapsed. USSR stays USSR."""
    if label is None or (not isinstance(label, str) and pd.isna(label)):
        return ""
    cleaned = " ".join(str(label).upper().split())
    return _LOOSE_LOOKUP.get(_loose(cleaned), cleaned)


# --------------------------------------------------------------------------------------------
# Time travel
# --------------------------------------------------------------------------------------------


def active_on(date, principals: pd.DataFrame | None = None) -> pd.DataFrame:
    """Principal rows active on ``date``: registered <= date and (not terminated or date < terminated).

    ``principals`` defaults to the committed ``data/fara/foreign_principals.csv``. Terminations
    are often backdated by DOJ, so a past date rebuilt from a later file undercounts.
    """
    day = pd.Timestamp(date).normalize()
    frame = load_principals() if principals is None else principals
    registered = pd.to_datetime(frame["principal_registered"])
    terminated = pd.to_datetime(frame["principal_terminated"])
    mask = (registered <= day) & (terminated.isna() | (day < terminated))
    return frame.loc[mask.fillna(False).astype(bool)].copy()


# --------------------------------------------------------------------------------------------
# Flags and derived datasets
# --------------------------------------------------------------------------------------------

#: Tokens of the ``flags`` column (``;``-joined, in this order). Flagged rows are kept.
FLAG_DESCRIPTIONS: dict[str, str] = {
    "bare_quotes": "the DOJ record held unescaped quote characters; split on '\",\"' (lossless)",
    "terminated_before_registered": "termination date earlier than registration date",
    "registered_after_snapshot": "registration date later than the snapshot date",
    "terminated_after_snapshot": "termination date later than the snapshot date",
    "exact_duplicate": "identical in every DOJ field (whitespace stripped) to an earlier record; the first copy is not flagged",
    "duplicate_registration_number": "registrants file: the registration number appears on more than one row",
}

PRINCIPALS_COLUMNS = ["registration_number", "registrant_name", "foreign_principal", "country",
                      "country_normalized", "principal_registered", "principal_terminated",
                      "registrant_registered", "city", "state", "flags"]
REGISTRANTS_COLUMNS = ["registration_number", "name", "business_name", "registered", "terminated",
                       "city", "state", "flags"]
ACTIVE_COLUMNS = ["country_normalized", "year", "active"]
SNAPSHOT_CHECK_COLUMNS = ["snapshot_date", "source", "unterminated_in_snapshot", "active_in_snapshot", "active_rebuilt",
                          "russia_in_snapshot", "russia_rebuilt", "ussr_in_snapshot"]
FIRST_YEAR = 1942  # FARA took effect in 1938; the first registrations on file date from 1942.

COLUMN_DESCRIPTIONS: dict[str, dict[str, str]] = {
    "foreign_principals": {
        "registration_number": "registrant's FARA registration number",
        "registrant_name": "registrant (the agent) as filed, whitespace stripped",
        "foreign_principal": "foreign principal as filed; line breaks inside the name are kept",
        "country": "country/location represented, label as filed",
        "country_normalized": "country label mapped to one value per country (USSR kept separate)",
        "principal_registered": "date the registrant registered this foreign principal (ISO)",
        "principal_terminated": "date the registration of this principal ended (ISO; empty = not terminated)",
        "registrant_registered": "date the registrant registered under FARA (ISO)",
        "city": "registrant address city as filed (Address 1/2 and Zip are left out)",
        "state": "registrant address state as filed",
        "flags": "';'-joined anomaly tokens (see the data guide); empty = none",
    },
    "registrants": {
        "registration_number": "FARA registration number (5769 appears twice in the 2025-04-10 file)",
        "name": "registrant name as filed",
        "business_name": "business name as filed",
        "registered": "registration date (ISO)",
        "terminated": "termination date (ISO; empty = still registered)",
        "city": "address city",
        "state": "address state",
        "flags": "';'-joined anomaly tokens; empty = none",
    },
    "active_by_country_year": {
        "country_normalized": "normalised country (see foreign_principals)",
        "year": "calendar year",
        "active": "principal rows active on 31 December of the year (on the snapshot date for the snapshot's year)",
    },
    "snapshot_checks": {
        "snapshot_date": "date of a published historical registry snapshot (fara-history)",
        "source": "folder name of that snapshot",
        "unterminated_in_snapshot": "rows with an empty termination date in the snapshot (the registry's own active list)",
        "active_in_snapshot": "rows active on that date in the snapshot by the active_on rule (also counts terminations dated in the future)",
        "active_rebuilt": "rows active on that date rebuilt from the current bulk file",
        "russia_in_snapshot": "rows with country label RUSSIA active in the snapshot",
        "russia_rebuilt": "rows with country label RUSSIA active on that date, rebuilt from the current file",
        "ussr_in_snapshot": "rows with country label USSR active in the snapshot",
    },
}


def _date_after(series: pd.Series, day: pd.Timestamp) -> pd.Series:
    return (series > day).fillna(False).astype(bool)


def _join_flags(flag_columns: dict[str, pd.Series], index) -> pd.Series:
    parts = pd.Series([""] * len(index), index=index, dtype=object)
    for token in FLAG_DESCRIPTIONS:
        if token in flag_columns:
            hit = flag_columns[token].fillna(False).astype(bool)
            parts = parts.where(~hit, parts + ";" + token)
    return parts.str.lstrip(";").astype("str")


def principal_flags(frame: pd.DataFrame, snapshot_date) -> pd.Series:
    """The ``flags`` column for a principals frame from :func:`read_bulk`."""
    day = pd.Timestamp(snapshot_date)
    raw_fields = column_names("principals")
    # Exact duplicates are judged on every DOJ field (values after whitespace stripping).
    dup = frame[raw_fields].astype(str).duplicated(keep="first")
    flags = {
        "bare_quotes": frame["bare_quotes"] if "bare_quotes" in frame else pd.Series(False, index=frame.index),
        "terminated_before_registered": (frame["principal_terminated"] < frame["principal_registered"]).fillna(False),
        "registered_after_snapshot": _date_after(frame["principal_registered"], day),
        "terminated_after_snapshot": _date_after(frame["principal_terminated"], day),
        "exact_duplicate": dup,
    }
    return _join_flags(flags, frame.index)


def registrant_flags(frame: pd.DataFrame, snapshot_date) -> pd.Series:
    """The ``flags`` column for a registrants frame from :func:`read_bulk`."""
    day = pd.Timestamp(snapshot_date)
    raw_fields = column_names("registrants")
    flags = {
        "terminated_before_registered": (frame["terminated"] < frame["registered"]).fillna(False),
        "registered_after_snapshot": _date_after(frame["registered"], day),
        "terminated_after_snapshot": _date_after(frame["terminated"], day),
        "exact_duplicate": frame[raw_fields].astype(str).duplicated(keep="first"),
        "duplicate_registration_number": frame["registration_number"].duplicated(keep=False),
    }
    return _join_flags(flags, frame.index)


def derive_principals(result: LoadResult, snapshot_date) -> pd.DataFrame:
    frame = result.frame.copy()
    frame["flags"] = principal_flags(frame, snapshot_date)
    return frame[PRINCIPALS_COLUMNS]


def derive_registrants(result: LoadResult, snapshot_date) -> pd.DataFrame:
    frame = result.frame.copy()
    frame["flags"] = registrant_flags(frame, snapshot_date)
    return frame[REGISTRANTS_COLUMNS]


def active_by_country_year(principals: pd.DataFrame, snapshot_date) -> pd.DataFrame:
    """Active rows per normalised country on 31 December of each year from 1942, and on the
    snapshot date for the snapshot's year; every country appears in every year (zeros kept)."""
    day = pd.Timestamp(snapshot_date)
    countries = sorted(principals["country_normalized"].dropna().unique())
    registered = principals["principal_registered"]
    terminated = principals["principal_terminated"]
    pieces = []
    for year in range(FIRST_YEAR, day.year + 1):
        when = day if year == day.year else pd.Timestamp(year=year, month=12, day=31)
        mask = (registered <= when) & (terminated.isna() | (when < terminated))
        counts = principals.loc[mask.fillna(False).astype(bool), "country_normalized"].value_counts()
        pieces.append(pd.DataFrame({"country_normalized": countries, "year": year,
                                    "active": counts.reindex(countries, fill_value=0).astype("int64").to_numpy()}))
    out = pd.concat(pieces, ignore_index=True)
    return out.sort_values(["country_normalized", "year"], kind="stable").reset_index(drop=True)[ACTIVE_COLUMNS]


def snapshot_check(history: LoadResult, snapshot_date, current: pd.DataFrame, source: str) -> dict:
    """Compare a published snapshot with the same date rebuilt from the current file."""
    day = pd.Timestamp(snapshot_date)
    then = active_on(day, history.frame)
    rebuilt = active_on(day, current)
    return {
        "snapshot_date": day.strftime("%Y-%m-%d"),
        "source": source,
        "unterminated_in_snapshot": int(history.frame["principal_terminated"].isna().sum()),
        "active_in_snapshot": len(then),
        "active_rebuilt": len(rebuilt),
        "russia_in_snapshot": int((then["country"] == "RUSSIA").sum()),
        "russia_rebuilt": int((rebuilt["country"] == "RUSSIA").sum()),
        "ussr_in_snapshot": int((then["country"] == "USSR").sum()),
    }


def _csv_column(series: pd.Series) -> pd.Series:
    """One column as CSV cells: ISO dates, empty for missing, quotes only where needed."""
    if pd.api.types.is_datetime64_any_dtype(series):
        return series.dt.strftime("%Y-%m-%d").fillna("").astype(object)
    text = series.astype(object).where(series.notna(), "").astype(str).astype(object)
    # Quote CR as well as LF: the csv module leaves a lone CR unquoted when lines end in LF.
    needs = text.str.contains(r'[,"\r\n]', regex=True)
    quoted = '"' + text.str.replace('"', '""', regex=False) + '"'
    return text.where(~needs, quoted)


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """Deterministic CSV: UTF-8, LF line ends, ISO dates, empty cells for missing values."""
    header = ",".join(_csv_column(pd.Series([str(n) for n in frame.columns])).tolist())
    if len(frame) == 0:
        return (header + "\n").encode("utf-8")
    columns = [_csv_column(frame[name]).reset_index(drop=True) for name in frame.columns]
    rows = columns[0]
    for column in columns[1:]:
        rows = rows + "," + column
    return (header + "\n" + "\n".join(rows.tolist()) + "\n").encode("utf-8")


def snapshot_date_from_folder(folder: Path | str) -> str | None:
    """The ``YYYY-MM-DD`` at the end of a folder name such as ``bulk_2025-04-10``, if any."""
    match = re.search(r"_(\d{4}-\d{2}-\d{2})$", Path(folder).name)
    if not match:
        return None
    try:
        return pd.Timestamp(match.group(1)).strftime("%Y-%m-%d")
    except ValueError:
        return None


def find_bulk_file(folder: Path | str, kind: str) -> Path:
    """``FARA_All_*.csv`` (or ``.csv.zip``) of ``kind`` inside ``folder``."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FaraDataError(folder, "raw folder not found (expected a folder holding the DOJ bulk files)")
    name = BULK_FILE_NAMES[kind]
    for candidate in (folder / name, folder / (name + ".zip")):
        if candidate.is_file():
            return candidate
    raise FaraDataError(folder, f"has no {name} or {name}.zip")


def build_datasets(raw_dir: Path | str, snapshot_date, history_dirs=(), progress=None) -> tuple[dict[str, bytes], dict]:
    """Everything ``data build`` writes, as ``{file name: bytes}``, plus a summary dict.

    Raises :class:`FaraDataError` if a bulk record is rejected: DOJ files split cleanly, so a
    rejection means a damaged download.
    """
    say = progress or (lambda message: None)
    day = pd.Timestamp(snapshot_date)
    results = {}
    for kind in KINDS:
        say(f"reading {kind}")
        path = find_bulk_file(raw_dir, kind)
        result = read_bulk(path, kind)
        if result.report.rejected:
            first = result.report.rejected[0]
            raise FaraDataError(path, first.reason + (f" ({len(result.report.rejected)} rejected records)"
                                                       if len(result.report.rejected) > 1 else ""), line=first.line)
        results[kind] = result
    say("checking what a plain pandas.read_csv makes of the principals file")
    naive = naive_read_csv_check(read_raw_bytes(find_bulk_file(raw_dir, "principals"), "principals")[0],
                                 results["principals"].report.raw)
    say("deriving foreign_principals")
    principals = derive_principals(results["principals"], day)
    registrants = derive_registrants(results["registrants"], day)
    say("counting active rows per country and year")
    active = active_by_country_year(principals, day)
    checks = []
    for folder in history_dirs:
        folder = Path(folder)
        when = snapshot_date_from_folder(folder)
        if when is None:
            raise FaraDataError(folder, "history folder name must end in _YYYY-MM-DD")
        say(f"comparing with {folder.name}")
        history = read_history(find_bulk_file(folder, "principals"), "principals")
        checks.append(snapshot_check(history, when, principals, folder.name))
    checks_frame = pd.DataFrame(checks, columns=SNAPSHOT_CHECK_COLUMNS).sort_values("snapshot_date", kind="stable")
    files = {
        "foreign_principals.csv": to_csv_bytes(principals),
        "registrants.csv": to_csv_bytes(registrants),
        "active_by_country_year.csv": to_csv_bytes(active),
        "snapshot_checks.csv": to_csv_bytes(checks_frame),
    }
    package = datapackage(results, files, {"foreign_principals": principals, "registrants": registrants},
                          day, Path(raw_dir).name, [Path(h).name for h in history_dirs])
    package["plain_pandas_read_csv"] = naive
    files["datapackage.json"] = (json.dumps(package, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    summary = {
        "principals": results["principals"].report.summary(),
        "registrants": results["registrants"].report.summary(),
        "snapshot_date": day.strftime("%Y-%m-%d"),
        "files": sorted(files),
    }
    return files, summary


def naive_read_csv_check(data: bytes, records: int) -> dict:
    """What ``pandas.read_csv`` does with the raw principals bytes: the teaching counterexample."""
    options = {"encoding": "cp1252", "dtype": str, "keep_default_na": False}
    try:
        plain = len(pd.read_csv(io.BytesIO(data), **options))
        default = f"no error, {plain} rows"
    except pd.errors.ParserError as err:
        default = f"ParserError: {str(err).strip()}"
    skipped = len(pd.read_csv(io.BytesIO(data), on_bad_lines="skip", **options))
    return {
        "default": default,
        "on_bad_lines_skip_rows": skipped,
        "on_bad_lines_skip_lost": records - skipped,
    }


def _field_type(frame: pd.DataFrame, name: str) -> dict:
    series = frame[name]
    if name == "flags":
        return {"type": "string"}
    if pd.api.types.is_datetime64_any_dtype(series):
        return {"type": "date", "format": "default"}
    if pd.api.types.is_integer_dtype(series):
        return {"type": "integer"}
    return {"type": "string"}


def datapackage(results, files, frames, day, raw_name, history_names) -> dict:
    """The Frictionless Data Package descriptor of the derived files (no build timestamps)."""
    active = pd.read_csv(io.BytesIO(files["active_by_country_year.csv"]))
    frames = {**frames, "active_by_country_year": active,
              "snapshot_checks": pd.read_csv(io.BytesIO(files["snapshot_checks.csv"]), parse_dates=["snapshot_date"])}
    resources = []
    for name in ["foreign_principals", "registrants", "active_by_country_year", "snapshot_checks"]:
        data = files[name + ".csv"]
        frame = frames[name]
        resources.append({
            "name": name.replace("_", "-"),
            "path": name + ".csv",
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "bytes": len(data),
            "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
            "rows": len(frame),
            "schema": {
                "fields": [{"name": col, **_field_type(frame, col), "description": COLUMN_DESCRIPTIONS[name][col]}
                           for col in frame.columns],
                "missingValues": [""],
            },
        })
    sources = []
    for kind in KINDS:
        result = results[kind]
        entry = {"title": f"DOJ FARA bulk file {BULK_FILE_NAMES[kind]}", "path": SOURCE_URLS[kind],
                 "file": Path(result.report.path).name, "sha256": result.sha256}
        if result.source_sha256 != result.sha256:
            entry["zip_sha256"] = result.source_sha256
        sources.append(entry)
    principals = frames["foreign_principals"]
    filed_labels = set(principals["country"])
    build_command = f"python -m course data build --raw {raw_name} --snapshot-date {day:%Y-%m-%d}"
    build_command += "".join(f" --history {h}" for h in history_names)
    return {
        "profile": "tabular-data-package",
        "name": "fara-course-datasets",
        "title": "FARA foreign principals and registrants, derived for the TrumPutin-pact course",
        "description": "Derived by course.fara from the U.S. Department of Justice FARA eFile bulk CSVs. "
                       "Every DOJ record is kept; anomalies are flagged in the flags column.",
        "snapshot_date": f"{day:%Y-%m-%d}",
        "licenses": [{"name": "other-pd",
                      "title": "U.S. government work (17 U.S.C. §105): not subject to copyright in the United States",
                      "path": "https://www.usa.gov/government-works"}],
        "sources": sources,
        "build_command": build_command,
        "load_report": {kind: results[kind].report.summary() for kind in KINDS},
        "anomalies": {
            "foreign_principals": _token_counts(principals["flags"]),
            "registrants": _token_counts(frames["registrants"]["flags"]),
        },
        "flag_tokens": FLAG_DESCRIPTIONS,
        "country_labels_merged": {label: value for label, value in sorted(COUNTRY_NORMALIZATION.items())
                                  if label != value and label in filed_labels},
        "resources": resources,
    }


def _token_counts(flags: pd.Series) -> dict[str, int]:
    tokens = flags.str.split(";").explode()
    tokens = tokens[tokens.notna() & (tokens != "")]
    counts = tokens.value_counts()
    return {t: int(counts[t]) for t in FLAG_DESCRIPTIONS if t in counts}


# --------------------------------------------------------------------------------------------
# Committed derived files (what chapters and exercises read)
# --------------------------------------------------------------------------------------------


def _read_derived(name: str, dates: list[str], ints: list[str], folder=None) -> pd.DataFrame:
    path = Path(folder or paths.FARA_DIR) / name
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[])
    for col in dates:
        frame[col] = pd.to_datetime(frame[col].replace("", None), format="%Y-%m-%d").astype("datetime64[ns]")
    for col in ints:
        frame[col] = pd.array(pd.to_numeric(frame[col].replace("", None)), dtype="Int64")
    return frame


@functools.lru_cache(maxsize=4)
def _cached(name: str, folder: str, mtime: float) -> pd.DataFrame:
    spec = {
        "foreign_principals.csv": (["principal_registered", "principal_terminated", "registrant_registered"],
                                   ["registration_number"]),
        "registrants.csv": (["registered", "terminated"], ["registration_number"]),
    }[name]
    return _read_derived(name, *spec, folder=folder)


def _load_cached(name: str, folder=None) -> pd.DataFrame:
    folder = Path(folder or paths.FARA_DIR)
    return _cached(name, str(folder), (folder / name).stat().st_mtime).copy()


def load_principals(folder=None) -> pd.DataFrame:
    """``data/fara/foreign_principals.csv``, typed (dates datetime64, registration_number Int64)."""
    return _load_cached("foreign_principals.csv", folder)


def load_registrants(folder=None) -> pd.DataFrame:
    """``data/fara/registrants.csv``, typed."""
    return _load_cached("registrants.csv", folder)


def load_active_by_country_year(folder=None) -> pd.DataFrame:
    """``data/fara/active_by_country_year.csv`` (year and active as int64)."""
    frame = pd.read_csv(Path(folder or paths.FARA_DIR) / "active_by_country_year.csv",
                        dtype={"country_normalized": str, "year": "int64", "active": "int64"},
                        keep_default_na=False)
    return frame


def load_snapshot_checks(folder=None) -> pd.DataFrame:
    """``data/fara/snapshot_checks.csv``: published snapshots against rebuilt ones (backdating)."""
    frame = pd.read_csv(Path(folder or paths.FARA_DIR) / "snapshot_checks.csv", keep_default_na=False)
    frame["snapshot_date"] = pd.to_datetime(frame["snapshot_date"]).astype("datetime64[ns]")
    return frame


def load_datapackage(folder=None) -> dict:
    """``data/fara/datapackage.json`` as a dict (``["snapshot_date"]``, load report, anomalies...)."""
    return json.loads((Path(folder or paths.FARA_DIR) / "datapackage.json").read_text(encoding="utf-8"))


def __getattr__(name: str):
    # SNAPSHOT_DATE follows the committed data, so a refresh needs no code change.
    if name == "SNAPSHOT_DATE":
        return load_datapackage()["snapshot_date"]
    raise AttributeError(name)
