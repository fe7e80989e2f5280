"""The chapter "Trump, Putin and the repetition of a pattern": its sources and labels, the
meetings it names, its glued figures (equal to course.chapters.trump_putin and to the Russia chapter), the built
page, and its graded notebook under real otter runs."""

from __future__ import annotations

import re

import nbformat
import pandas as pd
import pytest
import yaml

from course import exercises, fara, grading
from course.chapters import trump_putin
from course.datasets import congress, timeline
from course.paths import EXERCISES_DIR, REPO_ROOT
from tests.fixtures.submissions import ClassMaker
from tests.test_chapters import chart_specs, data_rows, glued_values, has_tooltip
from tests.test_prose_numbers import hand_typed_figures

SLUG = "trump-putin"
CHAPTER = REPO_ROOT / "chapters" / f"{SLUG}.md"
MASTER = EXERCISES_DIR / f"{SLUG}.ipynb"
TEXT = CHAPTER.read_text(encoding="utf-8")


def prose(text: str = TEXT) -> str:
    """The chapter without its code cells, lines joined."""
    without_code = re.sub(r"```\{code-cell\}.*?```", " ", text, flags=re.S)
    return re.sub(r"\s+", " ", without_code)


# ---- the page's place and sources --------------------------------------------------------------


def test_chapter_is_in_the_toc_after_the_earlier_sections():
    toc = yaml.safe_load((REPO_ROOT / "_toc.yml").read_text(encoding="utf-8"))
    section = toc["parts"][0]["chapters"]
    files = [entry["file"] for entry in section]
    assert f"chapters/{SLUG}" in files
    before = (
        "chapters/bush-putin" if "chapters/bush-putin" in files else "chapters/russia-in-washington"
    )
    assert files.index(f"chapters/{SLUG}") == files.index(before) + 1


def test_prose_has_no_hand_typed_figures():
    findings = hand_typed_figures(TEXT)
    assert not findings, "\n".join(map(str, findings))


def test_every_citation_is_in_the_bibliography():
    bib = (REPO_ROOT / "references.bib").read_text(encoding="utf-8")
    keys = set(re.findall(r"@\w+\{([^,]+),", bib))
    cited = {
        key.strip() for group in re.findall(r"\{cite\}`([^`]+)`", TEXT) for key in group.split(",")
    }
    assert cited and cited <= keys, sorted(cited - keys)


def test_sections_the_issue_asks_for():
    headings = re.findall(r"^## (.+)$", TEXT, flags=re.M)
    assert headings == [
        "What the article claims",
        "Both eras on one clock",
        "The comparison table",
        "What differs: institutions, war and sanctions",
        "U.S. domestic politics as a constraint",
        "Did warmth between the leaders reach the publics?",
        "Counter-evidence: what the personal channel delivered",
        "What the data cannot settle",
        "This chapter's claims in the ledger",
        "Exercises",
        "Further reading",
    ]
    assert ":class: tip" in TEXT and "Learning objectives" in TEXT
    # Counter-evidence and limits are course commentary, marked as such.
    assert TEXT.count("Course commentary") >= 4


# Claims whose sources the research notes label [PARTIAL] or that they could not find: the label
# must follow the citation (never upgraded). Key -> label text required right after it.
LABELS = {
    "newspravda2024carlson": "(partial",
    "galpost2019osaka": "(partial)",
    "tass2025witkoffnotetaker": "(partial",
    "moscowtimes2025arctic": "(verified, second-hand)",
    "wsj2025appendices": "(verified, second-hand)",
    "ndtv2025rubio": "(verified)",
    "politico2025arctic": "(verified)",
    "cnbc2018smarts": "(verified)",
}


@pytest.mark.parametrize("key, label", sorted(LABELS.items()))
def test_status_labels_follow_their_citations(key, label):
    text = prose()
    at = text.index(f"{{cite}}`{key}`")
    assert text[at : at + 80].split("`", 2)[2].lstrip().startswith(label), text[at : at + 120]


def test_unverified_attribution_is_labelled():
    text = prose()
    assert "tying the Arctic to a Ukraine deal is not in the research notes" in text
    assert "attribution is **unverified**" in text


