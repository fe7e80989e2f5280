"""The timeline tables (events, leader contacts, stated totals) and their helpers."""

from __future__ import annotations

import pandas as pd
import pytest

from course.datasets import tables, timeline

EVENTS = timeline.load_events()
CONTACTS = timeline.load_contacts()
TOTALS = timeline.load_stated_totals()

# Dates checked by hand against ../shared/research (oral-history-and-timeline.md §3 and
# trump-era-and-meetings.md §1-3), all labelled [VERIFIED] there: (table, date, words in the
# event text or place).
VERIFIED_DATES = [
    ("contacts", "2001-06-16", "Brdo"),
    ("events", "2001-06-16", "Brdo"),
    ("events", "2001-09-11", "first foreign leader"),
    ("events", "2001-12-13", "ABM"),
    ("events", "2002-06-13", "ABM"),
    ("events", "2002-05-24", "Moscow Treaty"),
    ("events", "2003-06-01", "Moscow Treaty"),
    ("events", "2003-10-30", "Voloshin"),
    ("events", "2003-11-23", "Rose Revolution"),
    ("events", "2004-03-29", "NATO"),
    ("events", "2005-01-20", "Freedom Agenda"),
    ("contacts", "2005-02-24", "Bratislava"),
    ("events", "2007-02-10", "Munich"),
    ("contacts", "2007-07-01", "Kennebunkport"),
    ("contacts", "2008-04-05", "Sochi"),
    ("events", "2008-04-06", "Strategic Framework Declaration"),
    ("events", "2008-08-08", "Georgia"),
    ("contacts", "2017-01-28", "telephone"),
    ("contacts", "2017-07-07", "Hamburg"),
    ("events", "2017-08-02", "CAATSA"),
    ("events", "2017-11-13", "T&R Productions"),
    ("contacts", "2018-07-16", "Helsinki"),
    ("events", "2019-02-01", "INF"),
    ("contacts", "2019-06-28", "Osaka"),
    ("contacts", "2025-02-12", "telephone"),
    ("contacts", "2025-08-15", "Anchorage"),
    ("events", "2025-10-22", "Rosneft"),
]

# Items the research notes label [PARTIAL]: the tables must not upgrade them.
PARTIAL_ITEMS = [
    ("events", "2001-07-06", "birthday"),
    ("events", "2004-11-20", "Santiago"),
    ("contacts", "2004-11-20", "Santiago"),
    ("contacts", "2005-07", "Gleneagles"),
    ("events", "2008-04-03", "Bucharest"),
    ("events", "2016-11-14", "President-elect"),
    ("contacts", "2017-12-14", "telephone"),
]


def rows_on(table: str, date: str, words: str) -> pd.DataFrame:
    frame = EVENTS if table == "events" else CONTACTS
    text = frame["event"] if table == "events" else frame["place"]
    precision = "day" if len(date) == 10 else "month"
    hit = (
        (frame["date"] == tables.parse_date(date))
        & (frame["precision"] == precision)
        & text.str.contains(words, regex=False)
    )
    return frame[hit]


@pytest.mark.parametrize(("table", "date", "words"), VERIFIED_DATES)
def test_verified_dates_are_in_the_tables(table, date, words):
    found = rows_on(table, date, words)
    assert len(found) >= 1, f"{table}: no row on {date} mentioning {words!r}"
    assert set(found["status"]) == {"verified"}


@pytest.mark.parametrize(("table", "date", "words"), PARTIAL_ITEMS)
def test_partial_items_stay_partial(table, date, words):
    found = rows_on(table, date, words)
    assert len(found) == 1
    assert found["status"].iloc[0] == "partial"


def test_every_row_has_a_source_url_and_a_typed_date():
    for frame in (EVENTS, CONTACTS, TOTALS):
        url = frame["source_url"]
        assert url.str.match(r"^https?://\S+$").all()
    assert EVENTS["date"].notna().all() and CONTACTS["date"].notna().all()
    assert EVENTS["score"].dtype == "Int64"


