"""course.charts helpers, course.dates and the exercise block's text (the built page is checked
in test_chapters and test_russia)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import pytest

from course import charts, dates
from course.book.exercise_block import block_text


def test_titled_sets_title_subtitle_description_and_container_width():
    chart = alt.Chart(pd.DataFrame({"x": [1]})).mark_point().encode(x="x:Q")
    description = "A long description of what the chart shows, read out by screen readers too."
    spec = charts.titled(chart, "A title long enough to need two lines", description).to_dict()
    assert spec["description"] == description
    assert spec["width"] == "container"
    assert " ".join(spec["title"]["text"]) == "A title long enough to need two lines"
    assert all(len(line) <= charts.TITLE_WIDTH for line in spec["title"]["text"])
    assert " ".join(spec["title"]["subtitle"]) == description
    assert all(len(line) <= charts.SUBTITLE_WIDTH for line in spec["title"]["subtitle"])


def test_titled_keeps_a_separate_subtitle_and_other_properties():
    chart = alt.Chart(pd.DataFrame({"x": [1]})).mark_point().encode(x="x:Q")
    spec = charts.titled(chart, "T", "For screen readers.", subtitle="Seen", height=200).to_dict()
    assert spec["title"]["subtitle"] == ["Seen"] and spec["description"] == "For screen readers."
    assert spec["height"] == 200


@pytest.mark.parametrize(
    "focus", ["b", ["b"], lambda value: value.startswith("b")], ids=["value", "list", "predicate"]
)
def test_highlight_scale_gives_the_focus_the_highlight_colour_only(focus):
    scale = charts.highlight_scale(["a", "b", "c"], focus).to_dict()
    assert scale["domain"] == ["a", "b", "c"]
    assert scale["range"][1] == charts.HIGHLIGHT
    assert charts.HIGHLIGHT not in (scale["range"][0], scale["range"][2])
    assert scale["range"][0] != scale["range"][2]


def test_highlight_scale_takes_the_other_colours_in_order():
    scale = charts.highlight_scale(["x", "y", "z"], "z", others=["#111111", "#222222"]).to_dict()
    assert scale["range"] == ["#111111", "#222222", charts.HIGHLIGHT]


def test_day_text_and_year_end_or():
    assert dates.day_text("2025-04-10") == "10 April 2025"
    assert dates.day_text(pd.Timestamp("2022-02-01")) == "1 February 2022"
    assert dates.year_end_or("2025-04-10", 2025) == pd.Timestamp("2025-04-10")
    assert dates.year_end_or("2025-04-10", 2021) == pd.Timestamp("2021-12-31")


def test_exercise_block_links_follow_the_page_and_its_slug():
    text = block_text("bush-putin", "chapters/bush-putin", "7.0.0")
    assert '<a href="../exercises/bush-putin.zip">' in text
    assert '<a href="../exercises/bush-putin.ipynb">' in text
    assert "!unzip bush-putin.zip" in text and "otter-grader==7.0.0" in text
    assert "!pip install -r requirements.txt" in text and "README.md" in text
    # The JupyterHub is named only when _config.yml sets one.
    assert "JupyterHub" not in text
    assert "JupyterHub" in block_text("bush-putin", "chapters/bush-putin", "7.0.0", hub=True)
    assert "{doc}`instructor guide </chapters/instructor-guide>`" in text
    assert '<a href="exercises/top.zip">' in block_text("top", "top", "7.0.0")
