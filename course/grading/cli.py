"""The ``course grade`` and ``course check`` verbs (argument parsing lives in course.__main__)."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from course.grading.check import check_notebook
from course.grading.classrun import ClassPlan, GradeOptions, fmt, grade_class, scan
from course.grading.gradebook import parse_deadline
from course.grading.kit import GradingUsageError
from course.grading.sandbox import DEFAULT_MEMORY, Sandbox, parse_size

UNSANDBOXED_WARNING = (
    "warning: --no-sandbox: every notebook runs with your own user's access to this machine "
    "(files, network, processes). Use it only for notebooks you trust; every row of the grades "
    "CSV is flagged 'unsandboxed'."
)


def grade_command(args) -> int:
    """``python -m course grade``: check the options and the class, build the assignment if
    needed, grade the folder, summarise. Usage errors come before any build (exit 2)."""
    from course import exercises
    from course.paths import BUILD_DIR, EXERCISES_DIR

    # A private --source builds apart, so its files never land where the book publishes from.
    public = Path(args.source).resolve() == EXERCISES_DIR.resolve()
    build = BUILD_DIR / ("exercises" if public else "private-exercises")
    master = Path(args.source) / f"{args.assignment}.ipynb"
    try:
        sandboxed = not getattr(args, "no_sandbox", False)
        memory = parse_size(args.memory) if getattr(args, "memory", None) else DEFAULT_MEMORY
        options = GradeOptions(
            jobs=args.jobs,
            timeout=args.timeout,
            sandbox=sandboxed,
            memory=memory,
            cell_timeout=args.cell_timeout,
            roster=args.roster,
            manual=args.manual,
            deadline=parse_deadline(args.deadline) if args.deadline else None,
            feedback=args.feedback,
        )
        options.check()
        if not master.is_file():
            known = ", ".join(p.stem for p in exercises.masters(Path(args.source))) or "none"
            raise GradingUsageError(f"no master {master} (assignments in {args.source}: {known})")
        scan(Path(args.submissions))  # a missing folder is named before anything heavier loads
        table = exercises.question_table(master)
        manual_questions = {
            row.question: float(row.points) for row in table.itertuples() if row.kind == "manual"
        }
        options = replace(options, manual_questions=manual_questions)
        plan = ClassPlan.read(Path(args.submissions), options)
        if sandboxed:  # fail closed before building anything
            assert options.limits is not None  # sandboxed runs always carry limits
            Sandbox.create(options.limits).close()
        else:
            print(UNSANDBOXED_WARNING, file=sys.stderr)
        autograder = exercises.autograder_for(args.assignment, args.source, build)
        build_hash = exercises.build_hash_for(master)
        options = replace(options, build_hash=build_hash)
        rows, summary = grade_class(args.submissions, autograder, args.out, options, plan)
        write_meta(args, autograder, sandboxed, build_hash)
        if getattr(args, "report", None) is not None:  # printed before the summary
            report = write_class_report(args, autograder, rows, manual_questions)
            print(f"class report (private: names) -> {report}")
    except (GradingUsageError, exercises.ExerciseBuildError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(summary)
    return 0


def write_meta(args, autograder: Path, sandboxed: bool, build_hash: str) -> None:
    """``<out>.meta.json``: what produced the grades (commit, master, otter, options, sandbox);
    ``build_hash`` is the hash student notebooks of this build carry (course.exercises)."""
    import hashlib
    import importlib.metadata
    import json
    import subprocess

    from course.paths import REPO_ROOT

    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        commit = ""
    master = Path(args.source) / f"{args.assignment}.ipynb"
    options = {
        key: str(value) if isinstance(value, Path) else value
        for key, value in vars(args).items()
        if key not in ("verb",)
    }
    meta = {
        "course_commit": commit or None,
        "assignment": args.assignment,
        "master_sha256": hashlib.sha256(master.read_bytes()).hexdigest(),
        "build_hash": build_hash,
        "autograder_sha256": hashlib.sha256(Path(autograder).read_bytes()).hexdigest(),
        "otter_version": importlib.metadata.version("otter-grader"),
        "options": options,
        "sandbox": sandboxed,
    }
    target = Path(f"{args.out}.meta.json")
    target.write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def write_class_report(args, autograder: Path, rows, manual_questions: dict) -> Path:
    """``--report``: the class report page, with the vega bundle beside it."""
    from course.grading.kit import load_kit
    from course.grading.report import write_report

    kit = load_kit(autograder)
    possible = {question: kit.possible[question] for question in kit.questions}
    return write_report(args.report, rows, args.assignment, possible, manual_questions)


def check_command(args) -> int:
    """``python -m course check NOTEBOOK``: a per-question table of the public tests."""
    try:
        outcomes, problem = check_notebook(args.notebook)
    except GradingUsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if problem:
        print(f"{args.notebook}: {problem}", file=sys.stderr)
        return 1
    print(f"{'question':<10}{'public tests':<16}{'points':<10}")
    for question, outcome in outcomes:
        print(
            f"{question:<10}{outcome['public_passed']}/{outcome['public_total']} passed{'':<5}"
            f"{fmt(outcome['public_points'])}/{fmt(outcome['public_possible'])}"
        )
    passed = all(o["public_passed"] == o["public_total"] for _, o in outcomes)
    print(
        "Only the public tests ran. Hidden tests are added when your work is graded, "
        "so a question can still lose points."
    )
    return 0 if passed else 1
