"""``course responses``: every submission's answers to the open-ended (manual) questions on one
page, question by question, beside the question's rubric from the instructor guide; and an
empty scores CSV for ``course grade --manual``.

Answers are read from the notebooks' cells (no kernel runs). A question's answer is every cell
after its prompt (found by the master's prompt text) up to the next cell the student cannot
edit; otter's placeholder text counts as no answer. Student text is hostile: the page is a
Jinja2 template with autoescaping (templates/responses.html), and answers are never rendered as
Markdown or HTML."""

from __future__ import annotations

import csv
import io
import os
import re
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from markupsafe import Markup

from course.grading.classrun import GradeRow, match_roster, scan
from course.grading.gradebook import MISSING, read_roster
from course.grading.kit import GradingKit, GradingUsageError
from course.grading.pages import file_href, render, write_page
from course.grading.submission import read_submission

# What otter puts in an open-ended answer cell of the student notebook.
PLACEHOLDER = "_Type your answer here, replacing this text._"
COMMENT = re.compile(r"<!--.*?-->", re.S)
QUESTION_MARKER = re.compile(r"<!--\s*(BEGIN|END)\s+QUESTION\s*-->")
# Longest answer shown in full; a longer one is cut, saying how much is left out.
MAX_ANSWER_CHARS = 20_000
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")
SLUG_IN_HEADING = re.compile(r"\(`([a-z0-9][a-z0-9-]*)`\)")
QUESTION_HEADING = re.compile(r"^Question\s+`(q[\w-]+)`")
ROLE = re.compile(r"\{([\w:-]+)\}`([^`]*)`")
CITE_ROLES = {"cite", "cite:p", "cite:ps", "cite:t", "cite:ts", "cite:author", "cite:year"}


@dataclass
class Answer:
    """One submission's answers: question -> cells as (cell type, text); None when the
    question's prompt is not in the notebook. ``problem`` says why nothing could be read;
    ``path`` is the submitted file."""

    row: GradeRow
    cells: dict[str, list[tuple[str, str]] | None] = field(default_factory=dict)
    problem: str = ""
    path: Path | None = None


def _plain(text: str) -> str:
    """Text without HTML comments, whitespace collapsed: how prompts are compared."""
    return " ".join(COMMENT.sub(" ", text).split())


def manual_prompts(master: Path) -> dict[str, tuple[float, str]]:
    """question -> (points, prompt Markdown) for each manual question of a master notebook,
    the questions the gradebook treats as manual (``manual: true``, no auto-graded tests)."""
    import nbformat
    import yaml

    from course.exercises import question_table

    table = question_table(Path(master))
    points = {row.question: float(row.points) for row in table.itertuples() if row.kind == "manual"}
    prompts, pending = {}, None
    for cell in nbformat.read(master, as_version=4).cells:
        text = cell.source.strip()
        if cell.cell_type == "raw" and text.startswith("# BEGIN QUESTION"):
            name = (yaml.safe_load(text) or {}).get("name")
            pending = name if name in points else None
        elif pending and cell.cell_type == "markdown":
            prompts[pending] = cell.source
            pending = None
    return {question: (points[question], prompts.get(question, "")) for question in points}


def _locked(cell) -> bool:
    metadata = cell.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    return metadata.get("editable") is False or metadata.get("deletable") is False


def find_answers(notebook, prompts: dict[str, str]) -> dict[str, list[tuple[str, str]] | None]:
    """question -> the cells the student wrote after the question's prompt (placeholder and
    blank cells left out), or None when the prompt is missing from the notebook."""
    cells = list(notebook.cells)
    keys = {question: _plain(prompt) for question, prompt in prompts.items()}
    found: dict[str, list[tuple[str, str]] | None] = {}
    for question, key in keys.items():
        start = next(
            (
                index
                for index, cell in enumerate(cells)
                if key and cell.cell_type == "markdown" and key in _plain(str(cell.source))
            ),
            None,
        )
        if start is None:
            found[question] = None
            continue
        answer = []
        for cell in cells[start + 1 :]:
            source = str(cell.get("source", ""))
            plain = _plain(source)
            if (
                _locked(cell)
                or QUESTION_MARKER.search(source)
                or any(k and k in plain for k in keys.values())
            ):
                break
            text = source.strip()
            if text and text != PLACEHOLDER:
                answer.append((str(cell.get("cell_type", "")), source))
        found[question] = answer
    return found


