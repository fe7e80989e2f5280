"""The oral-history tables (interviewees, coded explanations) and the factor matrix."""

from __future__ import annotations

import re

import pytest

from course import paths
from course.datasets import oral_history
from tests.conftest import need_shared
from tests.fixtures.bad_rows import refused

PEOPLE = oral_history.load_interviewees()
EXPLAIN = oral_history.load_explanations()
ARTICLE = paths.SHARED_DIR / "article" / "trumputin-pact.txt"

# Labels as the research notes give them (oral-history-and-timeline.md §1, §1a, §0).
EXPECTED = {
    # name: (in_collection, identity, status)
    "Condoleezza Rice": ("role_listed", "named", "partial"),
    "Robert Gates": ("role_listed", "named", "partial"),
    "Stephen Hadley": ("confirmed", "named", "verified"),
    "Alexander Vershbow": ("confirmed", "named", "partial"),  # interview details from a mirror
    "John Beyrle": ("confirmed", "named", "verified"),
    "Thomas Graham": ("role_listed", "inferred_from_role", "partial"),
    "Marc Grossman": ("role_listed", "inferred_from_role", "partial"),
    "Maxim Medvedkov": ("confirmed", "partial_name", "partial"),
    "Alexander Voloshin": ("confirmed", "named", "partial"),  # mirror copy only
    "Sergey Karaganov": ("article_only", "named", "unverified"),
    "Fyodor Lukyanov": ("article_only", "named", "unverified"),
}
ARTICLE_NAMES = ["Rice", "Gates", "Karaganov", "Voloshin", "Lukyanov"]


def test_everyone_and_their_labels():
    assert set(PEOPLE["name"]) == set(EXPECTED)
    for _, row in PEOPLE.iterrows():
        assert (row["in_collection"], row["identity"], row["status"]) == EXPECTED[row["name"]]
    for surname in ARTICLE_NAMES:
        assert PEOPLE["name"].str.endswith(surname).sum() == 1
        assert EXPLAIN["name"].str.endswith(surname).any(), f"no coded explanation for {surname}"


def test_known_interviews_and_blank_unknowns():
    dated = PEOPLE[PEOPLE["interview_date"].notna()].set_index("name")
    assert dated["interview_date"].dt.strftime("%Y-%m-%d").to_dict() == {
        "Alexander Vershbow": "2021-08-12",
        "Alexander Voloshin": "2022-02-08",
    }
    assert dated.loc["Alexander Voloshin", "interviewer"] == "Ivan Grek"
    assert dated.loc["Alexander Vershbow", "interviewer"] == "Paul Behringer"
    assert (PEOPLE.loc[PEOPLE["interview_date"].isna(), "interviewer"] == "").all()


def test_unnamed_roles_and_collection_facts():
    roles = oral_history.load_unnamed_roles()
    assert len(roles) >= 1
    assert not roles["role"].str.contains("Stent").any(), "an unidentified holder stays unnamed"
    assert set(roles["status"]) == {"unverified"}
    facts = oral_history.load_collection().set_index("fact")
    stated = facts.loc["interviews stated by the article"]
    assert stated["value"] == 30 and stated["status"] == "unverified"


def test_every_row_sourced_and_enumerated():
    assert PEOPLE["source_url"].str.match(r"^https?://").all()
    assert EXPLAIN["source"].str.match(r"^https?://").all()
    assert set(EXPLAIN["factor"]) <= set(oral_history.FACTORS)
    assert set(EXPLAIN["stance"]) <= set(oral_history.STANCES)
    assert set(PEOPLE["side"]) == set(oral_history.SIDES)


def test_every_explanation_rests_on_the_article_and_is_not_upgraded():
    assert set(EXPLAIN["basis"]) == {"article"}
    assert set(EXPLAIN["status"]) == {"unverified"}


def test_factor_list_is_the_contract():
    assert oral_history.FACTORS == (
        "personal chemistry",
        "9/11 counter-terrorism cooperation",
        "Freedom Agenda and democracy promotion",
        "NATO enlargement",
        "missile defence and the ABM withdrawal",
        "colour revolutions",
        "U.S. unilateralism",
        "Russian domestic consolidation",
    )


def _plain(text: str) -> str:
    return text.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')


def test_article_phrases_are_the_articles_own_quotes():
    # A phrase is the whole of one of the article's quotations or a part of it (the course quotes
    # only "never as important as presidents think" of Gates's sentence).
    article = _plain(need_shared(ARTICLE).read_text(encoding="utf-8"))
    quotations = re.findall(r'"([^"]+)"', article)
    for phrase in EXPLAIN["article_phrase"][EXPLAIN["article_phrase"] != ""]:
        assert any(phrase in quotation for quotation in quotations), phrase


def test_evidence_is_paraphrase_not_copy():
    words = re.findall(r"[a-z0-9']+", _plain(need_shared(ARTICLE).read_text()).lower())
    runs = {tuple(words[i : i + 6]) for i in range(len(words) - 5)}
    for text in EXPLAIN["evidence"]:
        mine = re.findall(r"[a-z0-9']+", text.lower())
        copied = [
            " ".join(mine[i : i + 6])
            for i in range(len(mine) - 5)
            if tuple(mine[i : i + 6]) in runs
        ]
        assert not copied, f"six words copied from the article: {copied}"


