"""The print edition: the book's ``singlehtml`` build printed to one PDF by headless Chromium.

``make pdf`` builds ``_build/singlehtml`` and runs ``python -m course.book.pdf``; ``--page`` prints
one page of the ordinary HTML build instead (one chapter for a class). Jupyter Book 1's own
``pdfhtml`` builder needs a browser download; this uses Debian's Chromium through Playwright
(a test tool: ``requirements-dev.txt``). The print stylesheet (``course/book/static/course.css``)
drops the navigation, wraps long code lines and starts each page of the book on a new sheet.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from course.book import browser as chromium

# A4 at 96 CSS px per inch: charts sized to their container get the printed width.
A4_VIEWPORT = {"width": 794, "height": 1123}
PRINT_PAGE = "print-edition.html"
MARGIN = {"top": "16mm", "bottom": "16mm", "left": "14mm", "right": "14mm"}


def start_page(html_dir: Path) -> str:
    """The page holding the whole book: the target of singlehtml's ``index.html`` redirect."""
    index = html_dir / "index.html"
    if not index.is_file():
        raise FileNotFoundError(f"{index} not found: build the book with `--builder singlehtml`")
    redirect = re.search(r'http-equiv="Refresh" content="0; url=([^"]+)"', index.read_text())
    return redirect.group(1) if redirect else "index.html"


def print_book(
    html_dir: Path, out: Path, page: str | None = None, browser=None, timeout_ms: int = 60000
) -> Path:
    """Print ``html_dir`` to ``out``, offline, every chart shown first (the SVG drawn at build
    time: in print media the chart loader leaves it in place): the whole book from a singlehtml
    build, or one ``page`` (e.g. ``chapters/glossary.html``) of any HTML build.

    ``browser`` reuses a running Playwright browser; without one, Chromium is launched here.
    """
    if page is not None and not (html_dir / page).is_file():
        raise FileNotFoundError(f"{html_dir / page} not found: build the book first")
    page_name = page or start_page(html_dir)
    if browser is None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            launched = chromium.launch(pw)
            try:
                return print_book(html_dir, out, page, launched, timeout_ms)
            finally:
                launched.close()
    out.parent.mkdir(parents=True, exist_ok=True)
    with chromium.serve(html_dir) as base:
        context = chromium.offline_context(browser, base, viewport=A4_VIEWPORT)
        try:
            url = base + page_name
            if page is None:
                # singlehtml writes the book into the root document's file (chapters/intro.html)
                # but links its assets as if from the site's root: serve it from there.
                url = base + PRINT_PAGE
                context.route(url, lambda route: route.fulfill(path=html_dir / page_name))
            tab = context.new_page()
            tab.emulate_media(media="print")
            tab.goto(url, wait_until="load", timeout=timeout_ms)
            tab.wait_for_function(chromium.CHARTS_VISIBLE, timeout=timeout_ms)
            tab.pdf(
                path=str(out),
                format="A4",
                margin=MARGIN,
                print_background=True,
                outline=True,
                tagged=True,
            )
        finally:
            context.close()
    if context.foreign:
        raise RuntimeError(f"the print edition asked for other hosts: {context.foreign}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course.book.pdf", description=__doc__)
    parser.add_argument(
        "--html", type=Path, default=Path("_build/singlehtml"), help="a singlehtml build"
    )
    parser.add_argument("--out", type=Path, default=Path("_build/pdf/book.pdf"))
    parser.add_argument(
        "--page",
        default=None,
        help="print one page of an HTML build instead, e.g. chapters/glossary.html "
        "(with --html _build/html)",
    )
    args = parser.parse_args(argv)
    try:
        path = print_book(args.html, args.out, args.page)
    except (FileNotFoundError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"wrote {path} ({path.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
