"""From loaded DOJ files to the course datasets: flags, the derived tables, the comparison with
published snapshots, and the Frictionless datapackage.json."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pandas as pd

from course.fara.active import active_by_country_year, active_on
from course.fara.bulk import read_bulk
from course.fara.countries import COUNTRY_NORMALIZATION
from course.fara.history import read_history
from course.fara.layout import BULK_FILE_NAMES, KINDS, SOURCE_URLS, column_names
from course.fara.rawfiles import find_bulk_file, read_raw_bytes, snapshot_date_from_folder
from course.fara.report import FaraDataError, LoadResult
from course.fara.store import to_csv_bytes

#: Tokens of the ``flags`` column (``;``-joined, in this order). Flagged rows are kept.
FLAG_DESCRIPTIONS: dict[str, str] = {
    "bare_quotes": "the DOJ record held unescaped quote characters; split on '\",\"' (lossless)",
    "terminated_before_registered": "termination date earlier than registration date",
    "registered_after_snapshot": "registration date later than the snapshot date",
    "terminated_after_snapshot": "termination date later than the snapshot date",
    "exact_duplicate": "identical in every DOJ field (whitespace stripped) to an earlier record; the first copy is not flagged",
    "duplicate_registration_number": "registrants file: the registration number appears on more than one row",
}

PRINCIPALS_COLUMNS = [
    "registration_number",
    "registrant_name",
    "foreign_principal",
    "country",
    "country_normalized",
    "principal_registered",
    "principal_terminated",
    "registrant_registered",
    "city",
    "state",
    "flags",
]
REGISTRANTS_COLUMNS = [
    "registration_number",
    "name",
    "business_name",
    "registered",
    "terminated",
    "city",
    "state",
    "flags",
]
SNAPSHOT_CHECK_COLUMNS = [
    "snapshot_date",
    "source",
    "unterminated_in_snapshot",
    "active_in_snapshot",
    "active_rebuilt",
    "russia_in_snapshot",
    "russia_rebuilt",
    "ussr_in_snapshot",
]

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
        "registration_number": "FARA registration number (not unique: see the duplicate_registration_number flag)",
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
        "bare_quotes": frame["bare_quotes"]
        if "bare_quotes" in frame
        else pd.Series(False, index=frame.index),
        "terminated_before_registered": (
            frame["principal_terminated"] < frame["principal_registered"]
        ).fillna(False),
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


def build_datasets(
    raw_dir: Path | str, snapshot_date, history_dirs=(), progress=None
) -> tuple[dict[str, bytes], dict]:
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
            raise FaraDataError(
                path,
                first.reason
                + (
                    f" ({len(result.report.rejected)} rejected records)"
                    if len(result.report.rejected) > 1
                    else ""
                ),
                line=first.line,
            )
        results[kind] = result
    say("checking what a plain pandas.read_csv makes of the principals file")
    naive = naive_read_csv_check(
        read_raw_bytes(results["principals"].report.path)[0], results["principals"].report.raw
    )
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
    # Typed even with no history folders, so the datapackage schema does not depend on the row count.
    checks_frame = (
        pd.DataFrame(checks, columns=SNAPSHOT_CHECK_COLUMNS)
        .astype({name: "int64" for name in SNAPSHOT_CHECK_COLUMNS[2:]})
        .astype({"snapshot_date": "datetime64[ns]", "source": "str"})
        .sort_values("snapshot_date", kind="stable")
    )
    files = {
        "foreign_principals.csv": to_csv_bytes(principals),
        "registrants.csv": to_csv_bytes(registrants),
        "active_by_country_year.csv": to_csv_bytes(active),
        "snapshot_checks.csv": to_csv_bytes(checks_frame),
    }
    frames = {
        "foreign_principals": principals,
        "registrants": registrants,
        "active_by_country_year": active,
        "snapshot_checks": checks_frame,
    }
    package = datapackage(
        results, files, frames, day, Path(raw_dir).name, [Path(h).name for h in history_dirs]
    )
    package["plain_pandas_read_csv"] = naive
    files["datapackage.json"] = (json.dumps(package, indent=2, ensure_ascii=False) + "\n").encode(
        "utf-8"
    )
    summary = {
        "principals": results["principals"].report.summary(),
        "registrants": results["registrants"].report.summary(),
        "snapshot_date": day.strftime("%Y-%m-%d"),
        "files": sorted(files),
    }
    return files, summary


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
    """The Frictionless Data Package descriptor of the derived files (no build timestamps):
    ``files`` are their bytes, ``frames`` the tables they were written from."""
    resources = []
    for name in ["foreign_principals", "registrants", "active_by_country_year", "snapshot_checks"]:
        data = files[name + ".csv"]
        frame = frames[name]
        resources.append(
            {
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
                    "fields": [
                        {
                            "name": col,
                            **_field_type(frame, col),
                            "description": COLUMN_DESCRIPTIONS[name][col],
                        }
                        for col in frame.columns
                    ],
                    "missingValues": [""],
                },
            }
        )
    sources = []
    for kind in KINDS:
        result = results[kind]
        entry = {
            "title": f"DOJ FARA bulk file {BULK_FILE_NAMES[kind]}",
            "path": SOURCE_URLS[kind],
            "file": Path(result.report.path).name,
            "sha256": result.sha256,
        }
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
        "licenses": [
            {
                "name": "other-pd",
                "title": "U.S. government work (17 U.S.C. §105): not subject to copyright in the United States",
                "path": "https://www.usa.gov/government-works",
            }
        ],
        "sources": sources,
        "build_command": build_command,
        "load_report": {kind: results[kind].report.summary() for kind in KINDS},
        "anomalies": {
            "foreign_principals": _token_counts(principals["flags"]),
            "registrants": _token_counts(frames["registrants"]["flags"]),
        },
        "flag_tokens": FLAG_DESCRIPTIONS,
        "country_labels_merged": {
            label: value
            for label, value in sorted(COUNTRY_NORMALIZATION.items())
            if label != value and label in filed_labels
        },
        "resources": resources,
    }


def _token_counts(flags: pd.Series) -> dict[str, int]:
    tokens = flags.str.split(";").explode()
    tokens = tokens[tokens.notna() & (tokens != "")]
    counts = tokens.value_counts()
    return {t: int(counts[t]) for t in FLAG_DESCRIPTIONS if t in counts}
