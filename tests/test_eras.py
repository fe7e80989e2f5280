"""course.chapters.trump_putin: the FARA footprint (equal to the Russia chapter's and the FARA guide's counts),
the comparison table, the aligned arcs with the Trump gap, and the chart."""

from __future__ import annotations

import pandas as pd
import pytest

from course import fara
from course.chapters import russia_in_washington as russia
from course.chapters import trump_putin
from course.datasets import timeline

SNAPSHOT = pd.Timestamp(fara.load_datapackage()["snapshot_date"])
DATES = trump_putin.footprint_dates(SNAPSHOT)


@pytest.fixture(scope="module")
def principals():
    return fara.load_principals()


@pytest.fixture(scope="module")
def footprint(principals):
    return trump_putin.fara_footprint(DATES, principals).set_index("date")


@pytest.fixture(scope="module")
def tables():
    return timeline.load_events(), timeline.load_contacts()


# ---- FARA footprint: the same figures as chapter 1 and the FARA data guide ---------------------


def test_footprint_dates_are_the_named_points():
    assert [d.strftime("%Y-%m-%d") for d in DATES[:-1]] == [
        "2001-12-31",
        "2008-12-31",
        "2017-12-31",
        "2021-12-31",
    ]
    assert DATES[-1] == SNAPSHOT


def test_footprint_equals_the_fara_guide_count(footprint, principals):
    # chapters/fara-data.md: (fara.active_on(day)["country"] == "RUSSIA").sum()
    for day in DATES:
        expected = int((fara.active_on(day, principals)["country"] == "RUSSIA").sum())
        assert footprint.loc[day, "active_rows"] == expected, day


def test_footprint_equals_the_russia_chapter_counts(footprint, principals):
    # chapters/russia-in-washington.md: type shares over russia.code_principals (RUSSIA and
    # USSR labels) active at each year's reference date, and the yearly series.
    coded = russia.code_principals(principals)
    yearly = fara.load_active_by_country_year()
    for day in DATES:
        active = fara.active_on(day, coded)
        table = russia.share_by_type(active.assign(year=day.year), by="year")
        assert footprint.loc[day, "active_rows"] == int(table["rows"].sum()), day
        state = table[table["type"].isin(russia.STATE_TYPES)]
        assert footprint.loc[day, "state_rows"] == int(state["rows"].sum()), day
        series = yearly[
            (yearly["year"] == day.year) & yearly["country_normalized"].isin(["RUSSIA", "USSR"])
        ]
        assert footprint.loc[day, "active_rows"] == int(series["active"].sum()), day


def test_footprint_facts_of_the_2025_04_10_snapshot(footprint):
    if SNAPSHOT != pd.Timestamp("2025-04-10"):
        pytest.skip("the pinned facts belong to the 2025-04-10 snapshot")
    # The snapshot count is the Russia chapter's pinned active_russia; no state row remains.
    assert footprint.loc[SNAPSHOT, "active_rows"] == 4
    assert footprint.loc[SNAPSHOT, "state_rows"] == 0
    assert (footprint["principals"] <= footprint["active_rows"]).all()


def _frame(rows):
    columns = ["foreign_principal", "country", "principal_registered", "principal_terminated"]
    frame = pd.DataFrame(rows, columns=columns)
    for column in ("principal_registered", "principal_terminated"):
        frame[column] = pd.to_datetime(frame[column])
    frame["registrant_name"] = "Some LLP"
    return frame


def test_footprint_rule_on_a_small_frame():
    principals = _frame(
        [
            ["ANO TV-Novosti", "RUSSIA", "2017-11-10", None],
            ["ANO TV-Novosti", "RUSSIA", "2017-12-31", None],  # second registrant, same day
            ["Jane Doe", "RUSSIA", "2016-01-01", "2017-12-31"],  # ends on the day: not active
            ["Amtorg", "USSR", "1970-01-01", None],  # the USSR label is not Russia after 1991
            ["Tokyo Co", "JAPAN", "2010-01-01", None],
        ]
    )
    coded = pd.DataFrame(
        {
            "foreign_principal": ["ANO TV-Novosti", "Jane Doe"],
            "type": ["state media", "unclear"],
            "justification": ["x", "y"],
        }
    )
    out = trump_putin.fara_footprint(["2017-12-31", "2017-12-30"], principals, coded)
    assert out.to_dict("list") == {
        "date": [pd.Timestamp("2017-12-31"), pd.Timestamp("2017-12-30")],
        "active_rows": [2, 2],
        "principals": [1, 2],
        "state_rows": [2, 1],
    }


