"""The class report's statistics and page (``course grade --report``), on small hand-computable
classes; the page in a real browser is in tests/browser/test_grading_pages.py, and the report of
a real graded class in tests/test_grading.py (test_a_class_of_real_notebooks)."""

from __future__ import annotations

import math
import re

import pytest

from course.grading.classrun import GradeRow
from course.grading.gradebook import Student
from course.grading.report import (
    INDEX_NAME,
    item_rest_correlation,
    needs_a_look,
    question_stats,
    report_html,
    score_bins,
)
from tests.browser.conftest import chart_specs

POSSIBLE = {"q1": 1.0, "q2": 3.0, "q3": 2.0}


def class_rows() -> list[GradeRow]:
    """Four graded rows: q1 = 1,0,1,0; q2 = 3,1,2,2; q3 = 2 for everyone (no variance)."""
    rows = [
        GradeRow(f"s{i}.ipynb", "ok", {"q1": q1, "q2": q2, "q3": 2.0}, "")
        for i, (q1, q2) in enumerate([(1.0, 3.0), (0.0, 1.0), (1.0, 2.0), (0.0, 2.0)])
    ]
    rows[0].manual = {"q6": 4.0}
    rows[1].manual = {"q6": 1.0}
    return rows + [
        GradeRow("dead.ipynb", "error", {}, "the kernel died"),
        GradeRow("copy.ipynb", "ok", {"q1": 1.0, "q2": 3.0, "q3": 2.0}, "", ["duplicate"]),
    ]


def test_corrected_item_total_correlation_by_hand():
    # x = 1,0,1,0 and y = 3,1,2,2: deviations (.5,-.5,.5,-.5) and (1,-1,0,0), so
    # sxy = 1, sxx = 1, syy = 2 and r = 1 / sqrt(2).
    assert item_rest_correlation([1, 0, 1, 0], [3, 1, 2, 2]) == pytest.approx(1 / math.sqrt(2))
    assert item_rest_correlation([0, 1, 2], [2, 1, 0]) == pytest.approx(-1)
    with pytest.raises(ValueError):
        item_rest_correlation([1, 0], [1])


def test_no_variance_or_too_few_submissions_has_no_index():
    assert item_rest_correlation([2, 2, 2], [1, 5, 3]) is None  # everyone the same score
    assert item_rest_correlation([1, 0, 1], [4, 4, 4]) is None  # the rest is constant
    assert item_rest_correlation([0.1, 0.1, 0.1], [1, 2, 3]) is None  # a float mean's residue
    assert item_rest_correlation([1], [3]) is None
    assert item_rest_correlation([], []) is None


def test_question_stats_count_graded_rows_and_merged_rubric_scores():
    rows = class_rows()[:4]  # the four rows of the hand computation
    stats = {s.question: s for s in question_stats(rows, POSSIBLE, {"q6": 4.0})}
    # q1's rest is q2 + q3 = (5, 3, 4, 4): q3 is constant, so r is the same as with q2 alone.
    assert stats["q1"].discrimination == pytest.approx(1 / math.sqrt(2))
    assert stats["q2"].discrimination == pytest.approx(1 / math.sqrt(2))
    assert (stats["q1"].count, stats["q1"].mean, stats["q1"].full_share) == (4, 0.5, 0.5)
    assert (stats["q2"].mean, stats["q2"].full_share) == (2.0, 0.25)
    assert (stats["q3"].mean, stats["q3"].full_share, stats["q3"].discrimination) == (2, 1, None)
    # The open-ended q6 only over the rows scored: 4 and 1 against totals 6 and 3.
    assert (stats["q6"].kind, stats["q6"].count, stats["q6"].mean) == ("manual", 2, 2.5)
    assert stats["q6"].discrimination == pytest.approx(1.0)
    # A row that could not be graded is not a zero in the statistics.
    with_error = question_stats(class_rows()[:5], POSSIBLE, {})
    assert [s.count for s in with_error] == [4, 4, 4]


def test_rows_that_need_a_look():
    rows = class_rows() + [
        GradeRow("slow.ipynb", "timeout", {"q1": 1.0}, "stopped after 30 s"),
        GradeRow("absent", "missing", {}, "nothing submitted"),
        GradeRow("zips/x.zip", "unreadable", {}, "the zip holds no notebook"),
        GradeRow("ok-but-late.zip", "ok", {"q1": 1.0}, "", ["late"]),
        GradeRow("trusted.ipynb", "ok", {"q1": 1.0}, "", ["unsandboxed"]),
    ]
    assert [row.submission for row in needs_a_look(rows)] == [
        "dead.ipynb",
        "copy.ipynb",
        "slow.ipynb",
        "absent",
        "zips/x.zip",
        "ok-but-late.zip",
    ]


def test_report_page_names_its_index_escapes_text_and_has_two_charts():
    rows = class_rows()[:5]  # the hand-computed four and the row that could not be graded
    rows[4].message = "<script>alert('x')</script> & more"
    rows[4].student = Student("s9", "<b>Eve</b>", "eve@example.org", "dead.ipynb")
    page = report_html(rows, "russia-in-washington", POSSIBLE, {"q6": 4.0, "q7": 3.0})
    assert INDEX_NAME in page
    assert "<script>alert" not in page and "&lt;script&gt;alert(&#39;x&#39;)" in page
    assert "&lt;b&gt;Eve&lt;/b&gt; (s9)" in page
    # q3 has no variance and q7 no merged score: both read n/a, never a number.
    q3 = re.search(r"<tr><td>q3</td>.*?</tr>", page).group(0)
    q7 = re.search(r"<tr><td>q7</td>.*?</tr>", page).group(0)
    assert q3.endswith('<td class="number">n/a</td></tr>')
    assert q7.count("n/a") == 3
    assert '<td class="number">0.71</td>' in page  # q1 and q2: 1 / sqrt(2)
    # Status counts: every status, zeros included.
    assert '<tr><td>timeout</td><td class="number">0</td></tr>' in page
    assert '<tr><td>error</td><td class="number">1</td></tr>' in page
    specs = chart_specs(page)
    assert len(specs) == 2 and all(spec.get("description") for spec in specs.values())
    # Offline: the only script source is the bundle beside the page; no CDN, no other host.
    assert re.findall(r'<script src="([^"]+)"', page) == ["vega-bundle.js"]
    assert "window.VEGA_DEBUG" in page


def test_score_distribution_ends_at_the_maximum():
    """One bar per whole score from 0 to a 14-point maximum (none for 15), full marks counted;
    otherwise 20 bins ending at the maximum, the last one closed."""
    bars, discrete = score_bins([14.0, 14.0, 3.0, 0.0], 14.0)
    assert discrete and [b["score"] for b in bars] == list(range(15))
    assert (bars[-1]["count"], bars[3]["count"], bars[0]["count"]) == (2, 1, 1)
    bars, discrete = score_bins([10.0, 9.5, 0.0], 10.0)
    assert not discrete and len(bars) == 20 and bars[-1]["end"] == 10.0
    assert bars[-1]["count"] == 2 and bars[0]["count"] == 1  # 9.5 and 10 share the last bin
    rows = [GradeRow(f"s{i}", "ok", {"q1": score}, "") for i, score in enumerate([14.0, 7.0])]
    specs = chart_specs(report_html(rows, "x", {"q1": 14.0}, {}))
    values = [
        v["score"]
        for spec in specs.values()
        for d in spec.get("datasets", {}).values()
        for v in d
        if "score" in v
    ]
    assert max(values) == 14 and 15 not in values
