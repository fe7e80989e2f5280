"""Sphinx hooks for the book (listed in ``_config.yml`` under ``sphinx.extra_extensions``).

- vendors the vega bundle into ``_static`` and sets ``window.VEGA_DEBUG`` in ``<head>`` so
  altair's template draws charts without a CDN;
- publishes the student exercise files (never solutions or autograders) under ``exercises/``,
  and the wheel that lets a downloaded page run (``course.downloads``) under ``downloads/``;
- registers the ``{course-exercises}`` directive (``course.exercise_block``) and re-executes
  the pages after a change under ``data/`` or ``course/`` (``course.freshness``).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from course import charts, downloads
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
    published = []
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


def setup(app):
    app.connect("config-inited", _add_vendor_static)
    # Synchronous, in <head>, before any chart's inline script runs.
    app.add_js_file(
        None, body="window.VEGA_DEBUG = " + json.dumps(charts.vega_debug()) + ";", priority=100
    )
    app.add_js_file(charts.BUNDLE_NAME, priority=101)
    app.connect("html-page-context", _drop_duplicate_scripts, priority=900)
    app.connect("build-finished", _publish)
    app.setup_extension("course.exercise_block")  # the {course-exercises} directive
    app.setup_extension("course.freshness")  # data/ or course/ changed: execute pages again
    return {"parallel_read_safe": True, "parallel_write_safe": True}