def test_article_quotes_are_only_the_phrases_it_attributes():
    # Quotation marks hold only the phrases the article attributes to interviewees (Karaganov,
    # Voloshin), the word under discussion, "repetition", and Trump's own words from his 2018
    # tweet, split as he split them: Bush lacked the "smarts", Obama and Clinton the "energy or
    # chemistry".
    quoted = set(re.findall(r'"([^"]+)"', prose()))
    tweet = {"smarts", "energy or chemistry"}
    assert quoted == {"induced chemistry", "buy time", "repetition"} | tweet, quoted
    assert re.search(
        r'Bush had tried but lacked the "smarts" while Obama and Clinton had tried but lacked '
        r'the "energy or chemistry" \{cite\}`cnbc2018smarts`',
        prose(),
    )
    assert '"induced chemistry", as the article quotes Sergey Karaganov' in prose()
    assert (
        "Voloshin's \"buy time\" allows for (goodwill between leaders, in the article's report"
        in prose()
    )
    assert "can do no more {cite}`grek2025`" in prose()


# ---- the meetings the text names are the data's ------------------------------------------------

NAMED_MEETINGS = {  # as the prose names them -> the date the research notes verify
    "Hamburg": "2017-07-07",
    "Da Nang": "2017-11-10",
    "Helsinki": "2018-07-16",
    "Paris": "2018-11-11",
    "Buenos Aires": "2018-11-30",
    "Osaka": "2019-06-28",
    "Anchorage": "2025-08-15",
}


def test_named_meetings_are_the_trump_meetings_in_the_data():
    met = trump_putin.meetings(timeline.load_contacts(), "trump-putin")
    found = {}
    for name in NAMED_MEETINGS:
        rows = met[met["place"].str.contains(name)]
        assert len(rows) == 1, name
        found[name] = rows["date"].iloc[0].strftime("%Y-%m-%d")
    assert found == NAMED_MEETINGS
    assert len(met) == len(NAMED_MEETINGS), "a new meeting in the data: name it in the prose"
    paragraph = prose()[prose().index("In words:") :]
    for name in NAMED_MEETINGS:
        assert name in paragraph[:600], name


def test_first_meetings_are_brdo_and_hamburg():
    contacts = timeline.load_contacts()
    bush = trump_putin.meetings(contacts, "bush-putin").iloc[0]
    assert bush["date"] == pd.Timestamp("2001-06-16") and "Ljubljana" in bush["place"]
    trump = trump_putin.meetings(contacts, "trump-putin").iloc[0]
    assert trump["date"] == pd.Timestamp("2017-07-07") and "Hamburg" in trump["place"]


# ---- the master ------------------------------------------------------------------------------


def test_master_has_four_autograded_and_two_open_questions():
    table = exercises.question_table(MASTER)
    # Public and hidden tests on every question: test_exercises checks that for every master.
    kinds = table["kind"].value_counts()
    assert kinds.get("auto", 0) >= 4 and kinds.get("manual", 0) >= 2


def test_master_config_names_itself_and_its_data():
    config = exercises.assignment_config(MASTER)
    assert config["name"] == SLUG
    assert set(config["files"]) == {
        "data/timeline/events.csv",
        "data/timeline/contacts.csv",
        "data/fara/foreign_principals.csv",
    }


def test_master_terms_match_the_timeline_windows():
    # The notebook gives students the windows of office; they must be the course's.
    source = "\n".join(cell.source for cell in nbformat.read(MASTER, as_version=4).cells)
    terms = {
        era: [(a.strftime("%Y-%m-%d"), b.strftime("%Y-%m-%d")) for a, b in windows]
        for era, windows in timeline.WINDOWS.items()
        if era in trump_putin.LEADER_ERAS
    }
    for era, windows in terms.items():
        for start, end in windows:
            assert f'("{start}", "{end}")' in source, (era, start, end)


# ---- slow: the executed chapter ----------------------------------------------------------------


@pytest.fixture(scope="module")
def glued(built_book):
    assert built_book.returncode == 0, built_book.log[-6000:]
    return glued_values(built_book.root, f"chapters/{SLUG}")


@pytest.mark.slow
def test_every_glue_key_used_in_the_prose_is_defined(glued):
    used = set(re.findall(r"\{glue:text\}`([\w]+)(?::[^`]*)?`", TEXT))
    assert used and used <= set(glued), sorted(used - set(glued))


