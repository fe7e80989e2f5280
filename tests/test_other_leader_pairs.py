"""The agreements table and the other-leader-pairs chapter's analysis and charts."""

from __future__ import annotations

import pandas as pd
import pytest

from course import agreement
from course.chapters import other_leader_pairs as olp
from course.datasets import timeline
from tests.fixtures.bad_rows import refused

EVENTS = timeline.load_events()
CONTACTS = timeline.load_contacts()
AGREEMENTS = timeline.load_agreements()
SECOND = agreement.load_second_coding()

HEADER = "agreement_id,agreement,form,step,date,precision,era,party,event_id,status,source_url\n"
SIGNED = "inf,INF Treaty,treaty,signed,1987-12-08,day,reagan-gorbachev,both,E101,verified,https://e.org\n"


# ---- the table ----------------------------------------------------------------------------------


def test_every_agreement_step_names_an_event_of_the_same_day():
    assert timeline.agreement_event_mismatches(AGREEMENTS, EVENTS) == []


def test_a_step_whose_event_is_of_another_day_is_named():
    moved = AGREEMENTS.copy()
    moved.loc[moved["event_id"] == "E101", "date"] = pd.Timestamp("1987-12-09")
    problems = timeline.agreement_event_mismatches(moved, EVENTS)
    assert problems == ["inf signed: event E101 is dated 1987-12-08, the step 1987-12-09"]


def test_the_briefs_candidates_are_all_there_with_their_key_steps():
    steps = set(zip(AGREEMENTS["agreement_id"], AGREEMENTS["step"], AGREEMENTS["date"]))
    day = pd.Timestamp
    for expected in [
        ("inf", "signed", day("1987-12-08")),
        ("inf", "in-force", day("1988-06-01")),
        ("inf", "withdrawn", day("2019-08-02")),
        ("nrrc", "signed", day("1987-09-15")),
        ("start2", "signed", day("1993-01-03")),
        ("pmda", "suspended", day("2016-10-03")),
        ("new-start", "in-force", day("2011-02-05")),
        ("new-start", "extended", day("2021-02-03")),
        ("new-start", "suspended", day("2023-02-21")),
        ("nuclear-123", "signed", day("2008-05-06")),
        ("nuclear-123", "submission-withdrawn", day("2008-09-08")),
        ("nuclear-123", "in-force", day("2011-01-11")),
        ("sort", "in-force", day("2003-06-01")),
    ]:
        assert expected in steps, expected
    assert not AGREEMENTS["step"].eq("in-force")[AGREEMENTS["agreement_id"] == "start2"].any()


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        (
            "inf,INF Treaty,treaty,in-force,1988-06-01,day,clinton-yeltsin,both,,verified,https://e.org",
            "date",
            "outside its era",
        ),
        (
            "inf,INF Treaty,treaty,in-force,1987-06-01,day,reagan-gorbachev,both,,verified,https://e.org",
            "date",
            "earlier than the agreement's previous step",
        ),
        (
            "inf,INF,treaty,in-force,1988-06-01,day,reagan-gorbachev,both,,verified,https://e.org",
            "agreement",
            "differs from the agreement's first row",
        ),
        (
            "inf,INF Treaty,treaty,signed,1988-06-01,day,reagan-gorbachev,both,,verified,https://e.org",
            "step",
            "repeats 'signed'",
        ),
        (
            "abm,ABM Treaty,treaty,withdrawn,2002-06-13,day,bush-putin,US,,verified,https://e.org",
            "step",
            "first row is its signature",
        ),
        (
            "inf,INF Treaty,treaty,in force,1988-06-01,day,reagan-gorbachev,both,,verified,https://e.org",
            "step",
            "in force",
        ),
        (
            "inf,INF Treaty,treaty,in-force,1988-06-01,day,reagan-gorbachev,both,106,verified,https://e.org",
            "event_id",
            "E001",
        ),
    ],
)
def test_bad_agreement_rows_are_refused(tmp_path, row, column, words):
    path = tmp_path / "agreements.csv"
    assert words in refused(timeline.load_agreements, path, HEADER + SIGNED + row + "\n", 3, column)


# ---- years in force -----------------------------------------------------------------------------


def _frame(rows: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "agreement_id": "x",
            "agreement": "X",
            "form": "treaty",
            "step": [step for step, _ in rows],
            "date": [pd.Timestamp(day) for _, day in rows],
            "era": [timeline.era_of(pd.Timestamp(day)) for _, day in rows],
            "party": "both",
        }
    )


def test_years_in_force_end_at_a_suspension_or_only_at_an_exit():
    steps = _frame(
        [("signed", "2010-04-08"), ("in-force", "2011-02-05"), ("suspended", "2023-02-21")]
    )
    broken = olp.agreement_spans(steps).iloc[0]
    assert broken["ended"] == pd.Timestamp("2023-02-21") and not broken["still_in_force"]
    assert broken["years_in_force"] == pytest.approx(4399 / 365.25)
    exit_only = olp.agreement_spans(steps, "formal-exit").iloc[0]
    assert exit_only["still_in_force"] and pd.isna(exit_only["ended"])
    # Counted to the as-of date inclusive.
    days = (timeline.AS_OF - pd.Timestamp("2011-02-05")).days + 1
    assert exit_only["years_in_force"] == pytest.approx(days / 365.25)


