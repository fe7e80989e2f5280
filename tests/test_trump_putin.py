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
from course.datasets import timeline
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
        "Counter-evidence: what the personal channel delivered",
        "What the data cannot settle",
        "This chapter's claims in the ledger",
        "Exercises",
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
        "data/timeline/stated_totals.csv",
        "data/opinion/polls.csv",
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
    assert len(specs) == 1
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


FIRST_CALL_NOT_MEETING = """
first_meetings = {era: contacts.loc[contacts["era"] == era, "date"].min() for era in LEADER_ERAS}
aligned = events[events["era"].isin(LEADER_ERAS)].copy()
aligned["months_since_first_meeting"] = (
    aligned["date"] - aligned["era"].map(first_meetings)).dt.days / DAYS_PER_MONTH
"""


@pytest.mark.slow
def test_key_full_untouched_zero_and_common_mistakes(built, maker, tmp_path):
    full = maker.questions
    cases = {
        "key.ipynb": (maker.notebook(answered=full), {"q1": 3, "q2": 3, "q3": 5, "q4": 3}),
        "untouched.ipynb": (maker.notebook(), {"q1": 0, "q2": 0, "q3": 0, "q4": 0}),
        "first-call.ipynb": (
            maker.notebook(answered=full, replace={"q1": FIRST_CALL_NOT_MEETING}),
            {"q1": 0},
        ),
        "gap-counted.ipynb": (
            maker.notebook(
                answered=full,
                replace={
                    "q2": maker.answers["q2"].replace(
                        'int((inside["format"] == "call").sum())',
                        'int(((contacts["us_leader"] == leader) & (contacts["format"] == "call")).sum())',
                    )
                },
            ),
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
        # The stated total over the table's count: the coverage inverted.
        "coverage": {
            "Bush calls": 73 / 3,
            "Bush meetings": 1.0,
            "Trump calls": 2.0,
            "Trump meetings": 1.0,
        },
        "per_year": pd.DataFrame(),
        "order_reverses": False,
        "brackets": pd.DataFrame(),
        "can_show": [],
    }
    outcomes = grading.run_tests(public, answers, tmp_path)
    assert "a telephone call is not a meeting" in outcomes["q1"]["public_summary"]
    assert "not the other way round" in outcomes["q2"]["public_summary"]
    assert "brackets needs the columns" in outcomes["q3"]["public_summary"]
    for question in ("q1", "q2", "q3"):
        assert outcomes[question]["public_passed"] == 0
