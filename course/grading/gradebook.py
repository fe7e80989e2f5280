"""The instructor's own files around a grading run: the class roster (who should have
submitted what) and the rubric scores of the manual questions. Both are checked line by line
before anything is graded or written, and a bad line is an error naming the file and line."""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
from dataclasses import dataclass
from pathlib import Path

from course import files
from course.grading.kit import GradingUsageError


def write_private(path: Path, text: str, newline: str | None = None) -> Path:
    """Write ``text`` to ``path`` in one piece (a reader sees the old file or the new one) and
    readable by this user only (mkstemp's 0600): grades, pages and feedback name students."""
    return files.write_atomic(path, text, private=True, newline=newline)


ROSTER_COLUMNS = ("student_id", "name", "email", "submission")
MISSING = "missing"
DUPLICATE, UNMATCHED, LATE = "duplicate", "unmatched", "late"
# grader.export() names its zip <assignment>_<YYYY_MM_DDTHH_MM_SS_ffffff>.zip
EXPORT_STAMP = re.compile(r"_(\d{4})_(\d\d)_(\d\d)T(\d\d)_(\d\d)_(\d\d)_(\d{6})\.zip$", re.I)


@dataclass(frozen=True)
class Student:
    student_id: str
    name: str
    email: str
    submission: str  # a file or subfolder relative to the graded PATH


def _rows(path: Path, required: tuple[str, ...], what: str) -> list[tuple[int, dict]]:
    """(line number, row) pairs of a CSV that must have ``required`` columns."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            lacking = [c for c in required if c not in header]
            if lacking:
                raise GradingUsageError(
                    f"{path}:1: the {what} needs the column(s) {', '.join(lacking)}"
                )
            return [(reader.line_num, row) for row in reader]
    except OSError as error:
        raise GradingUsageError(f"cannot read the {what} {path}: {error.strerror}") from error


def read_roster(path: Path) -> list[Student]:
    """The roster's students; blank or repeated ids and submissions are errors."""
    students, ids = [], set()
    for line, row in _rows(Path(path), ROSTER_COLUMNS, "roster"):
        values = {c: (row.get(c) or "").strip() for c in ROSTER_COLUMNS}
        for column in ("student_id", "submission"):
            if not values[column]:
                raise GradingUsageError(f"{path}:{line}: {column} is blank")
        if values["student_id"] in ids:
            raise GradingUsageError(f"{path}:{line}: student_id {values['student_id']} repeated")
        ids.add(values["student_id"])
        values["submission"] = values["submission"].strip("/")
        students.append(Student(**values))
    return students


def owner(submission: str, students: list[Student]) -> Student | None:
    """The roster student whose file or folder holds ``submission``."""
    for student in students:
        if submission == student.submission or submission.startswith(student.submission + "/"):
            return student
    return None