def test_enumerations_and_scores():
    assert set(EVENTS["era"]) == set(timeline.ERAS)
    assert set(EVENTS["kind"]) <= set(timeline.KINDS)
    assert set(CONTACTS["format"]) == set(timeline.FORMATS)
    assert EVENTS["score"].between(-3, 3).all()
    assert set(EVENTS["score"]) >= {-3, 3}, "the scale's ends are used at least once"
    for frame in (EVENTS, CONTACTS, TOTALS):
        assert set(frame["status"]) <= set(timeline.STATUSES)


def test_dates_sit_inside_their_era():
    for _, row in EVENTS.iterrows():
        assert timeline.in_era(row["date"], row["precision"], row["era"]), row["event"]
    for _, row in CONTACTS.iterrows():
        assert timeline.in_era(row["date"], row["precision"], row["era"]), row["place"]
    assert (CONTACTS["era"] == CONTACTS["us_leader"].map(timeline.US_LEADERS)).all()


def test_in_era_edges():
    assert timeline.in_era(pd.Timestamp("2001-01-20"), "day", "bush-putin")
    assert not timeline.in_era(pd.Timestamp("2009-01-20"), "day", "bush-putin")
    assert timeline.in_era(pd.Timestamp("2009-01-20"), "day", "between")
    assert timeline.in_era(timeline.AS_OF, "day", "trump-putin")
    assert not timeline.in_era(timeline.AS_OF + pd.Timedelta(days=1), "day", "trump-putin")
    # A month that straddles an inauguration belongs to neither side.
    assert not timeline.in_era(pd.Timestamp("2017-01-01"), "month", "trump-putin")
    assert not timeline.in_era(pd.Timestamp("2017-01-01"), "month", "between")
    assert timeline.era_of(pd.Timestamp("2022-02-24")) == "between"


def test_first_meetings():
    assert timeline.first_meeting(CONTACTS, "bush-putin") == pd.Timestamp("2001-06-16")
    assert timeline.first_meeting(CONTACTS, "trump-putin") == pd.Timestamp("2017-07-07")
    with pytest.raises(ValueError, match="no in-person contact"):
        timeline.first_meeting(CONTACTS, "between")
    with pytest.raises(ValueError, match="unknown era"):
        timeline.first_meeting(CONTACTS, "obama-medvedev")


def test_years_in_office_rule():
    assert timeline.years_in_office("bush-putin") == pytest.approx(8.0, abs=0.01)
    second = (timeline.AS_OF - pd.Timestamp("2025-01-20")).days + 1
    assert timeline.years_in_office("trump-putin") == pytest.approx((1461 + second) / 365.25)


def test_contacts_per_year_and_era_agree():
    per_year = timeline.contacts_per_year(CONTACTS)
    per_era = timeline.contacts_per_era(CONTACTS)
    assert list(per_year.columns) == ["era", "year", "contacts"]
    assert list(per_era.columns) == ["era", "contacts", "years_in_office", "contacts_per_year"]
    assert per_year["contacts"].sum() == len(CONTACTS)
    summed = per_year.groupby("era")["contacts"].sum()
    for _, row in per_era.iterrows():
        assert summed[row["era"]] == row["contacts"]
        assert row["contacts_per_year"] == pytest.approx(row["contacts"] / row["years_in_office"])
    # Years in office with no contact are shown, as zero.
    trump_years = per_year.loc[per_year["era"] == "trump-putin", "year"].tolist()
    assert trump_years == [2017, 2018, 2019, 2020, 2021, 2025]
    calls = timeline.contacts_per_era(CONTACTS, formats=["call"])
    assert calls["contacts"].sum() == (CONTACTS["format"] == "call").sum()


def test_table_counts_do_not_exceed_stated_totals():
    """The codebook says the table's own count may be lower than a source's total, never higher
    for the same measure (recorded_meetings counts a different thing and is not compared).
    A total counts from the start of the term it falls in (e.g. the 2025 calls since January)."""
    compared = TOTALS[TOTALS["measure"] != "recorded_meetings"]
    assert len(compared) >= 5
    for _, total in compared.iterrows():
        end = total["through"]
        if total["precision"] == "month":
            end += pd.offsets.MonthEnd(0)
        era = timeline.US_LEADERS[total["us_leader"]]
        start = max(s for s, _ in timeline.WINDOWS[era] if s <= end)
        formats = ["call"] if total["measure"] == "calls" else list(timeline.IN_PERSON)
        mine = CONTACTS[
            (CONTACTS["us_leader"] == total["us_leader"])
            & CONTACTS["date"].between(start, end)
            & CONTACTS["format"].isin(formats)
        ]
        assert len(mine) <= total["total"], (total["counted_by"], len(mine))