def test_never_in_force_is_zero_years_and_steps_after_as_of_are_ignored():
    steps = _frame([("signed", "1993-01-03"), ("repudiated", "2002-06-14")])
    span = olp.agreement_spans(steps).iloc[0]
    assert span["years_in_force"] == 0 and pd.isna(span["in_force"]) and not span["still_in_force"]
    later = _frame(
        [("signed", "2002-05-24"), ("in-force", "2003-06-01"), ("withdrawn", "2011-02-05")]
    )
    span = olp.agreement_spans(later, as_of=pd.Timestamp("2005-12-31")).iloc[0]
    assert span["still_in_force"] and span["years_in_force"] == pytest.approx(
        ((pd.Timestamp("2005-12-31") - pd.Timestamp("2003-06-01")).days + 1) / 365.25
    )
    with pytest.raises(ValueError, match="unknown end rule"):
        olp.agreement_spans(later, "whenever")


def test_pinned_spans_of_the_data():
    spans = olp.agreement_spans(AGREEMENTS).set_index("agreement_id")
    assert spans.loc["inf", "end_step"] == "suspended"
    assert spans.loc["inf", "years_in_force"] == pytest.approx(
        (pd.Timestamp("2019-02-01") - pd.Timestamp("1988-06-01")).days / 365.25
    )
    assert spans.loc["new-start", "pair"] == "obama-medvedev"
    assert spans.loc["nuclear-123", "pair"] == "bush-putin"
    assert spans.loc["start2", "pair"] == "between" and spans.loc["start2", "years_in_force"] == 0
    assert bool(spans.loc["nrrc", "still_in_force"]) and bool(spans.loc["nrrc", "verification"])
    assert bool(spans.loc["sort", "ratified"]) and not bool(spans.loc["sort", "verification"])
    exits = olp.agreement_spans(AGREEMENTS, "formal-exit").set_index("agreement_id")
    assert exits.loc["inf", "ended"] == pd.Timestamp("2019-08-02")
    assert bool(exits.loc["new-start", "still_in_force"])


# ---- the warm phase and the pairs ---------------------------------------------------------------


def test_warm_phase_uses_the_shared_first_clash_definition():
    warm = olp.warm_phase(EVENTS, CONTACTS).set_index("era")
    for era in olp.PAIRS:
        first = timeline.first_meeting(CONTACTS, era)
        clash = timeline.first_clash(EVENTS[EVENTS["era"] == era], since=first)
        assert warm.loc[era, "first_clash"] == clash["date"]
        assert warm.loc[era, "days_to_first_clash"] == (clash["date"] - first).days


def test_second_coding_moves_the_first_clash_when_it_rescores_it():
    first_clash = olp.warm_phase(EVENTS, CONTACTS).set_index("era").loc["bush-putin", "event_id"]
    rescored = SECOND.copy()
    rescored.loc[rescored["event_id"] == first_clash, "second_score"] = 0
    both = olp.warm_phase_both(EVENTS, rescored, CONTACTS)
    second = both[(both["coding"] == "second") & (both["era"] == "bush-putin")].iloc[0]
    assert second["event_id"] != first_clash
    assert second["first_clash"] > pd.Timestamp("2001-12-13")
    spread = olp.warm_phase_range(both).set_index("era")
    assert not spread.loc["bush-putin", "same_event"]
    assert spread.loc["bush-putin", "months_second"] > spread.loc["bush-putin", "months_first"]


def test_second_coded_refuses_an_event_without_a_second_score():
    with pytest.raises(ValueError, match="without a second score"):
        olp.second_coded(EVENTS, SECOND.iloc[1:])


def test_contact_rates_match_the_contact_table():
    rates = olp.contact_rates(CONTACTS).set_index("era")
    for era in olp.PAIRS:
        own = CONTACTS[CONTACTS["era"] == era]
        assert rates.loc[era, "meetings"] == own["format"].isin(timeline.IN_PERSON).sum()
        assert rates.loc[era, "calls"] == (own["format"] == "call").sum()
    yearly = olp.meetings_by_year(CONTACTS)
    assert yearly.groupby("era")["meetings"].sum().to_dict() == rates["meetings"].to_dict()


def test_pair_comparison_adds_up():
    table = olp.pair_comparison(EVENTS, SECOND, CONTACTS, AGREEMENTS).set_index("era")
    spans = olp.agreement_spans(AGREEMENTS)
    assert table["agreements_signed"].sum() == spans["pair"].isin(olp.PAIRS).sum()
    assert table.loc["reagan-gorbachev", "longest_years"] == pytest.approx(
        spans[spans["pair"] == "reagan-gorbachev"]["years_in_force"].max()
    )
    assert table.loc["clinton-yeltsin", "agreements_signed"] == 0
    anchors = olp.anchors_and_durability(spans)
    assert anchors["agreements"].sum() == len(spans)


# ---- charts -------------------------------------------------------------------------------------


def test_clock_chart_shows_every_pair_and_both_codings():
    warm = olp.warm_phase_both(EVENTS, SECOND, CONTACTS)
    spec = olp.clock_chart(EVENTS, CONTACTS, warm, "Title", "Description").to_dict()
    rows = [r for data in spec["datasets"].values() for r in data]
    assert {r["pair"] for r in rows if "pair" in r} == {olp.PAIR_LABELS[e] for e in olp.PAIRS}
    codings = {r.get("coding_label") for r in rows} - {None}
    assert codings == {"first clash, first coding", "first clash, second coding"}
    assert spec["description"] == "Description"


def test_agreements_chart_has_a_row_per_agreement_and_renders_offline():
    from course import charts

    spans = olp.agreement_spans(AGREEMENTS)
    chart = olp.agreements_chart(spans, "Title", "Description")
    spec = chart.to_dict()
    rows = [r for data in spec["datasets"].values() for r in data]
    assert {r["agreement"] for r in rows} == set(spans["agreement"])
    svg = charts.static_svg(spec, "test")
    assert "<svg" in svg and "http" not in svg.split("<svg", 1)[0]
