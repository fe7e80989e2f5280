"""Checked loading of hand-curated course tables (``data/russia``, ``data/oral_history``, ...).

A table is a CSV with a fixed header, read as text and validated against a pandera schema
built from :func:`text`, :func:`integer`, :func:`iso_date` and :func:`url` columns, plus
optional row rules that compare columns. A bad row is refused with file, line and column.
Valid tables come back typed: integers as ``Int64``, dates as ``datetime64`` (a month-precision
``YYYY-MM`` date becomes the first of its month; a blank one ``NaT``), text stripped.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

ISO_DATE = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")
URL = re.compile(r"^https?://\S+$")
PRECISIONS = ("day", "month")
"""How exactly a table's date is known: YYYY-MM-DD or YYYY-MM (see :func:`matches_precision`)."""
STATUSES = ("verified", "partial", "unverified")
"""A sourced row's status: the research notes' [VERIFIED], [PARTIAL], [UNVERIFIED] labels."""


class TableError(ValueError):
    """A bad hand-curated table: the message names file, line and column."""

    def __init__(self, path, message: str, line: int | None = None, column: str | None = None):
        where = str(path)
        if line is not None:
            where += f", line {line}"
        if column is not None:
            where += f", column {column}"
        super().__init__(f"{where}: {message}")
        self.path, self.line, self.column = Path(path), line, column


@dataclass(frozen=True)
class RowRule:
    """A check across columns: ``test(frame)`` is True for good rows; ``column`` is blamed."""

    column: str
    message: str
    test: Callable[[pd.DataFrame], pd.Series]


def unique(column: str, message: str = "repeats an earlier row's value") -> RowRule:
    """A key column: the second row with a value already seen is the one blamed."""
    return RowRule(column, message, lambda frame: ~frame[column].duplicated())


def matches_precision(column: str) -> RowRule:
    """A date column written as its row's ``precision`` says: day YYYY-MM-DD, month YYYY-MM."""
    return RowRule(
        column,
        "does not match its precision (day: YYYY-MM-DD, month: YYYY-MM)",
        lambda frame: frame[column].str.len() == frame["precision"].map({"day": 10, "month": 7}),
    )


def _blank_or(check: Callable[[pd.Series], pd.Series], error: str) -> pa.Check:
    # Blank cells are judged by the "required" check alone, so optional columns may be empty.
    return pa.Check(lambda s: (s == "") | check(s), error=error)


def _required() -> pa.Check:
    return pa.Check(lambda s: s != "", error="required, but blank")


def text(allowed: Sequence[str] | None = None, required: bool = True) -> pa.Column:
    """A text column; ``allowed`` lists its only legal values (blank allowed if not required)."""
    checks = [_required()] if required else []
    if allowed is not None:
        values = list(allowed)
        checks.append(_blank_or(lambda s: s.isin(values), f"not one of {values}"))
    return pa.Column(str, checks=checks, nullable=False, metadata={"kind": "text"})


def integer(minimum: int | None = None, maximum: int | None = None, required: bool = True):
    """A whole-number column, optionally bounded (inclusive)."""

    def ok(s: pd.Series) -> pd.Series:
        good = s.str.fullmatch(r"[+-]?\d+")
        number = pd.to_numeric(s.where(good, "0"))
        if minimum is not None:
            good &= number >= minimum
        if maximum is not None:
            good &= number <= maximum
        return good

    bounds = f" in {minimum}..{maximum}" if minimum is not None or maximum is not None else ""
    checks = [_required()] if required else []
    checks.append(_blank_or(ok, f"not a whole number{bounds}"))
    return pa.Column(str, checks=checks, nullable=False, metadata={"kind": "int"})


def _is_date(s: pd.Series) -> pd.Series:
    def one(value: str) -> bool:
        if not ISO_DATE.match(value):
            return False
        fmt = "%Y-%m-%d" if len(value) == 10 else "%Y-%m"
        return not pd.isna(pd.to_datetime(value, format=fmt, errors="coerce"))

    return s.map(one).astype(bool)


