"""The ``course grade`` and ``course check`` verbs (argument parsing lives in course.__main__)."""

from __future__ import annotations

import sys
from pathlib import Path

from course.grading.check import check_notebook
from course.grading.classrun import fmt, grade_class
from course.grading.kit import GradingUsageError


def grade_command(args) -> int:
    """``python -m course grade``: build the assignment if needed, grade the folder, summarise."""
    from course import exercises
    from course.paths import BUILD_DIR, EXERCISES_DIR

    # A private --source builds apart, so its files never land where the book publishes from.
    public = Path(args.source).resolve() == EXERCISES_DIR.resolve()
    build = BUILD_DIR / ("exercises" if public else "private-exercises")
    try:
        autograder = exercises.autograder_for(args.assignment, args.source, build)
        _, summary = grade_class(
            args.submissions, autograder, args.out, jobs=args.jobs, timeout=args.timeout
        )
    except (GradingUsageError, exercises.ExerciseBuildError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(summary)
    return 0


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