@pytest.mark.slow
def test_glued_fara_figures_equal_the_russia_chapter_method(glued):
    principals = fara.load_principals()
    snapshot = pd.Timestamp(fara.load_datapackage()["snapshot_date"])
    days = {
        "2001": "2001-12-31",
        "2008": "2008-12-31",
        "2017": "2017-12-31",
        "2021": "2021-12-31",
        "snapshot": snapshot,
    }
    for key, day in days.items():
        active = fara.active_on(day, principals)
        assert glued[f"fp_rows_{key}"] == int((active["country"] == "RUSSIA").sum()), key


@pytest.mark.slow
def test_glued_table_equals_the_comparison_table(glued):
    table = trump_putin.comparison_table(timeline.load_events(), timeline.load_contacts())
    table = table.set_index("era")
    for era, short in [("bush-putin", "bush"), ("trump-putin", "trump")]:
        assert glued[f"{short}_contacts"] == table.loc[era, "contacts"]
        assert glued[f"{short}_days_clash"] == table.loc[era, "days_to_first_clash"]
        assert glued[f"{short}_agreements"] == table.loc[era, "agreements"]
        assert glued[f"{short}_per_year"] == f"{table.loc[era, 'contacts_per_year']:.1f}"
    assert glued["bush_first_date"] == "16 June 2001"
    assert glued["trump_first_date"] == "7 July 2017"


# ---- slow: the built page --------------------------------------------------------------------


@pytest.mark.slow
def test_built_page_is_small_glued_and_links_the_student_files(built_book):
    assert built_book.returncode == 0, built_book.log[-4000:]
    page = built_book.html / "chapters" / f"{SLUG}.html"
    html = page.read_text(encoding="utf-8")
    assert page.stat().st_size < 400 * 1024, page.stat().st_size
    specs = chart_specs(html)
    assert len(specs) == 2  # both eras on one clock; the opinion series
    for spec in specs:
        assert spec.get("description") and spec["title"]["text"] and spec["title"]["subtitle"]
        assert has_tooltip(spec) and max(data_rows(spec)) <= 5000
    for suffix in ("zip", "ipynb"):
        assert f'href="../exercises/{SLUG}.{suffix}"' in html
        assert (built_book.html / "exercises" / f"{SLUG}.{suffix}").is_file()
    assert '<span class="pasted-text">7 July 2017</span>' in html


# ---- slow: real grading ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(built_exercises):
    """The suite's one build of this master (conftest.built_exercises)."""
    return built_exercises.items[MASTER.stem]


@pytest.fixture(scope="module")
def maker(built):
    return ClassMaker(built.student_notebook, built.solutions_notebook)


FACETED_CHART = """
eras_chart = alt.Chart(aligned).mark_point().encode(
    x=alt.X("months_since_first_meeting:Q"),
    y=alt.Y("score:Q"),
    tooltip=["event:N", "date:T"],
).properties(title="Faceted by era", width=300).facet(row="era:N")
"""
LAYERS_PER_ERA_CHART = """
def one_era(era):
    return alt.Chart(aligned[aligned["era"] == era]).mark_line().encode(
        x="months_since_first_meeting:Q", y="score:Q", tooltip=["event:N", "date:T"])
eras_chart = (one_era("bush-putin") + one_era("trump-putin")).properties(title="One layer per era")
"""
CALENDAR_CHART = """
eras_chart = alt.Chart(aligned).mark_point().encode(
    x="date:T", y="score:Q", color="era:N", tooltip=["event:N"]).properties(title="Calendar")
"""
FIRST_CALL_NOT_MEETING = """
first_meetings = {era: contacts.loc[contacts["era"] == era, "date"].min() for era in LEADER_ERAS}
aligned = events[events["era"].isin(LEADER_ERAS)].copy()
aligned["months_since_first_meeting"] = (
    aligned["date"] - aligned["era"].map(first_meetings)).dt.days / DAYS_PER_MONTH
"""
GAP_COUNTED = """
years_in_office = pd.Series({"bush-putin": 8.0, "trump-putin": 9.0})
contacts_per_year = contacts["era"].value_counts() / years_in_office
"""


