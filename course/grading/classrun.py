"""A whole class: workers in parallel, one row per submission, the grades CSV and a summary."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import queue
import secrets
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from course.grading import worker as worker_module
from course.grading.gradebook import (
    DUPLICATE,
    LATE,
    MISSING,
    UNMATCHED,
    Student,
    owner,
    read_manual,
    read_roster,
    submitted_at,
    write_feedback,
    write_private,
)
from course.grading.kernel import DEFAULT_CELL_TIMEOUT
from course.grading.kit import GradingUsageError, load_kit
from course.grading.result import STATUSES, UNSANDBOXED, Result
from course.grading.sandbox import DEFAULT_MEMORY, Limits, Sandbox

# Time allowed on top of --timeout for the worker to start a kernel, shut it down and run the
# tests, before the parent gives up on the worker and kills it.
WORKER_GRACE_SECONDS = 30.0


@dataclass
class GradeRow:
    """One line of the grades CSV."""

    submission: str
    status: str
    scores: dict[str, float]
    message: str
    flags: list[str] = field(default_factory=list)
    student: Student | None = None
    manual: dict[str, float] = field(default_factory=dict)

    def total(self) -> float:
        return sum(self.scores.values())

    def final(self) -> float:
        return self.total() + sum(self.manual.values())

    @classmethod
    def of(cls, submission: str, result: Result) -> GradeRow:
        return cls(submission, result.status, result.scores, result.message, list(result.flags))


SUBMISSION_SUFFIXES = (".ipynb", ".zip")


def find_submissions(folder: Path) -> list[Path]:
    """Every notebook and export zip under ``folder`` (checkpoints excluded), in a stable order."""
    return scan(folder)[1]


def scan(path: Path) -> tuple[Path, list[Path], list[tuple[str, str]]]:
    """(base folder, submissions, skipped files with the reason) for a class folder or for one
    ``.ipynb`` or ``.zip`` file; row names are paths relative to the base folder."""
    path = Path(path)
    if path.is_file():
        if path.suffix.lower() not in SUBMISSION_SUFFIXES:
            raise GradingUsageError(f"{path} is not a notebook (.ipynb) or an otter export (.zip)")
        return path.parent, [path], []
    if not path.is_dir():
        raise GradingUsageError(f"submissions folder {path} does not exist")
    found, skipped = [], []
    for file in path.rglob("*"):
        if not file.is_file():
            continue
        name = file.relative_to(path).as_posix()
        if ".ipynb_checkpoints" in file.parts:
            skipped.append((name, "a Jupyter checkpoint, not a submission"))
        elif file.suffix.lower() in SUBMISSION_SUFFIXES:
            found.append(file)
        else:
            skipped.append((name, "not a notebook (.ipynb) or an otter export (.zip)"))
    found.sort(key=lambda p: p.relative_to(path).as_posix())
    return path, found, sorted(skipped)


def name_in_class(path: Path, students: list[Student]) -> str | None:
    """One file graded alone: its name relative to the class folder, taken as the shortest
    tail of its path that a roster line owns (``ann/x.zip`` for the line ``ann``)."""
    parts = Path(path).resolve().parts
    for length in range(1, len(parts)):
        name = "/".join(parts[-length:])
        if owner(name, students) is not None:
            return name
    return None


def match_roster(
    rows: list[GradeRow], students: list[Student], report_missing: bool = True
) -> list[GradeRow]:
    """Rows carry their student; a row matching no roster line is flagged unmatched, two rows
    of one student are both flagged duplicate, and (with ``report_missing``, i.e. unless one
    file is regraded alone) a student with none gets a missing row."""
    seen: dict[str, list[GradeRow]] = {}
    for row in rows:
        row.student = owner(row.submission, students)
        if row.student is None:
            row.flags.append(UNMATCHED)
        else:
            seen.setdefault(row.student.student_id, []).append(row)
    for found in seen.values():
        if len(found) > 1:
            for row in found:
                row.flags.append(DUPLICATE)
    missing = [
        GradeRow(s.submission, MISSING, {}, "nothing submitted", student=s)
        for s in students
        if report_missing and s.student_id not in seen
    ]
    return rows + missing


def fmt(number: float) -> str:
    return f"{number:g}"


def write_grades(
    rows: list[GradeRow],
    questions: list[str],
    possible: dict[str, float],
    out: Path,
    manual_possible: dict[str, float] | None = None,
    roster: bool = False,
) -> None:
    """Write the grades CSV atomically (a temporary file in the same folder, then a rename).
    ``total``/``max`` are the auto-graded score; manual questions have their own columns,
    blank until scored, and ``final`` adds them."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    manual_possible = manual_possible or {}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    who = ["student_id", "name", "email"] if roster else []
    writer.writerow(
        ["submission", *who, "status", "total", "max", *questions, *manual_possible]
        + ["manual_max", "final", "final_max", "message", "flags"]
    )
    maximum = sum(possible.values())
    manual_max = sum(manual_possible.values())
    for row in rows:
        graded = row.status == "ok" or bool(row.scores)  # a timeout keeps answers made in time
        student = row.student
        writer.writerow(
            [row.submission]
            + ([student.student_id, student.name, student.email] if student else ["", "", ""])[
                : len(who)
            ]
            + [row.status, fmt(row.total()), fmt(maximum)]
            + [fmt(row.scores.get(q, 0.0)) if graded else "" for q in questions]
            + [fmt(row.manual[q]) if q in row.manual else "" for q in manual_possible]
            + [fmt(manual_max), fmt(row.final()), fmt(maximum + manual_max)]
            + [row.message, ";".join(row.flags)]
        )
    write_private(out, buffer.getvalue(), newline="")


