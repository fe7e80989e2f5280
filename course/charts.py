"""Chart defaults for the book: one theme, one offline renderer, one vendored vega bundle.

Every chart output comes from one vega-lite spec. At build time vl-convert draws it as an SVG
that the page shows at once (also with JavaScript off, and in print) inside the chart's
container: inline in the notebook output, moved to a file of its own on the site's pages
(``externalise_static``, called by ``course.book.site``). Beside it sits the spec, which the chart
loader (``static/course-charts.js``, on chart pages only) hands to the locally served vega
bundle (no CDN) once the page has painted; the interactive chart then takes the SVG's place.
A PNG of the same SVG serves the PDF/LaTeX builders.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import textwrap
from collections.abc import Sequence
from pathlib import Path

import altair as alt
import vl_convert

from course import files

# Okabe-Ito: distinguishable with the common forms of colour blindness.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
HIGHLIGHT = "#D55E00"
MUTED = "#B0B0B0"
THEME_NAME = "course"
RENDERER_NAME = "course"
BUNDLE_NAME = "vega-bundle.js"
# The page-side contract between render() and static/course-charts.js: a container div
# (CHART_CLASS, id "altair-viz-...") holding the static SVG (STATIC_CLASS), followed by a JSON
# script (SPEC_CLASS) with the spec and the embed options for the interactive chart.
LOADER_NAME = "course-charts.js"
CHART_CLASS = "course-chart"
STATIC_CLASS = "course-chart-static"
SPEC_CLASS = "course-chart-spec"
# Height of the "Save as SVG / Save as PNG" row under an interactive chart (0.85rem text and
# its margin: 26 px measured in Chromium, 2 px to spare): reserved under the static SVG too,
# so nothing moves when the interactive chart takes its place.
ACTIONS_HEIGHT_PX = 28
# Characters per line of a title and a subtitle that fit a 390-px phone at the theme's sizes.
TITLE_WIDTH = 30
SUBTITLE_WIDTH = 48


def titled(chart, title: str, description: str, subtitle: str | None = None, **properties):
    """Title, subtitle and accessible description in one call; the chart fills its container.

    ``description`` is what a screen reader announces; it is also the subtitle unless
    ``subtitle`` is given. Title and subtitle are wrapped so that they fit a phone screen. ``width``
    defaults to ``"container"`` (the page's text column, 390 px on a phone); other
    ``properties`` (``height`` and so on) pass through to altair.
    """
    heading = textwrap.wrap(title, TITLE_WIDTH)
    lines = textwrap.wrap(subtitle if subtitle is not None else description, SUBTITLE_WIDTH)
    properties.setdefault("width", "container")
    return chart.properties(
        title=alt.Title(heading, subtitle=lines), description=description, **properties
    )


def highlight_scale(domain: Sequence[str], focus, others: Sequence[str] | None = None) -> alt.Scale:
    """Colour scale: the series in focus in ``HIGHLIGHT``, the others in the palette's order.

    ``focus`` is one domain value, a collection of them, or a predicate on a value.
    """
    if callable(focus):
        in_focus = focus
    elif isinstance(focus, str):
        in_focus = focus.__eq__
    else:
        in_focus = set(focus).__contains__
    pool = iter(others if others is not None else [c for c in PALETTE if c != HIGHLIGHT])
    colours = [HIGHLIGHT if in_focus(value) else next(pool) for value in domain]
    return alt.Scale(domain=list(domain), range=colours)


def vega_debug() -> dict[str, str]:
    """The ``window.VEGA_DEBUG`` keys that make altair's template use the local vegaEmbed."""
    return {
        "vega_version": alt.VEGA_VERSION,
        "vegalite_version": alt.VEGALITE_VERSION,
        "vegaembed_version": alt.VEGAEMBED_VERSION,
    }


def bundle_versions() -> dict[str, str]:
    """Versions in vl-convert's bundle: vega and vega-embed as vl-convert reports them, and
    the vega-lite line (major.minor) the bundle is asked for. vl-convert does not report the
    exact vega-lite patch release; the tests look for it in the bundle's text instead."""
    return {
        "vega": vl_convert.get_vega_version(),
        "vega-lite": _vl_version(),
        "vega-embed": vl_convert.get_vega_embed_version(),
    }


def _vl_version() -> str:
    major, minor = alt.VEGALITE_VERSION.split(".")[:2]
    return f"{major}.{minor}"


def javascript_bundle() -> str:
    """vega + vega-lite + vega-embed as one classic script that defines window globals.

    The bundle's top-level names (``_`` among them) would leak into the page's global scope
    and clash with Sphinx's own scripts, so it runs in a strict-mode function scope; only
    the ``window.*`` globals it assigns escape.
    """
    # vl-convert's stub marks ``snippet`` required; the function defaults it to the bundle.
    code = vl_convert.javascript_bundle(vl_version=_vl_version())  # type: ignore[call-arg]
    header = "/* vega bundle from vl-convert " + json.dumps(bundle_versions()) + " */\n"
    return header + '(function () {\n"use strict";\n' + code + "\n})();\n"


def write_bundle(folder: Path) -> Path:
    """Write the bundle into ``folder`` unless an identical one is already there."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / BUNDLE_NAME
    # The stamp sits beside the folder so Sphinx does not publish it as a static file.
    stamp = folder.parent / (folder.name + "-" + BUNDLE_NAME + ".versions.json")
    key = json.dumps(bundle_versions(), sort_keys=True)
    if target.exists() and stamp.exists() and stamp.read_text() == key:
        return target
    files.write_atomic(target, javascript_bundle())
    stamp.write_text(key)
    return target


def theme() -> alt.theme.ThemeConfig:
    """The course theme: readable sizes, the colour-blind-safe palette."""
    return {
        "config": {
            "view": {"continuousWidth": 560, "continuousHeight": 320, "stroke": None},
            "range": {"category": PALETTE},
            "mark": {"color": PALETTE[0]},
            "font": "DejaVu Sans, Helvetica, Arial, sans-serif",
            "title": {"fontSize": 15, "anchor": "start", "subtitleColor": "#555"},
            "axis": {"labelFontSize": 12, "titleFontSize": 13, "gridColor": "#e6e6e6"},
            "legend": {"labelFontSize": 12, "titleFontSize": 13},
        }
    }


_html = alt.utils.display.HTMLRenderer(
    mode="vega-lite",
    template="universal",
    vega_version=alt.VEGA_VERSION,
    vegaembed_version=alt.VEGAEMBED_VERSION,
    vegalite_version=alt.VEGALITE_VERSION,
)


# vega-embed's default action menu is a <summary> with no accessible name, and its "View
# Source" / "Open in Vega Editor" entries leave the book (the editor is an online site). The
# book shows plain "Save as SVG" / "Save as PNG" links under each chart instead.
EMBED_OPTIONS = {
    "defaultStyle": False,
    "actions": {"export": True, "source": False, "compiled": False, "editor": False},
}


def web_html(spec: dict, **metadata) -> str:
    """The offline HTML of one chart (drawn by the vendored bundle, never a CDN), with the
    book's embed options; for pages outside the book (the instructor's class report)."""
    metadata["embed_options"] = {**EMBED_OPTIONS, **metadata.get("embed_options", {})}
    return _html(spec, **metadata)["text/html"]


def chart_id(spec: dict) -> str:
    """The container id of a chart: altair's ``altair-viz-`` prefix and a hash of its spec."""
    digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()
    return "altair-viz-" + digest[:16]