def test_factor_matrix_is_tidy_and_complete():
    matrix = oral_history.factor_matrix()
    assert list(matrix.columns) == ["name", "side", "factor", "stance"]
    assert len(matrix) == len(PEOPLE) * len(oral_history.FACTORS)
    assert not matrix.duplicated(["name", "factor"]).any()
    coded = matrix[matrix["stance"] != oral_history.NOT_CODED]
    assert len(coded) == len(EXPLAIN)
    gates = matrix[(matrix["name"] == "Robert Gates") & (matrix["factor"] == "personal chemistry")]
    assert gates["stance"].tolist() == ["limited_effect"]
    hadley = matrix[matrix["name"] == "Stephen Hadley"]
    assert set(hadley["stance"]) == {oral_history.NOT_CODED}


def test_factor_matrix_refuses_an_unknown_name():
    stray = EXPLAIN.assign(name=EXPLAIN["name"].where(EXPLAIN.index > 0, "Nobody"))
    with pytest.raises(ValueError, match="Nobody"):
        oral_history.factor_matrix(stray, PEOPLE)


EXPLAIN_HEADER = "name,factor,stance,evidence,article_phrase,basis,status,source\n"
EXPLAIN_GOOD = (
    "Robert Gates,NATO enlargement,cause_of_breakdown,x,,article,unverified,https://e.org\n"
)


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        (
            "Robert Gates,oil prices,cause_of_breakdown,x,,article,unverified,https://e.org",
            "factor",
            "not one of",
        ),
        (
            "Robert Gates,colour revolutions,cause_of_breakdown,x,,article,unverified,",
            "source",
            "blank",
        ),
        (
            "Robert Gates,colour revolutions,decisive,x,,article,unverified,https://e.org",
            "stance",
            "not one of",
        ),
        (
            "Robert Gates,colour revolutions,cause_of_breakdown,x,,article,verified,https://e.org",
            "status",
            "no transcript",
        ),
        (
            "Robert Gates,NATO enlargement,limited_effect,x,,article,unverified,https://e.org",
            "factor",
            "second row",
        ),
    ],
)
def test_bad_explanation_rows_are_refused(tmp_path, row, column, words):
    text = EXPLAIN_HEADER + EXPLAIN_GOOD + row + "\n"
    path = tmp_path / "explanations.csv"
    assert words in refused(oral_history.load_explanations, path, text, 3, column)


def test_bad_interviewee_rows_are_refused(tmp_path):
    header = "name,side,role_2001_2008,in_collection,identity,status,interviewer,interview_date,source_url,note\n"
    good = "A,US,r,confirmed,named,verified,,,https://e.org,\n"
    for row, column in [
        ("B,US,r,article_only,named,partial,,,https://e.org,", "status"),
        ("B,US,r,role_listed,inferred_from_role,verified,,,https://e.org,", "status"),
        ("B,UK,r,confirmed,named,verified,,,https://e.org,", "side"),
        ("B,US,r,confirmed,named,verified,X,2021-13-01,https://e.org,", "interview_date"),
        ("A,US,r,confirmed,named,verified,,,https://e.org,", "name"),
    ]:
        path = tmp_path / "interviewees.csv"
        refused(oral_history.load_interviewees, path, header + good + row + "\n", 3, column)


# ---- the appendix's agreement section (issue 24, part 3) ----------------------------------------

APPENDIX = paths.REPO_ROOT / "chapters" / "oral-history-data.md"


def test_appendix_reports_agreement_for_every_era_with_named_weights():
    from course.datasets import timeline

    text = APPENDIX.read_text(encoding="utf-8")
    for era in [*timeline.ERAS, "all"]:
        key = era.replace("-", "_")
        for figure in ("n", "raw", "kappa"):
            assert f"{{glue:text}}`ag_{key}_{figure}`" in text, (era, figure)
    assert "with **linear** weights" in text
    assert "agreement.disagreements(events, second)" in text
    # How the second coding was made, as the codebook records it, and its limits.
    for words in (
        "blind_events.py",
        "never its score or its kind",
        "Neither coding was changed after agreement was computed",
        "`adjudicated_score` is blank",
        "Every event text was written by the first coders",
        "upper bound",
    ):
        assert words in text, words
    # The old claim that no second coder exists is gone.
    assert "no agreement rate exists" not in text


@pytest.mark.slow
def test_glued_agreement_figures_are_recomputed(built_book):
    """n, raw agreement and kappa per era, as the built appendix glues them, recomputed here from
    the two columns with the tested kappa function."""
    from course import agreement
    from course.datasets import timeline
    from tests.test_chapters import glued_values

    assert built_book.returncode == 0, built_book.log[-6000:]
    glued = glued_values(built_book.root, "chapters/oral-history-data")
    assert_agreement_glue(glued, timeline.load_events(), agreement.load_second_coding())


def assert_agreement_glue(glued, events, second):
    from course import agreement
    from course.datasets import timeline

    both = events.merge(second, on="event_id")
    for era in [*timeline.ERAS, "all"]:
        rows = both if era == "all" else both[both["era"] == era]
        first, other = rows["score"].astype(int).tolist(), rows["second_score"].astype(int).tolist()
        key = era.replace("-", "_")
        assert glued[f"ag_{key}_n"] == len(rows), era
        assert glued[f"ag_{key}_raw"] == f"{(rows['score'] == rows['second_score']).mean():.0%}"
        assert glued[f"ag_{key}_kappa"] == f"{agreement.weighted_kappa(first, other):.2f}", era
        assert glued[f"ag_{key}_disagree"] == int((rows["score"] != rows["second_score"]).sum())
