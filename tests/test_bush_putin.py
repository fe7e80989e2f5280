"""course.chapters.bush_putin, the chapter "Lessons from Bush and Putin" and its graded notebook."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from course import exercises, grading
from course.chapters import bush_putin
from course.datasets import oral_history, timeline
from course.dates import day_text
from course.paths import EXERCISES_DIR
from tests.fixtures.submissions import ClassMaker
from tests.test_prose_numbers import DATE, prose_lines

REPO = Path(__file__).resolve().parent.parent
CHAPTER = REPO / "chapters" / "bush-putin.md"
SLUG = "bush-putin"


def events_frame(rows):
    """A small events table typed like ``timeline.load_events`` output."""
    frame = pd.DataFrame(rows, columns=["date", "era", "event", "kind", "score"])
    frame["date"] = pd.to_datetime(frame["date"])
    frame["score"] = frame["score"].astype("Int64")
    return frame


EVENTS = events_frame(
    [
        ("2001-06-16", "bush-putin", "First meeting", "meeting", 2),
        ("2001-12-13", "bush-putin", "Treaty notice", "clash", -2),
        ("2001-11-01", "bush-putin", "Minor spat", "institutional", -1),
        ("2002-05-24", "bush-putin", "Treaty signed", "agreement", 3),
        ("2003-03-20", "bush-putin", "A war begins", "clash", -3),
        ("2004-03-29", "bush-putin", "Enlargement", "clash", -2),
        ("2004-06-08", "bush-putin", "Summit", "meeting", 1),
        ("2017-07-07", "trump-putin", "Later clash", "clash", -2),
    ]
)


# ---- timeline helpers ---------------------------------------------------------------------------


def test_first_clash_is_the_earliest_negative_clash_of_the_era():
    clash = bush_putin.first_clash(EVENTS)
    assert clash["event"] == "Treaty notice"  # not the earlier institutional -1
    assert bush_putin.first_clash(EVENTS, "trump-putin")["event"] == "Later clash"
    with pytest.raises(ValueError, match="no scored clash in era 'between'"):
        bush_putin.first_clash(EVENTS, "between")


def test_yearly_net_score_and_first_negative_year():
    yearly = bush_putin.yearly_net_score(EVENTS)
    assert yearly.to_dict("list") == {
        "year": [2001, 2002, 2003, 2004],
        "events": [3, 1, 1, 2],
        "net_score": [-1, 3, -3, -1],
    }
    assert bush_putin.first_negative_year(EVENTS) == 2001
    calm = bush_putin.recode_score(EVENTS, "Minor spat", 1)
    assert bush_putin.first_negative_year(calm) == 2003
    assert bush_putin.first_negative_year(EVENTS[EVENTS["score"] > 0]) is None


def test_recode_score_changes_one_row_of_a_copy():
    recoded = bush_putin.recode_score(EVENTS, "A war begins", 0)
    assert recoded.loc[recoded["event"] == "A war begins", "score"].tolist() == [0]
    assert EVENTS.loc[EVENTS["event"] == "A war begins", "score"].tolist() == [-3]
    assert (recoded["score"] != EVENTS["score"]).sum() == 1


@pytest.mark.parametrize(
    "contains, score, message",
    [
        ("Treaty", 0, r"'Treaty' matches 2 events, expected 1"),
        ("nothing like this", 0, r"matches 0 events"),
        ("A war begins", 4, r"score 4 is outside -3..\+3"),
    ],
)
def test_recode_score_refuses_an_ambiguous_or_bad_recode(contains, score, message):
    with pytest.raises(ValueError, match=message):
        bush_putin.recode_score(EVENTS, contains, score)


def test_meetings_keep_only_in_person_contacts_of_the_era():
    contacts = pd.DataFrame(
        {
            "date": pd.to_datetime(["2001-06-16", "2001-09-11", "2001-07-22", "2017-07-07"]),
            "format": ["summit", "call", "sidelines", "sidelines"],
            "era": ["bush-putin", "bush-putin", "bush-putin", "trump-putin"],
        }
    )
    met = bush_putin.meetings(contacts)
    assert met["date"].dt.strftime("%Y-%m-%d").tolist() == ["2001-06-16", "2001-07-22"]


# ---- matrix helpers -----------------------------------------------------------------------------


def matrix_frame(rows):
    return pd.DataFrame(rows, columns=["name", "side", "factor", "stance"])


MATRIX = matrix_frame(
    [
        ("A", "US", "personal chemistry", "limited_effect"),
        ("A", "US", "NATO enlargement", "cause_of_breakdown"),
        ("B", "US", "personal chemistry", "source_of_cooperation"),
        ("B", "US", "NATO enlargement", "not coded"),
        ("C", "Russia", "personal chemistry", "limited_effect"),
        ("C", "Russia", "NATO enlargement", "cause_of_breakdown"),
        ("D", "Russia", "personal chemistry", "not coded"),
        ("D", "Russia", "colour revolutions", "cause_of_breakdown"),
    ]
)


def test_breakdown_by_side_counts_participants_per_factor():
    table = bush_putin.breakdown_by_side(MATRIX)
    assert list(table.columns) == ["US", "Russia"]
    assert table.to_dict("index") == {
        "NATO enlargement": {"US": 1, "Russia": 1},
        "colour revolutions": {"US": 0, "Russia": 1},
    }
    assert list(table.index)[0] == "NATO enlargement"  # most-named first


def test_stance_counts_skip_uncoded_cells():
    counts = bush_putin.stance_counts(MATRIX)
    assert "not coded" not in set(counts["stance"])
    assert counts["participants"].sum() == (MATRIX["stance"] != "not coded").sum()


def test_chemistry_views_and_the_both_sides_summary():
    views = bush_putin.chemistry_views(MATRIX).set_index(["side", "stance"])
    assert views.loc[("US", "limited_effect"), "names"] == "A"
    assert views.loc[("Russia", "limited_effect"), "participants"] == 1
    assert bush_putin.both_sides_doubt_chemistry(MATRIX)
    assert not bush_putin.both_sides_doubt_chemistry(MATRIX[MATRIX["name"] != "A"])
    assert not bush_putin.both_sides_doubt_chemistry(MATRIX[MATRIX["name"] != "C"])


def test_recode_stance_changes_a_copy_and_refuses_a_missing_row():
    explanations = pd.DataFrame(
        {"name": ["A", "B"], "factor": ["personal chemistry"] * 2, "stance": ["limited_effect"] * 2}
    )
    recoded = bush_putin.recode_stance(
        explanations, "A", "personal chemistry", "source_of_cooperation"
    )
    assert recoded["stance"].tolist() == ["source_of_cooperation", "limited_effect"]
    assert explanations["stance"].tolist() == ["limited_effect"] * 2
    with pytest.raises(ValueError, match="no coded row for 'Z'"):
        bush_putin.recode_stance(explanations, "Z", "personal chemistry", "limited_effect")


def test_participants_table_puts_the_us_side_first_and_says_how_each_is_known():
    people = oral_history.load_interviewees()
    table = bush_putin.participants_table(people)
    assert len(table) == len(people)
    sides = table["Side"].tolist()
    assert sides == sorted(sides, key=lambda side: side != "U.S.")
    known = {f"{text} ({code})" for code, text in bush_putin.HOW_KNOWN.items()}
    assert set(table["How the course knows"]) <= known
    assert not table["How the course knows"].isna().any()


# ---- the real data: facts the research notes verify --------------------------------------------


def test_pinned_facts_of_the_bush_years():
    events, contacts = timeline.load_events(), timeline.load_contacts()
    assert timeline.first_meeting(contacts, "bush-putin") == pd.Timestamp("2001-06-16")
    first_place = contacts.loc[contacts["date"] == pd.Timestamp("2001-06-16"), "place"].iloc[0]
    assert "Brdo" in first_place and "Ljubljana" in first_place
    clash = bush_putin.first_clash(events)
    assert clash["date"] == pd.Timestamp("2001-12-13") and "ABM" in clash["event"]
    era = bush_putin.era_events(events)
    dated = {}
    for day, text in zip(era["date"], era["event"]):
        dated.setdefault(f"{day:%Y-%m-%d}", []).append(text)

    def on(day, word):
        return any(word in text for text in dated.get(day, []))

    assert on("2002-05-24", "Moscow Treaty")
    assert on("2007-02-10", "Munich")
    assert on("2008-04-06", "Strategic Framework Declaration")
    assert on("2008-08-08", "Georgia")
    assert on("2004-03-29", "NATO") and on("2003-11-23", "Rose Revolution")


def test_the_chapter_recodes_move_what_the_page_says_they_move():
    """The sensitivity section's claims hold for the committed data (the page glues them too)."""
    events = timeline.load_events()
    matrix = oral_history.factor_matrix()
    recoded = bush_putin.recode_score(events, "Iraq war begins", 0)
    assert bush_putin.first_negative_year(events) != bush_putin.first_negative_year(recoded)
    assert bush_putin.both_sides_doubt_chemistry(matrix)
    assert not bush_putin.both_sides_doubt_chemistry(matrix[matrix["name"] != "Robert Gates"])