def title_text(spec: dict) -> str:
    """A spec's title as one line of text (altair titles may be a list of wrapped lines)."""
    title = spec.get("title", "")
    if isinstance(title, dict):
        title = title.get("text", "")
    if isinstance(title, list):
        title = " ".join(title)
    return str(title)


_SVG_ID = re.compile(r'\bid="([^"]+)"')
_SVG_REF = re.compile(r"url\(#([^)]+)\)")
_SVG_SIZE = re.compile(r'<svg\b[^>]*?\bwidth="([\d.]+)"[^>]*?\bheight="([\d.]+)"')


def static_svg(spec: dict, container: str) -> str:
    """The chart as drawn by vl-convert, ready to sit inline in its ``container`` div.

    vl-convert numbers its clip paths from 1 in every chart, so the ids get the container's id
    as a prefix (several charts share one page). The SVG is an image named by the chart's title
    and described by its description; a chart sized to its container gets the theme's width.
    """
    svg = vl_convert.vegalite_to_svg(spec, vl_version=_vl_version())
    svg = _SVG_ID.sub(lambda m: f'id="{container}-{m.group(1)}"', svg)
    svg = _SVG_REF.sub(lambda m: f"url(#{container}-{m.group(1)})", svg)
    title, description = title_text(spec), spec.get("description", "")
    head_end = svg.index(">") + 1
    head = re.sub(r'\bclass="([^"]*)"', "", svg[:head_end])
    named = f'<svg class="{STATIC_CLASS}" role="img" aria-labelledby="{container}-title"'
    label = f'<title id="{container}-title">{html.escape(title or description)}</title>'
    if description:
        named += f' aria-describedby="{container}-desc"'
        label += f'<desc id="{container}-desc">{html.escape(description)}</desc>'
    return named + head[4:] + label + svg[head_end:]


