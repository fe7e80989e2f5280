"""The instructor's pages in Debian's Chromium: the class report (``course grade --report``)
and the open answers (``course responses``). Held to the book's reader limits: charts drawn
from the bundle beside the page with no request to another host (served, and opened from disk),
zero serious or critical axe violations, no sideways scroll on a 390-px phone, at most 400 KB,
and hostile answer text never run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from course.book import browser as chromium
from course.grading.gradebook import Student
from course.grading.report import write_report
from tests.browser.conftest import chart_specs
from tests.browser.test_reader import DESKTOP, PHONE, axe_problems
from tests.test_class_report import POSSIBLE, class_rows
from tests.test_responses import ROSTER, SLUG, make_open_answers_class, run_responses

# Hostile text in an attribute (a roster name lands in each answer's aria-label; a file name in
# its link's title), in a URL (a file name in the link's href) and a script's end tag in an
# answer, a message and a file name: each would run ``window.pwned = N`` if it became markup.
ATTRIBUTE_NAME = 'Ann" onmouseover="window.pwned = 3" onfocus="window.pwned = 4" autofocus x="'
URL_FILE = "javascript:window.pwned = 5;.ipynb"
ATTRIBUTE_FILE = "x' onmouseover='window.pwned = 6' y='.ipynb"
SCRIPT_END = "</script><script>window.pwned = 7</script>"

pytestmark = pytest.mark.slow

MAX_PAGE_BYTES = 400 * 1024
CHARTS = {"report.html": 2, "responses.html": 0}


@pytest.fixture(scope="module")
def pages(built_exercises, tmp_path_factory) -> Path:
    """report.html (a small class with hostile text) and responses.html (made by the command
    from the built student notebook) in one folder."""
    root = tmp_path_factory.mktemp("instructor")
    out = root / "pages"
    rows = class_rows()
    rows[4].message = f"<script>window.pwned = 1</script> the kernel died {SCRIPT_END}"
    rows[5].student = Student("s9", "<img src=x onerror='window.pwned = 2'>", "e@x", "copy")
    rows[5].submission = f"{SCRIPT_END}{ATTRIBUTE_FILE}"
    write_report(out / "report.html", rows, SLUG, POSSIBLE, {"q6": 4.0, "q7": 3.0})
    folder = make_open_answers_class(built_exercises.items[SLUG].student_notebook, root / "class")
    bo = next((folder / "bo").glob("*.zip"))
    for name in (URL_FILE, ATTRIBUTE_FILE):
        shutil.copy(bo, folder / name.replace(".ipynb", ".zip"))
    ann = folder / "ann" / f"{SLUG}.ipynb"
    ann.write_text(ann.read_text().replace("rows = 4", f"rows = 4  # {SCRIPT_END}"))
    roster = root / "roster.csv"
    roster.write_text(ROSTER.replace("Ann Lee", ATTRIBUTE_NAME.replace('"', '""').join('""')))
    done = run_responses(str(folder), "--out", str(out / "responses.html"), "--roster", str(roster))
    assert done.returncode == 0, done.stderr
    return out


def _look(tab, charts: int) -> dict:
    if charts:
        tab.wait_for_function(chromium.CHARTS_DRAWN, timeout=20000)
    # Hover and focus everything: an injected event-handler attribute would run now.
    tab.evaluate(
        """() => document.querySelectorAll('main *').forEach(e => {
            e.dispatchEvent(new MouseEvent('mouseover', {bubbles: true}));
            e.dispatchEvent(new FocusEvent('focus'));
        })"""
    )
    return tab.evaluate(
        f"""() => ({{
            charts: document.querySelectorAll("{chromium.CHART_SELECTOR}").length,
            drawn: [...document.querySelectorAll("{chromium.CHART_SELECTOR}")]
                .filter(d => d.querySelector('svg, canvas')).length,
            names: Object.fromEntries([...document.querySelectorAll(
                "{chromium.CHART_SELECTOR}")].map(d => [d.id,
                d.querySelector('[role=graphics-document]')?.getAttribute('aria-label')])),
            pwned: window.pwned === undefined ? null : window.pwned,
            images: document.querySelectorAll('main img').length,
            scripts: document.querySelectorAll('main script').length,
            handlers: [...document.querySelectorAll('main *')].filter(e => [...e.attributes]
                .some(a => a.name.startsWith('on'))).length,
            links: [...document.querySelectorAll('main a[href]')].map(a => a.protocol),
            widths: [document.documentElement.scrollWidth, document.body.scrollWidth,
                     window.innerWidth],
        }})"""
    )


@pytest.mark.parametrize("page", sorted(CHARTS))
def test_instructor_page_draws_offline_is_accessible_and_fits_a_phone(
    pages, browser, axe_script, page
):
    html = (pages / page).read_text(encoding="utf-8")
    problems = []
    if len(html.encode()) > MAX_PAGE_BYTES:
        problems.append(f"{page}: {len(html.encode())} bytes, over {MAX_PAGE_BYTES}")
    with chromium.serve(pages) as base:
        for viewport in (DESKTOP, PHONE):
            context = chromium.offline_context(browser, base, viewport=viewport)
            errors = []
            tab = context.new_page()
            note = errors.append
            tab.on("pageerror", lambda exc, note=note: note(str(exc)))
            tab.on("console", lambda m, note=note: note(m.text) if m.type == "error" else None)
            try:
                tab.goto(base + page, wait_until="load")
                seen = _look(tab, CHARTS[page])
                if viewport is DESKTOP:
                    problems += axe_problems(tab, axe_script, page)
            finally:
                context.close()
            label = f"{page} at {viewport['width']} px"
            if context.foreign:
                problems.append(f"{label}: requests to other hosts: {context.foreign}")
            if errors:
                problems.append(f"{label}: script or console errors: {errors}")
            if (seen["charts"], seen["drawn"]) != (CHARTS[page], CHARTS[page]):
                problems.append(f"{label}: {seen['drawn']} of {seen['charts']} charts drawn")
            if seen["pwned"] is not None or seen["images"] or seen["handlers"]:
                problems.append(f"{label}: hostile text became markup ({seen})")
            if set(seen["links"]) - {"http:", "file:"}:
                problems.append(f"{label}: a link leaves the page's own files: {seen['links']}")
            if max(seen["widths"][:2]) > seen["widths"][2]:
                problems.append(f"{label}: scrolls sideways ({seen['widths']})")
    for chart_id, spec in chart_specs(html).items():
        if seen["names"].get(chart_id) != spec.get("description"):
            problems.append(f"{page}: chart {chart_id} is not named by its description")
    assert not problems, "\n".join(problems)


def test_report_opens_from_disk_with_no_request_anywhere(pages, browser):
    """Opened as a file (as an instructor double-clicks it): only file:// loads."""
    context = browser.new_context(viewport=PHONE)
    outside = []

    def route(route):
        if route.request.url.startswith(("file://", "data:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    try:
        tab = context.new_page()
        tab.goto((pages / "report.html").as_uri(), wait_until="load")
        seen = _look(tab, 2)
    finally:
        context.close()
    assert outside == []
    assert seen["drawn"] == 2


def test_hostile_text_lands_escaped_in_every_context(pages):
    """The page source: the attribute, URL and script-end cases are escaped where they land."""
    responses = (pages / "responses.html").read_text(encoding="utf-8")
    report = (pages / "report.html").read_text(encoding="utf-8")
    assert "window.pwned = 7</script>" not in responses + report  # no early end of a script
    assert "&lt;/script&gt;&lt;script&gt;window.pwned = 7" in responses
    assert "&lt;/script&gt;&lt;script&gt;window.pwned = 7" in report
    # The roster name inside aria-label: its quotes are entities, so it stays one attribute.
    assert (
        "· Ann&#34; onmouseover=&#34;window.pwned = 3&#34; onfocus=&#34;window.pwned = 4&#34;"
        in responses
    )
    # A file name in a link: percent-encoded after ./, so "javascript:" is never a scheme.
    assert 'href="../class/javascript%3Awindow.pwned%20%3D%205%3B.zip"' in responses
    assert 'title="the submitted file x&#39; onmouseover=&#39;window.pwned = 6&#39;' in responses
