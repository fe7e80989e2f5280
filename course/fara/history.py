"""The fara-history snapshots: DOJ files re-serialised by a scraper (UTF-8, underscore headers,
every field quoted). Rows the scraper split at a bare quote are re-joined where the dates and
numbers then validate; the rest are reported as rejected."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from pathlib import Path

from course.fara.layout import (
    DATE_PATTERN,
    INT_PATTERN,
    column_names,
    columns_of,
    header_problem,
    history_header,
)
from course.fara.rawfiles import decode, read_raw_bytes
from course.fara.report import FaraDataError, LoadReport, LoadResult, RecordNote
from course.fara.schema import typed_records

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
                row[i : j + 1] = [",".join(row[i : j + 1])]
                merged_at.append(i)
                continue
        i += 1
    # The scraper padded split rows with empty trailing fields; only those may be dropped.
    while len(row) > ncols and row[-1] == "":
        row.pop()
    return (row, merged_at) if len(row) == ncols else None


def _key_fields_valid(row: list[str], kind: str) -> bool:
    for value, (_, _, typ) in zip(row, columns_of(kind)):
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
    columns = columns_of(kind)
    ncols = len(columns)
    data, digest = read_raw_bytes(path)
    text = decode(data, "utf-8", path)
    if text.startswith("\ufeff"):
        raise FaraDataError(
            path, "starts with a byte-order mark; fara-history files have none", line=1
        )
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    try:
        header = next(reader)
    except StopIteration:
        raise FaraDataError(path, "file is empty (no header line)", line=1) from None
    problem = header_problem(header, history_header(kind))
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
            raw = "\n".join(physical[line - 1 : previous_end])
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
                    report.rejected.append(
                        RecordNote(
                            line,
                            f"{len(row)} fields, expected {ncols}; cannot re-join the split pieces",
                            raw,
                        )
                    )
                    continue
                row, merged_at = fixed
                names = ", ".join(column_names(kind)[k] for k in merged_at)
                report.repaired.append(
                    RecordNote(
                        line,
                        f"scraper split a field at a bare quote; re-joined {names} "
                        "(one quote lost, not byte-lossless)",
                        raw,
                    )
                )
            rows.append(row)
            lines.append(line)
    except csv.Error as err:
        raise FaraDataError(path, f"CSV error: {err}", line=reader.line_num) from None
    report.quirks = quirks
    frame = typed_records(rows, lines, kind, path)
    return LoadResult(
        frame=frame, report=report, sha256=hashlib.sha256(data).hexdigest(), source_sha256=digest
    )