def test_era_arc():
    arc = timeline.era_arc(EVENTS, CONTACTS, "bush-putin")
    assert list(arc.columns) == timeline.ARC_COLUMNS
    assert arc["date"].is_monotonic_increasing
    era_events = EVENTS[EVENTS["era"] == "bush-putin"]
    assert (arc["source"] == "event").sum() == len(era_events)
    assert (arc["source"] == "contact").sum() == (CONTACTS["era"] == "bush-putin").sum()
    assert arc["cumulative_score"].iloc[-1] == era_events["score"].sum()
    assert (arc["cumulative_score"] == arc["score"].fillna(0).cumsum()).all()
    brdo = arc[arc["date"] == pd.Timestamp("2001-06-16")]
    assert (brdo["months_since_first_meeting"] == 0).all()
    sochi = arc[arc["date"] == pd.Timestamp("2008-04-06")]["months_since_first_meeting"].iloc[0]
    assert sochi == pytest.approx(
        (pd.Timestamp("2008-04-06") - pd.Timestamp("2001-06-16")).days / (365.25 / 12)
    )
    trump = timeline.era_arc(EVENTS, CONTACTS, "trump-putin")
    assert trump["months_since_first_meeting"].min() < 0  # the January 2017 call precedes Hamburg


HEADER = "date,precision,era,event,kind,score,status,source_url\n"
GOOD = "2001-06-16,day,bush-putin,First meeting,meeting,2,verified,https://example.org/a\n"


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        ("2002-05-24,day,bush-putin,Treaty,agreement,2,verified,", "source_url", "blank"),
        ("2002-05-24,day,bush-putin,Treaty,agreement,5,verified,https://e.org", "score", "-3..3"),
        ("2012-05-24,day,bush-putin,Treaty,agreement,2,verified,https://e.org", "date", "outside"),
        ("2002-05,day,bush-putin,Treaty,agreement,2,verified,https://e.org", "date", "precision"),
        ("2002-05-24,day,obama,Treaty,agreement,2,verified,https://e.org", "era", "not one of"),
        ("2002-05-24,day,bush-putin,Treaty,summit,2,verified,https://e.org", "kind", "not one of"),
        (
            "2002-05-24,day,bush-putin,Treaty,agreement,2,confirmed,https://e.org",
            "status",
            "not one",
        ),
        ("2026-03-01,day,trump-putin,Later,call,1,verified,https://e.org", "date", "outside"),
    ],
)
def test_bad_event_rows_are_refused(tmp_path, row, column, words):
    path = tmp_path / "events.csv"
    path.write_text(HEADER + GOOD + row + "\n", encoding="utf-8")
    with pytest.raises(tables.TableError) as err:
        timeline.load_events(path)
    message = str(err.value)
    assert str(path) in message and "line 3" in message and f"column {column}" in message
    assert words in message


def test_bad_contact_rows_are_refused(tmp_path):
    header = "date,precision,us_leader,russian_leader,place,format,status,source_url\n"
    good = "2017-07-07,day,Trump,Putin,Hamburg,sidelines,verified,https://e.org\n"
    for row, column in [
        ("2016-11-14,day,Trump,Putin,telephone,call,partial,https://e.org", "date"),
        ("2018-07-16,day,Obama,Putin,Helsinki,summit,verified,https://e.org", "us_leader"),
        ("2018-07-16,day,Trump,Putin,Helsinki,dinner,verified,https://e.org", "format"),
    ]:
        path = tmp_path / "contacts.csv"
        path.write_text(header + good + row + "\n", encoding="utf-8")
        with pytest.raises(tables.TableError) as err:
            timeline.load_contacts(path)
        assert err.value.line == 3 and err.value.column == column