# ---- charts -------------------------------------------------------------------------------------


def walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def tooltip_titles(spec):
    titles = set()
    for node in walk(spec):
        tooltip = node.get("tooltip") if isinstance(node.get("tooltip"), list) else None
        for item in tooltip or []:
            if isinstance(item, dict):
                titles.add(item.get("title") or item.get("field"))
    return titles


def test_arc_chart_marks_events_and_contacts_with_sources():
    events, contacts = timeline.load_events(), timeline.load_contacts()
    arc = timeline.era_arc(events, contacts, "bush-putin")
    spec = bush_putin.arc_chart(arc, "T", "D").to_dict()
    assert spec["description"] == "D" and spec["title"]["text"] == ["T"]
    layers = spec["layer"]
    marks = [layer["mark"]["type"] for layer in layers]
    assert {"rule", "circle", "tick"} <= set(marks)
    assert {"Event", "Source", "Leaders' contact"} <= tooltip_titles(spec)
    rows = sum(len(v) for v in spec.get("datasets", {}).values())
    assert 0 < rows <= 5000
    tick = next(layer for layer in layers if layer["mark"]["type"] == "tick")
    tick_rows = spec["datasets"][tick["data"]["name"]]
    assert len(tick_rows) == int((contacts["era"] == "bush-putin").sum())


