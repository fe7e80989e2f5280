"""The instructor's HTML pages (the class report, the open answers): one self-contained file
that opens from disk, styled for a phone as much as a desktop, with the book's vendored vega
bundle written beside it when the page has charts. Pages are Jinja2 templates
(``course/grading/templates``) rendered with autoescaping: text from a notebook, a file name or
a CSV is escaped wherever it lands, and only HTML this code made itself is marked safe."""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path
from urllib.parse import quote

from markupsafe import Markup

from course import charts
from course.grading.gradebook import write_private

TEMPLATES = Path(__file__).resolve().parent / "templates"


@cache
def environment():
    """The templates' Jinja2 environment: autoescaping on everywhere, undefined names fail."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["file_href"] = file_href
    return env


def render(template: str, **context) -> str:
    """A page from its template; every value is escaped unless it is ``Markup``."""
    return environment().get_template(template).render(**context)


def file_href(path: str) -> str:
    """A relative link to a file: every character but ``/`` percent-encoded, starting with
    ``./`` or ``../``, so no file name can become a ``javascript:`` (or any other) scheme."""
    quoted = quote(str(path), safe="/")
    return quoted if quoted.startswith("../") else "./" + quoted


def chart_html(chart) -> Markup:
    """An altair chart as the book's offline HTML (drawn by the bundle beside the page): made
    here from a spec of scores and question names, never from submitted text."""
    return Markup(charts.web_html(chart.to_dict()))


def chart_head() -> dict:
    """What a page with charts puts in its head: the vega debug flag and the bundle's name."""
    return {"vega_debug": charts.vega_debug(), "bundle": charts.BUNDLE_NAME}


def write_page(path: Path, text: str, with_charts: bool = False) -> Path:
    """Write the page atomically; a page with charts gets the vega bundle beside it (the
    same file the book serves, built once into ``_build/vendor``)."""
    from course.paths import BUILD_DIR

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if with_charts:
        bundle = charts.write_bundle(BUILD_DIR / "vendor")
        target = path.parent / charts.BUNDLE_NAME
        if not target.exists() or target.read_bytes() != bundle.read_bytes():
            shutil.copyfile(bundle, target)
    return write_private(path, text)
