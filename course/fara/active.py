"""Time travel: which principal rows were active on a date."""

from __future__ import annotations

import pandas as pd

from course.fara.store import load_principals

ACTIVE_COLUMNS = ["country_normalized", "year", "active"]
FIRST_YEAR = 1942  # FARA took effect in 1938; the first registrations on file date from 1942.


def active_on(date, principals: pd.DataFrame | None = None) -> pd.DataFrame:
    """Principal rows active on ``date``: registered <= date and (not terminated or date < terminated).

    ``principals`` defaults to the committed ``data/fara/foreign_principals.csv``. Terminations
    are often backdated by DOJ, so a past date rebuilt from a later file undercounts.
    """
    day = pd.Timestamp(date).normalize()
    frame = load_principals() if principals is None else principals
    return frame.loc[_active_mask(frame, day)].copy()


def _active_mask(frame: pd.DataFrame, day: pd.Timestamp) -> pd.Series:
    registered = pd.to_datetime(frame["principal_registered"])
    terminated = pd.to_datetime(frame["principal_terminated"])
    mask = (registered <= day) & (terminated.isna() | (day < terminated))
    return mask.fillna(False).astype(bool)


def active_by_country_year(principals: pd.DataFrame, snapshot_date) -> pd.DataFrame:
    """Active rows per normalised country on 31 December of each year from 1942, and on the
    snapshot date for the snapshot's year; every country appears in every year (zeros kept)."""
    day = pd.Timestamp(snapshot_date)
    countries = sorted(principals["country_normalized"].dropna().unique())
    pieces = []
    for year in range(FIRST_YEAR, day.year + 1):
        when = day if year == day.year else pd.Timestamp(year=year, month=12, day=31)
        counts = principals.loc[_active_mask(principals, when), "country_normalized"].value_counts()
        pieces.append(
            pd.DataFrame(
                {
                    "country_normalized": countries,
                    "year": year,
                    "active": counts.reindex(countries, fill_value=0).astype("int64").to_numpy(),
                }
            )
        )
    out = pd.concat(pieces, ignore_index=True)
    return out.sort_values(["country_normalized", "year"], kind="stable").reset_index(drop=True)[
        ACTIVE_COLUMNS
    ]
