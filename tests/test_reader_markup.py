"""Fast checks of the markup repairs course.book.site makes to every page and of the chart embed
options (the browser tests check the built pages themselves)."""

from __future__ import annotations

import json
import re

import altair as alt
import pandas as pd

from course import charts
from course.book import site


def _header_cells(html: str) -> list[str]:
    thead = re.search(r"<thead>.*?</thead>", html, re.S).group(0)
    return re.findall(r"<t([hd])\b[^>]*>(.*?)</t[hd]>", thead, re.S)


def test_unnamed_index_column_gets_header_text():
    html = site.repair_markup(pd.DataFrame({"rows": [1, 2]}).to_html())
    cells = _header_cells(html)
    assert cells[0] == ("h", '<span class="visually-hidden">Row</span>')
    assert all(kind == "h" and text for kind, text in cells)


def test_spacer_cells_beside_an_index_name_become_plain_cells():
    frame = pd.DataFrame({"country": ["RUSSIA"], "active rows": [4]}).set_index("country")
    html = site.repair_markup(frame.to_html())
    cells = _header_cells(html)
    assert ("h", "country") in cells and ("h", "active rows") in cells
    assert [c for c in cells if not c[1]] == [("d", "")]
    assert "<th></th>" not in html


def test_named_headers_are_left_alone():
    html = pd.DataFrame({"a": [1]}).to_html(index=False)
    assert site.repair_markup(html) == html


def test_bibliography_entries_are_list_items_and_toggles_keep_their_text_as_name():
    body = (
        '<div role="list" class="citation-list"><div class="citation" id="id3" '
        'role="doc-biblioentry"><span class="label">[1]</span></div></div>'
        '<details class="hide"><summary aria-label="Toggle hidden content">'
        '<p class="collapsed">Show code cell source</p></summary></details>'
    )
    repaired = site.repair_markup(body)
    assert 'role="listitem"' in repaired and "doc-biblioentry" not in repaired
    assert "<summary>" in repaired and "Toggle hidden content" not in repaired


def test_charts_offer_save_links_and_no_online_editor():
    chart = alt.Chart(pd.DataFrame({"x": [1]})).mark_bar().encode(x="x:Q")
    html = charts.render(chart.to_dict())["text/html"]
    payload = re.search(r'<script type="application/json"[^>]*>(.*?)</script>', html, re.S)
    assert payload, "the chart's spec and embed options are missing from its HTML"
    options = json.loads(payload.group(1))["options"]
    assert options["defaultStyle"] is False
    assert options["actions"]["export"] is True and options["actions"]["editor"] is False
