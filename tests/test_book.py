"""The book's structure and its strict build."""

from __future__ import annotations

import re
from pathlib import Path

import altair as alt
import pytest
import yaml

from course import charts

REPO = Path(__file__).resolve().parent.parent
TOC = yaml.safe_load((REPO / "_toc.yml").read_text())
CONFIG = yaml.safe_load((REPO / "_config.yml").read_text())


def toc_files() -> list[str]:
    files = [TOC["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                files.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(TOC.get("parts", []))
    walk(TOC.get("chapters", []))
    return files


def source_of(slug: str) -> Path:
    for suffix in (".md", ".ipynb"):
        if (REPO / (slug + suffix)).exists():
            return REPO / (slug + suffix)
    raise FileNotFoundError(slug)


# Today's slugs are contracts (links from outside rely on them): they stay, under these names.
FIXED_SLUGS = {
    "chapters/intro",
    "chapters/russia-in-washington",
    "chapters/fara-data",
    "chapters/glossary",
    "chapters/references",
    "chapters/instructor-guide",
}


def test_toc_root_and_fixed_slugs():
    assert TOC["format"] == "jb-book"
    assert TOC["root"] == "chapters/intro"
    files = toc_files()
    assert FIXED_SLUGS <= set(files), FIXED_SLUGS - set(files)
    # A new page is welcome without editing this test: a lower-case slug under chapters/, once.
    for slug in files:
        assert re.fullmatch(r"chapters/[a-z0-9]+(?:-[a-z0-9]+)*", slug), slug
    assert len(files) == len(set(files)), "a page is listed twice in _toc.yml"


@pytest.mark.parametrize("slug", toc_files())
def test_toc_file_exists_and_has_a_title(slug):
    text = source_of(slug).read_text(encoding="utf-8")
    body = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)
    assert re.search(r"^# \S", body, flags=re.M), f"{slug} has no '# Title' heading"


def test_chapter_sources_are_myst_notebooks_without_ipynb_pairs():
    for md in (REPO / "chapters").glob("*.md"):
        assert not md.with_suffix(".ipynb").exists(), f"{md.name} has a paired .ipynb"
        text = md.read_text(encoding="utf-8")
        if "```{code-cell}" in text:
            assert text.startswith("---\njupytext:"), f"{md.name} lacks a jupytext header"
            assert "name: python3" in text
            assert "sys.path" not in text and "import *" not in text


def test_every_chapter_file_is_in_the_toc():
    listed = set(toc_files())
    for md in (REPO / "chapters").glob("*.md"):
        assert f"chapters/{md.stem}" in listed, (
            f"{md.name} is not in _toc.yml (it would be dropped)"
        )


def test_config_is_strict_and_offline():
    assert CONFIG["only_build_toc_files"] is True
    assert CONFIG["execute"]["execute_notebooks"] == "cache"
    assert CONFIG["execute"].get("allow_errors", False) is False
    assert CONFIG["execute"]["raise_on_error"] is True
    assert "dollarmath" not in CONFIG["parse"]["myst_enable_extensions"]  # MathJax comes from a CDN
    assert CONFIG["sphinx"]["config"]["nb_execution_raise_on_error"] is True
    for pattern in (".venv", "tests", "exercises", "_build"):
        assert pattern in CONFIG["exclude_patterns"]
    assert CONFIG["launch_buttons"].get("thebe", False) is False
    assert "course.book.site" in CONFIG["sphinx"]["extra_extensions"]


def test_vega_debug_matches_altair_constants():
    assert charts.vega_debug() == {
        "vega_version": alt.VEGA_VERSION,
        "vegalite_version": alt.VEGALITE_VERSION,
        "vegaembed_version": alt.VEGAEMBED_VERSION,
    }


def test_vendored_bundle_versions_match_altair_constants(tmp_path):
    """altair asks for vega major 6, vega-lite 6.4.1, vega-embed major 7 (its constants)."""
    versions = charts.bundle_versions()
    assert versions["vega"].split(".")[0] == alt.VEGA_VERSION.split(".")[0]
    assert versions["vega-embed"].split(".")[0] == alt.VEGAEMBED_VERSION.split(".")[0]
    bundle = charts.write_bundle(tmp_path / "vendor").read_text()
    # The versions are compiled into the bundle itself, not only reported by vl-convert.
    assert f'"{alt.VEGALITE_VERSION}"' in bundle
    assert f'"{versions["vega"]}"' in bundle
    assert "window.vegaEmbed=" in bundle.replace(" ", "")


def test_chart_outputs_carry_a_static_svg_the_spec_and_png():
    chart = alt.Chart(alt.Data(values=[{"x": 1, "y": 2}])).mark_point().encode(x="x:Q", y="y:Q")
    bundle = charts.render(chart.to_dict())
    html = bundle["text/html"]
    assert "<script src" not in html  # the page's chart loader fetches the bundle
    assert 'class="course-chart-static"' in html and 'class="course-chart-spec"' in html
    assert bundle["image/png"].startswith("iVBOR")  # base64 of the PNG signature


def test_static_and_interactive_chart_come_from_one_spec():
    """The page's SVG is vl-convert's drawing of exactly the spec the interactive chart gets;
    a change in the data changes both."""
    rows = [{"x": 1, "y": 2}, {"x": 2, "y": 5}]
    chart = charts.titled(
        alt.Chart(alt.Data(values=rows)).mark_line().encode(x="x:Q", y="y:Q", tooltip=["x:Q"]),
        "A title that names </script> the chart",
        "What a screen reader hears",
    )
    spec = chart.to_dict()
    html, svg = charts.chart_html(spec)
    container = charts.chart_id(spec)
    assert charts.page_specs(html) == {container: spec}
    assert f'<div id="{container}" class="course-chart"' in html and svg in html
    assert svg == charts.static_svg(spec, container)
    # Named by its title, described by its description; every id unique to this chart.
    assert f'aria-labelledby="{container}-title"' in svg
    assert "A title that names &lt;/script&gt; the chart</title>" in svg
    assert f'<desc id="{container}-desc">What a screen reader hears</desc>' in svg
    ids = re.findall(r'\bid="([^"]+)"', svg)
    assert ids and all(i.startswith(container + "-") for i in ids)
    assert all(r.startswith(container + "-") for r in re.findall(r"url\(#([^)]+)\)", svg))
    # Room for the interactive chart: the SVG's height plus the save links' row.
    _, height = charts.svg_size(svg)
    assert f"min-height: {height + charts.ACTIONS_HEIGHT_PX:.0f}px" in html
    # On a book page the SVG becomes a file of its own, shown by an <img> of the same name.
    body, files = charts.externalise_static(html, lambda name: "../_images/" + name)
    assert files == {container + ".svg": svg} and "<svg" not in body
    assert f'<img class="course-chart-static" src="../_images/{container}.svg"' in body
    assert 'alt="A title that names &lt;/script&gt; the chart"' in body
    assert f'aria-describedby="{container}-desc"' in body
    assert charts.page_specs(body) == {container: spec}
    changed = chart.properties(data=alt.Data(values=[*rows, {"x": 3, "y": 9}])).to_dict()
    other_html, other_svg = charts.chart_html(changed)
    assert charts.chart_id(changed) != container and other_svg != svg
    assert charts.page_specs(other_html) == {charts.chart_id(changed): changed}


@pytest.mark.slow
def test_strict_build_from_clean_copy_succeeds(built_book):
    assert built_book.returncode == 0, built_book.log[-6000:]
    assert (built_book.html / "index.html").exists()
    for slug in toc_files():
        assert (built_book.html / f"{slug}.html").exists(), slug
    assert (built_book.html / "_static" / charts.BUNDLE_NAME).exists()
