"""A student's self-check: run their notebook in a fresh kernel (cwd: its folder), then its
public tests apart. No sandbox: it is the student's own notebook on their own machine."""

from __future__ import annotations

import re
from pathlib import Path

from course.grading.answers import decode_all, decode_per_question
from course.grading.kernel import ANSWERS_FILE, execute_for_answers
from course.grading.kit import GradingUsageError, public_kit, run_tests


def check_notebook(path: Path, timeout: float = 300.0) -> tuple[list[tuple[str, dict]], str]:
    """(question, outcome) pairs for the public tests, or ([], why the notebook did not run)."""
    import nbformat

    path = Path(path)
    try:
        notebook = nbformat.read(path, as_version=4)
    except Exception as error:
        raise GradingUsageError(f"{path}: not a readable notebook ({error})") from error
    kit = public_kit(notebook, path)
    folder = path.resolve().parent
    run = execute_for_answers(notebook, kit.names, folder, timeout, questions=kit.question_names)
    for leftover in folder.glob(ANSWERS_FILE + ".*"):
        leftover.unlink(missing_ok=True)
    if run.status != "ok":
        return [], run.message
    if run.missing_files:
        return [], missing_data_message(path, run.missing_files)
    # Public tests may read the data shipped beside the notebook, so they run in its folder.
    # Each question on its values at its grader.check, as it is graded (course.grading.export).
    per_question = decode_per_question(run.exported, kit.questions)
    outcomes = run_tests(kit, decode_all(run.exported), folder, per_question)
    return list(outcomes.items()), ""


def missing_data_message(path: Path, errors: list[str]) -> str:
    """What a FileNotFoundError in a student's notebook means: which file, and where it looked.

    ``errors`` are the exceptions' texts, e.g. "[Errno 2] No such file or directory: 'data/x.csv'".
    """
    folder = Path(path).resolve().parent
    lines = []
    for error in dict.fromkeys(errors):
        match = re.search(r"""['"]([^'"]+)['"]\s*$""", error)
        name = match.group(1) if match else error
        looked = Path(name) if Path(name).is_absolute() else folder / name
        lines.append(f"the notebook could not find {name} (looked for {looked})")
    return (
        "; ".join(lines)
        + f". Keep the notebook in the folder you unzipped, beside its data/ folder ({folder} "
        "has no such file), then run the check again. No question was scored."
    )