def iso_date(required: bool = True) -> pa.Column:
    """An ISO date, ``YYYY-MM-DD`` or ``YYYY-MM`` (month precision), that is a calendar date."""
    checks = [_required()] if required else []
    checks.append(_blank_or(_is_date, "not an ISO date (YYYY-MM-DD or YYYY-MM)"))
    return pa.Column(str, checks=checks, nullable=False, metadata={"kind": "date"})


def url(required: bool = True) -> pa.Column:
    """An http(s) address."""
    checks = [_required()] if required else []
    checks.append(_blank_or(lambda s: s.str.match(URL.pattern), "not an http(s) URL"))
    return pa.Column(str, checks=checks, nullable=False, metadata={"kind": "text"})


def schema(columns: dict[str, pa.Column]) -> pa.DataFrameSchema:
    """A table schema; column order is the required header order."""
    return pa.DataFrameSchema(columns, strict=True, ordered=True)


def read_rows(path: Path) -> tuple[list[str], list[list[str]], list[int]]:
    """Header, records and the physical line on which each record starts."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise TableError(path, "empty file, expected a header", line=1)
        records, lines, start = [], [], reader.line_num + 1
        for record in reader:
            if record:
                records.append(record)
                lines.append(start)
            start = reader.line_num + 1
    return header, records, lines


def read_table(
    path: Path | str, table_schema: pa.DataFrameSchema, rules: Sequence[RowRule] = ()
) -> pd.DataFrame:
    """Read ``path`` against ``table_schema`` and ``rules``; refuse the first bad row.

    The error names the file, the physical line (the header is line 1) and the column.
    """
    path = Path(path)
    expected = list(table_schema.columns)
    header, records, lines = read_rows(path)
    if [name.strip() for name in header] != expected:
        raise TableError(path, f"header must be {expected}, got {header}", line=1)
    for record, line in zip(records, lines):
        if len(record) != len(expected):
            raise TableError(path, f"expected {len(expected)} fields, got {len(record)}", line=line)
    frame = pd.DataFrame(records, columns=expected, dtype=object)
    frame = frame.apply(lambda column: column.str.strip()).astype(str)
    try:
        table_schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases
        cases = cases[cases["index"].notna()]
        if not len(cases):
            raise TableError(path, f"schema error: {err}") from None
        first = cases.assign(index=cases["index"].astype(int)).sort_values("index").iloc[0]
        row = int(first["index"])
        raise TableError(
            path,
            f"{frame.iloc[row][first['column']]!r}: {first['check']}",
            line=lines[row],
            column=str(first["column"]),
        ) from None
    for rule in rules:
        good = rule.test(frame).fillna(False).astype(bool)
        if not good.all():
            row = int((~good).to_numpy().nonzero()[0][0])
            value = frame.iloc[row][rule.column]
            raise TableError(
                path, f"{value!r}: {rule.message}", line=lines[row], column=rule.column
            )
    return typed(frame, table_schema)


def parse_date(value: str) -> pd.Timestamp:
    """An ISO ``YYYY-MM-DD`` or ``YYYY-MM`` text as a timestamp (month: its first day)."""
    if not value:
        return pd.NaT
    return pd.Timestamp(value if len(value) == 10 else value + "-01")


def typed(frame: pd.DataFrame, table_schema: pa.DataFrameSchema) -> pd.DataFrame:
    """Convert validated text columns to their kinds (see the module docstring)."""
    out = frame.copy()
    for name, column in table_schema.columns.items():
        kind = (column.metadata or {}).get("kind", "text")
        if kind == "int":
            out[name] = pd.array(pd.to_numeric(out[name].replace("", None)), dtype="Int64")
        elif kind == "date":
            out[name] = pd.to_datetime(out[name].map(parse_date)).astype("datetime64[ns]")
    return out
