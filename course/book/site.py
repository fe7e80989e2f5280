"""Sphinx hooks for the book (listed in ``_config.yml`` under ``sphinx.extra_extensions``).

- vendors the vega bundle into ``_static`` and gives pages with a chart (only those) the chart
  loader, deferred, which fetches the bundle after the page has painted (``course.charts``);
- publishes the student exercise files (never solutions or autograders) under ``exercises/``,
  and the wheel that lets a downloaded page run (``course.book.downloads``) under ``downloads/``;
- registers the ``{course-exercises}`` directive (``course.book.exercise_block``) and re-executes
  the pages after a change under ``data/`` or ``course/`` (``course.book.freshness``);
- paints pages at once: each page's critical CSS inline, the theme's stylesheets loaded after
  (``course.book.critical``);
- serves readers: the course stylesheet (charts that fit phones, dark mode, print), a favicon,
  template overrides with accessible names, and markup repairs (bibliography roles, header text
  for table index columns) in each page's body.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from course import charts
from course.book import critical, downloads
from course.paths import BUILD_DIR


def _build_dir(app) -> Path:
    """``_build`` of this build: the parent of ``_build/html`` (follows ``--path-output``)."""
    return Path(app.outdir).parent


def _add_vendor_static(app, config) -> None:
    vendor = _build_dir(app) / "vendor"
    charts.write_bundle(vendor)
    config.html_static_path = [*config.html_static_path, str(vendor)]


def publish_student_files(student_dir: Path, html_dir: Path) -> list[Path]:
    """Copy student notebooks and zips (only those) into ``html_dir/exercises``."""
    published: list[Path] = []
    if not student_dir.is_dir():
        return published
    target = html_dir / "exercises"
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(student_dir.iterdir()):
        if path.suffix in {".ipynb", ".zip"}:
            shutil.copy2(path, target / path.name)
            published.append(target / path.name)
    return published


def student_dir_for(app) -> Path:
    """Student files beside this build's html, else those of the repository's ``_build``."""
    beside = _build_dir(app) / "exercises" / "student"
    return beside if beside.is_dir() else BUILD_DIR / "exercises" / "student"


def _publish(app, exception) -> None:
    if exception is None and app.builder.format == "html":
        publish_student_files(student_dir_for(app), Path(app.outdir))
        downloads.publish(
            Path(app.outdir),
            app.config.html_baseurl,
            app.config.html_theme_options.get("repository_url", ""),
            root=Path(app.srcdir),
        )


def _drop_duplicate_scripts(app, pagename, templatename, context, doctree) -> None:
    # Jupyter Book 1 registers sphinx-thebe/togglebutton snippets twice; a second `const`
    # declaration of the same name throws in the browser.
    seen, unique = set(), []
    for script in context.get("script_files", []):
        key = (
            str(getattr(script, "filename", script) or ""),
            getattr(script, "attributes", {}).get("body", ""),
        )
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"][:] = unique


COURSE_STATIC = Path(__file__).parent / "static"
COURSE_TEMPLATES = Path(__file__).parent / "templates"
STYLESHEET = "course.css"


def _add_reader_assets(app, config) -> None:
    # Templates listed first win over the theme's components of the same name.
    config.templates_path = [str(COURSE_TEMPLATES), *config.templates_path]
    config.html_static_path = [*config.html_static_path, str(COURSE_STATIC)]
    if not config.html_favicon:
        config.html_favicon = str(COURSE_STATIC / "favicon.svg")
    # Without a default mode the theme reads "" and logs "Got invalid theme mode" on every page.
    config.html_context = {"default_mode": "auto", **config.html_context}


_THEAD = re.compile(r"<thead>.*?</thead>", re.S)
_ROW = re.compile(r"<tr\b[^>]*>.*?</tr>", re.S)
_HEADER_CELL = re.compile(r"<th\b([^>]*)>(.*?)</th>", re.S)
_TAG = re.compile(r"<[^>]+>")


def _label_empty_header_cells(thead: str) -> str:
    """Give a table's empty header cells a meaning: the corner cell above the row labels (the
    index column of a pandas table) is named "Row" for screen readers; any other empty header
    cell (pandas' spacer cells beside an index name) is a plain cell, not a header."""

    def row(match: re.Match) -> str:
        position = 0

        def cell(cell_match: re.Match) -> str:
            nonlocal position
            position += 1
            attrs, content = cell_match.groups()
            if _TAG.sub("", content).strip():
                return cell_match.group(0)
            if position == 1:
                label = '<span class="visually-hidden">Row</span>'
                return f"<th{attrs}>{label}{content}</th>"
            return f"<td{attrs}>{content}</td>"

        return _HEADER_CELL.sub(cell, match.group(0))

    return _ROW.sub(row, thead)


def repair_markup(body: str) -> str:
    """Markup fixes for a page body: docutils marks bibliography entries with the deprecated
    ``doc-biblioentry`` role inside a ``role="list"`` container, which needs list items;
    myst-nb labels its "Show code cell source" toggles "Toggle hidden content", a name that
    lacks their visible text (their text is name enough); empty table header cells get header
    text (see ``_label_empty_header_cells``)."""
    body = body.replace('role="doc-biblioentry"', 'role="listitem"')
    body = body.replace('<summary aria-label="Toggle hidden content">', "<summary>")
    return _THEAD.sub(lambda m: _label_empty_header_cells(m.group(0)), body)


def _repair_page(app, pagename, templatename, context, doctree) -> None:
    if "body" in context:
        context["body"] = repair_markup(context["body"])


def _drop_unused_mathjax(app, pagename, templatename, context, doctree) -> None:
    # jupyter-book loads MathJax (from a CDN) on every singlehtml page; the print edition is
    # built offline and, with no equation anywhere in the book, has no use for it.
    if app.builder.name != "singlehtml":
        return
    if any(app.env.domaindata.get("math", {}).get("has_equations", {}).values()):
        return
    mathjax = app.config.mathjax_path
    scripts = context.get("script_files", [])
    scripts[:] = [s for s in scripts if str(getattr(s, "filename", s) or "") != mathjax]


CHART_IMAGES = "_images"


def _add_chart_loader(app, pagename, templatename, context, doctree) -> None:
    # The print edition (singlehtml) keeps the static SVGs inline and loads no chart script.
    if app.builder.name == "singlehtml" or f'class="{charts.CHART_CLASS}"' not in context.get(
        "body", ""
    ):
        return
    # Each static SVG becomes a file beside the page (pages stay small; the browser fetches
    # it at once, before any script); called during html-page-context, add_js_file adds the
    # chart loader to this page only.
    folder = Path(app.outdir) / CHART_IMAGES
    body, files = charts.externalise_static(
        context["body"], lambda name: context["pathto"](f"{CHART_IMAGES}/{name}", 1)
    )
    folder.mkdir(parents=True, exist_ok=True)
    for name, svg in files.items():
        (folder / name).write_text(svg, encoding="utf-8")
    context["body"] = body
    app.add_js_file(charts.LOADER_NAME, loading_method="defer")


# Scripts that code runs against before the page is parsed: inline snippets set
# ``DOCUMENTATION_OPTIONS.pagename``, and the search page's own synchronous searchtools.js calls
# doctools' ``_ready``. These stay synchronous; every other script file waits for the parse.
SYNCHRONOUS_SCRIPTS = {"_static/documentation_options.js", "_static/doctools.js"}


def _defer_scripts(app, pagename, templatename, context, doctree) -> None:
    # The theme's and extensions' scripts (copy buttons, toggles, tabs, search) act on a parsed
    # page; loaded synchronously in <head> they hold the first paint back (issue 25).
    for script in context.get("script_files", []):
        filename = str(getattr(script, "filename", "") or "")
        attributes = getattr(script, "attributes", None)
        if not filename or attributes is None or filename in SYNCHRONOUS_SCRIPTS:
            continue
        if "async" not in attributes and "defer" not in attributes:
            attributes["defer"] = "defer"


def site_pages(outdir: Path) -> list[Path]:
    """The site's pages: every HTML file outside the ``_static``-like folders."""
    return [
        path
        for path in sorted(outdir.rglob("*.html"))
        if not path.relative_to(outdir).parts[0].startswith("_")
    ]


def _inline_critical_css(app, exception) -> None:
    # After every page is written: each paints from its inline critical CSS, the theme's sheets
    # load without blocking (course.book.critical). Not the print edition (singlehtml), which
    # prints once everything has loaded anyway.
    if exception is None and app.builder.name == "html":
        outdir = Path(app.outdir)
        critical.process_site(outdir, site_pages(outdir))


def setup(app):
    app.connect("config-inited", _add_vendor_static)
    app.connect("html-page-context", _add_chart_loader)
    app.connect("html-page-context", _defer_scripts, priority=950)
    app.connect("html-page-context", _drop_duplicate_scripts, priority=900)
    app.connect("build-finished", _publish)
    # After the theme's own build-finished handlers (priority 500): pydata-sphinx-theme rewrites
    # pygments.css there, and the critical CSS must come from the sheet the pages will load.
    app.connect("build-finished", _inline_critical_css, priority=900)
    app.setup_extension("course.book.exercise_block")  # the {course-exercises} directive
    app.connect("config-inited", _add_reader_assets)
    app.add_css_file(STYLESHEET)
    app.connect("html-page-context", _repair_page)
    app.connect("html-page-context", _drop_unused_mathjax, priority=900)
    app.setup_extension("course.book.freshness")  # data/ or course/ changed: execute pages again
    return {"parallel_read_safe": True, "parallel_write_safe": True}
