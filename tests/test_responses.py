"""``course responses``: the open answers beside the guide's rubrics, and the empty scores CSV
that ``course grade --manual`` reads. Rubrics come from the real instructor guide, for every
master in exercises/; the command runs on notebooks made from the built student notebook."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
import zipfile

import nbformat
import pytest

from course.exercises import masters
from course.grading.classrun import GradeRow
from course.grading.gradebook import Student, read_manual
from course.grading.responses import (
    PLACEHOLDER,
    Answer,
    find_answers,
    manual_prompts,
    read_rubrics,
    scores_template,
)
from course.paths import EXERCISES_DIR, REPO_ROOT

GUIDE = REPO_ROOT / "chapters" / "instructor-guide.md"
SLUG = "russia-in-washington"


@pytest.mark.parametrize("master", masters(EXERCISES_DIR), ids=lambda p: p.stem)
def test_every_open_question_has_its_own_rubric_in_the_guide(master):
    questions = manual_prompts(master)
    rubrics = read_rubrics(GUIDE, master.stem)
    assert sorted(rubrics) == sorted(questions), f"{master.stem}: rubrics for {sorted(rubrics)}"
    for question, text in rubrics.items():
        assert "| Level | Description |" in text, f"{master.stem} {question}: no rubric table"
        assert "#" not in text.splitlines()[0], "a heading leaked into the rubric"
    for question, (points, prompt) in questions.items():
        assert points > 0 and prompt.strip(), f"{master.stem} {question}: no prompt"


def test_rubrics_stop_at_the_next_heading_and_follow_the_assignment_scope(tmp_path):
    guide = tmp_path / "guide.md"
    guide.write_text(
        "## Rubrics (`a`)\n\nIntro.\n\n### Question `q1`: first\n\nA's q1.\n\n"
        "```text\n# not a heading\n```\n\n### Question `q2`: second\n\nA's q2.\n\n"
        "### Part two (`b`)\n\n#### Question `q1`: other\n\nB's q1.\n\n"
        "## Answer-key policy\n\n### Question `q3`: outside\n\nno one's.\n"
    )
    assert read_rubrics(guide, "a") == {
        "q1": "A's q1.\n\n```text\n# not a heading\n```",
        "q2": "A's q2.",
    }
    assert read_rubrics(guide, "b") == {"q1": "B's q1."}
    assert read_rubrics(guide, "c") == {}


def _locked(source: str):
    cell = nbformat.v4.new_markdown_cell(source)
    cell.metadata.update({"editable": False, "deletable": False})
    return cell


def test_answers_are_the_cells_after_the_prompt_up_to_the_next_locked_cell():
    prompts = {"q6": "**Question 6.** Argue.", "q7": "**Question 7.** Measure."}
    answer = nbformat.v4.new_markdown_cell
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        _locked("<!-- BEGIN QUESTION -->\n\n**Question 6.**   Argue."),
        answer("My <b>answer</b>."),
        nbformat.v4.new_code_cell("print(42)"),
        answer("   "),
        _locked("<!-- END QUESTION -->\n\n<!-- BEGIN QUESTION -->\n\n**Question 7.** Measure."),
        answer(PLACEHOLDER),
        _locked("<!-- END QUESTION -->\n\n## Before you submit"),
        answer("not an answer to anything"),
    ]
    assert find_answers(notebook, prompts) == {
        "q6": [("markdown", "My <b>answer</b>."), ("code", "print(42)")],
        "q7": [],
    }
    del notebook.cells[4]  # a hand-edited notebook without q7's prompt
    assert find_answers(notebook, prompts)["q7"] is None


def _answers(roster: bool) -> list[Answer]:
    students = [
        Student("s1", "Ann, Lee", "ann@example.org", "ann"),
        Student("s2", "Bo", "b@x", "bo"),
    ]
    rows = [
        GradeRow("ann/a.ipynb", "ok", {}, ""),
        GradeRow("ann/b.zip", "ok", {}, ""),
        GradeRow("bo/c.ipynb", "unreadable", {}, "not a valid notebook"),
        GradeRow("stray.ipynb", "ok", {}, ""),
    ]
    if roster:
        for row, student in zip(rows, [students[0], students[0], students[1], None], strict=True):
            row.student = student
    return [Answer(row) for row in rows], students


def test_scores_template_round_trips_through_the_manual_scores_check(tmp_path):
    possible = {"q6": 4.0, "q7": 3.0}
    answers, students = _answers(roster=True)
    text, left_out = scores_template(answers, list(possible), roster=True)
    assert text == 'student_id,name,email,q6,q7\ns1,"Ann, Lee",ann@example.org,,\ns2,Bo,b@x,,\n'
    assert left_out == ["stray.ipynb"]  # no roster line, so no student_id to key it by
    template = tmp_path / "scores.csv"
    template.write_text(text)
    submissions = {a.row.submission for a in answers}
    ids = {s.student_id for s in students}
    assert read_manual(template, possible, submissions, ids) == ("student_id", {"s1": {}, "s2": {}})
    template.write_text(text.replace("ann@example.org,,", "ann@example.org,3.5,"))
    assert read_manual(template, possible, submissions, ids)[1]["s1"] == {"q6": 3.5}

    answers, _ = _answers(roster=False)
    text, left_out = scores_template(answers, list(possible), roster=False)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["submission", "q6", "q7"] and not left_out
    assert [r[0] for r in rows[1:]] == sorted(submissions)
    template.write_text(text)
    key, scores = read_manual(template, possible, submissions, set())
    assert key == "submission" and set(scores) == submissions


# --- slow: the command on notebooks made from the built student notebook ----------------------

HOSTILE = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2"> **bold** & co'


def make_open_answers_class(student_notebook, folder):
    """Three students' open answers (hostile text, a code cell, an export zip, a deleted
    prompt) and a file that is not a notebook; returns the folder."""
    base = nbformat.read(student_notebook, as_version=4)
    answer_cells = [
        i
        for i, c in enumerate(base.cells)
        if c.cell_type == "markdown" and "otter_answer_cell" in c.metadata.get("tags", [])
    ]
    assert len(answer_cells) == 2, "q6 and q7 each have one Markdown answer cell"
    ann = nbformat.from_dict(base)
    ann.cells[answer_cells[0]].source = HOSTILE
    ann.cells.insert(answer_cells[0] + 1, nbformat.v4.new_code_cell("rows = 4  # ann's own check"))
    (folder / "ann").mkdir(parents=True)
    nbformat.write(ann, folder / "ann" / f"{SLUG}.ipynb")
    bo = nbformat.from_dict(base)
    bo.cells[answer_cells[1]].source = "Distinct principals, counted once: Bo's measure."
    (folder / "bo").mkdir()
    with zipfile.ZipFile(folder / "bo" / f"{SLUG}_2026_12_01T10_00_00_000000.zip", "w") as z:
        z.writestr(f"{SLUG}.ipynb", nbformat.writes(bo))
    cy = nbformat.from_dict(base)
    cy.cells[answer_cells[0]].source = "Cy's q6."
    del cy.cells[answer_cells[1] - 1]  # q7's prompt, deleted by hand
    (folder / "cy").mkdir()
    nbformat.write(cy, folder / "cy" / f"{SLUG}.ipynb")
    (folder / "broken.ipynb").write_text("{not json")
    return folder


ROSTER = """student_id,name,email,submission
s1,Ann Lee,ann@example.org,ann
s2,Bo Chen,bo@example.org,bo
s3,Cy Park,cy@example.org,cy
s4,Di Sousa,di@example.org,di
"""


def run_responses(*args: str):
    command = [sys.executable, "-m", "course", "responses", *args, "--assignment", SLUG]
    return subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True)


@pytest.mark.slow
def test_responses_page_and_scores_template(built_exercises, tmp_path):
    folder = make_open_answers_class(
        built_exercises.items[SLUG].student_notebook, tmp_path / "class"
    )
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER)
    page, template = tmp_path / "out" / "responses.html", tmp_path / "out" / "scores.csv"
    done = run_responses(
        str(folder), "--out", str(page), "--scores-template", str(template), "--roster", str(roster)
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == f"3 of 4 submissions' open answers (q6, q7) -> {page}"
    assert "broken.ipynb" in done.stderr  # unmatched: left out of the template, said so
    html = page.read_text()
    # Hostile text is escaped, never markup.
    assert "<script>window.pwned" not in html and "<img src=x" not in html
    assert "&lt;script&gt;window.pwned = 1&lt;/script&gt;&lt;img src=x onerror=" in html
    # Question by question, each with its rubric: answers land under their own question.
    q6 = html[html.index('id="h-q6"') : html.index('id="h-q7"')]
    q7 = html[html.index('id="h-q7"') :]
    assert "Rubric for q6" in q6 and "Treats the parts separately" in q6
    assert "Rubric for q7" in q7 and "Defines a measure precisely" in q7
    # A citation in a rubric reads as the book cites it, never as its raw key.
    assert "(Grek, 2025)" in q6 and "grek2025" not in html
    assert "rows = 4  # ann&#39;s own check" in q6 and "Cy&#39;s q6." in q6
    assert "Bo&#39;s measure" in q7 and "Bo&#39;s measure" not in q6
    assert len(re.findall(r"No answer\.", q6)) == 1  # bo left q6 blank
    assert "The question is not in this notebook" in q7  # cy deleted q7's prompt
    assert "broken.ipynb: not a valid notebook" in html
    assert "di · Di Sousa (s4): nothing submitted" in html
    # The template: one row per student who submitted, ready for --manual.
    assert template.read_text() == (
        "student_id,name,email,q6,q7\n"
        "s1,Ann Lee,ann@example.org,,\ns2,Bo Chen,bo@example.org,,\ns3,Cy Park,cy@example.org,,\n"
    )
    filled = template.read_text().replace("ann@example.org,,", "ann@example.org,4,2.5")
    template.write_text(filled)
    ids = {"s1", "s2", "s3", "s4"}
    assert read_manual(template, {"q6": 4.0, "q7": 3.0}, set(), ids)[1]["s1"] == {
        "q6": 4.0,
        "q7": 2.5,
    }
    # A scores file is never overwritten: it may already hold the instructor's work.
    again = run_responses(str(folder), "--out", str(page), "--scores-template", str(template))
    assert again.returncode == 2 and f"{template} exists" in again.stderr
    assert template.read_text() == filled
    # One file, as `course grade` takes it; without a roster the template is by submission.
    single = folder / "bo" / f"{SLUG}_2026_12_01T10_00_00_000000.zip"
    one = run_responses(
        str(single),
        "--out",
        str(tmp_path / "one.html"),
        "--scores-template",
        str(tmp_path / "one.csv"),
    )
    assert one.returncode == 0, one.stderr
    assert (tmp_path / "one.csv").read_text() == f"submission,q6,q7\n{single.name},,\n"
    bad = run_responses(str(tmp_path / "nowhere"), "--out", str(tmp_path / "x.html"))
    assert bad.returncode == 2 and "does not exist" in bad.stderr
