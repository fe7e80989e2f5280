"""The conclusion chapter's exercise (exercises/conclusion.ipynb) and the two pages' facts."""

from __future__ import annotations

import ast
import re
import subprocess
import sys

import nbformat
import pandas as pd
import pytest

from course import claims, exercises
from course.chapters import conclusion
from course.paths import EXERCISES_DIR, REPO_ROOT
from tests.fixtures.submissions import ClassMaker

SLUG = "conclusion"
MASTER = EXERCISES_DIR / f"{SLUG}.ipynb"
CHAPTERS = REPO_ROOT / "chapters"


def test_master_has_four_autograded_and_two_open_questions():
    table = exercises.question_table(MASTER)
    # Public and hidden tests on every question: test_exercises checks that for every master.
    kinds = table["kind"].value_counts()
    assert kinds.get("auto", 0) >= 4 and kinds.get("manual", 0) >= 2


def test_master_reads_only_the_files_it_lists_and_needs_only_pandas():
    config = exercises.assignment_config(MASTER)
    assert config["name"] == SLUG
    listed = set(config["files"])
    notebook = nbformat.read(MASTER, as_version=4)
    imported, read = set(), set()
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        read |= set(re.findall(r'"(data/[^"]+)"', cell.source))
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                imported.add(node.module.split(".")[0])
    assert imported <= {"pandas", "numbers"}, imported
    assert read == listed, "every file the notebook reads is bundled, and only those"


def test_evidence_question_uses_the_ledger_convention_for_contacts():
    # q4 leaves out the leaders' contacts exactly as course.claims does.
    source = MASTER.read_text(encoding="utf-8")
    assert all(kind in source for kind in claims.CONTACT_KINDS)


def test_open_questions_have_rubrics_in_the_instructor_guide():
    from course.grading.responses import read_rubrics

    rubrics = read_rubrics(CHAPTERS / "instructor-guide.md", "conclusion")
    assert sorted(rubrics) == ["q5", "q6"]
    assert all("Full marks" in text for text in rubrics.values())


def test_pages_link_only_to_pages_in_the_toc():
    toc = (REPO_ROOT / "_toc.yml").read_text(encoding="utf-8")
    pages = set(re.findall(r"file: chapters/([\w-]+)", toc))
    assert {"conclusion", "claims-ledger"} <= pages
    for name in ("conclusion", "claims-ledger"):
        text = (CHAPTERS / f"{name}.md").read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([\w-]+)\.md", text):
            assert target in pages, f"{name}.md links to {target}.md, which is not in the TOC"


# --- slow: a real build and real grading ------------------------------------------------------


@pytest.fixture(scope="module")
def built(built_exercises):
    """The suite's one build of this master (conftest.built_exercises)."""
    return built_exercises.items[MASTER.stem]


@pytest.mark.slow
def test_answer_key_scores_full_marks_and_untouched_notebook_zero(built, tmp_path):
    maker = ClassMaker(built.student_notebook, built.solutions_notebook)
    folder = tmp_path / "class"
    folder.mkdir()
    nbformat.write(maker.notebook(answered=maker.questions), folder / "key.ipynb")
    nbformat.write(maker.notebook(), folder / "untouched.ipynb")
    # A wrong evidence function: keeps the meetings and calls in every design.
    wrong = maker.answers["q4"].replace("[] if contacts_count else CONTACT_KINDS", "[]")
    assert wrong != maker.answers["q4"]
    nbformat.write(
        maker.notebook(answered=maker.questions, replace={"q4": wrong}), folder / "wrong_q4.ipynb"
    )
    out = tmp_path / "grades.csv"
    done = subprocess.run(
        [sys.executable, "-m", "course", "grade", str(folder), "--assignment", SLUG,
         "--out", str(out), "--jobs", "2", "--timeout", "120"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    grades = pd.read_csv(out).set_index("submission")
    table = exercises.question_table(MASTER)
    full = table.loc[table["kind"] == "auto", "points"].sum()
    assert (grades["status"] == "ok").all(), grades
    assert grades.loc["key.ipynb", "total"] == full
    assert grades.loc["untouched.ipynb", "total"] == 0
    # The hidden tests fail; the public form check still passes.
    assert 0 < grades.loc["wrong_q4.ipynb", "total"] < full


# --- the chapter module -----------------------------------------------------------------------


def test_russian_client_selects_one_registrants_russian_rows():
    registry = pd.DataFrame(
        {
            "country": ["RUSSIA", "RUSSIA", "UKRAINE", "RUSSIA"],
            "registrant_name": ["Ketchum, Inc.", "Ketchum, Inc.", "Ketchum, Inc.", "Alston"],
            "foreign_principal": ["Russian Federation", "Gazprom Export", "Naftogaz", "RF"],
        }
    )
    assert list(conclusion.russian_client(registry, "Ketchum").index) == [0, 1]
    assert list(conclusion.russian_client(registry, "Ketchum", "Gazprom").index) == [1]
