"""Russians' and Americans' views of each other: one row per published poll figure.

Reads ``data/opinion/polls.csv`` through the shared checked loader; see
``data/opinion/CODEBOOK.md``. Only figures the research notes give with a source; nothing is
interpolated, and the two national series are never mixed into one.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from course import paths
from course.datasets import tables

COUNTRIES = ("Russia", "United States")
ANSWERS = ("good", "bad", "favourable", "unfavourable")
PRECISIONS = tables.PRECISIONS
STATUSES = tables.STATUSES

POLL_SCHEMA = tables.schema(
    {
        "country": tables.text(COUNTRIES),
        "pollster": tables.text(),
        "field_date": tables.iso_date(),
        "precision": tables.text(PRECISIONS),
        "question": tables.text(),
        "answer": tables.text(ANSWERS),
        "percent": tables.integer(0, 100),
        "status": tables.text(STATUSES),
        "source_url": tables.url(),
        "note": tables.text(required=False),
    }
)
POLL_RULES = (
    tables.matches_precision("field_date"),
    tables.RowRule(
        "answer",
        "Russian figures are good/bad, American ones favourable/unfavourable",
        lambda f: f["answer"].isin(["good", "bad"]) == (f["country"] == "Russia"),
    ),
    tables.RowRule(
        "answer",
        "a second figure for this country, date and answer",
        lambda f: ~f.duplicated(["country", "field_date", "answer"]),
    ),
)


def polls_path() -> Path:
    return paths.OPINION_DIR / "polls.csv"


def load_polls(path: Path | str | None = None) -> pd.DataFrame:
    """``polls.csv``, checked: field_date a datetime (month: its first day), percent Int64."""
    return tables.read_table(path or polls_path(), POLL_SCHEMA, POLL_RULES)