def test_factor_heatmap_puts_both_sides_in_panels():
    matrix = oral_history.factor_matrix()
    spec = bush_putin.factor_heatmap(matrix, "T", "D").to_dict()
    assert spec["facet"]["column"]["field"] == "side_label"
    values = next(iter(spec["datasets"].values()))
    assert {row["side_label"] for row in values} == {"U.S. participants", "Russian participants"}
    assert len(values) == len(oral_history.FACTORS) * len(oral_history.load_interviewees())
    assert {"Participant", "Factor", "Stance"} <= tooltip_titles(spec)


# ---- the chapter's prose ------------------------------------------------------------------------


TEXT = CHAPTER.read_text(encoding="utf-8")


def prose() -> str:
    return "\n".join(line for _, line in prose_lines(TEXT))


def test_chapter_code_cells_parse():
    """A cheap guard against a broken cell; the strict build executes them."""
    import ast

    cells = re.findall(r"^```\{code-cell\}[^\n]*\n(.*?)^```$", TEXT, flags=re.S | re.M)
    assert len(cells) >= 10
    for cell in cells:
        ast.parse("\n".join(line for line in cell.splitlines() if not line.startswith(":tags:")))


def test_day_dates_in_the_prose_are_dates_of_the_course_data():
    known = set()
    for frame in (timeline.load_events(), timeline.load_contacts()):
        known |= {day_text(d) for d in frame.loc[frame["precision"] == "day", "date"]}
    typed = {m.group(0) for m in re.finditer(r"\b\d{1,2} [A-Z][a-z]+ \d{4}\b", prose())}
    assert typed, "expected the timeline section to name dated turning points"
    assert all(DATE.fullmatch(date) for date in typed)
    assert typed <= known, typed - known


