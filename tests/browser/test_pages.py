"""Every page of the built book in a real browser (Debian's Chromium), offline.

Fails on any request to a host other than the local server, on broken local links and
resources, on page script errors and console errors, and on any altair chart that did not draw.
Charts: the chart script only on chart pages and only after first paint; each chart an SVG with
JavaScript off; the interactive chart in the SVG's place without moving the page; tooltips and
zoom once interactive. First paint: no render-blocking stylesheet, the inline critical CSS
alone lays out every element as the full stylesheets do, in dark mode too, and the theme's
stylesheets and scripts load only after it. The browser, the served site and the
page list come from tests/browser/conftest.py.
"""

from __future__ import annotations

import json
import re
import urllib.request
from urllib.parse import urljoin, urlparse

import altair as alt
import pytest

from course import charts
from course.book import browser as chromium
from tests.browser.conftest import chart_specs, reader_pages

pytestmark = pytest.mark.slow

# The chapters with charts (the acceptance of issue 25 names these three).
CHART_PAGES = [
    "chapters/russia-in-washington.html",
    "chapters/bush-putin.html",
    "chapters/trump-putin.html",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


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
    url = urljoin(base, page)
    # A redirect page (index.html's meta refresh) navigates again after its own load event:
    # read it first, then wait for the page it leads to, or the checks below would run while it
    # is replaced (the browser drops the redirect page's own response once it has moved on).
    with urllib.request.urlopen(url) as answer:
        redirects = 'http-equiv="refresh"' in answer.read().decode("utf-8", "replace").lower()
    tab.goto(url, wait_until="load")
    if redirects:
        tab.wait_for_url(lambda current: current != url, timeout=10000)
        tab.wait_for_load_state("load")
    tab.wait_for_function(chromium.AFTER_PAINT_DONE, timeout=10000)
    chart_divs = tab.locator(chromium.CHART_SELECTOR)
    count = chart_divs.count()
    if count:
        tab.wait_for_function(chromium.CHARTS_DRAWN, timeout=20000)
    # Interactive: drawn by vega, the static SVG replaced.
    drawn = tab.evaluate(
        f"""() => [...document.querySelectorAll("{chromium.CHART_SELECTOR}")]
             .filter(d => d.querySelector('.vega-embed svg, .vega-embed canvas')
                          && !d.querySelector('.course-chart-static')).length"""
    )
    versions = tab.evaluate(
        """() => ({embed: typeof window.vegaEmbed,
                   scripts: [...document.scripts].filter(s => s.type !== 'application/json')
                     .map(s => ({src: s.src, defer: s.defer, async: s.async,
                                 text: s.src ? '' : s.textContent})),
                   fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime,
                   requests: performance.getEntriesByType('resource')
                     .map(r => ({name: r.name, start: r.startTime}))})"""
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


def _names_vega(script: dict) -> bool:
    return "vega" in (script["src"] + script["text"]).lower()


def test_chart_script_only_on_chart_pages_and_never_before_first_paint(site, browser):
    base, html = site
    problems = []
    for page in _pages():
        source = (html / page).read_text(encoding="utf-8")
        seen = visit(browser, base, page)
        scripts = seen["versions"]["scripts"]
        tags = re.findall(r"<script\b([^>]*)>", source)
        if not seen["charts"]:
            # Neither in the HTML nor added while the page ran.
            problems += [
                f"{page}: chart script {s['src'] or 'inline'}" for s in scripts if _names_vega(s)
            ]
            problems += [
                f"{page}: <script{t}>" for t in tags if "vega" in t or "course-charts" in t
            ]
            if seen["versions"]["embed"] != "undefined":
                problems.append(f"{page}: vegaEmbed defined on a page without a chart")
            continue
        loader = [t for t in tags if charts.LOADER_NAME in t]
        held = re.findall(
            r"<template data-course-after-paint><script\b([^>]*)></script></template>", source
        )
        if len(loader) != 1 or loader[0] not in held:
            problems.append(f"{page}: the chart loader is not one script held for after paint")
        if any("vega-bundle" in t for t in tags):
            problems.append(f"{page}: the HTML itself names the vega bundle")
        bundle = [r for r in seen["versions"]["requests"] if charts.BUNDLE_NAME in r["name"]]
        fcp = seen["versions"]["fcp"]
        if len(bundle) != 1 or fcp is None or bundle[0]["start"] < fcp:
            problems.append(f"{page}: bundle requested at {bundle}, first paint at {fcp} ms")
    assert not problems, "\n".join(problems)


THEME_FILES = """() => ({
  fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime,
  files: performance.getEntriesByType('resource')
    .filter(r => /\\.(css|js)(\\?|$)|\\/_images\\/altair-viz-/.test(r.name))
    .map(r => [r.name.split('/').pop().split('?')[0], Math.round(r.startTime)]),
  code: document.querySelectorAll('div.highlight pre').length,
  copy: document.querySelectorAll('button.copybtn').length})"""


@pytest.mark.parametrize(
    "page",
    [
        "chapters/intro.html",
        "chapters/glossary.html",
        "chapters/fara-data.html",
        "chapters/trump-putin.html",
    ],
)
def test_the_theme_files_load_after_the_first_paint_and_still_work(site, browser, page):
    """Every stylesheet, script file and static chart picture is requested only once the first
    paint is on screen (course/book/after_paint.js), and the theme's scripts still do their
    work: icons drawn, copy buttons on code."""
    base, html = site
    context = chromium.offline_context(browser, base, viewport=DESKTOP)
    try:
        tab = context.new_page()
        chromium.goto_ready(tab, urljoin(base, page))
        tab.wait_for_function("() => document.querySelector('svg.svg-inline--fa')", timeout=10000)
        seen = tab.evaluate(THEME_FILES)
    finally:
        context.close()
    assert seen["fcp"] is not None and seen["files"], seen
    early = [(name, start) for name, start in seen["files"] if start < seen["fcp"]]
    assert not early, f"{page}: requested before the first paint at {seen['fcp']:.0f} ms: {early}"
    assert seen["copy"] >= seen["code"], f"{page}: copy buttons on {seen['copy']} of {seen}"
    pictures = [name for name, _ in seen["files"] if name.startswith("altair-viz-")]
    assert len(pictures) == len(chart_specs((html / page).read_text(encoding="utf-8"))), seen


@pytest.mark.parametrize("stored", [None, "light"], ids=["first-visit", "stored-light"])
@pytest.mark.parametrize("page", ["chapters/intro.html", "chapters/trump-putin.html"])
def test_a_dark_mode_reader_gets_a_dark_first_paint(site, browser, page, stored):
    """With every stylesheet and script file blocked (what the first paint has), a reader whose
    system is dark sees the same theme and colours as once everything has loaded: on a first
    visit, and when the theme stored light colours on a visit while the system was light."""
    base, _ = site
    looks = {}
    for blocked in (True, False):
        context = chromium.offline_context(browser, base, color_scheme="dark", viewport=DESKTOP)
        if stored:
            context.add_init_script(
                f"localStorage.setItem('mode', 'auto'); localStorage.setItem('theme', '{stored}')"
            )
        try:
            tab = context.new_page()
            if blocked:
                tab.route(re.compile(r"\.(css|js)(\?|$)"), lambda route: route.abort())
            tab.goto(urljoin(base, page), wait_until="load")
            if not blocked:
                tab.wait_for_function(SHEETS_APPLIED, timeout=10000)
            looks[blocked] = tab.evaluate(
                "() => [document.documentElement.dataset.theme,"
                " getComputedStyle(document.body).backgroundColor,"
                " getComputedStyle(document.body).color]"
            )
        finally:
            context.close()
    assert looks[True][0] == "dark", f"{page}: the first paint is {looks[True]}"
    assert looks[True] == looks[False], f"{page}: first paint {looks[True]}, then {looks[False]}"


def test_browser_loads_the_vendored_versions_altair_asks_for(site, browser):
    base, html = site
    seen = visit(browser, base, CHART_PAGES[0])
    versions = seen["versions"]
    assert versions["embed"] == "function"
    bundle = [s["src"] for s in versions["scripts"] if charts.BUNDLE_NAME in s["src"]]
    assert len(bundle) == 1 and bundle[0].startswith(base)
    served = (html / "_static" / charts.BUNDLE_NAME).read_text(encoding="utf-8")
    header = json.loads(served.splitlines()[0].split("vl-convert ", 1)[1].rsplit(" */", 1)[0])
    assert header["vega-lite"] == ".".join(alt.VEGALITE_VERSION.split(".")[:2])
    # The exact release altair asks for is compiled into the served bundle, not just reported.
    assert f'"{alt.VEGALITE_VERSION}"' in served
    assert header["vega"].split(".")[0] == alt.VEGA_VERSION
    assert header["vega-embed"].split(".")[0] == alt.VEGAEMBED_VERSION


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("page", CHART_PAGES)
def test_charts_show_as_named_svgs_without_javascript(site, browser, page, viewport):
    base, html = site
    specs = chart_specs((html / page).read_text(encoding="utf-8"))
    assert specs, f"{page} has no chart"
    context = chromium.offline_context(browser, base, java_script_enabled=False, viewport=viewport)
    problems = []
    try:
        tab = context.new_page()
        tab.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status} {r.url}"))
        tab.goto(urljoin(base, page), wait_until="load")
        for chart_id, spec in specs.items():
            drawing = tab.locator(f"#{chart_id} > .{charts.STATIC_CLASS}:is(img, svg)")
            if drawing.count() != 1:
                problems.append(f"{page}: {chart_id} has no static SVG")
                continue
            if drawing.evaluate("e => e.tagName === 'IMG' && !(e.complete && e.naturalWidth)"):
                problems.append(f"{page}: {chart_id}'s SVG did not load")
            name = charts.title_text(spec)
            named = tab.locator(f"#{chart_id}").get_by_role("img", name=name, exact=True)
            if named.count() != 1:
                problems.append(f"{page}: {chart_id}'s SVG is not named {name!r}")
            described = drawing.get_attribute("aria-describedby")
            if not described or tab.locator(f"#{described}").text_content() != spec["description"]:
                problems.append(f"{page}: {chart_id}'s SVG is not described by its description")
            box, holder = drawing.bounding_box(), tab.locator(f"#{chart_id}").bounding_box()
            width, height = (float(drawing.get_attribute(a)) for a in ("width", "height"))
            # Full size: its own width, or the whole text column when that is narrower,
            # with the height that keeps its proportions.
            expected = min(width, holder["width"])
            tall = height * expected / width
            if abs(box["width"] - expected) > 1 or abs(box["height"] - tall) > 1:
                problems.append(
                    f"{page}: {chart_id} shows {box['width']:.0f}x{box['height']:.0f} px, "
                    f"not {expected:.0f}x{tall:.0f}"
                )
    finally:
        context.close()
    assert not problems, "\n".join(problems)


# Each chart's container size: before the chart loader runs (DOMContentLoaded) and once every
# chart is interactive.
GEOMETRY_JS = f"""() => [...document.querySelectorAll("{chromium.CHART_SELECTOR}")].map(d => {{
        const r = d.getBoundingClientRect();
        return [d.id, Math.round(r.width), Math.round(r.height)];
    }})"""


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("page", CHART_PAGES)
def test_interactive_charts_take_the_svgs_place_at_the_same_size(site, browser, page, viewport):
    base, _ = site
    context = chromium.offline_context(browser, base, viewport=viewport)
    try:
        tab = context.new_page()
        tab.add_init_script(
            "document.addEventListener('DOMContentLoaded', () => { window.__before = ("
            + GEOMETRY_JS
            + ")(); });"
        )
        tab.goto(urljoin(base, page), wait_until="load")
        tab.wait_for_function(chromium.CHARTS_DRAWN, timeout=20000)
        before = tab.evaluate("() => window.__before")
        after = tab.evaluate(GEOMETRY_JS)
    finally:
        context.close()
    assert before, f"{page}: no chart"
    # Nothing below a chart moves when the interactive chart replaces the static one.
    moved = [
        f"{b[0]}: {b[1]}x{b[2]} px static, {a[1]}x{a[2]} px interactive"
        for b, a in zip(before, after, strict=True)
        if abs(b[1] - a[1]) > 1 or abs(b[2] - a[2]) > 1
    ]
    assert not moved, f"{page}:\n" + "\n".join(moved)


# The centres of a chart's first marks (not axes, legends or titles), in page coordinates.
MARK_CENTRES = """el => [...el.querySelectorAll('.vega-embed svg .role-mark > :is(path, line)')]
    .map(m => m.getBoundingClientRect()).filter(r => r.width * r.height > 4).slice(0, 20)
    .map(r => [r.x + r.width / 2, r.y + r.height / 2])"""
AXIS_LABELS = "el => [...el.querySelectorAll('.role-axis-label text')].map(t => t.textContent)"


@pytest.mark.parametrize("page", CHART_PAGES)
def test_tooltips_and_zoom_work_once_interactive(site, browser, page):
    base, html = site
    specs = chart_specs((html / page).read_text(encoding="utf-8"))
    context = chromium.offline_context(browser, base, viewport=DESKTOP)
    problems = []
    try:
        tab = context.new_page()
        tab.goto(urljoin(base, page), wait_until="load")
        tab.wait_for_function(chromium.CHARTS_DRAWN, timeout=20000)
        tooltip = tab.locator("#vg-tooltip-element")
        for chart_id, spec in specs.items():
            chart = tab.locator(f"#{chart_id}")
            chart.scroll_into_view_if_needed()
            # Tooltip: hover the chart's marks until vega-tooltip shows text.
            for x, y in chart.evaluate(MARK_CENTRES):
                tab.mouse.move(x, y)
                if _shows(tab, tooltip):
                    break
            else:
                problems.append(f"{page}: {chart_id}: no tooltip over its marks")
            tab.mouse.move(0, 0)
            # Zoom: a chart whose x scale is bound to the wheel (course/chapters/bush_putin.py).
            if '"bind": "scales"' not in json.dumps(spec):
                continue
            before = chart.evaluate(AXIS_LABELS)
            box = chart.locator(".vega-embed svg").bounding_box()
            tab.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            tab.mouse.wheel(0, -600)
            tab.wait_for_timeout(500)
            if chart.evaluate(AXIS_LABELS) == before:
                problems.append(f"{page}: {chart_id}: the wheel did not zoom (axis {before})")
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def _shows(tab, tooltip) -> bool:
    """True when vega-tooltip shows text within a second."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        tab.wait_for_function(
            "() => document.querySelector('#vg-tooltip-element.visible')?.innerText.trim()",
            timeout=1000,
        )
    except PlaywrightTimeout:
        return False
    return bool(tooltip.inner_text().strip())


# What a reader sees of each element: its box and the computed styles that draw it.
LAYOUT = """() => [...document.body.querySelectorAll('*')]
  .filter(e => !e.closest('script, style, noscript, template, .course-chart'))
  .map(e => { const r = e.getBoundingClientRect(), s = getComputedStyle(e);
    return [e.tagName + (e.id ? '#' + e.id : '') + '.' + e.getAttribute('class'),
            [r.x, r.y, r.width, r.height].map(Math.round).join(','),
            s.color, s.backgroundColor, s.fontSize, s.fontFamily, s.display, s.visibility]
      .join(' | '); })"""
ICONS_DRAWN = "() => !document.querySelector(':is(i, span)[class*=\"fa-\"]')"
SHEETS_APPLIED = """() => document.documentElement.dataset.courseAfterPaint === 'done'
  && document.querySelectorAll('link[rel=stylesheet]').length > 0
  && [...document.querySelectorAll('link[rel=stylesheet]')].every(l => l.media !== 'print' && l.sheet)"""


def _layout(browser, base: str, page: str, scheme: str, viewport: dict, sheets: bool) -> list:
    context = chromium.offline_context(
        browser, base, color_scheme=scheme, viewport=viewport, reduced_motion="reduce"
    )
    try:
        tab = context.new_page()
        if not sheets:  # the first paint's CSS only: the linked stylesheets never arrive
            tab.route("**/*.css*", lambda route: route.abort())
        chromium.goto_ready(tab, urljoin(base, page))
        # fontawesome turns each icon into an SVG a frame after it runs; compare after that.
        tab.wait_for_function(ICONS_DRAWN, timeout=10000)
        if sheets:
            tab.wait_for_function(SHEETS_APPLIED, timeout=10000)
        # The theme's script scrolls the sidebar to the current page when it runs; compare
        # the boxes unscrolled.
        tab.wait_for_timeout(300)
        tab.evaluate("() => document.querySelectorAll('*').forEach(e => { e.scrollTop = 0; })")
        return tab.evaluate(LAYOUT)
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize(
    "page",
    [
        "chapters/intro.html",
        "chapters/glossary.html",
        "chapters/trump-putin.html",
        "chapters/fara-data.html",  # code cells: the highlighting's colours
    ],
)
def test_the_first_paint_has_the_finished_pages_layout_and_colours(
    site, browser, page, viewport, scheme
):
    """The inline critical CSS alone (stylesheets blocked) lays out and colours every element
    as the full stylesheets do: nothing moves or changes colour when they arrive."""
    base, root = site
    head = (root / page).read_text(encoding="utf-8").split("</head>", 1)[0]
    blocking = [
        tag
        for tag in re.findall(r"<link\b[^>]*rel=\"stylesheet\"[^>]*>", head.split("<noscript")[0])
        if 'media="print"' not in tag
    ]
    assert not blocking, f"{page}: render-blocking stylesheets {blocking}"
    first = _layout(browser, base, page, scheme, viewport, sheets=False)
    full = _layout(browser, base, page, scheme, viewport, sheets=True)
    changed = [f"{a}\n   then {b}" for a, b in zip(first, full, strict=True) if a != b]
    assert not changed, f"{page} ({scheme}): {len(changed)} elements change:\n" + "\n".join(
        changed[:10]
    )


LATE_SHEET = "sphinx-book-theme.css"
SHEET_STATES = """() => [...document.querySelectorAll('link[data-course-deferred]')]
  .map(l => [l.href.split('/').pop().split('?')[0], l.media, Boolean(l.sheet)])"""


def test_the_sheets_switch_on_together_when_one_arrives_late(site, browser):
    """While one stylesheet is still on its way, none of the others is switched on: one switched
    on alone would override the inline rules of the sheets after it (the page would shift)."""
    base, _ = site
    page = "chapters/bush-putin.html"
    context = chromium.offline_context(browser, base, viewport=DESKTOP)
    held = []
    try:
        tab = context.new_page()
        tab.route(f"**/{LATE_SHEET}*", lambda route: held.append(route))
        tab.goto(urljoin(base, page), wait_until="domcontentloaded")
        # Every sheet but the held one has arrived.
        tab.wait_for_function(
            f"() => ({SHEET_STATES})().filter(s => !s[2]).length === 1", timeout=10000
        )
        waiting = tab.evaluate(SHEET_STATES)
        early = tab.evaluate(GEOMETRY_JS)
        assert held and [s[0] for s in waiting if not s[2]] == [LATE_SHEET]
        assert all(media == "print" for _, media, _ in waiting), waiting
        held[0].continue_()
        tab.wait_for_function(SHEETS_APPLIED, timeout=10000)
        tab.wait_for_function(chromium.CHARTS_DRAWN, timeout=20000)
        late = tab.evaluate(GEOMETRY_JS)
    finally:
        context.close()
    assert early == late, f"{page}: charts moved when the late sheet arrived"
