"""The timeline tables (events, leader contacts, stated totals) and their helpers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from course.datasets import tables, timeline
from tests.fixtures.bad_rows import refused

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
    ("events", "2003-11-06", "forward strategy of freedom"),
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


def test_event_ids_are_unique_keys():
    assert EVENTS["event_id"].is_unique
    assert EVENTS["event_id"].str.fullmatch(r"E\d{3}").all()


def test_each_new_era_has_fifteen_sourced_events_and_its_contacts():
    for era in ("reagan-gorbachev", "clinton-yeltsin", "obama-medvedev"):
        rows = EVENTS[EVENTS["era"] == era]
        assert len(rows) >= 15, era
        assert rows["source_url"].str.match(r"^https?://").all()
        assert (CONTACTS["era"] == era).sum() >= 5, era
    soviet = CONTACTS[CONTACTS["russian_state"] == "USSR"]
    assert set(soviet["russian_leader"]) == {"Gorbachev"}
    assert set(soviet["era"]) == {"reagan-gorbachev"}


def test_agreement_steps_are_their_own_rows():
    """INF and New START: signature, ratification and entry into force are separate rows, and
    the later suspension and withdrawal rows sit in the eras of their dates."""
    inf = EVENTS[EVENTS["event"].str.contains("INF")].set_index("date")
    for day in ("1987-12-08", "1988-05-27", "1988-06-01", "2019-02-01", "2019-08-02"):
        assert pd.Timestamp(day) in inf.index, day
    start = EVENTS[EVENTS["event"].str.contains("New START")].set_index("date")
    for day in ("2010-04-08", "2010-12-22", "2011-02-05", "2021-02-03", "2023-02-21"):
        assert pd.Timestamp(day) in start.index, day
    assert start.loc[pd.Timestamp("2023-02-21"), "era"] == "between"


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
    # 2009-01-20 opens the Obama-Medvedev era; Putin's inauguration of 2012-05-07 closes it.
    assert timeline.in_era(pd.Timestamp("2009-01-20"), "day", "obama-medvedev")
    assert not timeline.in_era(pd.Timestamp("2009-01-20"), "day", "between")
    assert timeline.in_era(pd.Timestamp("2012-05-06"), "day", "obama-medvedev")
    assert timeline.in_era(pd.Timestamp("2012-05-07"), "day", "between")
    assert timeline.era_of(pd.Timestamp("1985-11-18")) is None
    assert timeline.era_of(pd.Timestamp("1985-11-19")) == "reagan-gorbachev"
    assert timeline.era_of(pd.Timestamp("1988-12-31")) == "reagan-gorbachev"
    assert timeline.era_of(pd.Timestamp("1989-01-01")) == "between"
    assert timeline.era_of(pd.Timestamp("1993-01-20")) == "clinton-yeltsin"
    assert timeline.era_of(pd.Timestamp("1999-12-31")) == "clinton-yeltsin"
    assert timeline.era_of(pd.Timestamp("2000-01-01")) == "between"
    assert timeline.in_era(timeline.AS_OF, "day", "trump-putin")
    assert not timeline.in_era(timeline.AS_OF + pd.Timedelta(days=1), "day", "trump-putin")
    # A month that straddles an inauguration belongs to neither side.
    assert not timeline.in_era(pd.Timestamp("2017-01-01"), "month", "trump-putin")
    assert not timeline.in_era(pd.Timestamp("2017-01-01"), "month", "between")
    assert timeline.era_of(pd.Timestamp("2022-02-24")) == "between"


def test_first_meetings():
    assert timeline.first_meeting(CONTACTS, "bush-putin") == pd.Timestamp("2001-06-16")
    assert timeline.first_meeting(CONTACTS, "trump-putin") == pd.Timestamp("2017-07-07")
    assert timeline.first_meeting(CONTACTS, "reagan-gorbachev") == pd.Timestamp("1985-11-19")
    assert timeline.first_meeting(CONTACTS, "clinton-yeltsin") == pd.Timestamp("1993-04-03")
    assert timeline.first_meeting(CONTACTS, "obama-medvedev") == pd.Timestamp("2009-04-01")
    with pytest.raises(ValueError, match="no in-person contact"):
        timeline.first_meeting(CONTACTS, "between")
    with pytest.raises(ValueError, match="unknown era"):
        timeline.first_meeting(CONTACTS, "bush-medvedev")


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


HEADER = "event_id,date,precision,era,event,kind,score,status,source_url\n"
GOOD = "E001,2001-06-16,day,bush-putin,First meeting,meeting,2,verified,https://example.org/a\n"


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        ("E002,2002-05-24,day,bush-putin,Treaty,agreement,2,verified,", "source_url", "blank"),
        (
            "E002,2002-05-24,day,bush-putin,Treaty,agreement,5,verified,https://e.org",
            "score",
            "-3..3",
        ),
        (
            "E002,2012-05-24,day,bush-putin,Treaty,agreement,2,verified,https://e.org",
            "date",
            "outside",
        ),
        (
            "E002,2002-05,day,bush-putin,Treaty,agreement,2,verified,https://e.org",
            "date",
            "precision",
        ),
        (
            "E002,2002-05-24,day,obama,Treaty,agreement,2,verified,https://e.org",
            "era",
            "not one of",
        ),
        (
            "E002,2002-05-24,day,bush-putin,Treaty,summit,2,verified,https://e.org",
            "kind",
            "not one of",
        ),
        (
            "E002,2002-05-24,day,bush-putin,Treaty,agreement,2,confirmed,https://e.org",
            "status",
            "not one",
        ),
        ("E002,2026-03-01,day,trump-putin,Later,call,1,verified,https://e.org", "date", "outside"),
        (
            "E002,1989-06-01,day,reagan-gorbachev,Later,call,1,verified,https://e.org",
            "date",
            "outside",
        ),
        (
            "E001,2002-05-24,day,bush-putin,Treaty,agreement,2,verified,https://e.org",
            "event_id",
            "repeats",
        ),
        (
            "2,2002-05-24,day,bush-putin,Treaty,agreement,2,verified,https://e.org",
            "event_id",
            "form",
        ),
    ],
)
def test_bad_event_rows_are_refused(tmp_path, row, column, words):
    path = tmp_path / "events.csv"
    assert words in refused(timeline.load_events, path, HEADER + GOOD + row + "\n", 3, column)


def test_bad_contact_rows_are_refused(tmp_path):
    header = (
        "date,precision,us_leader,russian_leader,place,format,status,source_url,russian_state\n"
    )
    good = "2017-07-07,day,Trump,Putin,Hamburg,sidelines,verified,https://e.org,Russia\n"
    for row, column in [
        ("2016-11-14,day,Trump,Putin,telephone,call,partial,https://e.org,Russia", "date"),
        ("2018-07-16,day,Carter,Putin,Helsinki,summit,verified,https://e.org,Russia", "us_leader"),
        ("2018-07-16,day,Trump,Putin,Helsinki,dinner,verified,https://e.org,Russia", "format"),
        # Obama met Putin after May 2012, outside the Obama-Medvedev era.
        (
            "2013-09-05,day,Obama,Putin,St Petersburg,sidelines,verified,https://e.org,Russia",
            "date",
        ),
        (
            "2010-04-08,day,Obama,Putin,Prague,summit,verified,https://e.org,Russia",
            "russian_leader",
        ),
        (
            "1987-12-08,day,Reagan,Gorbachev,Washington,summit,verified,https://e.org,Russia",
            "russian_state",
        ),
        (
            "1987-12-08,day,Reagan,Gorbachev,Washington,summit,verified,https://e.org,Soviet",
            "russian_state",
        ),
    ]:
        path = tmp_path / "contacts.csv"
        refused(timeline.load_contacts, path, header + good + row + "\n", 3, column)


# ---- agreement between the two codings (course.agreement) ------------------------------------

SMALL_FIRST = [1, 1, 2, 0]
SMALL_SECOND = [1, 2, 2, 0]


def test_weighted_kappa_by_hand():
    """Categories 0, 1, 2 (k = 3). Observed weighted disagreement: one pair (1, 2) at weight
    1/2 (linear) or 1/4 (quadratic), over 4 pairs. Marginals: first (1/4, 1/2, 1/4), second
    (1/4, 1/4, 1/2); expected weighted disagreement 7/16 (linear) and 5/16 (quadratic).
    kappa = 1 - (1/8) / (7/16) = 5/7 and 1 - (1/16) / (5/16) = 4/5."""
    from course import agreement

    linear = agreement.weighted_kappa(SMALL_FIRST, SMALL_SECOND, categories=[0, 1, 2])
    quadratic = agreement.weighted_kappa(
        SMALL_FIRST, SMALL_SECOND, categories=[0, 1, 2], weights="quadratic"
    )
    assert linear == pytest.approx(5 / 7)
    assert quadratic == pytest.approx(4 / 5)
    assert agreement.raw_agreement(SMALL_FIRST, SMALL_SECOND) == 0.75
    # On the full -3..+3 scale the distances are only rescaled (|i - j| / 6 instead of / 2),
    # which cancels in the ratio: unused scale points do not change kappa.
    assert agreement.weighted_kappa(SMALL_FIRST, SMALL_SECOND) == pytest.approx(5 / 7)
    assert agreement.weighted_kappa(
        SMALL_FIRST, SMALL_SECOND, weights="quadratic"
    ) == pytest.approx(4 / 5)


def test_weighted_kappa_known_values():
    """Two categories: weighted kappa equals Cohen's kappa; the textbook table of 50 pairs
    (20 yes-yes, 5 yes-no, 10 no-yes, 15 no-no) gives kappa = 0.4."""
    from course import agreement

    first = ["yes"] * 25 + ["no"] * 25
    second = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert agreement.weighted_kappa(first, second, categories=["yes", "no"]) == pytest.approx(0.4)
    assert agreement.weighted_kappa([3, -3, 0], [3, -3, 0]) == 1.0
    # Full disagreement at the two ends of the scale: observed equals the maximum possible.
    assert agreement.weighted_kappa([-3, 3], [3, -3]) == pytest.approx(-1.0)
    assert np.isnan(agreement.weighted_kappa([1, 1], [1, 1]))


def test_weighted_kappa_refuses_bad_input():
    from course import agreement

    with pytest.raises(ValueError, match="length"):
        agreement.weighted_kappa([1], [1, 2])
    with pytest.raises(ValueError, match="not in the categories"):
        agreement.weighted_kappa([4], [1])
    with pytest.raises(ValueError, match="unknown weights"):
        agreement.weighted_kappa([1], [1], weights="cubic")


def test_second_coding_covers_every_scored_event():
    from course import agreement

    second = agreement.load_second_coding()
    assert set(second["event_id"]) == set(EVENTS.loc[EVENTS["score"].notna(), "event_id"])
    table = agreement.agreement_by_era(EVENTS, second)
    assert list(table.columns) == agreement.AGREEMENT_COLUMNS
    assert table.loc[table["era"] == "all", "n"].item() == EVENTS["score"].notna().sum()
    assert table.loc[table["era"] != "all", "n"].sum() == EVENTS["score"].notna().sum()
    # Recompute each era's figures directly from the two columns.
    both = EVENTS.merge(second, on="event_id")
    for _, row in table.iterrows():
        rows = both if row["era"] == "all" else both[both["era"] == row["era"]]
        same = (rows["score"] == rows["second_score"]).mean()
        assert row["raw_agreement"] == pytest.approx(same)
        assert row["kappa"] == pytest.approx(
            agreement.weighted_kappa(rows["score"].astype(int), rows["second_score"].astype(int))
        )
    listed = agreement.disagreements(EVENTS, second)
    assert len(listed) == (both["score"] != both["second_score"]).sum()
    assert (listed["difference"] == listed["second_score"] - listed["first_score"]).all()
    assert (listed["difference"] != 0).all()


def test_second_coding_refuses_missing_and_unknown_ids(tmp_path):
    from course import agreement

    second = agreement.load_second_coding()
    with pytest.raises(ValueError, match="without a second score"):
        agreement.paired(EVENTS, second.iloc[1:])
    extra = pd.concat([second, second.iloc[[0]].assign(event_id="E999")], ignore_index=True)
    with pytest.raises(ValueError, match="unknown event_id"):
        agreement.paired(EVENTS, extra)
    path = tmp_path / "events_second_coding.csv"
    path.write_text("event_id,second_score,adjudicated_score,retest_score\nE001,1,,1\nE001,2,,2\n")
    with pytest.raises(tables.TableError) as err:
        agreement.load_second_coding(path)
    assert err.value.line == 3 and err.value.column == "event_id"
    path.write_text("event_id,second_score,adjudicated_score,retest_score\nE001,4,,1\n")
    with pytest.raises(tables.TableError, match="second_score"):
        agreement.load_second_coding(path)


def test_the_retest_is_read_but_kept_apart_from_the_independent_coding():
    """second_score (the independent coder) is what agreement is computed on; retest_score (the
    first coders' own re-coding) is a separate column, never mixed in."""
    from course import agreement

    second = agreement.load_second_coding()
    assert second["retest_score"].notna().all()
    swapped = second.assign(second_score=second["retest_score"])
    events = timeline.load_events()
    independent = agreement.agreement_by_era(events, second).set_index("era")
    retest = agreement.agreement_by_era(events, swapped).set_index("era")
    # The two codings differ, so the statistics must too: agreement uses second_score only.
    assert (second["second_score"] != second["retest_score"]).any()
    assert independent.loc["all", "raw_agreement"] != retest.loc["all", "raw_agreement"]


def test_second_coded_swaps_the_scores_and_nothing_else():
    from course import agreement

    second = agreement.load_second_coding()
    coded = agreement.second_coded(EVENTS, second)
    by_id = second.set_index("event_id")["second_score"]
    scored = EVENTS["score"].notna()
    assert (coded.loc[scored, "score"] == coded.loc[scored, "event_id"].map(by_id)).all()
    assert coded["score"].dtype == EVENTS["score"].dtype
    # Only the score column changes; the kinds (which the second coder never saw) stay.
    others = [c for c in EVENTS.columns if c != "score"]
    pd.testing.assert_frame_equal(coded[others], EVENTS[others])
    assert (coded["score"] != EVENTS["score"]).sum() == len(agreement.disagreements(EVENTS, second))
    # An unscored event stays unscored and needs no second score.
    unscored = EVENTS.copy()
    unscored.loc[unscored.index[0], "score"] = pd.NA
    again = agreement.second_coded(
        unscored, second[second["event_id"] != EVENTS["event_id"].iloc[0]]
    )
    assert pd.isna(again["score"].iloc[0])
    codings = agreement.codings(EVENTS, second)
    assert set(codings) == set(agreement.CODINGS) and codings["first"] is EVENTS


def test_agreement_table_puts_both_weightings_side_by_side():
    from course import agreement

    second = agreement.load_second_coding()
    table = agreement.agreement_table(EVENTS, second).set_index("era")
    linear = agreement.agreement_by_era(EVENTS, second).set_index("era")
    quadratic = agreement.agreement_by_era(EVENTS, second, "quadratic").set_index("era")
    assert (table["kappa_linear"] == linear["kappa"]).all()
    assert (table["kappa_quadratic"] == quadratic["kappa"]).all()
    listed = agreement.disagreements(EVENTS, second)
    per_era = listed["era"].value_counts()
    for era, row in table.iterrows():
        expected = len(listed) if era == "all" else int(per_era.get(era, 0))
        assert row["disagreements"] == expected
    # Every era of the contract is reported, with the overall row last.
    assert list(table.index) == [e for e in timeline.ERAS if e in set(EVENTS["era"])] + ["all"]
