"""Page benchmark: every page of the built site in headless Chromium (Debian's, via Playwright).

Run from the repository root after `make book`, with the dev venv:
`.venv/bin/python benchmarks/pages.py [--runs 3] [--html _build/html]`.
For each TOC page plus search and index: the HTML's size, the largest inline chart data (the
vega-lite spec with its rows, as embedded in the page), and the time from navigation until every
chart has drawn (median of the runs, each in a fresh browser context: no cache), with the load
event's time beside it. Targets: at most 400 KB of HTML, charts drawn within 1.5 s.
Prints a markdown table for benchmarks/RESULTS.md; exits 1 when a page misses a target.
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--html", type=Path, default=REPO / "_build" / "html")
    args = parser.parse_args()
    if not (args.html / "chapters").is_dir():
        sys.exit(f"{args.html} has no built book: run `make book` first")
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
