"""The roster and the rubric scores around a grading run: checked line by line, matched to
submissions (missing, unmatched, duplicate)."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from course.grading.classrun import GradeRow, match_roster
from course.grading.gradebook import (
    Student,
    parse_deadline,
    read_manual,
    read_roster,
    submitted_at,
)
from course.grading.kit import GradingUsageError

MANUAL = {"q6": 4.0, "q7": 3.0}


def test_roster_is_read_and_checked(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "student_id,name,email,submission\n"
        "s1,Ann Lee,ann@example.org,ann/\n"
        "s2,Bo Chen,bo@example.org,bo.ipynb\n"
    )
    assert read_roster(roster) == [
        Student("s1", "Ann Lee", "ann@example.org", "ann"),
        Student("s2", "Bo Chen", "bo@example.org", "bo.ipynb"),
    ]
    roster.write_text("student_id,name,email,submission\ns1,A,a@x,a\ns1,B,b@x,b\n")
    with pytest.raises(GradingUsageError, match=r"roster.csv:3: student_id s1 repeated"):
        read_roster(roster)
    roster.write_text("student_id,name,submission\ns1,A,a\n")
    with pytest.raises(GradingUsageError, match=r"roster.csv:1: .* email"):
        read_roster(roster)
    roster.write_text("student_id,name,email,submission\ns1,A,a@x,\n")
    with pytest.raises(GradingUsageError, match=r"roster.csv:2: submission is blank"):
        read_roster(roster)


def test_rows_are_matched_to_the_roster():
    students = [
        Student("s1", "Ann", "ann@x", "ann"),
        Student("s2", "Bo", "bo@x", "bo.ipynb"),
        Student("s3", "Cy", "cy@x", "cy"),
    ]
    rows = [
        GradeRow("ann/a.ipynb", "ok", {"q1": 3.0}, ""),
        GradeRow("ann/b.zip", "ok", {"q1": 1.0}, ""),
        GradeRow("bo.ipynb", "ok", {}, ""),
        GradeRow("annex.ipynb", "ok", {}, ""),  # a prefix of "ann" is not "ann/"
    ]
    matched = match_roster(rows, students)
    assert [
        (r.submission, r.student.student_id if r.student else "", r.status, r.flags)
        for r in matched
    ] == [
        ("ann/a.ipynb", "s1", "ok", ["duplicate"]),
        ("ann/b.zip", "s1", "ok", ["duplicate"]),
        ("bo.ipynb", "s2", "ok", []),
        ("annex.ipynb", "", "ok", ["unmatched"]),
        ("cy", "s3", "missing", []),
    ]
    assert matched[-1].message == "nothing submitted"


def test_manual_scores_are_checked_line_by_line(tmp_path):
    scores = tmp_path / "manual.csv"
    scores.write_text("submission,q6,q7\na.ipynb,4,\nb.ipynb,2.5,3\n")
    assert read_manual(scores, MANUAL, {"a.ipynb", "b.ipynb"}, set()) == (
        "submission",
        {"a.ipynb": {"q6": 4.0}, "b.ipynb": {"q6": 2.5, "q7": 3.0}},
    )
    scores.write_text("student_id,name,q7\ns1,Ann,1\n")
    assert read_manual(scores, MANUAL, set(), {"s1"}) == ("student_id", {"s1": {"q7": 1.0}})
    for text, error in (
        ("submission,q6\na.ipynb,5\n", r"manual.csv:2: q6 score '5' is not a number from 0 to 4"),
        ("submission,q6\na.ipynb,-1\n", r"manual.csv:2: q6 score '-1'"),
        ("submission,q6\na.ipynb,good\n", r"manual.csv:2: q6 score 'good'"),
        ("submission,q6\na.ipynb,1\nzed.ipynb,1\n", r"manual.csv:3: unknown submission 'zed"),
        ("submission,q9\na.ipynb,1\n", r"manual.csv:1: unknown question q9 \(manual questions"),
        ("submission,q6\na.ipynb,1\na.ipynb,2\n", r"manual.csv:3: submission a.ipynb scored twice"),
        ("who,q6\na,1\n", r"manual.csv:1: .*submission or student_id"),
    ):
        scores.write_text(text)
        with pytest.raises(GradingUsageError, match=error):
            read_manual(scores, MANUAL, {"a.ipynb"}, set())


def test_a_submission_is_dated_by_its_export_name_else_its_file_time(tmp_path):
    utc = dt.UTC
    assert parse_deadline("2026-12-01T23:59") == dt.datetime(2026, 12, 1, 23, 59, tzinfo=utc)
    assert parse_deadline("2026-12-01T23:59:00+02:00") == dt.datetime(
        2026, 12, 1, 21, 59, tzinfo=utc
    )
    with pytest.raises(GradingUsageError, match="--deadline 'friday' is not an ISO date-time"):
        parse_deadline("friday")
    export = tmp_path / "russia-in-washington_2026_11_30T12_00_00_000000.zip"
    plain = tmp_path / "plain.ipynb"
    for path in (export, plain):
        path.write_text("x")
        os.utime(path, (1767225600, 1767225600))
    assert submitted_at(export) == dt.datetime(2026, 11, 30, 12, 0, tzinfo=utc)
    assert submitted_at(plain) == dt.datetime(2026, 1, 1, tzinfo=utc)
