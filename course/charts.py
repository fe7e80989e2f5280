"""Chart defaults for the book: one theme, one offline renderer, one vendored vega bundle.

Every chart output carries two representations: HTML that draws with the locally served
vega bundle (no CDN), and a PNG from vl-convert for the PDF/LaTeX builders.
"""

from __future__ import annotations

import base64
import json
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


def render(spec: dict, **metadata) -> dict[str, str]:
    """Mime bundle for one chart: offline HTML for the web page, PNG for PDF builders."""
    metadata["embed_options"] = {**EMBED_OPTIONS, **metadata.get("embed_options", {})}
    bundle = dict(_html(spec, **metadata))
    png = vl_convert.vegalite_to_png(spec, scale=2, vl_version=_vl_version())
    bundle["image/png"] = base64.b64encode(png).decode("ascii")
    return bundle


def setup() -> None:
    """Register and enable the course theme and renderer (idempotent)."""
    alt.theme.register(THEME_NAME, enable=True)(theme)
    alt.renderers.register(RENDERER_NAME, render)
    alt.renderers.enable(RENDERER_NAME)


setup()
