"""Every page paraphrases the article instead of copying it.

Outside quotation marks, no page's prose may share a run of `RUN` words with the article. Inside
quotation marks, a run shared with the article is allowed only in what the book may quote: the
phrases the course's data attributes to interviewees (`article_phrase` in the oral-history
explanations), the article's section headings that the book uses as chapter titles, and the few
quotations listed in `QUOTED` with their reason. A seven-word run is long enough that names and
set phrases ("the Foreign Agents Registration Act (FARA)") do not trip it, and short enough to
catch a copied clause. It cannot catch a paraphrase that keeps the article's sentence skeleton
with other words; that still needs a reader.
"""

from __future__ import annotations

import re

import pytest

from course.datasets import oral_history
from course.paths import SHARED_DIR
from tests.conftest import need_shared
from tests.test_book import source_of, toc_files
from tests.test_prose_numbers import prose_lines

ARTICLE = SHARED_DIR / "article" / "trumputin-pact.txt"
RUN = 7

# (page, quoted text, reason): quotations of the article, other than interviewees' phrases and
# chapter titles, that a page may carry.
QUOTED = [
    ("chapters/intro", "Is a 'TrumPutin Pact' Possible?", "the article's title, cited"),
    ("chapters/intro", "Ivan Grek, Director of the Russia Program", "the article's byline, cited"),
    (
        "chapters/instructor-guide",
        "historically avoided building robust lobbying structures",
        "exercise question q6 quotes the article exactly, as students must judge its wording",
    ),
]

ROLE = re.compile(r"\{[\w:.-]+\}`[^`]*`")  # {cite}`k`, {glue:text}`x`, {term}`t`
QUOTATION = re.compile(r'"[^"]*"|“[^”]*”')


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower().replace("’", "'"))


def runs_of(text: str) -> set[tuple[str, ...]]:
    found = words(text)
    return {tuple(found[i : i + RUN]) for i in range(len(found) - RUN + 1)}


def prose(text: str) -> str:
    """A page's prose (no code, directive options or roles) on one line."""
    joined = " ".join(line for _, line in prose_lines(text))
    return re.sub(r"\s+", " ", ROLE.sub(" | ", joined))


def copied(text: str, article_runs: set, allowed_quotes: list[str]) -> list[str]:
    """The runs of ``text`` shared with the article that the rules above do not allow."""
    body = prose(text)
    outside = QUOTATION.sub(" | ", body)
    found = [" ".join(run) for run in runs_of(outside) & article_runs]
    for quote in QUOTATION.findall(body):
        shared = runs_of(quote) & article_runs
        if shared and not any(allowed.lower() in quote.lower() for allowed in allowed_quotes):
            found.append(quote)
    return sorted(found)


@pytest.fixture(scope="module")
def article_runs() -> set:
    return runs_of(need_shared(ARTICLE).read_text(encoding="utf-8"))


def allowed_quotes(page: str) -> list[str]:
    explanations = oral_history.load_explanations()
    phrases = [p for p in explanations["article_phrase"] if p]
    titles = []
    for other in toc_files():
        heading = re.search(r"^# (.+)$", source_of(other).read_text(encoding="utf-8"), re.M)
        titles.append(heading.group(1).strip('“”"'))
    return phrases + titles + [text for where, text, _ in QUOTED if where == page]


def test_copying_is_caught_inside_and_outside_quotation_marks(article_runs):
    clause = "Russia has historically avoided building robust lobbying structures in Washington."
    assert copied(f"Grek writes that {clause}", article_runs, [])
    assert copied(f'Grek writes that "{clause}"', article_runs, [])
    assert not copied(f'Grek writes that "{clause}"', article_runs, ["historically avoided"])
    assert not copied("Moscow, the article says, has not paid for lobbying.", article_runs, [])


@pytest.mark.parametrize("page", toc_files())
def test_page_shares_no_long_run_of_words_with_the_article(page, article_runs):
    text = source_of(page).read_text(encoding="utf-8")
    found = copied(text, article_runs, allowed_quotes(page))
    assert not found, f"{page} copies the article (paraphrase it, or quote an interviewee): {found}"


def test_every_listed_quotation_is_still_on_its_page():
    for page, text, reason in QUOTED:
        assert reason and text in prose(source_of(page).read_text(encoding="utf-8")), (page, text)