def test_article_phrases_are_quoted_with_their_speaker():
    """Each phrase the data attributes to a participant is quoted in a paragraph naming them."""
    explanations = oral_history.load_explanations()
    phrases = explanations[explanations["article_phrase"] != ""]
    paragraphs = re.split(r"\n\s*\n", prose())
    for phrase, name in zip(phrases["article_phrase"], phrases["name"]):
        quoting = [p for p in paragraphs if phrase.lower() in p.replace("\n", " ").lower()]
        assert quoting, f"the chapter never quotes {phrase!r}"
        surname = name.split()[-1]
        first = quoting[0]
        assert surname in first, f"{phrase!r} first appears without {name}: {first[:120]!r}"
    karaganov = next(
        p for p in paragraphs if '"induced\nchemistry"' in p or '"induced chemistry"' in p
    )
    assert "Karaganov" in karaganov and "Voloshin" not in karaganov.split("induced")[0][-80:]


# ---- the graded notebook ------------------------------------------------------------------------


def test_master_has_four_auto_graded_and_two_open_questions():
    table = exercises.question_table(EXERCISES_DIR / f"{SLUG}.ipynb")
    # Public and hidden tests on every question: test_exercises checks that for every master.
    kinds = table["kind"].value_counts()
    assert kinds.get("auto", 0) >= 4 and kinds.get("manual", 0) >= 2


def test_master_reads_only_the_oral_history_and_timeline_tables():
    config = exercises.assignment_config(EXERCISES_DIR / f"{SLUG}.ipynb")
    assert sorted(config["files"]) == [
        "data/oral_history/explanations.csv",
        "data/oral_history/interviewees.csv",
        "data/timeline/contacts.csv",
        "data/timeline/events.csv",
        "data/timeline/events_second_coding.csv",
    ]


@pytest.mark.slow
def test_key_full_marks_untouched_zero_and_variants(built_exercises, tmp_path):
    built = built_exercises.items[SLUG]
    maker = ClassMaker(built.student_notebook, built.solutions_notebook)
    # q4 accepts any honest scores: the grade is on the agreement computed from them.
    key_coder = maker.answers["q4"]
    other_coder = key_coder.replace('"E003": 1, "E004": 2', '"E003": 3, "E004": -1')
    assert other_coder != key_coder
    in_place = maker.answers["q3"].replace(
        "second_coding = explanations.copy()", "second_coding = explanations"
    )
    calls_too = maker.answers["q1"].replace(
        'bush["format"].isin(["summit", "sidelines", "visit"]).sum()', "len(bush)"
    )
    # q2: a table of all eight factors, with 0 rows for those no one blames, is what the
    # question's "(0 where none do)" allows.
    every_factor = maker.answers["q2"].replace(
        "fill_value=0)", 'fill_value=0).reindex(explanations["factor"].unique(), fill_value=0)', 1
    )
    assert every_factor != maker.answers["q2"]
    folder = tmp_path / "class"
    folder.mkdir()
    submissions = {
        "key": maker.notebook(answered=maker.questions),
        "every_factor": maker.notebook(answered=maker.questions, replace={"q2": every_factor}),
        "untouched": maker.notebook(),
        "other_coder": maker.notebook(answered=maker.questions, replace={"q4": other_coder}),
        "mistakes": maker.notebook(
            answered=maker.questions, replace={"q1": calls_too, "q3": in_place}
        ),
    }
    for name, notebook in submissions.items():
        nbformat.write(notebook, folder / f"{name}.ipynb")
    rows, _ = grading.grade_class(folder, built.autograder_zip, tmp_path / "g.csv", jobs=2)
    got = {Path(row.submission).stem: row for row in rows}
    table = exercises.question_table(EXERCISES_DIR / f"{SLUG}.ipynb")
    full = table.loc[table["kind"] == "auto", "points"].sum()
    assert got["key"].status == "ok" and got["key"].total() == full
    assert got["untouched"].status == "ok" and got["untouched"].total() == 0
    assert got["other_coder"].total() == full, got["other_coder"].scores
    assert got["every_factor"].total() == full, got["every_factor"].scores
    assert got["mistakes"].scores["q1"] == 0  # calls counted: public and hidden tests fail
    assert 0 < got["mistakes"].scores["q3"] < got["key"].scores["q3"]  # the public check bites


