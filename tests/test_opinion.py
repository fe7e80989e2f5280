"""The poll figures: sourced, bounded, labelled as the research notes label them."""

from __future__ import annotations

import pandas as pd
import pytest

from course.datasets import opinion
from tests.fixtures.bad_rows import refused

POLLS = opinion.load_polls()

# (country, field month, answer, percent, status), checked against the research notes §6.
SPOT_CHECKS = [
    ("Russia", "2008-09", "good", 23, "verified"),
    ("Russia", "2018-07", "good", 42, "verified"),
    ("Russia", "2018-05", "good", 20, "partial"),
    ("Russia", "2024-09", "bad", 72, "partial"),
    ("Russia", "2025-02", "good", 30, "verified"),
    ("United States", "2002-02", "favourable", 66, "verified"),
    ("United States", "2003-03", "favourable", 40, "partial"),
    ("United States", "2015-02", "unfavourable", 70, "partial"),
    ("United States", "2023-02", "favourable", 9, "verified"),
]


@pytest.mark.parametrize(("country", "month", "answer", "percent", "status"), SPOT_CHECKS)
def test_spot_checks(country, month, answer, percent, status):
    row = POLLS[
        (POLLS["country"] == country)
        & (POLLS["field_date"] == pd.Timestamp(month + "-01"))
        & (POLLS["answer"] == answer)
    ]
    assert row["percent"].tolist() == [percent]
    assert row["status"].tolist() == [status]


def test_every_row_sourced_and_bounded():
    assert POLLS["source_url"].str.match(r"^https?://").all()
    assert POLLS["percent"].between(0, 100).all()
    pairs = POLLS.pivot_table(index=["country", "field_date"], columns="answer", values="percent")
    both = pairs.sum(axis=1, min_count=2).dropna()
    assert (both <= 100).all(), "a pair of shares adds to more than 100"


def test_bad_rows_are_refused(tmp_path):
    header = (
        "country,pollster,field_date,precision,question,answer,percent,status,source_url,note\n"
    )
    good = "Russia,Levada Center,2025-02,month,q,good,30,verified,https://e.org,\n"
    for row, column in [
        ("Russia,Levada Center,2025-02,month,q,bad,130,verified,https://e.org,", "percent"),
        ("Russia,Levada Center,2025-02,month,q,favourable,30,verified,https://e.org,", "answer"),
        ("Russia,Levada Center,2025-02-01,month,q,bad,51,verified,https://e.org,", "field_date"),
        ("Russia,Levada Center,2025-02,month,q,bad,51,verified,,", "source_url"),
    ]:
        refused(opinion.load_polls, tmp_path / "polls.csv", header + good + row + "\n", 3, column)
