"""Scholarly references, "Further reading" and primary-source excerpts on the article chapters
(issue 24, parts 4 and 6)."""

from __future__ import annotations

import re

import pytest

from course.datasets import excerpts
from course.paths import REPO_ROOT
from tests.test_book import source_of, toc_files

ARTICLE_CHAPTERS = (
    "chapters/russia-in-washington",
    "chapters/bush-putin",
    "chapters/trump-putin",
    "chapters/conclusion",
)
"""The chapters that walk through the article, in its order (slugs are contracts)."""
MIN_SCHOLARLY = 8
ENTRY = re.compile(r"@(\w+)\{([^,]+),(.*?)\n\}", re.S)
CITE = re.compile(r"\{cite\}`([^`]+)`")


def bib_entries() -> dict[str, tuple[str, str]]:
    """key -> (entry type, body) of every entry in references.bib."""
    text = (REPO_ROOT / "references.bib").read_text(encoding="utf-8")
    return {key.strip(): (kind.lower(), body) for kind, key, body in ENTRY.findall(text)}


def cited_on(slug: str) -> set[str]:
    text = source_of(slug).read_text(encoding="utf-8")
    return {key.strip() for group in CITE.findall(text) for key in group.split(",")}


def test_enough_scholarly_works_each_checked_and_cited():
    scholarly = {
        k: body for k, (kind, body) in bib_entries().items() if kind in ("book", "article")
    }
    assert len(scholarly) >= MIN_SCHOLARLY, sorted(scholarly)
    cited = set().union(*(cited_on(page) for page in toc_files()))
    for key, body in scholarly.items():
        assert key in cited, f"{key} is in references.bib but cited on no page"
        note = re.search(r"note = \{(.*)\},", body)
        assert note and "Checked against" in note.group(1), key
        assert re.search(r"publisher|journal", body), key
        assert re.search(r"url = \{https?://", body), key


def test_scholarly_works_are_cited_in_body_text_not_only_in_further_reading():
    """At least the minimum number of works is cited outside the "Further reading" lists."""
    scholarly = {k for k, (kind, _) in bib_entries().items() if kind in ("book", "article")}
    in_body = set()
    for page in toc_files():
        text = source_of(page).read_text(encoding="utf-8")
        body = text.split("\n## Further reading\n")[0]
        in_body |= {k.strip() for group in CITE.findall(body) for k in group.split(",")}
    assert len(scholarly & in_body) >= MIN_SCHOLARLY, sorted(scholarly - in_body)


@pytest.mark.parametrize("slug", ARTICLE_CHAPTERS)
def test_article_chapter_ends_with_further_reading(slug):
    assert slug in toc_files()
    text = source_of(slug).read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", text, flags=re.M)
    assert headings[-1] == "Further reading", headings[-3:]
    section = text.split("\n## Further reading\n")[1]
    items = re.findall(r"^- (.+?)(?=^- |\Z)", section, flags=re.M | re.S)
    assert 3 <= len(items) <= 5, len(items)
    known = bib_entries()
    for item in items:
        keys = {k.strip() for group in CITE.findall(item) for k in group.split(",")}
        assert keys and keys <= set(known), item
        # "one line on why": a colon introduces the reason, and the reason has words.
        reason = item.split(":", 1)[1] if ":" in item else ""
        assert len(reason.split()) >= 6, item


@pytest.mark.parametrize(
    "slug, ids",
    [
        ("chapters/bush-putin", {"rome-declaration-2002", "forward-strategy-2003"}),
        ("chapters/conclusion", {"sochi-framework-2008"}),
    ],
)
def test_excerpts_render_from_the_data_with_a_question(slug, ids):
    text = source_of(slug).read_text(encoding="utf-8")
    rendered = set(re.findall(r'excerpts\.as_markdown\("([^"]+)"\)', text))
    assert ids <= rendered
    frame = excerpts.load_excerpts()
    assert rendered <= set(frame["id"])
    for excerpt_id in ids:
        row = frame[frame["id"] == excerpt_id].iloc[0]
        assert row["question"] in excerpts.as_markdown(excerpt_id, frame)
