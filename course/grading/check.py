"""A student's self-check: run their notebook in a fresh kernel (cwd: its folder), then its
public tests apart. No sandbox: it is the student's own notebook on their own machine."""

from __future__ import annotations

from pathlib import Path

from course.grading.answers import decode_all
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
    run = execute_for_answers(notebook, kit.names, folder, timeout)
    for leftover in folder.glob(ANSWERS_FILE + ".*"):
        leftover.unlink(missing_ok=True)
    if run.status != "ok":
        return [], run.message
    # Public tests may read the data shipped beside the notebook, so they run in its folder.
    outcomes = run_tests(kit, decode_all(run.exported), folder)
    return list(outcomes.items()), ""
