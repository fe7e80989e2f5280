"""The class report (``course grade --report report.html``): the score distribution, how each
question went (mean, share of full marks, discrimination), the status counts and the
submissions that need a look, on one page that opens offline from disk."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from course.grading.gradebook import MISSING
from course.grading.pages import chart_head, chart_html, render, write_page
from course.grading.result import STATUSES, UNSANDBOXED

# Statuses whose rows the instructor must read: not graded, or graded only in part.
LOOK_STATUSES = ("error", "timeout", "unreadable", MISSING)
INDEX_NAME = "corrected item-total correlation"


def item_rest_correlation(item: list[float], rest: list[float]) -> float | None:
    """Pearson correlation of a question's scores with the rest of each total; None when
    fewer than two submissions or when either side has no variance."""
    if len(item) != len(rest):
        raise ValueError("one rest score per item score")
    n = len(item)
    if n < 2:
        return None
    mean_item, mean_rest = sum(item) / n, sum(rest) / n
    sxx = sum((x - mean_item) ** 2 for x in item)
    syy = sum((y - mean_rest) ** 2 for y in rest)
    sxy = sum((x - mean_item) * (y - mean_rest) for x, y in zip(item, rest, strict=True))
    # A float mean leaves a rounding residue on constant scores: that is still no variance.
    if sxx <= 1e-12 * max(1.0, sum(x * x for x in item)):
        return None
    if syy <= 1e-12 * max(1.0, sum(y * y for y in rest)):
        return None
    return max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))


@dataclass
class QuestionStats:
    question: str
    kind: str  # "auto" or "manual"
    points: float
    count: int  # graded submissions the figures are over
    mean: float | None
    full_share: float | None
    discrimination: float | None


def graded(row) -> bool:
    """Rows with scores to count (as in the grades CSV: ok, or a timeout that kept answers)."""
    return row.status == "ok" or bool(row.scores)


def question_stats(rows, possible: dict[str, float], manual_possible: dict[str, float]):
    """One ``QuestionStats`` per question: auto-graded over the graded rows, open-ended over
    the rows whose rubric score is merged."""
    stats = []
    scored = [row for row in rows if graded(row)]
    for question, points in possible.items():
        item = [row.scores.get(question, 0.0) for row in scored]
        rest = [row.total() - score for row, score in zip(scored, item, strict=True)]
        stats.append(_stats(question, "auto", points, item, rest))
    for question, points in manual_possible.items():
        merged = [row for row in scored if question in row.manual]
        item = [row.manual[question] for row in merged]
        stats.append(_stats(question, "manual", points, item, [row.total() for row in merged]))
    return stats


def _stats(question, kind, points, item, rest) -> QuestionStats:
    if not item:
        return QuestionStats(question, kind, points, 0, None, None, None)
    return QuestionStats(
        question,
        kind,
        points,
        len(item),
        sum(item) / len(item),
        sum(score >= points for score in item) / len(item),
        item_rest_correlation(item, rest),
    )


def needs_a_look(rows) -> list:
    """Rows not graded in full (error, timeout, unreadable, missing) or flagged (duplicate,
    unmatched, late, version_mismatch...); ``unsandboxed`` alone marks the whole run, not a row."""
    return [
        row
        for row in rows
        if row.status in LOOK_STATUSES or [f for f in row.flags if f != UNSANDBOXED]
    ]


def _number(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _share(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def score_bins(scores: list[float], maximum: float) -> tuple[list[dict], bool]:
    """(bars, discrete): with whole-number scores and at most 40 points, one bar per score from
    0 to the maximum; otherwise 20 bins of equal width from 0 to the maximum, the last one
    closed, so a full score is counted and no bin runs past the maximum."""
    if maximum <= 40 and float(maximum).is_integer() and all(float(x).is_integer() for x in scores):
        counts = Counter(int(x) for x in scores)
        return [{"score": k, "count": counts.get(k, 0)} for k in range(int(maximum) + 1)], True
    width = maximum / 20 if maximum > 0 else 1.0
    counts = Counter(min(int(x // width), 19) for x in scores)
    bars = [
        {"start": k * width, "end": (k + 1) * width, "count": counts.get(k, 0)} for k in range(20)
    ]
    return bars, False


def distribution_chart(rows, maximum: float):
    import altair as alt
    import pandas as pd

    from course import charts

    scores = [row.total() for row in rows if graded(row)]
    bars, discrete = score_bins(scores, maximum)
    frame = pd.DataFrame(bars)
    title = f"auto-graded score (of {maximum:g})"
    y = alt.Y("count:Q", title="submissions", axis=alt.Axis(tickMinStep=1))
    if discrete:
        chart = (
            alt.Chart(frame)
            .mark_bar()
            .encode(
                x=alt.X("score:O", title=title, axis=alt.Axis(labelAngle=0)),
                y=y,
                tooltip=[alt.Tooltip("score:O"), alt.Tooltip("count:Q", title="submissions")],
            )
        )
    else:
        chart = (
            alt.Chart(frame)
            .mark_bar()
            .encode(
                x=alt.X(
                    "start:Q",
                    scale=alt.Scale(domain=[0, maximum]),
                    axis=alt.Axis(format="~g"),
                    title=title,
                ),
                x2="end:Q",
                y=y,
                tooltip=[
                    alt.Tooltip("start:Q", title="from", format="~g"),
                    alt.Tooltip("end:Q", title="to", format="~g"),
                    alt.Tooltip("count:Q", title="submissions"),
                ],
            )
        )
    return charts.titled(
        chart,
        "Score distribution",
        f"How many graded submissions earned each auto-graded score, out of {maximum:g} "
        f"points ({len(scores)} submissions).",
        height=220,
    )


def question_chart(stats: list[QuestionStats]):
    import altair as alt
    import pandas as pd

    from course import charts

    mean_label, full_label = "mean score (share of points)", "full marks (share of submissions)"
    records = []
    for s in stats:
        if s.count and s.points and s.mean is not None:
            records.append(
                {"question": s.question, "measure": mean_label, "value": s.mean / s.points}
            )
            records.append({"question": s.question, "measure": full_label, "value": s.full_share})
    frame = pd.DataFrame(records, columns=["question", "measure", "value"])
    order = [s.question for s in stats]
    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("question:N", sort=order, title=None),
            yOffset=alt.YOffset("measure:N", sort=[mean_label, full_label]),
            x=alt.X(
                "value:Q", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%"), title=None
            ),
            color=alt.Color(
                "measure:N",
                sort=[mean_label, full_label],
                title=None,
                legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=0),
            ),
            tooltip=["question:N", "measure:N", alt.Tooltip("value:Q", format=".0%")],
        )
    )
    return charts.titled(
        bars,
        "How each question went",
        "For each question, the mean score as a share of its points and the share of "
        "submissions with full marks.",
        height=alt.Step(12),
    )


def report_html(
    rows,
    assignment: str,
    possible: dict[str, float],
    manual_possible: dict[str, float],
) -> str:
    """The whole report page (templates/report.html)."""
    maximum = sum(possible.values())
    scored = [row for row in rows if graded(row)]
    stats = question_stats(rows, possible, manual_possible)
    mean = sum(row.total() for row in scored) / len(scored) if scored else None
    counts = Counter(row.status for row in rows)
    statuses = [*STATUSES, MISSING] + sorted(set(counts) - {*STATUSES, MISSING})
    look = [
        {
            "submission": row.submission,
            "student": row.student,
            "status": row.status,
            "flags": [f for f in row.flags if f != UNSANDBOXED],
            "message": row.message,
        }
        for row in needs_a_look(rows)
    ]
    return render(
        "report.html",
        title=f"Class report: {assignment}",
        charts=chart_head(),
        body_class="",
        assignment=assignment,
        unsandboxed=any(UNSANDBOXED in row.flags for row in rows),
        rows=len(rows),
        scored=len(scored),
        missing=counts.get(MISSING, 0),
        mean=_number(mean),
        maximum=f"{maximum:g}",
        distribution=chart_html(distribution_chart(rows, maximum)) if scored else None,
        index_name=INDEX_NAME,
        questions=[
            [
                s.question,
                "auto" if s.kind == "auto" else "open",
                f"{s.points:g}",
                s.count,
                _number(s.mean),
                _share(s.full_share),
                _number(s.discrimination),
            ]
            for s in stats
        ],
        question_chart=chart_html(question_chart(stats)) if any(s.count for s in stats) else None,
        statuses=[[s, counts.get(s, 0)] for s in statuses],
        look=look,
    )


def write_report(
    path: Path,
    rows,
    assignment: str,
    possible: dict[str, float],
    manual_possible: dict[str, float],
) -> Path:
    """Write the report and the vega bundle beside it."""
    return write_page(
        path, report_html(rows, assignment, possible, manual_possible), with_charts=True
    )
