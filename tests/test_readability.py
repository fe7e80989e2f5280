"""Readability of the built article pages, measured by ../shared/tools/readability.py (issue 27).

The pages are the introduction (the TOC's root), every chapter of the TOC's article part and
`chapters/other-leader-pairs` once the TOC lists it. Each must hold the limits in `LIMITS`.
Pages still waiting for their rewrite carry a strict xfail in `PENDING` with their measured
figures: it fails as soon as the page passes, and then the mark must go.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from course.paths import SHARED_DIR
from tests.conftest import need_shared
from tests.test_book import TOC, toc_files

TOOL = SHARED_DIR / "tools" / "readability.py"
ARTICLE_PART = "The article"  # the caption of the TOC part holding the article's sections
EXTRA = ["chapters/other-leader-pairs"]  # measured too, once the TOC lists it

# (field, most allowed, what it means)
LIMITS = [
    ("fk_grade", 11, "Flesch-Kincaid grade"),
    ("mean_sentence", 20, "mean sentence length in words"),
    ("over_40", 3, "sentences longer than 40 words"),
    ("the_course", 6, 'times "the course" appears'),
]

# Pages other engineers rewrite later in this round, with the figures measured on make book's
# output on 7 December 2026 (branch prose1, "In short" boxes in). strict=True: a page that
# passes fails here until its mark is removed.
PENDING = {}


def article_pages() -> list[str]:
    """The root, the article part's chapters and the extra pages the TOC lists, in TOC order."""
    pages = [TOC["root"]]
    for part in TOC.get("parts", []):
        if str(part.get("caption", "")).startswith(ARTICLE_PART):
            pages += [entry["file"] for entry in part.get("chapters", [])]
    pages += [page for page in EXTRA if page in toc_files() and page not in pages]
    return pages


def measure(html: Path) -> dict:
    """The tool's figures for one built page."""
    proc = subprocess.run(
        [sys.executable, str(need_shared(TOOL)), str(html)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, f"{TOOL} failed on {html}:\n{proc.stderr}"
    return json.loads(proc.stdout)


def breaches(figures: dict) -> list[str]:
    return [
        f"{what}: {figures[field]} (at most {most})"
        for field, most, what in LIMITS
        if figures[field] > most
    ]


def test_the_article_part_is_found_in_the_toc():
    pages = article_pages()
    assert pages[0] == "chapters/intro"
    assert {"chapters/russia-in-washington", "chapters/conclusion"} <= set(pages), pages


def test_the_limits_catch_a_page_that_breaks_them(tmp_path):
    long = " ".join(["The registry lists an organisation with representation"] * 9) + "."
    page = tmp_path / "page.html"
    page.write_text(
        '<article class="bd-article"><p>The course says so. The course says so. The course'
        " says so. The course says so. The course says so. The course says so. The course"
        f" says so.</p><p>{long}</p><p>{long}</p><p>{long}</p><p>{long}</p>"
        "<blockquote><p>Ignored, however long it is or however many syllables it has.</p>"
        "</blockquote></article>",
        encoding="utf-8",
    )
    found = breaches(measure(page))
    assert [line.split(":")[0] for line in found] == [what for _, _, what in LIMITS], found


def _cases() -> list:
    cases = []
    for page in article_pages():
        marks = []
        if page in PENDING:
            reason = f"{page} awaits its rewrite today; measured: {PENDING[page]}"
            marks.append(pytest.mark.xfail(strict=True, reason=reason))
        cases.append(pytest.param(page, marks=marks, id=page))
    return cases


@pytest.mark.slow
@pytest.mark.parametrize("page", _cases())
def test_article_page_reads_within_the_limits(built_book, page):
    assert built_book.returncode == 0, built_book.log[-6000:]
    figures = measure(built_book.html / f"{page}.html")
    found = breaches(figures)
    assert not found, f"{page} is too hard to read ({figures}):\n" + "\n".join(found)
