"""An assignment's tests: read from the otter autograder zip (or a student notebook's public
tests) and run on exported answers, in the grading process, never in the student's kernel."""

from __future__ import annotations

import json
import math
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path


class GradingUsageError(ValueError):
    """Bad arguments (a missing folder, an unknown assignment); the CLI exits non-zero."""


@dataclass
class GradingKit:
    """Everything needed to grade one assignment, read from its otter autograder zip."""

    assignment: str
    tests: dict[str, str]  # question -> otter exception-based test source
    files: dict[str, bytes]  # relative path -> data the notebook and tests read
    possible: dict[str, float] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)  # notebook names the tests take as arguments
    question_names: dict[str, list[str]] = field(default_factory=dict)  # the same, per question

    @property
    def questions(self) -> list[str]:
        return sorted(self.tests, key=_question_order)


def _question_order(name: str):
    digits = "".join(ch for ch in name if ch.isdigit())
    return (int(digits) if digits else math.inf, name)


def _test_file(source: str, question: str):
    from otter.test_files import ExceptionTestFile

    return ExceptionTestFile.from_string(source, path=f"{question}.py")


def _describe(tests: dict[str, str]) -> tuple[dict[str, float], list[str], dict[str, list[str]]]:
    possible: dict[str, float] = {}
    names: list[str] = []
    per_question: dict[str, list[str]] = {}
    for question, source in tests.items():
        test_file = _test_file(source, question)
        possible[question] = float(test_file.possible)
        own = per_question.setdefault(question, [])
        for case in test_file.test_cases:
            for name in case.body._get_func_params():
                if name != "env" and name not in own:
                    own.append(name)
                if name != "env" and name not in names:
                    names.append(name)
    return possible, names, per_question


def load_kit(autograder_zip: Path) -> GradingKit:
    """Read an otter autograder zip: the assignment name, all tests (hidden too) and its files."""
    with zipfile.ZipFile(autograder_zip) as archive:
        config = json.loads(archive.read("otter_config.json"))
        tests, files = {}, {}
        for member in archive.namelist():
            if member.startswith("tests/") and member.endswith(".py"):
                tests[Path(member).stem] = archive.read(member).decode("utf-8")
            elif member.startswith("files/") and not member.endswith("/"):
                files[member[len("files/") :]] = archive.read(member)
    kit = GradingKit(assignment=config.get("assignment_name", ""), tests=tests, files=files)
    kit.possible, kit.names, kit.question_names = _describe(tests)
    return kit


def public_kit(notebook, path: Path) -> GradingKit:
    """A kit holding only the public tests a student notebook carries in its metadata."""
    meta = notebook.metadata.get("otter", {})
    tests = {
        question: source
        for question, source in meta.get("tests", {}).items()
        if isinstance(source, str)
    }
    if not tests:
        raise GradingUsageError(
            f"{path}: no otter tests in the notebook metadata; is it a student notebook of this course?"
        )
    kit = GradingKit(assignment=meta.get("assignment_name", ""), tests=tests, files={})
    kit.possible, kit.names, kit.question_names = _describe(tests)
    return kit


def write_files(files: dict[str, bytes], folder: Path) -> None:
    """Stage the assignment's data files under ``folder``."""
    for relative, payload in files.items():
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(payload)


def failure_note(case, error: Exception) -> str:
    """What a student may read about a failed test case: its name, and for a public test its
    assertion's message (or its declared failure message); a hidden test gives only its name
    and declared failure message, never its code, its assertion text or an expected value."""
    function = getattr(case.body, "test_func", None)
    name = getattr(function, "__name__", None) or case.name
    if case.hidden:
        note = f"{name} (hidden test) failed"
        return f"{note}: {case.failure_message}" if case.failure_message else note
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    if not isinstance(error, AssertionError) or not text:
        text = case.failure_message or type(error).__name__
    return f"{name} failed: {text[:300]}"


def _run_cases(test_file, env: dict) -> list[str]:
    """Run a test file as otter's ExceptionTestFile.run does (same results, same score), and
    return a student-safe note for each failed case."""
    from otter.test_files.abstract_test import TestCaseResult

    test_file.test_case_results, failures = [], []
    for case in test_file.test_cases:
        passed, message = True, "✅ Test case passed"
        try:
            case.body.call_func(env)
        except Exception as error:
            passed = False
            message = "❌ Test case failed\n" + test_file._generate_error_message(error)
            failures.append(failure_note(case, error))
        test_file.test_case_results.append(
            TestCaseResult(test_case=case, message=message, passed=passed)
        )
    return failures


def run_tests(
    kit: GradingKit, answers: dict, workdir: Path, per_question: dict[str, dict] | None = None
) -> dict[str, dict]:
    """Run every test of ``kit`` on ``answers`` (or on ``per_question[q]`` for question q) with
    a pristine copy of the data as cwd."""
    write_files(kit.files, workdir)
    previous = os.getcwd()
    results = {}
    try:
        os.chdir(workdir)
        for question in kit.questions:
            test_file = _test_file(kit.tests[question], question)
            env = (per_question or {}).get(question, answers)
            failures = _run_cases(test_file, dict(env))
            results[question] = {
                "failures": failures,
                "score": float(test_file.score),
                "possible": float(test_file.possible),
                "public_passed": sum(
                    r.passed for r in test_file.test_case_results if not r.test_case.hidden
                ),
                "public_total": sum(not r.test_case.hidden for r in test_file.test_case_results),
                "public_points": float(
                    sum(
                        r.test_case.points
                        for r in test_file.test_case_results
                        if r.passed and not r.test_case.hidden
                    )
                ),
                "public_possible": float(
                    sum(c.points for c in test_file.test_cases if not c.hidden)
                ),
                "public_summary": test_file.summary(public_only=True),
            }
    finally:
        os.chdir(previous)
    return results
