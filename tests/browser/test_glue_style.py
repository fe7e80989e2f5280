"""Glued values read like the prose around them (issue 27): in Debian's Chromium, a glued value
in a paragraph or list item has its paragraph's weight (myst-nb's default makes it bold) and a
dotted underline as its only mark, in light and dark mode."""

from __future__ import annotations

from urllib.parse import urljoin

import pytest

from course.book import browser as chromium
from tests.browser.conftest import toc_pages

pytestmark = pytest.mark.slow

# Each glued value in running prose: its weight, its paragraph's weight, its underline style.
GLUE_STYLES = """() => [...document.querySelectorAll(
    'article.bd-article p span.pasted-text, article.bd-article li span.pasted-text')]
    .map(span => {
        const own = getComputedStyle(span);
        const prose = getComputedStyle(span.closest('p, li'));
        const strong = span.closest('strong, b, th, h1, h2, h3, h4, dt');
        return {text: span.textContent, weight: own.fontWeight, prose: prose.fontWeight,
                line: own.textDecorationLine, style: own.textDecorationStyle,
                emphasised: Boolean(strong)};
    })"""


def test_glued_text_in_prose_is_not_bold_and_is_marked_by_a_dotted_underline(site, browser):
    base, html = site
    pages = [p for p in toc_pages() if 'class="pasted-text"' in (html / p).read_text("utf-8")]
    assert pages, "no page glues text into its prose: the check would test nothing"
    problems, seen = [], 0
    for mode in ("light", "dark"):
        context = chromium.offline_context(browser, base, color_scheme=mode)
        try:
            tab = context.new_page()
            for page in pages:
                chromium.goto_ready(tab, urljoin(base, page))
                for glued in tab.evaluate(GLUE_STYLES):
                    seen += 1
                    where = f"{page} ({mode}): {glued['text'][:40]!r}"
                    if not glued["emphasised"] and glued["weight"] != glued["prose"]:
                        problems.append(
                            f"{where} weighs {glued['weight']}, its prose {glued['prose']}"
                        )
                    if "underline" not in glued["line"] or glued["style"] != "dotted":
                        problems.append(f"{where} is marked {glued['line']} {glued['style']}")
        finally:
            context.close()
    assert seen, "no glued value found in any paragraph or list item"
    assert not problems, "\n".join(problems[:20])
