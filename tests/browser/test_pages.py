"""Every page of the built book in a real browser (Debian's Chromium), offline.

Fails on any request to a host other than the local server, on broken local links and
resources, on page script errors, and on any altair chart that did not draw.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import threading
from urllib.parse import urljoin, urlparse

import altair as alt
import pytest

from course import charts
from tests.conftest import IN_CI
from tests.test_book import toc_files

# COURSE_CHROMIUM names another Chromium-family binary (e.g. a CI runner's preinstalled Chrome).
CHROMIUM = (
    os.environ.get("COURSE_CHROMIUM")
    or shutil.which("chromium")
    or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
)
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.slow


def _require_chromium():
    if CHROMIUM:
        return
    if IN_CI:
        pytest.fail("CI=true but Chromium is missing: install the Debian package 'chromium'")
    pytest.skip(
        "Chromium not found: install the Debian package 'chromium' (apt-get install chromium)"
    )


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(built_book):
    assert built_book.returncode == 0, built_book.log[-4000:]
    handler = functools.partial(_QuietHandler, directory=str(built_book.html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", built_book.html
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        yield browser
        browser.close()


def _pages() -> list[str]:
    pages = ["index.html"] + [f"{slug}.html" for slug in toc_files()]
    return pages + ["search.html", "genindex.html"]


def visit(browser, base: str, page: str) -> dict:
    """Load one page with every off-host request blocked and recorded."""
    context = browser.new_context()
    foreign, failed, errors = [], [], []
    host = urlparse(base).netloc

    def route(route):
        if urlparse(route.request.url).netloc == host or route.request.url.startswith("data:"):
            route.continue_()
        else:
            foreign.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    tab = context.new_page()
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
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
        foreign=foreign,
        failed=failed,
        errors=errors,
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
