"""The instructor's HTML pages (the class report, the open answers): one self-contained file
that opens from disk, styled for a phone as much as a desktop, with the book's vendored vega
bundle written beside it when the page has charts. Every piece of text from a notebook or a
CSV goes through ``escape``."""

from __future__ import annotations

import html
import json
import shutil
from pathlib import Path

from course import charts
from course.grading.gradebook import write_private

STYLE = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 "DejaVu Sans", Helvetica, Arial, sans-serif;
  color: #1a1a1a; background: #ffffff; }
main { max-width: 56rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.6rem; line-height: 1.25; }
h2 { font-size: 1.3rem; margin-top: 2rem; border-bottom: 1px solid #d0d0d0; }
h3 { font-size: 1.1rem; }
a { color: #0b5394; }
p, li, dd, td { overflow-wrap: break-word; }
h1, h2, h3, h4 { overflow-wrap: anywhere; }
.note { color: #444; font-size: 0.95rem; }
.table-box { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 0.95rem; }
th, td { border: 1px solid #c8c8c8; padding: 0.25rem 0.5rem; text-align: left;
  vertical-align: top; }
th { background: #f0f0f0; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
.answer { white-space: pre-wrap; overflow-wrap: anywhere; font: inherit; margin: 0;
  padding: 0.5rem 0.75rem; background: #f7f7f7; border-left: 4px solid #0072B2; }
.answer.code { font-family: "DejaVu Sans Mono", monospace; font-size: 0.9rem; }
.empty { color: #555; font-style: italic; }
.rubric { background: #fffbea; border: 1px solid #e0d49a; padding: 0.25rem 0.75rem;
  margin: 0.5rem 0 1rem; }
.rubric table { font-size: 0.9rem; }
article.response { margin: 1rem 0 1.5rem; }
article.response h4 { margin: 0 0 0.25rem; font-size: 1rem; }
/* The book's chart rules (course/static/course.css): charts fit their column on a phone. */
.vega-embed { max-width: 100%; flex-wrap: wrap; }
.vega-embed .chart-wrapper { min-width: 0; max-width: 100%; }
.vega-embed .chart-wrapper.fit-x { flex: 1 1 100%; width: 100%; }
.vega-embed .chart-wrapper.fit-y { height: 100%; }
.vega-embed .chart-wrapper > svg, .vega-embed .chart-wrapper > canvas { max-width: 100%;
  height: auto; }
.vega-embed .vega-actions { flex-basis: 100%; display: flex; gap: 1rem; font-size: 0.85rem;
  margin-top: 0.25rem; }
.chart { margin: 1rem 0 1.5rem; }
ul.look li { margin-bottom: 0.75rem; }
/* The open answers: answers and the rubric side by side on a wide screen, the rubric kept in
   view while reading; one column on a phone. */
body.responses main { max-width: 80rem; }
details.prompt { margin: 0.5rem 0 1rem; }
details.prompt summary { cursor: pointer; font-weight: bold; }
@media (min-width: 60rem) {
  .question-body { display: grid; grid-template-columns: minmax(0, 1fr) 24rem; gap: 1.5rem;
    align-items: start; }
  .question-body .rubric { position: sticky; top: 0; max-height: 100vh; overflow-y: auto; }
}
@media (max-width: 30rem) {
  main { padding: 0.75rem; }
  table { font-size: 0.85rem; }
  th, td { padding: 0.2rem 0.3rem; }
}
"""


def escape(text) -> str:
    """Text as HTML: every ``<``, ``>``, ``&`` and quote escaped (notebook text is hostile)."""
    return html.escape(str(text), quote=True)


def table(header: list[str], rows: list[list], numeric: set[int] = frozenset()) -> str:
    """An HTML table of escaped cells, in a box that scrolls on its own on a narrow screen."""
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in header)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="number">{escape(c)}</td>' if i in numeric else f"<td>{escape(c)}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return (
        f'<div class="table-box" tabindex="0" role="region" aria-label="{escape(header[0])} '
        f'table"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'
    )


def chart_html(chart) -> str:
    """An altair chart as the book's offline HTML (drawn by the bundle beside the page)."""
    return f'<div class="chart">{charts.web_html(chart.to_dict())}</div>'


def document(title: str, body: str, with_charts: bool = False) -> str:
    """A whole page: language, viewport, title, the style, and for charts the vega bundle."""
    head = ""
    if with_charts:
        head = (
            f"<script>window.VEGA_DEBUG = {json.dumps(charts.vega_debug())};</script>\n"
            f'<script src="{charts.BUNDLE_NAME}"></script>\n'
        )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n{head}</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


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