def test_the_lowest_meeting_count_is_computed_and_is_the_archives():
    """Issue 23: the National Security Archive's memcon count, not the course's table, is the
    lowest of the three; the page computes which one it is instead of typing it."""
    contacts, totals = timeline.load_contacts(), timeline.load_stated_totals()
    bush = totals[totals["us_leader"] == "Bush"].set_index("measure")["total"]
    counts = {
        "archive": int(bush["recorded_meetings"]),
        "russia": int(
            totals[(totals["us_leader"] == "Bush") & (totals["measure"] == "meetings")][
                "total"
            ].max()
        ),
        "table": len(bush_putin.meetings(contacts)),
    }
    assert min(counts, key=counts.get) == "archive"
    page = CHAPTER.read_text(encoding="utf-8")
    assert "{glue:text}`lowest_meeting_source`" in page
    assert "course's table is the lowest" not in page


def test_every_witness_gets_the_same_position_in_time_test():
    """Issue 23: Voloshin's tenure covers the decision on the 'Big Bang' enlargement (Prague,
    November 2002; protocols March 2003), Gates's the clashes of 2007-08; the pages must not
    discount either for events inside his tenure, and the encirclement passage has one reading
    (coded to Voloshin)."""
    events = timeline.load_events()
    protocols = events[events["event"].str.contains("Accession protocols", regex=False)]
    voloshin_left = pd.Timestamp("2003-10-30")
    assert (protocols["date"] < voloshin_left).all() and len(protocols) == 1
    gates_from = pd.Timestamp("2006-12-18")
    for word in ("Munich", "Bucharest", "Georgia"):
        dated = events[(events["era"] == "bush-putin") & events["event"].str.contains(word)]
        assert (dated["date"] > gates_from).any(), word
    codes = oral_history.load_explanations()
    voloshin = set(codes.loc[codes["name"] == "Alexander Voloshin", "factor"])
    assert {"NATO enlargement", "colour revolutions"} <= voloshin
    assert not codes["evidence"].str.contains("gloss").any()
    for page in ("intro", "bush-putin"):
        text = " ".join((REPO / "chapters" / f"{page}.md").read_text(encoding="utf-8").split())
        assert "before the Rose Revolution and the 2004 NATO enlargement" not in text, page
        assert "before the Rose Revolution and NATO's 2004 enlargement" not in text, page
        assert "to every witness" in text, page


def test_lukyanov_is_coded_with_the_articles_word_only():
    codes = oral_history.load_explanations()
    assert set(codes.loc[codes["name"] == "Fyodor Lukyanov", "factor"]) == {"U.S. unilateralism"}


# ---- both codings -------------------------------------------------------------------------------