class Progress:
    def __init__(self, total: int, stream=sys.stderr):
        self.total, self.done, self.stream = total, 0, stream
        self.enabled = stream.isatty() and total > 0
        self.lock = threading.Lock()

    def step(self) -> None:
        with self.lock:
            self.done += 1
            if self.enabled:
                filled = int(30 * self.done / self.total)
                self.stream.write(
                    f"\rgrading [{'#' * filled}{'.' * (30 - filled)}] {self.done}/{self.total}"
                )
                if self.done == self.total:
                    self.stream.write("\n")
                self.stream.flush()


@dataclass(frozen=True)
class GradeOptions:
    """How a class is graded (``course grade``'s options); ``check`` validates them."""

    jobs: int | None = None
    timeout: float = 120.0
    sandbox: bool = True
    memory: int = DEFAULT_MEMORY
    cell_timeout: float | None = DEFAULT_CELL_TIMEOUT
    manual_questions: dict[str, float] = field(default_factory=dict)
    roster: Path | None = None
    manual: Path | None = None
    deadline: dt.datetime | None = None
    feedback: Path | None = None
    build_hash: str | None = None

    def check(self) -> None:
        """GradingUsageError for an option out of range (before anything is built or run)."""
        if self.timeout <= 0:
            raise GradingUsageError("--timeout must be positive")
        if self.cell_timeout is not None and self.cell_timeout <= 0:
            raise GradingUsageError("--cell-timeout must be positive")
        if self.jobs is not None and self.jobs < 1:
            raise GradingUsageError("--jobs must be at least 1")

    @property
    def limits(self) -> Limits | None:
        return Limits.for_timeout(self.timeout, self.memory) if self.sandbox else None


@dataclass
class ClassPlan:
    """What is to be graded, read and checked before any notebook runs: the submissions, the
    names their rows get, the roster and the manual scores."""

    base: Path
    paths: list[Path]
    names: list[str]
    skipped: list[tuple[str, str]]
    students: list[Student]
    alone: bool  # one file regraded: the roster names it, nobody else is reported missing
    rubric_key: str
    rubric: dict

    @classmethod
    def read(cls, submissions: Path, options: GradeOptions) -> ClassPlan:
        """Find the submissions and read the instructor's files (GradingUsageError if bad)."""
        base, paths, skipped = scan(Path(submissions))
        names = [path.relative_to(base).as_posix() for path in paths]
        students = read_roster(options.roster) if options.roster is not None else []
        alone = Path(submissions).is_file()
        if alone and students:
            names = [name_in_class(paths[0], students) or names[0]]
        rubric_key, rubric = (
            read_manual(
                options.manual,
                dict(options.manual_questions),
                set(names),
                {s.student_id for s in students},
            )
            if options.manual is not None
            else ("submission", {})
        )
        return cls(base, paths, names, skipped, students, alone, rubric_key, rubric)


def check_sandbox(limits: Limits | None) -> None:
    """Fail closed, before any notebook runs: start one sandboxed interpreter."""
    if limits is not None:
        checked = Sandbox.create(limits)
        try:
            checked.probe()
        finally:
            checked.close()