@pytest.mark.slow
def test_key_full_untouched_zero_and_common_mistakes(built, maker, tmp_path):
    full = maker.questions
    cases = {
        "key.ipynb": (maker.notebook(answered=full), {"q1": 3, "q2": 3, "q3": 3, "q4": 3}),
        "untouched.ipynb": (maker.notebook(), {"q1": 0, "q2": 0, "q3": 0, "q4": 0}),
        "faceted.ipynb": (maker.notebook(answered=full, replace={"q4": FACETED_CHART}), {"q4": 3}),
        "layers.ipynb": (
            maker.notebook(answered=full, replace={"q4": LAYERS_PER_ERA_CHART}),
            {"q4": 3},
        ),
        "calendar.ipynb": (
            maker.notebook(answered=full, replace={"q4": CALENDAR_CHART}),
            {"q4": 0},
        ),
        "first-call.ipynb": (
            maker.notebook(answered=full, replace={"q1": FIRST_CALL_NOT_MEETING}),
            {"q1": 0},
        ),
        "gap-counted.ipynb": (
            maker.notebook(answered=full, replace={"q2": GAP_COUNTED}),
            {"q2": 0},
        ),
    }
    folder = tmp_path / "class"
    folder.mkdir()
    for name, (notebook, _) in cases.items():
        nbformat.write(notebook, folder / name)
    rows, _ = grading.grade_class(
        folder, built.autograder_zip, tmp_path / "g.csv", jobs=2, timeout=90
    )
    by_name = {row.submission: row for row in rows}
    assert by_name["key.ipynb"].total() == sum(
        grading.load_kit(built.autograder_zip).possible.values()
    )
    for name, (_, expected) in cases.items():
        row = by_name[name]
        assert row.status == "ok", (name, row.message)
        got = {question: row.scores.get(question, 0.0) for question in expected}
        assert got == expected, name


@pytest.mark.slow
def test_public_tests_give_hints_without_the_values(built, tmp_path):
    kit = grading.load_kit(built.autograder_zip)
    public = grading.public_kit(
        nbformat.read(built.student_notebook, as_version=4), built.student_notebook
    )
    public.files = kit.files
    contacts = timeline.load_contacts()
    first_call = contacts.loc[contacts["era"] == "trump-putin", "date"].min()
    answers = {
        "first_meetings": {"bush-putin": pd.Timestamp("2001-06-16"), "trump-putin": first_call},
        "aligned": pd.DataFrame(),
        "years_in_office": pd.Series({"bush-putin": 8.0, "trump-putin": 9.0}),
        "contacts_per_year": pd.Series({"bush-putin": 3.0, "trump-putin": 3.0}),
        "russia_rows_2017": 3,
        "russia_principals_2017": 5,
    }
    outcomes = grading.run_tests(public, answers, tmp_path)
    assert "a telephone call is not a meeting" in outcomes["q1"]["public_summary"]
    assert "do not count 2021-2024" in outcomes["q2"]["public_summary"]
    assert "distinct principals cannot outnumber rows" in outcomes["q3"]["public_summary"]
    for question in ("q1", "q2", "q3"):
        assert outcomes[question]["public_passed"] == 0


# ---- opinion data: what the polls can bracket --------------------------------------------------


def poll_rows(*rows):
    """A polls frame from (country, field_date, precision, answer, percent) tuples."""
    frame = pd.DataFrame(rows, columns=["country", "field_date", "precision", "answer", "percent"])
    return frame.assign(
        field_date=pd.to_datetime(frame["field_date"]),
        percent=frame["percent"].astype("Int64"),
        status="verified",
    )


def summit_contacts(*days):
    return pd.DataFrame(
        {
            "era": "trump-putin",
            "date": pd.to_datetime(list(days)),
            "place": [f"Place {n}, Country" for n in range(len(days))],
            "format": "summit",
        }
    )


def test_opinion_series_keeps_the_warm_answer_and_breaks_long_gaps():
    polls = poll_rows(
        ("Russia", "2001-01-01", "month", "good", 60),
        ("Russia", "2001-01-01", "month", "bad", 30),
        ("Russia", "2003-01-01", "month", "good", 50),
        ("United States", "2001-02-01", "month", "favourable", 52),
        ("United States", "2001-02-01", "month", "unfavourable", 40),
        ("United States", "2001-06-05", "day", "favourable", 55),
    )
    series = trump_putin.opinion_series(polls)
    assert list(series["percent"]) == [60, 50, 52, 55]
    # A month runs to its last day; a dated poll is one day.
    assert series["end"].iloc[0] == pd.Timestamp("2001-01-31")
    assert series["end"].iloc[3] == pd.Timestamp("2001-06-05")
    # Two years apart: a new segment, so no line bridges the gap; each country starts its own.
    assert series["segment"].nunique() == 3
    with pytest.raises(ValueError, match="no readings"):
        trump_putin.opinion_series(polls[polls["country"] == "Russia"])


