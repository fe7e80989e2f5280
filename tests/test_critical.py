"""Critical CSS (course.book.critical): which rules a page keeps inline, and the head rewrite."""

from __future__ import annotations

import re

import pytest

from course.book import critical

NAMES = critical.page_names(
    '<html data-theme="light"><body class="page"><nav id="top" class="bar wide">'
    '<a href="#" class="link">x</a></nav><table aria-label="t"><td>1</td></table></body></html>'
)


@pytest.mark.parametrize(
    ("selector", "kept"),
    [
        (".bar", True),
        ("nav.bar.wide", True),
        ("#top > a.link", True),
        (".sidebar .link", True),  # only the last compound decides: a superset is safe
        (".modal", False),
        ("#missing", False),
        ("video", False),
        (".link:hover", False),
        (".bar:focus-within .link", False),
        ("a::before", True),
        (":root", True),
        ("*", True),
        ("td:not(.absent)", True),
        ("html[data-theme=dark] .page", True),
        ("[data-bs-theme=dark]", False),
        ("table[aria-label]", True),
        (".link:is(.bar, .other)", True),
    ],
)
def test_a_rule_is_kept_when_its_last_compound_can_match(selector, kept):
    assert critical.selector_can_match(selector, NAMES) is kept


PAGE = """<!DOCTYPE html>
<html lang="en" data-theme="auto">
  <head>
    <link href="../_static/styles/theme.css?digest=1" rel="stylesheet" />
    <link rel="stylesheet" type="text/css" href="../_static/extra.css?v=2" />
    <link rel="preload" as="script" href="../_static/theme.js?v=4" />
    <script src="../_static/documentation_options.js?v=3"></script>
    <script>DOCUMENTATION_OPTIONS.pagename = 'chapters/one';</script>
    <script defer="defer" src="../_static/theme.js?v=4"></script>
  </head>
  <body class="page"><p class="lead">Text</p>
    <img alt="Binder logo" src="../_static/images/logo_binder.svg">
    <img alt="A chart" src="../_images/photo.svg">
    <div id="altair-viz-1"><img class="course-chart-static" src="../_images/altair-viz-1.svg"
      width="560" height="300" alt="Rows by year"></div>
    <script async="async" src="../_static/thebe.js"></script>
  </body>
</html>
"""


@pytest.fixture
def site(tmp_path):
    static = tmp_path / "_static"
    (static / "styles").mkdir(parents=True)
    (static / "styles" / "theme.css").write_text(
        '@import "../basic.css";\n.lead { color: red }\n.unused { color: blue }\n'
        ".lead:hover { color: green }\n@media print { .lead { color: black } }\n"
        "@media (min-width: 10px) { .lead { margin: 0 } .gone { margin: 1px } }\n"
    )
    (static / "basic.css").write_text("body.page { background: url(file.png) }\n")
    (static / "extra.css").write_text("p { font-size: 2rem }\n@keyframes spin { to { x: 1 } }\n")
    (static / "documentation_options.js").write_text("const DOCUMENTATION_OPTIONS = {};\n")
    (tmp_path / "chapters").mkdir()
    page = tmp_path / "chapters" / "one.html"
    page.write_text(PAGE)
    return tmp_path, page


