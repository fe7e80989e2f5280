"""Fixtures for the browser tests: one Chromium for the whole session, the strictly built book
(``conftest.built_book``) served on 127.0.0.1, axe-core, and the pages to visit (from the TOC)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from course import charts
from course.book import browser as chromium
from tests.conftest import IN_CI, REPO
from tests.test_book import toc_files

PACKAGE = Path(__file__).with_name("package.json")
# `make axe` (a step of `make test`) installs the pinned axe-core here with `npm ci`;
# COURSE_AXE names another copy of axe.min.js.
AXE_FILE = Path(
    os.environ.get("COURSE_AXE")
    or REPO / "_build" / "tools" / "node_modules" / "axe-core" / "axe.min.js"
)
AXE_VERSION = json.loads(PACKAGE.read_text())["devDependencies"]["axe-core"]


def toc_pages() -> list[str]:
    """Every page the TOC lists, as site paths (chapters/intro.html, ...)."""
    return [f"{slug}.html" for slug in toc_files()]


def reader_pages() -> list[str]:
    """The TOC pages plus the site's own search and index pages."""
    return toc_pages() + ["search.html", "genindex.html"]


def require(found: bool, what: str, fix: str) -> None:
    """Skip when a test tool is missing; under CI=true, fail instead."""
    if found:
        return
    if IN_CI:
        pytest.fail(f"CI=true but {what} is missing: {fix}")
    pytest.skip(f"{what} not found: {fix}")


@pytest.fixture(scope="session")
def site(built_book):
    assert built_book.returncode == 0, built_book.log[-4000:]
    with chromium.serve(built_book.html) as base:
        yield base, built_book.html


@pytest.fixture(scope="session")
def browser():
    require(
        bool(chromium.chromium_path()),
        "Chromium",
        "install the Debian package 'chromium' (apt-get install chromium)",
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = chromium.launch(pw)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def axe_script() -> str:
    require(
        AXE_FILE.is_file(), f"axe-core {AXE_VERSION} ({AXE_FILE})", "run `make axe` (needs npm)"
    )
    source = AXE_FILE.read_text(encoding="utf-8")
    header = re.search(r"axe v(\d+\.\d+\.\d+)", source[:400])
    assert header and header.group(1) == AXE_VERSION, (
        f"{AXE_FILE} is not axe-core {AXE_VERSION} (tests/browser/package.json): run `make axe`"
    )
    return source


def chart_specs(html: str) -> dict[str, dict]:
    """The vega-lite spec of every altair chart in a page's HTML, by its div id."""
    return charts.page_specs(html)