def read_manual(
    path: Path,
    possible: dict[str, float],
    submissions: set[str],
    student_ids: set[str],
) -> tuple[str, dict[str, dict[str, float]]]:
    """(key column, rubric scores): the scores are keyed by submission or by student id
    (whichever column the file has): key -> {manual question: score}. A blank cell means not
    scored yet."""
    path = Path(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            header = next(csv.reader(handle), [])
    except OSError as error:
        raise GradingUsageError(
            f"cannot read the manual scores {path}: {error.strerror}"
        ) from error
    key = "student_id" if "student_id" in header else "submission"
    if key not in header:
        raise GradingUsageError(
            f"{path}:1: the manual scores need a submission or student_id column"
        )
    unknown = [c for c in header if c not in (key, "submission", "student_id", "name", "email")]
    unknown = [c for c in unknown if c not in possible]
    if unknown:
        known = ", ".join(possible) or "none"
        raise GradingUsageError(
            f"{path}:1: unknown question {unknown[0]} (manual questions: {known})"
        )
    known_keys = student_ids if key == "student_id" else submissions
    scores: dict[str, dict[str, float]] = {}
    for line, row in _rows(path, (key,), "manual scores"):
        who = (row.get(key) or "").strip()
        if who not in known_keys:
            raise GradingUsageError(f"{path}:{line}: unknown {key} {who!r}")
        if who in scores:
            raise GradingUsageError(f"{path}:{line}: {key} {who} scored twice")
        scores[who] = {}
        for question, points in possible.items():
            text = (row.get(question) or "").strip()
            if not text:
                continue
            try:
                value = float(text)
            except ValueError:
                value = math.nan
            if not (0 <= value <= points):
                raise GradingUsageError(
                    f"{path}:{line}: {question} score {text!r} is not a number from 0 to {points:g}"
                )
            scores[who][question] = value
    return key, scores


def parse_deadline(text: str) -> dt.datetime:
    """An ISO date-time; one without a time zone is taken as UTC."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError as error:
        raise GradingUsageError(
            f"--deadline {text!r} is not an ISO date-time such as 2026-12-01T23:59:00+00:00"
        ) from error
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def submitted_at(path: Path) -> dt.datetime:
    """When a submission was exported: the timestamp in an export zip's name (taken as UTC),
    else the file's modification time."""
    match = EXPORT_STAMP.search(Path(path).name)
    if match:
        try:
            year, month, day, hour, minute, second, micro = map(int, match.groups())
            return dt.datetime(year, month, day, hour, minute, second, micro, tzinfo=dt.UTC)
        except ValueError:  # not a real date: fall back to the file's time
            pass
    return dt.datetime.fromtimestamp(Path(path).stat().st_mtime, tz=dt.UTC)


def feedback_name(row, taken: set[str]) -> str:
    """``<student_id>.md`` (``-2``, ``-3`` for a student's further submissions), else the
    submission path with ``/`` replaced by ``__``."""
    if row.student is None:
        stem = row.submission.replace("/", "__")
    else:
        stem, number = row.student.student_id, 2
        while f"{stem}.md" in taken:
            stem, number = f"{row.student.student_id}-{number}", number + 1
    taken.add(f"{stem}.md")
    return f"{stem}.md"


def feedback_text(row, assignment: str, possible: dict, manual_possible: dict) -> str:
    """What goes back to one student: scores per question and the grader's notes. The notes
    name failed tests with their public messages only; no test code, no solution."""

    def fmt(number: float) -> str:
        return f"{number:g}"

    lines = [f"# Feedback: {assignment}", "", f"Submission: `{row.submission}`"]
    if row.student is not None:
        lines.append(f"Student: {row.student.name} ({row.student.student_id})")
    lines += ["", f"Status: {row.status}", "", "| question | points | out of |", "|---|---|---|"]
    graded = row.status == "ok" or bool(row.scores)
    for question, points in possible.items():
        score = fmt(row.scores.get(question, 0.0)) if graded else "not graded"
        lines.append(f"| {question} | {score} | {fmt(points)} |")
    for question, points in manual_possible.items():
        score = fmt(row.manual[question]) if question in row.manual else "not scored yet"
        lines.append(f"| {question} (read by your instructor) | {score} | {fmt(points)} |")
    total = fmt(sum(possible.values()) + sum(manual_possible.values()))
    lines += ["", f"Total so far: {fmt(row.final())} of {total}", ""]
    notes = [note for note in row.message.split("; ") if note]
    if notes:
        lines += ["## What the grader noted", ""] + [f"- {note}" for note in notes] + [""]
    return "\n".join(lines)


def write_feedback(folder: Path, rows, assignment: str, possible: dict, manual_possible: dict):
    """One Markdown file per submission (none for missing students); returns the paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    taken: set[str] = set()
    written = []
    for row in rows:
        if row.status == MISSING:
            continue
        target = folder / feedback_name(row, taken)
        written.append(
            write_private(target, feedback_text(row, assignment, possible, manual_possible))
        )
    return written