def test_a_summit_is_bracketed_only_with_readings_on_both_sides_within_the_window():
    polls = poll_rows(
        ("Russia", "2018-05-01", "month", "good", 20),
        ("Russia", "2018-07-01", "month", "good", 42),
        ("Russia", "2018-09-01", "month", "good", 30),
        ("United States", "2018-02-01", "month", "favourable", 25),
        ("United States", "2021-02-01", "month", "favourable", 22),
    )
    out = trump_putin.summit_brackets(polls, summit_contacts("2018-07-16")).set_index("country")
    russia, usa = out.loc["Russia"], out.loc["United States"]
    # The July reading shares the summit's month: its order is unknown, so it is neither side.
    assert russia["same_month"] and russia["before"] == pd.Timestamp("2018-05-01")
    assert russia["after"] == pd.Timestamp("2018-09-01")
    assert russia["days_before"] == (pd.Timestamp("2018-07-16") - pd.Timestamp("2018-05-31")).days
    assert russia["bracketed"] and russia["change"] == 10
    assert not usa["bracketed"] and pd.isna(usa["change"])
    # A tighter window drops the Russian bracket too.
    tight = trump_putin.summit_brackets(polls, summit_contacts("2018-07-16"), window_days=30)
    assert not tight["bracketed"].any()


def test_a_summit_after_the_last_reading_is_not_bracketed():
    polls = poll_rows(
        ("Russia", "2025-02-01", "month", "good", 30),
        ("United States", "2023-02-01", "month", "favourable", 9),
    )
    out = trump_putin.summit_brackets(polls, summit_contacts("2025-08-15"))
    assert out["after"].isna().all() and not out["bracketed"].any()
    assert trump_putin.summit_names(out[out["bracketed"]]) == "none"


def test_on_the_course_data_only_the_early_bush_summits_are_bracketed():
    from course.datasets import opinion

    out = trump_putin.summit_brackets(opinion.load_polls(), timeline.load_contacts())
    assert len(out) == 2 * len(trump_putin.summits(timeline.load_contacts()))
    russian = out[(out["country"] == "Russia") & out["bracketed"]]
    assert trump_putin.summit_names(russian).startswith("Ljubljana (June 2001)")
    # Gallup is read once a year, in February: no summit has a reading within six months
    # on both sides.
    assert not out.loc[out["country"] == "United States", "bracketed"].any()
    # Helsinki's July 2018 Levada reading shares the summit's month, so it cannot bracket it.
    helsinki = out[(out["date"] == pd.Timestamp("2018-07-16")) & (out["country"] == "Russia")]
    assert helsinki["same_month"].item() and not helsinki["bracketed"].item()


def test_opinion_chart_has_a_title_description_tooltips_and_summit_rules():
    from course.datasets import opinion

    contacts = timeline.load_contacts()
    chart = trump_putin.opinion_chart(
        trump_putin.opinion_series(opinion.load_polls()), trump_putin.summits(contacts), "desc"
    )
    spec = chart.to_dict()
    assert spec["description"] == "desc" and spec["title"]["subtitle"]
    assert has_tooltip(spec)
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    assert marks.count("rule") == 1 and marks.count("line") == 1 and marks.count("point") == 2


# ---- Congress: the sanctions law's roll calls --------------------------------------------------

ROLL_HEADER = "bill,chamber,date,precision,yeas,nays,status,source_url,note\n"


def test_the_sanctions_law_passed_both_chambers_with_veto_proof_majorities():
    votes = trump_putin.final_votes(congress.load_roll_calls(), "Countering America")
    assert set(votes.index) == {"House", "Senate"}
    assert votes["veto_proof"].all()
    # The final votes came before the signing of 2 August 2017 (E050 in the timeline).
    assert (votes["date"] < pd.Timestamp("2017-08-02")).all()
    with pytest.raises(KeyError, match="no vote"):
        trump_putin.final_votes(congress.load_roll_calls(), "No such act")


