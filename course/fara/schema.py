"""Validation of the split text fields with pandera, then typing: ISO dates, nullable integers,
stripped strings. Errors name the file, the raw line and the DOJ column."""

from __future__ import annotations

import functools

import pandas as pd

from course.fara.countries import normalize_country
from course.fara.layout import DATE_PATTERN, INT_PATTERN, column_names, columns_of
from course.fara.report import FaraDataError


@functools.cache
def raw_schema(kind: str):
    """Pandera schema of the split (still textual) fields of ``kind``."""
    import pandera.pandas as pa  # here, not at the top: notebooks that only load derived data skip it

    checks = {
        "date": pa.Check.str_matches(DATE_PATTERN, error="not a MM/DD/YYYY date"),
        "int": pa.Check.str_matches(INT_PATTERN, error="not a whole number"),
    }
    cols = {
        name: pa.Column(object, checks=[checks[typ]] if typ in checks else [], nullable=False)
        for _, name, typ in columns_of(kind)
    }
    cols["raw_line"] = pa.Column(int)
    return pa.DataFrameSchema(cols, strict=True, ordered=False)


def typed_records(rows: list, lines: list[int], kind: str, path) -> pd.DataFrame:
    """:func:`typed_frame` of split records (field values, and the first physical line of each)."""
    frame = pd.DataFrame(rows, columns=column_names(kind), dtype=object)
    frame["raw_line"] = pd.array(lines, dtype="int64")
    return typed_frame(frame, kind, path)


def typed_frame(frame: pd.DataFrame, kind: str, path) -> pd.DataFrame:
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
            doj = {name: doj for doj, name, _ in columns_of(kind)}.get(column, column)
            more = f" ({len(cases) - 1} more problems)" if len(cases) > 1 else ""
            raise FaraDataError(
                path,
                f"{first['failure_case']!r} is {_check_text(first)}{more}",
                line=line,
                column=doj,
            ) from None
        raise FaraDataError(path, f"schema error: {err}") from None
    out = pd.DataFrame(index=frame.index)
    for doj, name, typ in columns_of(kind):
        values = frame[name]
        if typ == "date":
            parsed = pd.to_datetime(values.replace("", None), format="%m/%d/%Y", errors="coerce")
            bad = parsed.isna() & (values != "")
            if bad.any():
                at = bad.idxmax()
                raise FaraDataError(
                    path,
                    f"{values[at]!r} is not a calendar date",
                    line=int(frame["raw_line"][at]),
                    column=doj,
                )
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