def test_footprint_refuses_soviet_dates(principals):
    with pytest.raises(ValueError, match="1991-12-31.*RUSSIA label mixes Soviet"):
        trump_putin.fara_footprint(["1991-12-31"], principals)


def test_state_types_are_the_russia_chapters():
    assert trump_putin.STATE_TYPES == russia.STATE_TYPES
    assert set(trump_putin.STATE_TYPES) <= set(russia.TYPES)


# ---- comparison table ------------------------------------------------------------------------


def _events(rows):
    columns = ["date", "era", "event", "kind", "score"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["date"] = pd.to_datetime(frame["date"])
    frame["score"] = frame["score"].astype("Int64")
    return frame


def _contacts(rows):
    frame = pd.DataFrame(rows, columns=["date", "era", "format", "place"])
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def test_comparison_table_on_small_tables():
    events = _events(
        [
            ["2001-03-01", "bush-putin", "clash before any meeting", "clash", -2],
            ["2001-06-16", "bush-putin", "first meeting", "meeting", 2],
            ["2001-07-01", "bush-putin", "a treaty", "agreement", 3],
            ["2001-12-13", "bush-putin", "ABM notice", "clash", -2],
            ["2017-07-07", "trump-putin", "Hamburg", "meeting", 1],
            ["2017-07-28", "trump-putin", "expulsions", "clash", -2],
            ["2017-08-02", "trump-putin", "a quiet day", "institutional", 0],
            ["2021-02-03", "between", "not counted", "agreement", 2],
        ]
    )
    contacts = _contacts(
        [
            ["2001-05-01", "bush-putin", "call", "telephone"],
            ["2001-06-16", "bush-putin", "summit", "Brdo"],
            ["2017-01-28", "trump-putin", "call", "telephone"],
            ["2017-07-07", "trump-putin", "sidelines", "Hamburg"],
            ["2025-08-15", "trump-putin", "summit", "Anchorage"],
        ]
    )
    table = trump_putin.comparison_table(events, contacts).set_index("era")
    bush, trump = table.loc["bush-putin"], table.loc["trump-putin"]
    assert bush["first_meeting"] == pd.Timestamp("2001-06-16")
    assert bush["first_clash_event"] == "ABM notice" and bush["days_to_first_clash"] == 180
    assert bush["contacts"] == 2 and bush["in_person"] == 1 and bush["years_in_office"] == 8.0
    assert bush["cooperative_share"] == pytest.approx(2 / 4) and bush["agreements"] == 1
    assert trump["first_meeting"] == pd.Timestamp("2017-07-07")
    assert trump["days_to_first_clash"] == 21 and trump["agreements"] == 0
    assert trump["contacts"] == 3 and trump["in_person"] == 2
    assert trump["contacts_per_year"] == pytest.approx(3 / timeline.years_in_office("trump-putin"))
    assert trump["cooperative_share"] == pytest.approx(1 / 3)


def test_comparison_table_needs_a_clash_after_the_first_meeting():
    events = _events([["2001-06-16", "bush-putin", "first meeting", "meeting", 2]])
    contacts = _contacts(
        [
            ["2001-06-16", "bush-putin", "summit", "Brdo"],
            ["2017-07-07", "trump-putin", "sidelines", "Hamburg"],
        ]
    )
    with pytest.raises(ValueError, match="'bush-putin' has no clash"):
        trump_putin.comparison_table(events, contacts)


def test_comparison_table_of_the_committed_data(tables):
    events, contacts = tables
    table = trump_putin.comparison_table(events, contacts).set_index("era")
    per_era = timeline.contacts_per_era(contacts).set_index("era")
    for era in trump_putin.LEADER_ERAS:
        own = events[events["era"] == era]
        assert table.loc[era, "contacts_per_year"] == per_era.loc[era, "contacts_per_year"]
        assert table.loc[era, "agreements"] == (own["kind"] == "agreement").sum()
        assert table.loc[era, "events"] == len(own)
    # First meetings as the research notes verify them: Brdo near Ljubljana, and Hamburg.
    assert table.loc["bush-putin", "first_meeting"] == pd.Timestamp("2001-06-16")
    assert table.loc["trump-putin", "first_meeting"] == pd.Timestamp("2017-07-07")
    # First clashes: the ABM notice (13 Dec 2001) and Russia's answer to the sanctions bill.
    assert table.loc["bush-putin", "first_clash"] == pd.Timestamp("2001-12-13")
    assert table.loc["trump-putin", "first_clash"] == pd.Timestamp("2017-07-28")


# ---- aligned arcs and the Trump gap ----------------------------------------------------------


def test_gap_is_trumps_absence_on_the_trump_clock(tables):
    _, contacts = tables
    gap = trump_putin.out_of_office(contacts)
    assert len(gap) == 1
    row = gap.iloc[0]
    assert (row["start"], row["end"]) == (pd.Timestamp("2021-01-20"), pd.Timestamp("2025-01-20"))
    hamburg = pd.Timestamp("2017-07-07")
    assert row["start_months"] == pytest.approx((row["start"] - hamburg).days * 12 / 365.25)
    assert row["end_months"] == pytest.approx((row["end"] - hamburg).days * 12 / 365.25)


def test_aligned_arcs_keep_both_eras_and_mark_the_gap(tables):
    events, contacts = tables
    arcs = trump_putin.aligned_arcs(events, contacts)
    for era in trump_putin.LEADER_ERAS:
        own = arcs[(arcs["era"] == era) & (arcs["source"] != "between")]
        first = timeline.first_meeting(contacts, era)
        assert (own.loc[own["date"] == first, "months_since_first_meeting"] == 0).all()
        assert len(own) == (events["era"] == era).sum() + (contacts["era"] == era).sum()
    trump = arcs[(arcs["era"] == "trump-putin") & (arcs["source"] != "between")]
    assert set(trump["term"]) == {1, 2}
    assert (trump.loc[trump["term"] == 2, "date"] >= pd.Timestamp("2025-01-20")).all()
    assert (trump.loc[trump["term"] == 1, "date"] < pd.Timestamp("2021-01-20")).all()
    between = arcs[arcs["source"] == "between"]
    assert len(between) and between["cumulative_score"].isna().all()
    assert between["date"].between("2021-01-20", "2025-01-19").all()
    expected = events[
        (events["era"] == "between") & events["date"].between("2021-01-20", "2025-01-19")
    ]
    assert len(between) == len(expected)


def test_meeting_list_names_the_trump_meetings(tables):
    _, contacts = tables
    text = trump_putin.meeting_list(contacts, "trump-putin")
    for place in ("Hamburg", "Da Nang", "Helsinki", "Paris", "Buenos Aires", "Osaka", "Anchorage"):
        assert place in text
    assert text.index("Hamburg") < text.index("Helsinki") < text.index("Anchorage")
    assert "telephone" not in text


@pytest.mark.parametrize(
    "day, precision, text",
    [("2001-06-16", "day", "16 June 2001"), ("2005-07-01", "month", "July 2005")],
)
def test_when_follows_precision(day, precision, text):
    assert trump_putin.when(pd.Timestamp(day), precision) == text


def test_chart_spec_has_title_description_tooltips_and_small_data(tables):
    events, contacts = tables
    spec = trump_putin.arcs_chart(
        trump_putin.aligned_arcs(events, contacts),
        trump_putin.out_of_office(contacts),
        "A description.",
    ).to_dict()
    assert spec["description"] == "A description." and spec["title"]["text"]
    assert spec["width"] == "container"
    layers = spec["layer"]
    marks = [layer["mark"]["type"] for layer in layers]
    assert marks == ["rect", "rule", "line", "point"]
    assert all("tooltip" in layers[i]["encoding"] for i in (0, 1, 3))
    assert layers[3]["encoding"]["x"]["field"] == "months"
    assert max(len(rows) for rows in spec["datasets"].values()) <= 5000
    # altair lifts a layer's selection to the top level, naming the views it applies to.
    params = spec.get("params", []) + layers[3].get("params", [])
    assert any(param.get("bind") == "legend" for param in params)