def test_veto_proof_means_two_thirds_of_those_voting(tmp_path):
    path = tmp_path / "roll_calls.csv"
    path.write_text(
        ROLL_HEADER
        + "B,Senate,2017-07-27,day,66,34,verified,https://example.org/a,\n"
        + "B,House,2017-07-25,day,290,144,verified,https://example.org/b,\n"
    )
    votes = congress.load_roll_calls(path).set_index("chamber")
    assert not votes.loc["Senate", "veto_proof"]  # 66 of 100 is under two thirds
    assert votes.loc["House", "veto_proof"]  # 290 of 434 is just over


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("B,Senate,2017-07-27,day,98,3,verified,https://example.org/a,", "yeas"),
        ("B,Senate,2017-07,day,98,2,verified,https://example.org/a,", "date"),
        ("B,Congress,2017-07-27,day,98,2,verified,https://example.org/a,", "chamber"),
        ("B,Senate,2017-07-27,day,98,2,certain,https://example.org/a,", "status"),
    ],
)
def test_bad_roll_call_rows_are_refused(tmp_path, row, column):
    from course.datasets import tables

    path = tmp_path / "roll_calls.csv"
    path.write_text(ROLL_HEADER + row + "\n")
    with pytest.raises(tables.TableError) as err:
        congress.load_roll_calls(path)
    assert err.value.line == 2 and err.value.column == column, str(err.value)


@pytest.mark.slow
def test_glued_votes_and_brackets_equal_the_data(glued):
    from course.datasets import opinion

    votes = trump_putin.final_votes(congress.load_roll_calls(), "Countering America")
    assert glued["caatsa_house_yeas"] == votes.loc["House", "yeas"]
    assert glued["caatsa_senate_nays"] == votes.loc["Senate", "nays"]
    brackets = trump_putin.summit_brackets(opinion.load_polls(), timeline.load_contacts())
    russian = brackets[(brackets["country"] == "Russia") & brackets["bracketed"]]
    assert glued["op_ru_bracketed"] == trump_putin.summit_names(russian)
    assert glued["op_us_bracketed_n"] == int(
        brackets.loc[brackets["country"] == "United States", "bracketed"].sum()
    )


# ---- both codings -------------------------------------------------------------------------------


def test_comparison_under_both_codings_recomputes_from_each_coding():
    from course import agreement

    events, contacts = timeline.load_events(), timeline.load_contacts()
    second = agreement.load_second_coding()
    both = trump_putin.comparison_under_both(events, second, contacts)
    assert list(both.columns) == trump_putin.BOTH_CODINGS_COLUMNS
    table = both.set_index(["era", "statistic"])
    by_hand = events.merge(second[["event_id", "second_score"]], on="event_id")
    by_hand = by_hand.assign(score=by_hand["second_score"].astype("Int64"))
    again = trump_putin.comparison_table(by_hand, contacts).set_index("era")
    for era in trump_putin.LEADER_ERAS:
        assert (
            table.loc[(era, "days from the first meeting to the first clash"), "second"]
            == (again.loc[era, "days_to_first_clash"])
        )
        share = f"{again.loc[era, 'cooperative_share']:.0%}"
        assert table.loc[(era, "share of events scored above zero"), "second"] == share
        arc = timeline.era_arc(by_hand, contacts, era)
        peak = str(int(arc["cumulative_score"].max()))
        running = table.loc[
            (era, "highest running sum, and its month on the chart's clock"), "second"
        ]
        assert running.startswith(peak + " (month ")
    assert (both["same"] == (both["first"] == both["second"])).all()
    # An identical second coding changes nothing; a neutralised first clash is seen.
    scored = events[events["score"].notna()]
    identical = pd.DataFrame(
        {"event_id": scored["event_id"], "second_score": scored["score"].astype("Int64")}
    )
    assert trump_putin.comparison_under_both(events, identical, contacts)["same"].all()
    first = timeline.first_meeting(contacts, "trump-putin")
    clash = timeline.first_clash(events[events["era"] == "trump-putin"], since=first)
    identical.loc[identical["event_id"] == clash["event_id"], "second_score"] = 0
    moved = trump_putin.comparison_under_both(events, identical, contacts).set_index(
        ["era", "statistic"]
    )
    assert not moved.loc[("trump-putin", "first clash after the first meeting"), "same"]


def test_page_shows_the_comparison_under_both_codings():
    assert "trump_putin.comparison_under_both(events, second, contacts)" in TEXT
    assert "(trump-putin-both-codings)=" in TEXT
    assert "{glue:text}`tp_second_moves`" in TEXT
