"""The DOJ bulk format. Every field is quoted, embedded quotes are not escaped reliably, and no
field ever contains the three characters ``","``: records are split on that separator, which
:func:`serialize_bulk_record` reverses byte for byte."""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from course.fara.layout import bulk_header, columns_of, header_problem
from course.fara.rawfiles import decode, read_raw_bytes
from course.fara.report import FaraDataError, LoadReport, LoadResult, RecordNote
from course.fara.schema import typed_records

SEPARATOR = '","'
_DOUBLED_ONLY = re.compile(r'(?:[^"]|"")*', re.S)


def looks_escaped(piece: str) -> bool:
    """True when every quote in ``piece`` belongs to a ``""`` pair (proper CSV escaping)."""
    return _DOUBLED_ONLY.fullmatch(piece) is not None


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
        closed = (
            joined.endswith('"' + eol)
            and not joined.endswith('","' + eol)
            or (is_last and not newline and joined.endswith('"') and not joined.endswith('","'))
        )
        if count == separators and joined.startswith('"') and closed:
            records.append((start, joined))
            chunk = []
        elif count > separators:
            # Too many separators: an earlier line of the chunk was a short record. Reject up to
            # the first line that looks like a record end, then read on from the next line.
            cut = next(
                (k for k, piece in enumerate(chunk[:-1]) if piece.endswith('"\r' if crlf else '"')),
                len(chunk) - 1,
            )
            bad = "\n".join(chunk[: cut + 1]) + "\n"
            rejected.append(
                RecordNote(
                    start, f"record has {bad.count(SEPARATOR) + 1} fields, expected {ncols}", bad
                )
            )
            i = i - (len(chunk) - cut - 1)
            chunk = []
        i += 1
    if chunk:
        joined = "\n".join(chunk) + ("\n" if ends_with_newline else "")
        rejected.append(
            RecordNote(
                start,
                "truncated final record: the file ends inside a record "
                f"({joined.count(SEPARATOR) + 1} of {ncols} fields, no closing quote and CRLF)",
                joined,
            )
        )
    return records, rejected


def parse_bulk_record(line: int, raw: str) -> BulkRecord:
    """Undo DOJ's quoting of one complete record (see :func:`split_bulk_text`)."""
    terminator = "\r\n" if raw.endswith("\r\n") else "\n" if raw.endswith("\n") else ""
    inner = raw[1 : len(raw) - len(terminator) - 1]
    pieces = inner.split('","')
    values, doubled, bare = [], [], []
    for piece in pieces:
        escaped = '"' in piece and looks_escaped(piece)
        values.append(piece.replace('""', '"') if escaped else piece)
        doubled.append(escaped)
        bare.append('"' in piece and not escaped)
    return BulkRecord(line, tuple(values), tuple(doubled), tuple(bare), terminator)


def serialize_bulk_record(record: BulkRecord) -> str:
    """DOJ's style: every field quoted, ``""`` only where DOJ used it, CRLF at the end."""
    fields = (v.replace('"', '""') if esc else v for v, esc in zip(record.values, record.doubled))
    return '"' + '","'.join(fields) + '"' + record.terminator


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
    columns = columns_of(kind)
    data, digest = read_raw_bytes(path)
    text = decode(data, "cp1252", path)
    header_line = text.split("\n", 1)[0]
    problem = header_problem(_split_bulk_header(header_line), bulk_header(kind))
    if problem:
        raise FaraDataError(path, problem, line=1)
    chunks, rejected = split_bulk_text(text, len(columns))
    report = LoadReport(path=str(path), kind=kind, rejected=rejected)
    report.raw = len(chunks) + len(rejected)
    quirks = {
        "bare_quote_records": 0,
        "doubled_quote_records": 0,
        "embedded_line_break_records": 0,
        "missing_final_crlf": 0,
        "lf_instead_of_crlf": 0,
    }
    rows, lines, bare_flags = [], [], []
    for line, raw in chunks:
        record = parse_bulk_record(line, raw)
        has_bare, has_doubled = any(record.bare), any(record.doubled)
        quirks["bare_quote_records"] += has_bare
        quirks["doubled_quote_records"] += has_doubled
        body = raw[: len(raw) - len(record.terminator)]
        quirks["embedded_line_break_records"] += "\n" in body or "\r" in body
        if not record.terminator:
            quirks["missing_final_crlf"] += 1
        elif record.terminator == "\n":
            quirks["lf_instead_of_crlf"] += 1
        if has_bare:
            report.repaired.append(
                RecordNote(line, "bare quotes inside a quoted field: split on '\",\"'", raw)
            )
        else:
            report.parsed += 1
        rows.append(record.values)
        lines.append(line)
        bare_flags.append(has_bare)
    report.quirks = quirks
    frame = typed_records(rows, lines, kind, path)
    frame["bare_quotes"] = pd.array(bare_flags, dtype="boolean")
    sha_csv = hashlib.sha256(data).hexdigest()
    return LoadResult(frame=frame, report=report, sha256=sha_csv, source_sha256=digest)