def read_answers(path: Path, name: str, slug: str, prompts: dict[str, str]) -> Answer:
    """The answers in one submission (a notebook or an otter export zip), read the way
    ``course grade`` reads it; an unreadable one says why."""
    notebook, _, refused = read_submission(path, GradingKit(slug, {}, {}))
    if refused is not None:
        return Answer(GradeRow(name, refused.status, {}, refused.message), problem=refused.message)
    row = GradeRow(name, "ok", {}, "")
    try:
        return Answer(row, find_answers(notebook, prompts))
    except Exception as error:  # a hand-edited notebook with cells of the wrong shape
        problem = f"could not read its cells: {type(error).__name__}"
        return Answer(GradeRow(name, "unreadable", {}, problem), problem=problem)


def read_rubrics(guide: Path, slug: str) -> dict[str, str]:
    """question -> rubric Markdown for assignment ``slug`` in the instructor guide.

    A heading that ends with ``(`slug`)`` opens that assignment's part of the guide, up to the
    next heading of the same or a higher level; inside it, a heading starting ``Question `qN```
    opens that question's rubric, up to the next heading of the same or a higher level."""
    lines = Path(guide).read_text(encoding="utf-8").splitlines()
    rubrics: dict[str, list[str]] = {}
    scopes: list[tuple[int, str]] = []  # (heading level, slug), innermost last
    current: tuple[int, str] | None = None  # (heading level, question) being collected
    fenced = False
    for line in lines:
        if FENCE.match(line):
            fenced = not fenced
        heading = None if fenced else HEADING.match(line)
        if heading:
            level, text = len(heading.group(1)), heading.group(2)
            if current and level <= current[0]:
                current = None
            while scopes and level <= scopes[-1][0]:
                scopes.pop()
            named = SLUG_IN_HEADING.search(text)
            if named and not QUESTION_HEADING.match(text):
                scopes.append((level, named.group(1)))
            question = QUESTION_HEADING.match(text)
            if question and scopes and scopes[-1][1] == slug:
                current = (level, question.group(1))
                rubrics[current[1]] = []
            continue
        if current:
            rubrics[current[1]].append(line)
    return {q: "\n".join(text).strip() for q, text in rubrics.items() if "".join(text).strip()}


@cache
def bibliography(bib: Path | None = None) -> dict[str, tuple[str, str]]:
    """cite key -> (authors as cited, year) from the book's references.bib (author-year, as
    the book cites: one surname, "A and B", or "A et al.")."""
    from pybtex.database import parse_file

    from course.paths import REPO_ROOT

    bib = Path(bib or REPO_ROOT / "references.bib")
    if not bib.is_file():
        return {}
    entries = parse_file(str(bib), bib_format="bibtex").entries
    cited = {}
    for key, entry in entries.items():
        people = entry.persons.get("author") or entry.persons.get("editor") or []
        surnames = [" ".join(person.last_names) for person in people]
        if len(surnames) > 2:
            authors = f"{surnames[0]} et al."
        else:
            authors = " and ".join(surnames) or key
        cited[key] = (authors, entry.fields.get("year", "n.d."))
    return cited


def citation(role: str, keys: str) -> str:
    """A MyST citation role as text: ``{cite}`grek2025``` -> ``(Grek, 2025)``, ``{cite:t}`` ->
    ``Grek (2025)``; a key not in the bibliography stays as written, in parentheses."""
    known = bibliography()
    wanted = [key.strip() for key in keys.split(",") if key.strip()]
    found = [known[key] for key in wanted if key in known]
    if not wanted or len(found) != len(wanted):
        return f"({keys})"
    if role in ("cite:t", "cite:ts"):
        return "; ".join(f"{authors} ({year})" for authors, year in found)
    if role == "cite:author":
        return "; ".join(authors for authors, _ in found)
    if role == "cite:year":
        return "; ".join(year for _, year in found)
    return "(" + "; ".join(f"{authors}, {year}" for authors, year in found) + ")"


def markdown_html(text: str) -> Markup:
    """Trusted Markdown (the guide's rubrics, the master's prompts) as HTML: tables on, raw
    HTML off, so the result is safe to insert; MyST roles shown as their text, citations as
    author and year."""
    from markdown_it import MarkdownIt

    text = COMMENT.sub("", text)
    text = ROLE.sub(
        lambda m: citation(m.group(1), m.group(2)) if m.group(1) in CITE_ROLES else m.group(2),
        text,
    )
    return Markup(MarkdownIt("commonmark", {"html": False}).enable("table").render(text))


def _cut(text: str) -> str:
    if len(text) <= MAX_ANSWER_CHARS:
        return text
    return text[:MAX_ANSWER_CHARS] + f"\n… ({len(text) - MAX_ANSWER_CHARS} more characters cut)"


def _who(row: GradeRow) -> str:
    student = row.student
    return (
        f"{row.submission} · {student.name} ({student.student_id})" if student else row.submission
    )


