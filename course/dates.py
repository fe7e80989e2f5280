"""Date text for the book: one spelling of a day everywhere (``10 April 2025``)."""

from __future__ import annotations

import pandas as pd


def day_text(day) -> str:
    """``10 April 2025``: day without a leading zero, month in full, four-digit year."""
    day = pd.Timestamp(day)
    return f"{day.day} {day:%B %Y}"


def year_end_or(snapshot, year: int) -> pd.Timestamp:
    """The date a yearly count refers to: 31 December, or the snapshot date in its own year."""
    snapshot = pd.Timestamp(snapshot)
    return snapshot if year == snapshot.year else pd.Timestamp(year=year, month=12, day=31)
