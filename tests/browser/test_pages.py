"""Every page of the built book in a real browser (Debian's Chromium), offline.

Fails on any request to a host other than the local server, on broken local links and
resources, on page script errors and console errors, and on any altair chart that did not draw.
The browser, the served site and the page list come from tests/browser/conftest.py.
"""

from __future__ import annotations

import json
from urllib.parse import urljoin, urlparse

import altair as alt
import pytest

from course import charts
from course.book import browser as chromium
from tests.browser.conftest import reader_pages

pytestmark = pytest.mark.slow


def _pages() -> list[str]:
    return ["index.html", *reader_pages()]


def visit(browser, base: str, page: str) -> dict:
    """Load one page with every off-host request blocked and recorded."""
    context = chromium.offline_context(browser, base)
    failed, errors, console = [], [], []
    tab = context.new_page()
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    tab.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    tab.goto(urljoin(base, page), wait_until="load")
    chart_divs = tab.locator("div[id^='altair-viz-']")
    count = chart_divs.count()
    if count:
        tab.wait_for_function(
            """() => [...document.querySelectorAll("div[id^='altair-viz-']")]
                 .every(d => d.querySelector('svg, canvas'))""",
            timeout=20000,
        )
    drawn = tab.evaluate(
        """() => [...document.querySelectorAll("div[id^='altair-viz-']")]
             .filter(d => d.querySelector('svg, canvas')).length"""
    )
    versions = tab.evaluate(
        "() => ({debug: window.VEGA_DEBUG, embed: typeof window.vegaEmbed,"
        " bundle: [...document.scripts].map(s => s.src).filter(s => s.includes('vega-bundle'))})"
    )
    links = tab.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.href)")
    title = tab.title()
    h1 = tab.locator("h1").count()
    context.close()
    return dict(
        foreign=context.foreign,
        failed=failed,
        errors=errors,
        console=console,
        charts=count,
        drawn=drawn,
        versions=versions,
        links=links,
        title=title,
        h1=h1,
    )


def test_every_page_loads_offline_and_draws_its_charts(site, browser):
    base, html = site
    problems, total_charts = [], 0
    for page in _pages():
        seen = visit(browser, base, page)
        total_charts += seen["charts"]
        if seen["foreign"]:
            problems.append(f"{page}: requests to other hosts: {seen['foreign']}")
        if seen["failed"]:
            problems.append(f"{page}: failed responses: {seen['failed']}")
        if seen["errors"]:
            problems.append(f"{page}: script errors: {seen['errors']}")
        if seen["console"]:
            problems.append(f"{page}: console errors: {seen['console']}")
        if seen["drawn"] != seen["charts"]:
            problems.append(
                f"{page}: {seen['charts'] - seen['drawn']} of {seen['charts']} charts did not draw"
            )
        if not seen["title"] or (page.startswith("chapters/") and not seen["h1"]):
            problems.append(f"{page}: no title")
        for link in seen["links"]:
            parsed = urlparse(link)
            if parsed.netloc == urlparse(base).netloc:
                target = html / parsed.path.lstrip("/")
                if target.is_dir():
                    target = target / "index.html"
                if not target.exists():
                    problems.append(f"{page}: broken local link {parsed.path}")
    assert not problems, "\n".join(problems)
    assert total_charts > 0, "no altair chart found on any page"


def test_root_page_shows_the_intro(site, browser):
    base, _ = site
    context = browser.new_context()
    context.route("**/*", lambda r: r.continue_() if "127.0.0.1" in r.request.url else r.abort())
    tab = context.new_page()
    tab.goto(base, wait_until="load")
    tab.wait_for_url("**/chapters/intro.html", timeout=10000)
    assert tab.locator("article h1").count() == 1
    assert "TrumPutin" in tab.locator("article").inner_text()
    context.close()


def test_browser_loads_the_vendored_versions_altair_asks_for(site, browser):
    base, html = site
    seen = visit(browser, base, "chapters/intro.html")
    versions = seen["versions"]
    assert versions["debug"] == charts.vega_debug()
    assert versions["embed"] == "function"
    assert len(versions["bundle"]) == 1 and versions["bundle"][0].startswith(base)
    served = (html / "_static" / charts.BUNDLE_NAME).read_text(encoding="utf-8")
    header = json.loads(served.splitlines()[0].split("vl-convert ", 1)[1].rsplit(" */", 1)[0])
    assert header["vega-lite"] == ".".join(alt.VEGALITE_VERSION.split(".")[:2])
    # The exact release altair asks for is compiled into the served bundle, not just reported.
    assert f'"{alt.VEGALITE_VERSION}"' in served
    assert header["vega"].split(".")[0] == alt.VEGA_VERSION
    assert header["vega-embed"].split(".")[0] == alt.VEGAEMBED_VERSION
