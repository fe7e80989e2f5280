"""Headless Chromium for the built book, shared by the browser tests, the page benchmark and the
PDF printer: Debian's Chromium driven by Playwright (no browser download), a local server for a
folder of HTML, and a context that refuses every request to another host."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

# COURSE_CHROMIUM names another Chromium-family binary (e.g. a CI runner's preinstalled Chrome).
CHROMIUM_ENV = "COURSE_CHROMIUM"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CHART_SELECTOR = "div[id^='altair-viz-']"
# True once the theme's scripts and stylesheets, held until the first paint, have been put in
# place and every script has run (course/book/after_paint.js); at once on a page without them.
AFTER_PAINT_DONE = (
    "() => !document.getElementById('course-after-paint')"
    " || document.documentElement.dataset.courseAfterPaint === 'done'"
)


def goto_ready(tab, url: str) -> None:
    """Load ``url`` in ``tab`` and wait until the files held for after its first paint have
    been put in place and their scripts have run."""
    tab.goto(url, wait_until="load")
    tab.wait_for_function(AFTER_PAINT_DONE, timeout=10000)


# True once every chart on the page shows a drawing: the static SVG drawn at build time (inline,
# or an image that has loaded; course/charts.py) or the interactive chart's SVG or canvas.
CHARTS_VISIBLE = (
    f'() => [...document.querySelectorAll("{CHART_SELECTOR}")]'
    ".every(d => d.querySelector('svg, canvas') || [...d.querySelectorAll('img')]"
    ".some(i => i.complete && i.naturalWidth > 0))"
)
# True once every chart is interactive: drawn by vega, its static drawing (if any) replaced.
CHARTS_DRAWN = (
    f'() => [...document.querySelectorAll("{CHART_SELECTOR}")]'
    ".every(d => d.querySelector('svg, canvas') && !d.querySelector('.course-chart-static'))"
)


def chromium_path() -> str | None:
    """The Chromium binary to drive: $COURSE_CHROMIUM, else `chromium` on PATH, else None."""
    found = os.environ.get(CHROMIUM_ENV) or shutil.which("chromium")
    if not found and os.path.exists("/usr/bin/chromium"):
        found = "/usr/bin/chromium"
    return found


def launch(playwright):
    """A headless Chromium browser (raises RuntimeError naming the fix when none is installed)."""
    path = chromium_path()
    if not path:
        raise RuntimeError(
            "Chromium not found: install the Debian package 'chromium' or set "
            f"{CHROMIUM_ENV} to a Chromium-family binary"
        )
    return playwright.chromium.launch(executable_path=path, args=LAUNCH_ARGS, headless=True)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 (a free port) and yield its base URL, ending in "/"."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def offline_context(browser, base: str, **options):
    """A new browser context that aborts, and records in ``context.foreign``, every request to
    a host other than ``base``'s."""
    context = browser.new_context(**options)
    context.foreign = []
    host = urlparse(base).netloc

    def route(route):
        url = route.request.url
        if urlparse(url).netloc == host or url.startswith("data:"):
            route.continue_()
        else:
            context.foreign.append(url)
            route.abort()

    context.route("**/*", route)
    return context
