"""Every TOC page as readers meet it, in Debian's Chromium: with a screen reader (axe-core in
light and dark mode, charts named by their descriptions), on a 390x844 phone (no sideways
scroll, charts that fit), in dark mode (charts keep their contrast), and through the search box.
The charts' static SVGs (what shows before the chart script runs) pass axe and keep their
contrast in both modes too.

Screenshots of every page at phone and desktop size go to _build/screenshots/ (not committed)
for a person to look at after a CI run.
"""

from __future__ import annotations

from urllib.parse import urljoin

import pytest

from course import charts
from course.book import browser as chromium
from tests.browser.conftest import chart_specs, reader_pages, toc_pages
from tests.conftest import REPO
from tests.test_book import toc_files

pytestmark = pytest.mark.slow

SCREENSHOTS = REPO / "_build" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# Rules checked at every impact (besides every serious or critical violation): the issue's
# "every image has alt text; headings go in order" and header text in every table.
ALWAYS_CHECKED = {"image-alt", "svg-img-alt", "role-img-alt", "heading-order", "empty-table-header"}
MIN_CONTRAST = 4.5  # WCAG AA for normal-size text
# Searches typed into the site's search box, and the pages each must find.
SEARCHES = [
    ("Abramovich", ["chapters/russia-in-washington"]),
    ("competition rank", ["chapters/russia-in-washington", "chapters/glossary"]),
]
# The oral-history pages: the "Voloshin" search expects each of them once the TOC lists it.
ORAL_HISTORY_PAGES = ["chapters/oral-history-data", "chapters/bush-putin"]


def open_page(browser, base: str, page: str, **options):
    """A fresh offline context showing ``page`` with all its charts drawn."""
    context = chromium.offline_context(browser, base, **options)
    tab = context.new_page()
    chromium.goto_ready(tab, urljoin(base, page))
    tab.wait_for_function(chromium.CHARTS_DRAWN, timeout=20000)
    return context, tab


