"""The instructor's pages in Debian's Chromium: the class report (``course grade --report``)
and the open answers (``course responses``). Held to the book's reader limits: charts drawn
from the bundle beside the page with no request to another host (served, and opened from disk),
zero serious or critical axe violations, no sideways scroll on a 390-px phone, at most 400 KB,
and hostile answer text never run."""

from __future__ import annotations

from pathlib import Path

import pytest

from course.book import browser as chromium
from course.grading.gradebook import Student
from course.grading.report import write_report
from tests.browser.conftest import chart_specs
from tests.browser.test_reader import DESKTOP, PHONE, axe_problems
from tests.test_class_report import POSSIBLE, class_rows
from tests.test_responses import ROSTER, SLUG, make_open_answers_class, run_responses

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
    rows[4].message = "<script>window.pwned = 1</script> the kernel died"
    rows[5].student = Student("s9", "<img src=x onerror='window.pwned = 2'>", "e@x", "copy")
    write_report(out / "report.html", rows, SLUG, POSSIBLE, {"q6": 4.0, "q7": 3.0})
    folder = make_open_answers_class(built_exercises.items[SLUG].student_notebook, root / "class")
    roster = root / "roster.csv"
    roster.write_text(ROSTER)
    done = run_responses(str(folder), "--out", str(out / "responses.html"), "--roster", str(roster))
    assert done.returncode == 0, done.stderr
    return out


def _look(tab, charts: int) -> dict:
    if charts:
        tab.wait_for_function(chromium.CHARTS_DRAWN, timeout=20000)
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
            if seen["pwned"] is not None or seen["images"]:
                problems.append(f"{label}: hostile text became markup ({seen})")
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
