"""Page benchmark: every page of the built site in headless Chromium (Debian's, via Playwright).

Run from the repository root after `make book`, with the dev venv:
`.venv/bin/python benchmarks/pages.py [--runs 3] [--html _build/html] [--baseline DIR]`.
For each TOC page plus search and index: the HTML's size, the largest inline chart data (the
vega-lite spec with its rows, as embedded in the page), and the time from navigation until every
chart has drawn (median of the runs, each in a fresh browser context: no cache), with the load
event's time beside it. Targets: at most 400 KB of HTML, charts drawn within 1.5 s.
Prints a markdown table for benchmarks/RESULTS.md; exits 1 when a page misses a target.

With `--baseline DIR` (another checkout's `_build/html`) it is an A/B run instead: each page is
loaded cold from this build and from the baseline in turn, alternating, and the table gives for
each build the median first contentful paint, the time until every chart shows a drawing
(static SVG or interactive), and the time until every chart is interactive. Targets: first
contentful paint at most half the baseline's on intro, glossary and the chart chapters, and
every chart visible within 0.5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
from pathlib import Path
from urllib.parse import urljoin

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from course.book import browser as chromium  # noqa: E402
from tests.browser.conftest import chart_specs, reader_pages  # noqa: E402

MAX_HTML_KB = 400
MAX_DRAWN_S = 1.5
# The A/B targets (issue 25): first contentful paint at most this share of the baseline's on
# these pages (and on every chart page), every chart visible within MAX_VISIBLE_S.
FCP_SHARE = 0.5
FCP_PAGES = ["chapters/intro.html", "chapters/glossary.html"]
MAX_VISIBLE_S = 0.5

# Milliseconds since navigation start, read in the frame in which the last chart appeared
# (once the whole document is parsed, so that every chart's div exists).
DRAWN_AT = (
    "() => new Promise(done => { const check = () => document.readyState !== 'loading' && ("
    + chromium.CHARTS_DRAWN
    + ")() ? done(performance.now()) : requestAnimationFrame(check); check(); })"
)


def measure(browser, base: str, page: str) -> tuple[float, float, int]:
    """(ms until every chart drew, ms until the load event, charts) for one fresh load."""
    context = chromium.offline_context(browser, base)
    try:
        tab = context.new_page()
        tab.goto(urljoin(base, page), wait_until="commit")
        drawn = tab.evaluate(DRAWN_AT)
        tab.wait_for_load_state("load")
        loaded = tab.evaluate("() => performance.getEntriesByType('navigation')[0].loadEventEnd")
        charts = tab.evaluate(
            f'() => document.querySelectorAll("{chromium.CHART_SELECTOR}").length'
        )
        if context.foreign:
            sys.exit(f"{page} asked for other hosts: {context.foreign}")
        return drawn, loaded, charts
    finally:
        context.close()


def _frame_when(condition: str) -> str:
    """JS: ms since navigation at the first frame, once the document is parsed (every chart's
    div exists), in which ``condition`` holds."""
    return (
        "() => new Promise(done => { const check = () => document.readyState !== 'loading' && ("
        + condition
        + ")() ? done(performance.now()) : requestAnimationFrame(check); check(); })"
    )


VISIBLE_AT = _frame_when(chromium.CHARTS_VISIBLE)
INTERACTIVE_AT = _frame_when(chromium.CHARTS_DRAWN)
FCP = (
    "() => new Promise(done => new PerformanceObserver((list, observer) => {"
    " const fcp = list.getEntriesByName('first-contentful-paint')[0];"
    " if (fcp) { observer.disconnect(); done(fcp.startTime); } })"
    ".observe({type: 'paint', buffered: true}))"
)


def measure_ab(browser, base: str, page: str, charts: int) -> dict[str, float]:
    """One cold load: first contentful paint, every chart visible, every chart interactive
    (ms since navigation; charts only on chart pages), and the layout shift until then (the
    sum of Chromium's layout-shift scores, as in cumulative layout shift)."""
    context = chromium.offline_context(browser, base)
    try:
        tab = context.new_page()
        tab.add_init_script(
            "window.__shift = 0; new PerformanceObserver(l => l.getEntries().forEach("
            "e => { window.__shift += e.value; })).observe({type: 'layout-shift', buffered: true});"
        )
        tab.goto(urljoin(base, page), wait_until="commit")
        result = {}
        if charts:
            result["visible"] = tab.evaluate(VISIBLE_AT)
            result["interactive"] = tab.evaluate(INTERACTIVE_AT)
        tab.wait_for_load_state("load")
        result["fcp"] = tab.evaluate(FCP)
        if charts:
            result["shift"] = tab.evaluate("() => window.__shift")
        if context.foreign:
            sys.exit(f"{page} asked for other hosts: {context.foreign}")
        return result
    finally:
        context.close()


def _median(runs: list[dict], key: str) -> float | None:
    values = [r[key] for r in runs if key in r]
    return statistics.median(values) / (1 if key == "shift" else 1000) if values else None


def _cell(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def main_ab(args) -> int:
    """Alternating cold loads of this build and the baseline; a markdown table of medians."""
    from playwright.sync_api import sync_playwright

    pages = reader_pages()
    charts = {p: len(chart_specs((args.html / p).read_text(encoding="utf-8"))) for p in pages}
    rows, missed = [], []
    load_before = os.getloadavg()
    with (
        sync_playwright() as pw,
        chromium.serve(args.html) as new_base,
        chromium.serve(args.baseline) as old_base,
    ):
        browser = chromium.launch(pw)
        version = browser.version
        for page in pages:
            new, old = [], []
            # A page the baseline lacks (a newer chapter) is measured, not compared.
            in_baseline = (args.baseline / page).is_file()
            for _ in range(args.runs):
                new.append(measure_ab(browser, new_base, page, charts[page]))
                if in_baseline:
                    old.append(measure_ab(browser, old_base, page, charts[page]))
            m = {
                (build, key): _median(runs, key)
                for build, runs in (("new", new), ("old", old))
                for key in ("fcp", "visible", "interactive", "shift")
            }
            rows.append((page, charts[page], m, new))
            slow_paint = in_baseline and m["new", "fcp"] > FCP_SHARE * m["old", "fcp"]
            if (page in FCP_PAGES or charts[page]) and slow_paint:
                missed.append(f"{page} (first paint)")
            if charts[page] and m["new", "visible"] > MAX_VISIBLE_S:
                missed.append(f"{page} (charts visible)")
        browser.close()
    load_after = os.getloadavg()
    print(
        f"Page A/B benchmark: {args.runs} cold loads per page and build, alternating, median; "
        f"{os.cpu_count()} cores, Chromium {version}, Python {platform.python_version()}; "
        f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after"
    )
    print(f"this build: {args.html}; baseline: {args.baseline}")
    print()
    print(
        "| page | charts | FCP (s) | baseline FCP (s) | FCP ratio | charts visible (s) "
        "| baseline charts visible (s) | charts interactive (s) | layout shift "
        "| baseline layout shift | FCP, each run (s) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for page, count, m, new in rows:
        ratio = _cell(m["new", "fcp"] / m["old", "fcp"] if m["old", "fcp"] else None)
        each = ", ".join(f"{r['fcp'] / 1000:.2f}" for r in new)
        print(
            f"| {page} | {count} | {_cell(m['new', 'fcp'])} | {_cell(m['old', 'fcp'])} "
            f"| {ratio} | {_cell(m['new', 'visible'])} | {_cell(m['old', 'visible'])} "
            f"| {_cell(m['new', 'interactive'])} | {_cell(m['new', 'shift'], 3)} "
            f"| {_cell(m['old', 'shift'], 3)} | {each} |"
        )
    print()
    print(
        f"Targets: FCP at most {FCP_SHARE:.0%} of the baseline's on "
        f"{', '.join(FCP_PAGES)} and every chart page; charts visible within {MAX_VISIBLE_S} s."
    )
    absent = [page for page, _, m, _ in rows if m["old", "fcp"] is None]
    if absent:
        print(f"Not in the baseline (measured, not compared): {', '.join(absent)}")
    print("Missed on: " + ", ".join(missed) if missed else "Every page meets the targets.")
    return 1 if missed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--html", type=Path, default=REPO / "_build" / "html")
    parser.add_argument(
        "--baseline", type=Path, default=None, help="another build's _build/html to compare with"
    )
    args = parser.parse_args()
    for folder in (args.html, args.baseline):
        if folder is not None and not (folder / "chapters").is_dir():
            sys.exit(f"{folder} has no built book: run `make book` there first")
    if args.baseline is not None:
        return main_ab(args)
    from playwright.sync_api import sync_playwright

    rows, missed = [], []
    with sync_playwright() as pw, chromium.serve(args.html) as base:
        browser = chromium.launch(pw)
        version = browser.version
        for page in reader_pages():
            html = (args.html / page).read_text(encoding="utf-8")
            size_kb = len(html.encode()) / 1024
            specs = chart_specs(html)
            largest = max((len(json.dumps(s).encode()) for s in specs.values()), default=0)
            runs = [measure(browser, base, page) for _ in range(args.runs)]
            drawn = statistics.median(r[0] for r in runs) / 1000
            loaded = statistics.median(r[1] for r in runs) / 1000
            rows.append((page, size_kb, largest / 1024, len(specs), drawn, loaded, runs))
            if size_kb > MAX_HTML_KB or (specs and drawn > MAX_DRAWN_S):
                missed.append(page)
        browser.close()
    print(
        f"Page benchmark: {args.runs} fresh loads per page, median; {os.cpu_count()} cores, "
        f"Chromium {version}, Python {platform.python_version()}"
    )
    print()
    print(
        "| page | HTML (KB) | largest chart data (KB) | charts | all charts drawn (s) "
        "| load event (s) | drawn, each run (s) |"
    )
    print("|---|---:|---:|---:|---:|---:|---|")
    for page, size_kb, largest_kb, charts, drawn, loaded, runs in rows:
        each = ", ".join(f"{r[0] / 1000:.2f}" for r in runs)
        drawn_cell = f"{drawn:.2f}" if charts else "no chart"
        print(
            f"| {page} | {size_kb:.0f} | {largest_kb:.0f} | {charts} | {drawn_cell} "
            f"| {loaded:.2f} | {each} |"
        )
    print()
    print(f"Targets: HTML at most {MAX_HTML_KB} KB; charts drawn within {MAX_DRAWN_S} s.")
    print("Missed on: " + ", ".join(missed) if missed else "Every page meets both targets.")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