def test_a_page_paints_from_its_inline_rules_and_loads_its_sheets_after(site):
    root, page = site
    assert critical.process_site(root, [page]) == 1
    html = page.read_text()
    css = html.split(f'<style id="{critical.STYLE_ID}"', 1)[1].split("</style>", 1)[0]
    # In the sheets' order, @import followed; url() rebased from _static/ to the page's folder.
    assert css.index('body.page{background:url("../_static/file.png")}') < css.index(".lead{")
    assert css.index(".lead{color:red}") < css.index("p{font-size:2rem}")
    assert "@media (min-width: 10px){.lead{margin:0}}" in css
    for absent in (".unused", ":hover", "print", ".gone", "keyframes"):
        assert absent not in css
    # Both sheets load without blocking; with JavaScript off the <noscript> copies block.
    deferred = critical.DEFERRED.format(count=2)
    assert html.count(deferred) == 2
    fallback = html.split(f'<noscript id="{critical.FALLBACK_ID}">', 1)[1].split("</noscript>")[0]
    assert fallback.count('rel="stylesheet"') == 2 and "data-course-deferred" not in fallback
    # The script that switches the sheets on together comes before the first of them.
    assert html.count(critical.SWAP) == 1 and html.index(critical.SWAP) < html.index(deferred)
    # "auto" is settled to light or dark in the head, before the body paints.
    assert html.index(critical.SWAP) < html.index(critical.THEME) < html.index("</head>")
    # The synchronous script runs inline, before the snippet that needs it.
    assert "<script src=" not in html
    assert html.index("const DOCUMENTATION_OPTIONS") < html.index("pagename")
    # Sheets, script files and their preload wait, inert, for the first frame; in order, each
    # where it was. The loader that puts them in place ends the body.
    held = re.findall(r"<template data-course-after-paint>(.*?)</template>", html, re.S)
    assert [re.search(r'(?:href|src)="([^"?]+)', tag).group(1) for tag in held] == [
        "../_static/styles/theme.css",
        "../_static/extra.css",
        "../_static/theme.js",
        "../_static/theme.js",
        "../_static/thebe.js",
    ]
    outside = re.sub(r"<(template|noscript)\b.*?</\1>", "", html, flags=re.S)
    assert not re.search(r'<script [^>]*src=|rel="preload"|<link [^>]*rel="stylesheet"', outside)
    assert html.rstrip().endswith(critical.AFTER_PAINT + "</body>\n</html>")
    # The theme's menu image loads lazily; the page's own images do not.
    assert 'loading="lazy" data-course-lazy="" alt="Binder logo"' in html
    # A chart's static picture waits for the first paint as a lazy image, made eager then.
    assert '<img alt="A chart"' in html
    assert '<img loading="lazy" data-course-eager="" class="course-chart-static"' in html


def test_processing_is_idempotent_and_follows_a_changed_sheet(site):
    root, page = site
    critical.process_site(root, [page])
    once = page.read_text()
    assert critical.process_site(root, [page]) == 0
    assert critical.restore(once) == PAGE
    (root / "_static" / "extra.css").write_text("p { font-size: 3rem }\n")
    assert critical.process_site(root, [page]) == 1
    again = page.read_text()
    assert "p{font-size:3rem}" in again and "2rem" not in again
    assert again.count(f'<style id="{critical.STYLE_ID}"') == 1
    assert again.count(critical.DEFERRED.format(count=2)) == 2
    assert again.count(critical.SWAP) == 1


def test_a_missing_or_broken_sheet_is_named(site):
    root, page = site
    (root / "_static" / "extra.css").unlink()
    with pytest.raises(critical.CriticalCSSError, match=r"extra\.css"):
        critical.process_site(root, [page])


def test_a_page_without_stylesheets_is_left_alone(tmp_path):
    page = tmp_path / "plain.html"
    page.write_text("<html><head></head><body></body></html>")
    assert critical.process_site(tmp_path, [page]) == 0


def test_a_page_that_runs_a_script_file_as_it_parses_keeps_its_deferred_scripts(site):
    """The search page's own searchtools.js runs as it is parsed and uses what the deferred
    scripts define by DOMContentLoaded: there the scripts stay; the sheets still wait."""
    root, page = site
    (root / "_static" / "searchtools.js").write_text("Search.init();\n")
    source = PAGE.replace("</body>", '<script src="../_static/searchtools.js"></script></body>')
    page.write_text(source)
    critical.process_site(root, [page])
    html = page.read_text()
    assert critical.restore(html) == source
    held = re.findall(r"<template data-course-after-paint>(.*?)</template>", html, re.S)
    assert len(held) == 2 and all('rel="stylesheet"' in tag for tag in held)
    assert '<script defer="defer" src="../_static/theme.js?v=4"></script>' in html
    assert '<script src="../_static/searchtools.js"></script>' in html


@pytest.mark.slow
def test_every_built_page_was_processed_against_the_sheets_it_loads(built_book):
    """Processing a built page again changes nothing: its critical CSS came from the final
    stylesheets (the theme rewrites pygments.css late in the build)."""
    from course.book.site import site_pages

    root = built_book.html
    site = critical.Site(root)
    stale = []
    for file in site_pages(root):
        text = file.read_text(encoding="utf-8")
        if critical.process(text, file.relative_to(root).as_posix(), site) != text:
            stale.append(file.relative_to(root).as_posix())
    assert not stale, f"pages whose critical CSS is not from the sheets they load: {stale}"
