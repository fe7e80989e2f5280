"""Recorded votes of the House and Senate on laws bearing on U.S.-Russia relations.

Reads ``data/congress/roll_calls.csv`` through the shared checked loader; see
``data/congress/CODEBOOK.md``. One row per vote, the tally as a news report gives it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from course import paths
from course.datasets import tables

CHAMBERS = ("House", "Senate")
ROLL_CALL_SCHEMA = tables.schema(
    {
        "bill": tables.text(),
        "chamber": tables.text(CHAMBERS),
        "date": tables.iso_date(),
        "precision": tables.text(tables.PRECISIONS),
        "yeas": tables.integer(0, 435),
        "nays": tables.integer(0, 435),
        "status": tables.text(tables.STATUSES),
        "source_url": tables.url(),
        "note": tables.text(required=False),
    }
)
ROLL_CALL_RULES = (
    tables.matches_precision("date"),
    tables.RowRule(
        "yeas",
        "more votes than the chamber has members (House 435, Senate 100)",
        lambda f: (
            f["yeas"].astype(int) + f["nays"].astype(int)
            <= f["chamber"].map({"House": 435, "Senate": 100})
        ),
    ),
)
VETO_SHARE = 2 / 3
"""The share of those voting needed in each chamber to override a veto."""


def roll_calls_path() -> Path:
    return paths.DATA_DIR / "congress" / "roll_calls.csv"


def load_roll_calls(path: Path | str | None = None) -> pd.DataFrame:
    """``data/congress/roll_calls.csv``, checked (see its codebook), with ``share`` (yeas over
    those voting) and ``veto_proof`` (share at least two thirds) added."""
    frame = tables.read_table(path or roll_calls_path(), ROLL_CALL_SCHEMA, ROLL_CALL_RULES)
    frame["share"] = frame["yeas"] / (frame["yeas"] + frame["nays"])
    frame["veto_proof"] = frame["share"] >= VETO_SHARE
    return frame