def run_workers(plan: ClassPlan, autograder_zip: Path, options: GradeOptions) -> list[GradeRow]:
    """Grade every submission of ``plan`` in parallel workers, one row each, in plan order."""
    paths, names, limits = plan.paths, plan.names, options.limits
    flags = [] if options.sandbox else [UNSANDBOXED]
    timeout = options.timeout
    jobs = (os.cpu_count() or 1) if options.jobs is None else options.jobs
    rows: list[GradeRow | None] = [None] * len(paths)
    todo: queue.Queue = queue.Queue()
    for index in range(len(paths)):
        todo.put(index)
    progress = Progress(len(paths))

    def serve() -> None:
        worker = None
        try:
            while True:
                try:
                    index = todo.get_nowait()
                except queue.Empty:
                    return
                if worker is not None and worker.proc.poll() is not None:
                    worker.stop(kill=True)  # died after its last answer: start afresh
                    worker = None
                worker = worker or worker_module.Worker()
                job = {
                    "id": secrets.token_hex(8),
                    "submission": str(paths[index].resolve()),
                    "kit": str(Path(autograder_zip).resolve()),
                    "timeout": timeout,
                    "cell_timeout": options.cell_timeout,
                    "sandbox": limits.to_json() if limits is not None else None,
                    "build_hash": options.build_hash,
                }
                result = worker.ask(job, timeout + WORKER_GRACE_SECONDS)
                if result is None:
                    died = worker.proc.poll() is not None
                    worker.stop(kill=True)
                    worker = None
                    result = (
                        Result("error", message="the grading process died")
                        if died
                        else Result(
                            "timeout", message=f"stopped after {timeout:g} s (kernel unresponsive)"
                        )
                    )
                result.flags = [*result.flags, *flags]
                rows[index] = GradeRow.of(names[index], result)
                progress.step()
        finally:
            if worker is not None:
                worker.stop()

    threads = [threading.Thread(target=serve, daemon=True) for _ in range(min(jobs, len(paths)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # A grader failure must cost rows, never drop submissions from the CSV.
    not_reached = "not graded: the grading run failed before reaching this submission"
    return [
        row if row is not None else GradeRow(names[index], "error", {}, not_reached, flags)
        for index, row in enumerate(rows)
    ]


def annotate(rows: list[GradeRow], plan: ClassPlan, options: GradeOptions) -> list[GradeRow]:
    """Late flags, the roster (students, unmatched, duplicate, missing) and manual scores."""
    if options.deadline is not None:
        for index, row in enumerate(rows):
            if submitted_at(plan.paths[index]) > options.deadline:
                row.flags.append(LATE)
    if options.roster is not None:
        rows = match_roster(rows, plan.students, report_missing=not plan.alone)
    for row in rows:
        if plan.rubric_key == "student_id":
            row.manual = dict(plan.rubric.get(row.student.student_id, {})) if row.student else {}
        else:
            row.manual = dict(plan.rubric.get(row.submission, {}))
    return rows


def summarise(
    rows: list[GradeRow], kit, plan: ClassPlan, out: Path, seconds: float, roster: bool
) -> str:
    """The closing summary: graded, failed by status, missing students, mean, wall time."""
    submitted = [row for row in rows if row.status != MISSING]
    graded = [row for row in submitted if row.status == "ok"]
    failed = {status: sum(row.status == status for row in submitted) for status in STATUSES[1:]}
    mean = sum(row.total() for row in graded) / len(graded) if graded else 0.0
    missing = len(rows) - len(submitted)
    summary = (
        f"graded {len(graded)} of {len(submitted)} submissions, failed {sum(failed.values())} "
        f"({', '.join(f'{n} {s}' for s, n in failed.items())}); "
        + (f"{missing} student(s) missing (nothing submitted); " if roster else "")
        + f"mean score {mean:.2f}/{fmt(sum(kit.possible.values()))}; "
        f"wall time {seconds:.1f} s -> {out}"
    )
    if plan.skipped:
        listed = "\n".join(f"  {name}: {reason}" for name, reason in plan.skipped)
        summary += f"\nskipped {len(plan.skipped)} file(s):\n{listed}"
    return summary


def grade_class(
    submissions: Path,
    autograder_zip: Path,
    out: Path,
    options: GradeOptions | None = None,
    plan: ClassPlan | None = None,
    **option_values,
) -> tuple[list[GradeRow], str]:
    """Grade every notebook under ``submissions``; writes ``out`` and returns (rows, summary).

    ``options`` (or the same fields as keywords) say how. Each kernel runs in the bubblewrap
    sandbox; without a working sandbox this raises SandboxUnavailable, unless ``sandbox`` is
    False (trusted notebooks only), which flags every row ``unsandboxed``. With ``build_hash``
    (what ``course exercises build`` records in the notebooks it writes), a submission that
    does not carry it is flagged ``version_mismatch``. ``plan`` is the ClassPlan already read
    (``course grade`` reads it before building anything)."""
    options = options or GradeOptions(**option_values)
    options.check()
    started = time.monotonic()
    plan = plan or ClassPlan.read(Path(submissions), options)
    check_sandbox(options.limits)
    kit = load_kit(Path(autograder_zip))
    rows = annotate(run_workers(plan, autograder_zip, options), plan, options)
    manual_questions = dict(options.manual_questions)
    roster = options.roster is not None
    write_grades(rows, kit.questions, kit.possible, out, manual_questions, roster=roster)
    if options.feedback is not None:
        possible = {q: kit.possible[q] for q in kit.questions}
        write_feedback(options.feedback, rows, kit.assignment, possible, manual_questions)
    summary = summarise(rows, kit, plan, out, time.monotonic() - started, roster)
    return rows, summary
