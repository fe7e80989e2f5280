"""The class report (``course grade --report report.html``): the score distribution, how each
question went (mean, share of full marks, discrimination), the status counts and the
submissions that need a look, on one page that opens offline from disk."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from course.grading.gradebook import MISSING
from course.grading.pages import chart_html, document, escape, table, write_page
from course.grading.result import STATUSES, UNSANDBOXED

# Statuses whose rows the instructor must read: not graded, or graded only in part.
LOOK_STATUSES = ("error", "timeout", "unreadable", MISSING)
INDEX_NAME = "corrected item-total correlation"
INDEX_EXPLAINED = (
    "Discrimination is the <strong>corrected item-total correlation</strong>: the Pearson "
    "(point-biserial, for a question scored all or nothing) correlation, over the graded "
    "submissions, between a question's score and the rest of the auto-graded total (the total "
    "without that question; for an open-ended question, the whole auto-graded total, over the "
    "submissions whose rubric score is merged). From &minus;1 to 1: near 0 or below, the "
    "question does not separate stronger from weaker work, so read it again; 0.3 or more is "
    "usual for a good question. <em>n/a</em>: every submission scored the same on the question "
    "or on the rest, so there is no correlation to compute."
)


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


def distribution_chart(rows, maximum: float):
    import altair as alt
    import pandas as pd

    from course import charts

    scores = pd.DataFrame({"score": [row.total() for row in rows if graded(row)]})
    step = 1 if maximum <= 40 else maximum / 20
    bars = (
        alt.Chart(scores)
        .mark_bar()
        .encode(
            x=alt.X(
                "score:Q",
                bin=alt.Bin(step=step, extent=[0, maximum + step]),
                axis=alt.Axis(format="~g"),
                title=f"auto-graded score (of {maximum:g})",
            ),
            y=alt.Y("count():Q", title="submissions"),
            tooltip=[alt.Tooltip("score:Q", bin=True), alt.Tooltip("count():Q")],
        )
    )
    return charts.titled(
        bars,
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
        if s.count and s.points:
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
    """The whole report page."""
    maximum = sum(possible.values())
    scored = [row for row in rows if graded(row)]
    stats = question_stats(rows, possible, manual_possible)
    parts = [
        f"<h1>Class report: {escape(assignment)}</h1>",
        '<p class="note">Private: this page lists students by name and submission. Keep it, '
        "with the grades CSV, outside any public repository.</p>",
    ]
    if any(UNSANDBOXED in row.flags for row in rows):
        parts.append(
            "<p><strong>Graded without the sandbox (<code>--no-sandbox</code>)</strong>: "
            "every row is flagged unsandboxed.</p>"
        )
    mean = sum(row.total() for row in scored) / len(scored) if scored else None
    parts.append(
        f"<p>{len(rows)} rows, {len(scored)} with scores; mean auto-graded score "
        f"{_number(mean)} of {maximum:g}.</p>"
    )
    parts += ["<h2>Score distribution</h2>"]
    if scored:
        parts.append(chart_html(distribution_chart(rows, maximum)))
    else:
        parts.append("<p>No submission could be graded.</p>")
    parts += ["<h2>Questions</h2>", f"<p>{INDEX_EXPLAINED}</p>"]
    parts.append(
        table(
            ["question", "kind", "points", "graded", "mean", "full marks", "discrimination"],
            [
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
            numeric={2, 3, 4, 5, 6},
        )
    )
    if any(s.count for s in stats):
        parts.append(chart_html(question_chart(stats)))
    counts = Counter(row.status for row in rows)
    statuses = [*STATUSES, MISSING] + sorted(set(counts) - {*STATUSES, MISSING})
    parts += ["<h2>Status counts</h2>"]
    parts.append(table(["status", "rows"], [[s, counts.get(s, 0)] for s in statuses], {1}))
    look = needs_a_look(rows)
    parts += [
        "<h2>Submissions that need a look</h2>",
        "<p>Rows not graded in full (error, timeout, unreadable, missing) and flagged rows "
        "(duplicate, unmatched, late, version_mismatch).</p>",
    ]
    if look:
        parts.append('<ul class="look">' + "".join(_look_item(row) for row in look) + "</ul>")
    else:
        parts.append("<p>None: every submission was graded and none is flagged.</p>")
    return document(f"Class report: {assignment}", "\n".join(parts), with_charts=True)


def _look_item(row) -> str:
    """One row that needs a look, as a list item (a table would not fit a phone)."""
    student = row.student
    who = f" &middot; {escape(student.name)} ({escape(student.student_id)})" if student else ""
    flags = [f for f in row.flags if f != UNSANDBOXED]
    return (
        f"<li><strong>{escape(row.submission)}</strong>{who}"
        f" &middot; status <strong>{escape(row.status)}</strong>"
        + (f" &middot; flags: {escape('; '.join(flags))}" if flags else "")
        + (f'<br><span class="note">{escape(row.message)}</span>' if row.message else "")
        + "</li>"
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
