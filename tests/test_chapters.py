"""Every page and every master, found by themselves (`_toc.yml`, `exercises/*.ipynb`), checked on
the suite's one full build (`conftest.built_book`): glue keys, charts, exercise links, kernel
time and page size. No chapter's numbers live here; they belong to its own test module.
The hand-typed-figure scan of every page is in `test_prose_numbers.py` (fast: it reads sources).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from course import charts
from course.book import site
from course.paths import EXERCISES_DIR
from tests.test_book import REPO, source_of, toc_files

PAGES = toc_files()
MASTERS = sorted(EXERCISES_DIR.glob("*.ipynb"))
MAX_PAGE_BYTES = 400 * 1024
MAX_CHART_ROWS = 5000
# A page a student runs on Binder or Colab should execute in well under a minute. The suite
# builds the book beside two test workers on two cores, so the wall time recorded here runs
# about twice a quiet machine's; the bound catches a page that got slow, not the load.
MAX_KERNEL_SECONDS = 60

GLUE_ROLE = re.compile(r"\{glue(?::\w+)?\}`([^`:<]+)")
GLUE_DIRECTIVE = re.compile(r"^\s*[`:]{3,}\{glue(?::\w+)?\}\s+(\S+)", re.M)


def glue_keys_used(text: str) -> set[str]:
    return {key.strip() for key in GLUE_ROLE.findall(text) + GLUE_DIRECTIVE.findall(text)}


def glue_keys_defined(root: Path, page: str) -> set[str]:
    """Keys the page's executed notebook glued (myst-nb writes them beside the executed copy)."""
    path = root / "_build" / "jupyter_execute" / (page + ".glue.json")
    return set(json.loads(path.read_text(encoding="utf-8"))) if path.is_file() else set()


def glued_values(root: Path, page: str) -> dict:
    """The values ``page`` glued in the build under ``root`` (myst-nb's glue file), as Python."""
    import ast

    path = root / "_build" / "jupyter_execute" / (page + ".glue.json")
    values = {}
    for name, output in json.loads(path.read_text(encoding="utf-8")).items():
        text = output["data"]["text/plain"]
        try:
            values[name] = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            values[name] = text
    return values


def chart_specs(html: str) -> list[dict]:
    """The vega-lite specs of a page's charts, in page order (``course.charts.page_specs``)."""
    return list(charts.page_specs(html).values())


def data_rows(spec) -> list[int]:
    counts = [len(values) for values in spec.get("datasets", {}).values()]

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("data"), dict) and isinstance(node["data"].get("values"), list):
                counts.append(len(node["data"]["values"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(spec)
    return counts


def has_tooltip(node) -> bool:
    if isinstance(node, dict):
        return "tooltip" in node.get("encoding", {}) or any(has_tooltip(v) for v in node.values())
    if isinstance(node, list):
        return any(has_tooltip(v) for v in node)
    return False


def title_text(spec) -> str:
    title = spec.get("title") or {}
    text = title.get("text", "") if isinstance(title, dict) else title
    return " ".join(text) if isinstance(text, list) else str(text)


# ---- fast: the discovery itself -------------------------------------------------------------


def test_discovery_finds_the_pages_and_masters():
    assert "chapters/russia-in-washington" in PAGES and len(PAGES) == len(set(PAGES))
    assert EXERCISES_DIR / "russia-in-washington.ipynb" in MASTERS


def test_glue_key_parser_reads_roles_formats_and_directives():
    text = "A {glue:text}`a` b {glue:text}`share:.0%` {glue}`c`\n```{glue:figure} fig\n```\n"
    assert glue_keys_used(text) == {"a", "share", "c", "fig"}


def test_chart_checks_can_fail():
    bare = {"mark": "bar", "data": {"values": [{"x": 1}] * 6}, "encoding": {"x": {"field": "x"}}}
    assert not has_tooltip(bare) and title_text(bare) == "" and data_rows(bare) == [6]


# ---- slow: the built book ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def book(built_book):
    assert built_book.returncode == 0, built_book.log[-6000:]
    return built_book


def page_html(book, page: str) -> str:
    return (book.html / f"{page}.html").read_text(encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_glue_keys_used_are_defined_by_the_page(book, page):
    used = glue_keys_used(source_of(page).read_text(encoding="utf-8"))
    missing = used - glue_keys_defined(book.root, page)
    assert not missing, f"{page} uses glue keys its own notebook does not define: {sorted(missing)}"


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_charts_have_title_description_tooltips_and_few_rows(book, page):
    for spec in chart_specs(page_html(book, page)):
        name = title_text(spec) or "(untitled chart)"
        assert title_text(spec), f"{page}: a chart has no title"
        assert spec.get("description"), f"{page}: {name!r} has no description"
        assert has_tooltip(spec), f"{page}: {name!r} has no tooltips"
        rows = max(data_rows(spec), default=0)
        assert rows <= MAX_CHART_ROWS, f"{page}: {name!r} embeds {rows} rows"


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_each_static_chart_is_drawn_from_the_interactive_charts_spec(book, page):
    """One spec for both: the SVG file a page shows first is vl-convert's drawing of exactly
    the spec the page hands to the interactive chart (so new data redraws both)."""
    html = page_html(book, page)
    for chart_id, spec in charts.page_specs(html).items():
        assert chart_id == charts.chart_id(spec), f"{page}: {chart_id} is not its spec's id"
        image = f"{site.CHART_IMAGES}/{chart_id}.svg"
        assert f'src="../{image}"' in html, f"{page}: {chart_id} does not show {image}"
        drawn = (book.html / image).read_text(encoding="utf-8")
        assert drawn == charts.static_svg(spec, chart_id), f"{page}: {image} is not its spec's"


@pytest.mark.slow
@pytest.mark.parametrize("master", MASTERS, ids=lambda path: path.stem)
def test_a_page_with_a_master_links_its_published_student_files(book, master):
    page = f"chapters/{master.stem}"
    if page not in PAGES:
        pytest.skip(f"{master.name} has no page in _toc.yml yet")
    html_path = book.html / f"{page}.html"
    html = html_path.read_text(encoding="utf-8")
    for suffix in (".zip", ".ipynb"):
        href = f"../exercises/{master.stem}{suffix}"
        assert f'href="{href}"' in html, f"{page} does not link {href}"
        assert (html_path.parent / href).resolve().is_file(), f"{page}: {href} is not published"


@pytest.mark.slow
def test_every_exercise_link_in_the_site_resolves(book):
    for page in PAGES:
        html_path = book.html / f"{page}.html"
        for href in re.findall(r'href="([^"#?]*exercises/[^"#?]+)"', page_html(book, page)):
            if "://" not in href:
                assert (html_path.parent / href).resolve().is_file(), f"{page}: {href}"


@pytest.mark.slow
def test_each_page_executes_in_under_a_minute(book):
    from jupyter_cache import get_cache

    records = get_cache(book.root / "_build" / ".jupyter_cache").list_cache_records()
    seconds = {
        Path(record.uri).resolve(): float(record.data["execution_seconds"]) for record in records
    }
    for page in PAGES:
        source = source_of(page)
        if "```{code-cell}" not in source.read_text(encoding="utf-8"):
            continue
        built_source = (book.root / source.relative_to(REPO)).resolve()
        assert built_source in seconds, f"{page}: no execution record in the cache"
        assert seconds[built_source] < MAX_KERNEL_SECONDS, (page, seconds[built_source])


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_built_page_is_at_most_400_kb(book, page):
    size = (book.html / f"{page}.html").stat().st_size
    assert size <= MAX_PAGE_BYTES, f"{page}.html is {size // 1024} KB"