def test_findings_under_both_codings_recompute_from_each_coding():
    from course import agreement

    events, contacts = timeline.load_events(), timeline.load_contacts()
    second = agreement.load_second_coding()
    table = bush_putin.findings_under_both(events, second, contacts).set_index("finding")
    assert list(table.reset_index().columns) == bush_putin.FINDING_COLUMNS
    # The second column, recomputed by hand: each event's score replaced by its second score.
    by_hand = events.merge(second[["event_id", "second_score"]], on="event_id")
    by_hand = by_hand.assign(score=by_hand["second_score"].astype("Int64"))
    assert table.loc["first year with a negative net score", "second"] == (
        bush_putin.first_negative_year(by_hand)
    )
    assert table.loc["net score of the era", "second"] == int(
        by_hand.loc[by_hand["era"] == "bush-putin", "score"].sum()
    )
    assert table["first"].to_dict() == bush_putin.score_findings(events, contacts)
    assert (table["same"] == (table["first"] == table["second"])).all()


def test_findings_under_both_codings_see_a_changed_score():
    """A second coding equal to the first leaves every finding the same; turning the first
    clash into a neutral event moves the first clash, and the table says so."""

    events, contacts = timeline.load_events(), timeline.load_contacts()
    scored = events[events["score"].notna()]
    identical = pd.DataFrame(
        {"event_id": scored["event_id"], "second_score": scored["score"].astype("Int64")}
    )
    assert bush_putin.findings_under_both(events, identical, contacts)["same"].all()
    clash_id = bush_putin.first_clash(events)["event_id"]
    changed = identical.copy()
    changed.loc[changed["event_id"] == clash_id, "second_score"] = 0
    table = bush_putin.findings_under_both(events, changed, contacts).set_index("finding")
    assert not table.loc["first clash", "same"]
    assert table.loc["first clash", "first"] != table.loc["first clash", "second"]


def test_page_shows_the_score_findings_under_both_codings():
    text = CHAPTER.read_text(encoding="utf-8")
    assert "bush_putin.findings_under_both(events, second, contacts)" in text
    assert "(bush-putin-both-codings)=" in text
    for name in ("clash_second", "negative_year_second", "best_year_second", "turn_second"):
        assert f"{{glue:text}}`{name}`" in text


def master_test_function(name: str):
    """The test function ``name`` of the bush-putin master's test cells, compiled."""
    for cell in nbformat.read(EXERCISES_DIR / f"{SLUG}.ipynb", as_version=4).cells:
        if cell.cell_type == "code" and f"def {name}(" in cell.source:
            namespace: dict = {}
            exec(cell.source.split('""" # END TEST CONFIG', 1)[1], namespace)
            return namespace[name]
    raise AssertionError(f"no test function {name} in the {SLUG} master")


@pytest.mark.parametrize("order", [sorted, lambda ids: sorted(ids, reverse=True)])
def test_q4_hidden_test_accepts_my_scores_in_any_key_order(order, monkeypatch):
    """A student's dict may list the twelve events in any order: the grade must not depend on it
    (the test once compared Series with differently ordered labels and raised)."""
    monkeypatch.chdir(REPO)
    check = master_test_function("test_q4_agreement_with_my_scores")
    course = pd.read_csv("data/timeline/events.csv").set_index("event_id")["score"]
    second = pd.read_csv("data/timeline/events_second_coding.csv").set_index("event_id")
    dozen = ["E003", "E004", "E012", "E013", "E014", "E017", "E018", "E019", "E023", "E024"]
    dozen += ["E037", "E134"]
    mine = {event_id: int(course[event_id]) for event_id in order(dozen)}
    mine[dozen[0]] += 1  # one disagreement, so the shares are not all 1
    right = {
        "me_vs_course": 11 / 12,
        "me_vs_second": float(
            (pd.Series(mine).sort_index() == second.loc[dozen, "second_score"]).mean()
        ),
    }
    check(mine, right)
    with pytest.raises(AssertionError):
        check(mine, {**right, "me_vs_course": 1.0})