def responses_html(
    slug: str,
    answers: list[Answer],
    questions: dict[str, tuple[float, str]],
    rubrics: dict[str, str],
    missing: list[GradeRow],
    guide_name: str,
    page_folder: Path | None = None,
) -> str:
    """The whole page (templates/responses.html): per question, its prompt and rubric, then
    every submission's answer; with ``page_folder``, each answer links to its file."""

    def shown(answer: Answer) -> dict:
        href = None
        if page_folder is not None and answer.path is not None:
            href = file_href(Path(os.path.relpath(answer.path, page_folder)).as_posix())
        return {
            "who": _who(answer.row),
            "name": answer.row.submission,
            "problem": answer.problem,
            "href": href,
            "cells": {
                q: None if cells is None else [(kind, _cut(text)) for kind, text in cells]
                for q, cells in answer.cells.items()
            },
        }

    return render(
        "responses.html",
        title=f"Open answers: {slug}",
        charts=None,
        body_class="responses",
        slug=slug,
        answers=answers,
        questions=[
            {
                "name": question,
                "points": f"{points:g}",
                "prompt": markdown_html(prompt) if prompt else None,
                "rubric": markdown_html(rubrics[question]) if rubrics.get(question) else None,
            }
            for question, (points, prompt) in questions.items()
        ],
        unread=[shown(a) for a in answers if a.problem],
        readable=[shown(a) for a in answers if not a.problem],
        missing=[_who(row) for row in missing],
        guide_name=guide_name,
    )


def scores_template(
    answers: list[Answer], manual: list[str], roster: bool
) -> tuple[str, list[str]]:
    """(CSV text, submissions left out): an empty rubric-scores file for ``--manual``. With a
    roster, one row per student who submitted (``student_id,name,email``); without, one row per
    submission. A submission that matches no roster line cannot be keyed and is left out."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    left_out = []
    if roster:
        writer.writerow(["student_id", "name", "email", *manual])
        seen = set()
        for answer in answers:
            student = answer.row.student
            if student is None:
                left_out.append(answer.row.submission)
            elif student.student_id not in seen:
                seen.add(student.student_id)
                writer.writerow(
                    [student.student_id, student.name, student.email, *[""] * len(manual)]
                )
    else:
        writer.writerow(["submission", *manual])
        for answer in answers:
            writer.writerow([answer.row.submission, *[""] * len(manual)])
    return buffer.getvalue(), left_out


def collect(path: Path, slug: str, master: Path, roster: Path | None):
    """(answers, missing roster rows, manual questions) for a class folder or one file."""
    questions = manual_prompts(master)
    prompts = {question: prompt for question, (_, prompt) in questions.items()}
    base, paths, _ = scan(Path(path))
    answers = [read_answers(p, p.relative_to(base).as_posix(), slug, prompts) for p in paths]
    for answer, file in zip(answers, paths, strict=True):
        answer.path = file.resolve()
    missing = []
    if roster is not None:
        rows = match_roster([a.row for a in answers], read_roster(roster))
        missing = [row for row in rows if row.status == MISSING]
    return answers, missing, questions


def responses_command(args) -> int:
    """``python -m course responses PATH --assignment SLUG --out responses.html``."""
    from course.paths import REPO_ROOT

    master = Path(args.source) / f"{args.assignment}.ipynb"
    guide = Path(args.guide) if args.guide else REPO_ROOT / "chapters" / "instructor-guide.md"
    try:
        if not master.is_file():
            raise GradingUsageError(f"no master {master} for assignment {args.assignment!r}")
        if args.scores_template is not None and Path(args.scores_template).exists():
            raise GradingUsageError(
                f"{args.scores_template} exists: it may hold scores already; remove it or "
                "choose another path"
            )
        answers, missing, questions = collect(
            args.submissions, args.assignment, master, args.roster
        )
        if not questions:
            raise GradingUsageError(f"{master} has no open-ended (manual) question")
        rubrics = read_rubrics(guide, args.assignment)
    except (GradingUsageError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for question in questions:
        if question not in rubrics:
            print(f"warning: no rubric for {question} in {guide}", file=sys.stderr)
    page = responses_html(
        args.assignment,
        answers,
        questions,
        rubrics,
        missing,
        guide.name,
        page_folder=Path(args.out).resolve().parent,
    )
    write_page(args.out, page)
    shown = sum(not a.problem for a in answers)
    print(
        f"{shown} of {len(answers)} submissions' open answers ({', '.join(questions)}) -> {args.out}"
    )
    if args.scores_template is not None:
        text, left_out = scores_template(answers, list(questions), args.roster is not None)
        write_page(args.scores_template, text)
        print(f"empty scores for --manual -> {args.scores_template}")
        if left_out:
            print(
                "not in the scores template (no roster line, so no student_id): "
                + ", ".join(left_out),
                file=sys.stderr,
            )
    return 0
