"""The committed derived files in data/fara: the deterministic CSV writer and the typed loaders
the chapters and exercises use."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pandas as pd

from course import paths


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


def read_derived(name: str, dates: list[str], ints: list[str], folder=None) -> pd.DataFrame:
    path = Path(folder or paths.FARA_DIR) / name
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[])
    for col in dates:
        frame[col] = pd.to_datetime(frame[col].replace("", None), format="%Y-%m-%d").astype(
            "datetime64[ns]"
        )
    for col in ints:
        frame[col] = pd.array(pd.to_numeric(frame[col].replace("", None)), dtype="Int64")
    return frame


@functools.lru_cache(maxsize=4)
def _cached(name: str, folder: str, mtime: float) -> pd.DataFrame:
    spec = {
        "foreign_principals.csv": (
            ["principal_registered", "principal_terminated", "registrant_registered"],
            ["registration_number"],
        ),
        "registrants.csv": (["registered", "terminated"], ["registration_number"]),
    }[name]
    return read_derived(name, *spec, folder=folder)


def clear_cache() -> None:
    """Forget loaded tables (the next load reads the CSV files again)."""
    _cached.cache_clear()


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
    frame = pd.read_csv(
        Path(folder or paths.FARA_DIR) / "active_by_country_year.csv",
        dtype={"country_normalized": str, "year": "int64", "active": "int64"},
        keep_default_na=False,
    )
    return frame


def load_snapshot_checks(folder=None) -> pd.DataFrame:
    """``data/fara/snapshot_checks.csv``: published snapshots against rebuilt ones (backdating)."""
    frame = pd.read_csv(
        Path(folder or paths.FARA_DIR) / "snapshot_checks.csv", keep_default_na=False
    )
    frame["snapshot_date"] = pd.to_datetime(frame["snapshot_date"]).astype("datetime64[ns]")
    return frame


def load_datapackage(folder=None) -> dict:
    """``data/fara/datapackage.json`` as a dict (``["snapshot_date"]``, load report, anomalies...)."""
    return json.loads(
        (Path(folder or paths.FARA_DIR) / "datapackage.json").read_text(encoding="utf-8")
    )