def screenshot(tab, page: str, size: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = page.removesuffix(".html").replace("/", "__")
    tab.screenshot(path=str(SCREENSHOTS / f"{name}-{size}.png"), full_page=True)


def axe_problems(tab, axe_script: str, label: str) -> list[str]:
    tab.add_script_tag(content=axe_script)
    violations = tab.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
             .map(v => ({id: v.id, impact: v.impact, help: v.help,
                         nodes: v.nodes.map(n => n.target.join(' '))}))"""
    )
    return [
        f"{label}: {v['impact']} {v['id']} ({v['help']}) at {'; '.join(v['nodes'][:5])}"
        for v in violations
        if v["impact"] in {"serious", "critical"} or v["id"] in ALWAYS_CHECKED
    ]


@pytest.mark.parametrize("page", reader_pages())
def test_page_is_accessible_in_light_and_dark_mode(site, browser, axe_script, page):
    base, html = site
    problems = []
    for mode in ("light", "dark"):
        context, tab = open_page(browser, base, page, color_scheme=mode, viewport=DESKTOP)
        try:
            theme = tab.evaluate("() => document.documentElement.dataset.theme")
            assert theme == mode, f"{page}: theme is {theme!r} when the reader prefers {mode}"
            problems += axe_problems(tab, axe_script, f"{page} ({mode})")
            if mode == "light":
                screenshot(tab, page, "desktop")
                names = tab.evaluate(
                    f"""() => Object.fromEntries([...document.querySelectorAll(
                        "{chromium.CHART_SELECTOR}")].map(d => [d.id,
                        d.querySelector('[role=graphics-document]')?.getAttribute('aria-label')]))"""
                )
        finally:
            context.close()
    specs = chart_specs((html / page).read_text(encoding="utf-8"))
    for chart_id, spec in specs.items():
        description = spec.get("description")
        if not description:
            problems.append(f"{page}: chart {chart_id} has no description to name it")
        elif names.get(chart_id) != description:
            problems.append(
                f"{page}: chart {chart_id} is named {names.get(chart_id)!r}, not its description"
            )
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("page", reader_pages())
def test_page_fits_a_phone(site, browser, page):
    base, _ = site
    context, tab = open_page(browser, base, page, viewport=PHONE, device_scale_factor=1)
    try:
        screenshot(tab, page, "phone")
        widths = tab.evaluate(
            "() => [document.documentElement.scrollWidth, document.body.scrollWidth,"
            " window.innerWidth]"
        )
        clipped = tab.evaluate(
            f"""() => [...document.querySelectorAll("{chromium.CHART_SELECTOR}")].flatMap(d => {{
                const out = [];
                const drawing = d.querySelector('svg, canvas');
                const box = drawing.getBoundingClientRect();
                const holder = (d.closest('.cell_output') || d.parentElement)
                    .getBoundingClientRect();
                if (box.left < holder.left - 1 || box.right > holder.right + 1)
                    out.push(`${{d.id}} is ${{Math.round(box.width)}} px wide in a `
                             + `${{Math.round(holder.width)}} px container`);
                for (let el = drawing.parentElement; el && el !== document.body;
                     el = el.parentElement) {{
                    if (el.scrollWidth > el.clientWidth + 1 &&
                        getComputedStyle(el).overflowX !== 'visible')
                        out.push(`${{d.id}} scrolls sideways inside ${{el.className}}`);
                }}
                for (const t of d.querySelectorAll('svg text')) {{
                    const r = t.getBoundingClientRect();
                    if (!t.textContent.trim() || r.width === 0 ||
                        getComputedStyle(t).opacity === '0') continue;
                    if (r.left < box.left - 1 || r.right > box.right + 1 ||
                        r.right > window.innerWidth)
                        out.push(`${{d.id}}: text "${{t.textContent}}" is cut off`);
                }}
                return out;
            }})"""
        )
    finally:
        context.close()
    problems = [f"{page}: {c}" for c in clipped]
    if max(widths[:2]) > widths[2]:
        problems.append(f"{page}: scrolls sideways at 390 px ({max(widths[:2])} px wide)")
    assert not problems, "\n".join(problems)


# WCAG relative luminance and contrast ratio, from computed rgb()/rgba() colours; an alpha
# below 1 is blended over the background.
CONTRAST_JS = """
(() => {
  const parse = c => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => {
      v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  const blend = (fg, bg, a) => fg.slice(0, 3).map((v, i) => a * v + (1 - a) * bg[i]);
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
                            return (x + 0.05) / (y + 0.05); };
  const background = el => {
    for (; el; el = el.parentElement) {
      const c = parse(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  return [...document.querySelectorAll("CHART")].flatMap(d => {
    const drawing = d.querySelector('svg, canvas');
    const bg = background(drawing);
    const page = background(d.parentElement);
    const worst = [];
    for (const t of d.querySelectorAll('svg text')) {
      if (!t.textContent.trim()) continue;
      const s = getComputedStyle(t);
      const fill = parse(s.fill);
      if (fill.length < 3) continue;
      const alpha = (fill[3] ?? 1) * Number(s.fillOpacity) * Number(s.opacity);
      if (alpha === 0) continue;  // labels vega hides where they would overlap
      const r = ratio(blend(fill, bg, alpha), bg);
      if (r < LIMIT) worst.push(`text "${t.textContent}" ${r.toFixed(2)}:1`);
    }
    for (const a of d.querySelectorAll('.vega-actions a')) {
      const r = ratio(parse(getComputedStyle(a).color), background(a));
      if (r < LIMIT) worst.push(`link "${a.textContent}" ${r.toFixed(2)}:1`);
    }
    return [{id: d.id, worst, bg, page}];
  });
})
"""


def test_charts_keep_their_contrast_in_dark_mode(site, browser):
    base, _ = site
    script = CONTRAST_JS.replace("CHART", chromium.CHART_SELECTOR).replace(
        "LIMIT", str(MIN_CONTRAST)
    )
    problems, charts = [], 0
    for page in toc_pages():
        context, tab = open_page(browser, base, page, color_scheme="dark", viewport=DESKTOP)
        try:
            assert tab.evaluate("() => document.documentElement.dataset.theme") == "dark"
            for chart in tab.evaluate(script):
                charts += 1
                problems += [f"{page}: {chart['id']}: {w}" for w in chart["worst"]]
                if sum(chart["bg"]) < 3 * 128:
                    problems.append(f"{page}: {chart['id']} draws on a dark background")
        finally:
            context.close()
    assert charts > 0, "no chart found on any TOC page"
    assert not problems, f"text below {MIN_CONTRAST}:1 in dark mode:\n" + "\n".join(problems)


# WCAG contrast of every text in a standalone SVG against the SVG's own background rectangle
# (an image keeps its colours whatever the page's mode).
SVG_CONTRAST_JS = """
(() => {
  const parse = c => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => {
      v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
                            return (x + 0.05) / (y + 0.05); };
  const svg = document.documentElement;
  const rect = svg.querySelector(':scope > rect');
  const bg = rect ? parse(getComputedStyle(rect).fill) : [];
  if (bg.length < 3) return ['no background rectangle'];
  return [...svg.querySelectorAll('text')].flatMap(t => {
    const s = getComputedStyle(t);
    const fill = parse(s.fill);
    if (!t.textContent.trim() || fill.length < 3 || Number(s.opacity) === 0) return [];
    const alpha = (fill[3] ?? 1) * Number(s.fillOpacity);
    const seen = fill.slice(0, 3).map((v, i) => alpha * v + (1 - alpha) * bg[i]);
    const r = ratio(seen, bg);
    return r < LIMIT ? [`text "${t.textContent}" ${r.toFixed(2)}:1`] : [];
  });
})
"""


@pytest.mark.parametrize(
    "page",
    ["chapters/russia-in-washington.html", "chapters/bush-putin.html", "chapters/trump-putin.html"],
)
def test_static_charts_are_accessible_and_legible_in_light_and_dark_mode(
    site, browser, axe_script, page
):
    base, html = site
    problems, sources = [], set()
    for mode in ("light", "dark"):
        context = chromium.offline_context(browser, base, color_scheme=mode, viewport=DESKTOP)
        # An empty chart loader: the page keeps the SVGs drawn at build time.
        context.route(
            lambda url: f"/_static/{charts.LOADER_NAME}" in url,
            lambda route: route.fulfill(body="", content_type="text/javascript"),
        )
        try:
            tab = context.new_page()
            chromium.goto_ready(tab, urljoin(base, page))
            tab.wait_for_function(chromium.CHARTS_VISIBLE, timeout=20000)
            assert tab.evaluate("() => document.documentElement.dataset.theme") == mode
            static = tab.locator(f"img.{charts.STATIC_CLASS}")
            assert static.count() == len(chart_specs((html / page).read_text(encoding="utf-8")))
            sources |= set(static.evaluate_all("imgs => imgs.map(i => i.src)"))
            problems += axe_problems(tab, axe_script, f"{page} (static, {mode})")
        finally:
            context.close()
    # The SVG draws its own white background: the same legible chart in either mode.
    context = chromium.offline_context(browser, base)
    try:
        tab = context.new_page()
        for source in sorted(sources):
            tab.goto(source, wait_until="load")
            found = tab.evaluate(SVG_CONTRAST_JS.replace("LIMIT", str(MIN_CONTRAST)))
            problems += [f"{source}: {f}" for f in found]
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def _search_cases():
    cases = [pytest.param(query, pages, id=query) for query, pages in SEARCHES]
    listed = set(toc_files())
    oral = [page for page in ORAL_HISTORY_PAGES if page in listed]
    marks = () if oral else pytest.mark.skip(reason="no oral-history page in _toc.yml yet")
    cases.append(pytest.param("Voloshin", oral, id="Voloshin", marks=marks))
    return cases


@pytest.mark.parametrize(("query", "expected"), _search_cases())
def test_search_box_finds_the_pages(site, browser, query, expected):
    base, _ = site
    context = chromium.offline_context(browser, base, viewport=DESKTOP)
    try:
        tab = context.new_page()
        chromium.goto_ready(tab, urljoin(base, "chapters/intro.html"))
        tab.locator(".search-button-field:visible").first.click()
        box = tab.locator("form.bd-search input[name=q]:visible").first
        box.fill(query)
        box.press("Enter")
        tab.wait_for_url("**/search.html?q=*", timeout=10000)
        tab.wait_for_function(
            """() => /found|did not match/i.test(
                 document.querySelector('#search-results .search-summary')?.textContent || '')""",
            timeout=20000,
        )
        found = tab.evaluate(
            "() => [...document.querySelectorAll('#search-results ul.search li a')]"
            ".map(a => new URL(a.href).pathname)"
        )
    finally:
        context.close()
    missing = [page for page in expected if f"/{page}.html" not in found]
    assert not missing, f"searching {query!r} did not find {missing}; it found {found}"