def svg_size(svg: str) -> tuple[float, float]:
    """(width, height) in px from an SVG's root element."""
    found = _SVG_SIZE.search(svg)
    if not found:
        raise ValueError("the chart's SVG has no width and height: " + svg[:200])
    return float(found.group(1)), float(found.group(2))


def chart_html(spec: dict, embed_options: dict | None = None) -> tuple[str, str]:
    """(page HTML, static SVG) of one chart, both from ``spec``: the container with the SVG
    inline, and the spec as JSON for the loader to draw the interactive chart from.

    The container keeps the height of the SVG plus the save links' row, so the interactive
    chart (the same height at any width, the text column's width) moves nothing below it.
    """
    container = chart_id(spec)
    svg = static_svg(spec, container)
    _, height = svg_size(svg)
    options = {"mode": "vega-lite", **EMBED_OPTIONS, **(embed_options or {})}
    # "<" escaped: the JSON sits in a <script> element, which a "</script>" in a label would end.
    payload = json.dumps({"spec": spec, "options": options}).replace("<", "\\u003c")
    page = (
        f'<div id="{container}" class="{CHART_CLASS}" '
        f'style="min-height: {height + ACTIONS_HEIGHT_PX:.0f}px">{svg}</div>\n'
        f'<script type="application/json" class="{SPEC_CLASS}" data-chart="{container}">'
        f"{payload}</script>\n"
    )
    return page, svg


_INLINE_STATIC = re.compile(
    rf'(<div id="(altair-viz-[0-9a-f]+)" class="{CHART_CLASS}"[^>]*>)'
    rf'(<svg class="{STATIC_CLASS}".*?</svg>)</div>',
    re.S,
)
_SVG_TITLE = re.compile(r"<title\b[^>]*>(.*?)</title>", re.S)
_SVG_DESC = re.compile(r"<desc\b[^>]*>(.*?)</desc>", re.S)


def externalise_static(page: str, src_for) -> tuple[str, dict[str, str]]:
    """Move each chart's inline static SVG out of a page body into a file of its own.

    Returns the body, each SVG replaced by an ``<img>`` of ``src_for(file name)`` with its
    size, the title as alternative text and the description beside it (visually hidden), and
    the SVGs by file name (``<chart id>.svg``) for the caller to write. Keeps pages small.
    """
    files = {}

    def replace(match: re.Match) -> str:
        opening, container, svg = match.groups()
        name = container + ".svg"
        files[name] = svg
        width, height = svg_size(svg)
        title = _SVG_TITLE.search(svg)
        desc = _SVG_DESC.search(svg)
        img = (
            f'<img class="{STATIC_CLASS}" src="{src_for(name)}" width="{width:.0f}" '
            f'height="{height:.0f}" alt="{title.group(1) if title else ""}"'
        )
        if desc:
            img += (
                f' aria-describedby="{container}-desc"><span class="{STATIC_CLASS} '
                f'visually-hidden" id="{container}-desc">{desc.group(1)}</span'
            )
        return opening + img + "></div>"

    return _INLINE_STATIC.sub(replace, page), files


_SPEC_SCRIPT = re.compile(
    rf'<script type="application/json" class="{SPEC_CLASS}" data-chart="([^"]+)">(.*?)</script>',
    re.S,
)
_EMPTY_DIV = re.compile(r'<div id="(altair-viz-[0-9a-f]+)"></div>')


def page_specs(page: str) -> dict[str, dict]:
    """The vega-lite spec of every chart in a page's HTML, by its container's id: the book's
    charts (``chart_html``) and those of altair's own template (``web_html``)."""
    specs = {m.group(1): json.loads(m.group(2))["spec"] for m in _SPEC_SCRIPT.finditer(page)}
    decoder = json.JSONDecoder()
    for match in _EMPTY_DIV.finditer(page):
        call = page.find("})(", match.end())
        if call == -1:
            raise ValueError(f"no vegaEmbed call after {match.group(1)}")
        specs[match.group(1)], _ = decoder.raw_decode(page, call + 3)
    return specs


def render(spec: dict, **metadata) -> dict[str, str]:
    """Mime bundle for one chart: the page's HTML (static SVG, then interactive), and a PNG of
    the same SVG for PDF builders."""
    page, svg = chart_html(spec, metadata.get("embed_options"))
    png = vl_convert.svg_to_png(svg, scale=2)
    return {"text/html": page, "image/png": base64.b64encode(png).decode("ascii")}


def setup() -> None:
    """Register and enable the course theme and renderer (idempotent)."""
    alt.theme.register(THEME_NAME, enable=True)(theme)
    alt.renderers.register(RENDERER_NAME, render)
    alt.renderers.enable(RENDERER_NAME)


setup()
