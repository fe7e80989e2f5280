"""Primary-source excerpts (data/sources/excerpts.csv): licence, URL and length are checked."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from course.datasets import excerpts, tables

EXCERPTS = excerpts.load_excerpts()
HEADER = "id,title,date,speaker,url,licence,attribution,excerpt,question\n"
GOOD = (
    "a-1,T,2001-01-01,S,https://example.org/a,public-domain-us-government,"
    "U.S. government work.,Some words.,Why?\n"
)


def test_at_least_eight_excerpts_with_allowed_licences_and_urls():
    assert len(EXCERPTS) >= 8
    assert EXCERPTS["id"].is_unique
    assert set(EXCERPTS["licence"]) <= set(excerpts.LICENCES)
    for url in EXCERPTS["url"]:
        parts = urlsplit(url)
        assert parts.scheme in ("http", "https") and "." in (parts.hostname or ""), url
        assert " " not in url
    words = EXCERPTS["excerpt"].str.split().str.len()
    assert (words <= excerpts.MAX_WORDS).all()
    assert (words >= 20).all(), "an excerpt is a passage, not a phrase"
    assert EXCERPTS["question"].str.endswith("?").all()


def test_kremlin_excerpts_carry_the_cc_by_attribution():
    kremlin = EXCERPTS[EXCERPTS["licence"] == "CC-BY-4.0"]
    assert len(kremlin) >= 1
    for text in kremlin["attribution"]:
        assert "Kremlin's English translation" in text
        assert "creativecommons.org/licenses/by/4.0" in text
    # Every U.S. government excerpt says so in its attribution.
    us = EXCERPTS[EXCERPTS["licence"] == "public-domain-us-government"]
    assert us["attribution"].str.contains("U.S. government work", regex=False).all()


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("a-2,T,2001-01-01,S,https://example.org/b,all-rights-reserved,A,W,Q?", "licence"),
        ("a-2,T,2001-01-01,S,ftp://example.org/b,public-domain-us-government,A,W,Q?", "url"),
        ("a-2,T,2001-01-01,S,https://localhost/b,public-domain-us-government,A,W,Q?", "url"),
        ("a-1,T,2001-01-01,S,https://example.org/b,public-domain-us-government,A,W,Q?", "id"),
        ("a-2,T,2001-01-01,S,https://example.org/b,CC-BY-4.0,Kremlin,W,Q?", "attribution"),
        ("a-2,T,2001-13-01,S,https://example.org/b,public-domain-us-government,A,W,Q?", "date"),
        (
            "a-2,T,2001-01-01,S,https://example.org/b,public-domain-us-government,A,"
            + " ".join(["word"] * (excerpts.MAX_WORDS + 1))
            + ",Q?",
            "excerpt",
        ),
    ],
)
def test_bad_excerpt_rows_are_refused(tmp_path, row, column):
    path = tmp_path / "excerpts.csv"
    path.write_text(HEADER + GOOD + row + "\n", encoding="utf-8")
    with pytest.raises(tables.TableError) as err:
        excerpts.load_excerpts(path)
    assert err.value.line == 3 and err.value.column == column, str(err.value)


def test_the_limit_is_inclusive(tmp_path):
    path = tmp_path / "excerpts.csv"
    text = " ".join(["word"] * excerpts.MAX_WORDS)
    row = f"a-2,T,2001-01-01,S,https://example.org/b,public-domain-us-government,A,{text},Q?\n"
    path.write_text(HEADER + GOOD + row, encoding="utf-8")
    assert len(excerpts.load_excerpts(path)) == 2


def test_an_excerpt_renders_as_a_block_quote_with_its_source_and_question():
    frame = excerpts.load_excerpts()
    for excerpt_id in frame["id"]:
        text = excerpts.as_markdown(excerpt_id, frame)
        row = frame[frame["id"] == excerpt_id].iloc[0]
        quoted = [line for line in text.splitlines() if line.startswith(">")]
        assert row["excerpt"].split()[0] in quoted[0]
        assert row["url"] in quoted[-1] and row["speaker"] in quoted[-1]
        assert row["question"] in text.split("\n\n")[-1]
    assert "July 2000" in excerpts.as_markdown("historian-summits-2000", frame)
    with pytest.raises(KeyError, match="no excerpt with id 'nope'"):
        excerpts.as_markdown("nope", frame)
