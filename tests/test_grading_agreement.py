"""``course grade`` and otter's own runner give the same per-question scores.

For every master, five notebooks made from the built student notebook and the answer key (the
key, the untouched notebook, and the key with a graded answer reassigned, deleted, or defined
only after its ``grader.check``; the reassigned one also has a question whose check cell was
deleted and whose answer is reassigned at the end) are graded by otter 7.0.0's runner
(``otter.run.main``, what ``otter run`` calls, with the built autograder zip) and by
``course grade``'s ``grade_class`` in the sandbox. Both run at once, over the suite's one
exercise build: no ``otter assign`` here."""

from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from course import grading
from course.grading.kit import load_kit
from tests.fixtures.submissions import CHECK_CELL, ClassMaker

pytestmark = pytest.mark.slow

OTTER_VERSION = "7.0.0"
VARIANTS = ("key", "untouched", "reassigned", "deleted", "late")

# Runs otter's runner (the function the `otter run` command calls) over a list of jobs in one
# process, so otter is imported once; writes {submission: {question: score}} as JSON.
OTTER_BATCH = """
import contextlib, json, sys
from otter.run import main
jobs, target = json.loads(sys.argv[1]), sys.argv[2]
scores = {}
for submission, autograder, out in jobs:
    with contextlib.redirect_stdout(sys.stderr):
        results = main(submission, autograder=autograder, output_dir=out, no_logo=True)
    scores[submission] = {name: float(test.score) for name, test in results.results.items()}
with open(target, "w") as handle:
    json.dump(scores, handle)
"""


def check_cell_index(notebook, question: str) -> int:
    for index, cell in enumerate(notebook.cells):
        match = CHECK_CELL.match(cell.source.strip()) if cell.cell_type == "code" else None
        if match and match.group(1) == question:
            return index
    raise AssertionError(f"no grader.check cell for {question}")


def variants(maker: ClassMaker, names: dict[str, list[str]]) -> dict[str, object]:
    """The five notebooks of one master. The graded question is the first auto-graded one, its
    first graded name the one reassigned or deleted; the unchecked one is the last."""
    auto = [q for q in maker.questions if names.get(q)]
    first, last = auto[0], auto[-1]
    name, last_name = names[first][0], names[last][0]
    code = nbformat.v4.new_code_cell
    reassigned = maker.notebook(answered=maker.questions)
    reassigned.cells.pop(check_cell_index(reassigned, last))
    reassigned.cells.append(code(f'{name} = "reused"\n{last_name} = "reused"'))
    deleted = maker.notebook(answered=maker.questions)
    deleted.cells.append(code(f"del {name}"))
    late = maker.notebook(answered=[q for q in maker.questions if q != first])
    late.cells.insert(check_cell_index(late, first) + 1, code(maker.answers[first]))
    return {
        "key": maker.notebook(answered=maker.questions),
        "untouched": maker.notebook(),
        "reassigned": reassigned,
        "deleted": deleted,
        "late": late,
    }


def test_otter_is_the_pinned_version():
    assert importlib.metadata.version("otter-grader") == OTTER_VERSION
    pins = (Path(__file__).resolve().parent.parent / "requirements.txt").read_text()
    assert f"otter-grader=={OTTER_VERSION}" in pins


def test_course_grade_agrees_with_otter_run_on_every_master(built_exercises, tmp_path):
    started = time.monotonic()
    jobs, expected_rows = [], {}
    for slug, item in sorted(built_exercises.items.items()):
        kit = load_kit(item.autograder_zip)
        maker = ClassMaker(item.student_notebook, item.solutions_notebook)
        folder = tmp_path / "class" / slug
        folder.mkdir(parents=True)
        for variant, notebook in variants(maker, kit.question_names).items():
            # Named as students submit it: otter's runner needs the name the notebook's
            # `otter.Notebook("<slug>.ipynb")` line opens (see the instructor guide).
            path = folder / variant / f"{slug}.ipynb"
            path.parent.mkdir()
            nbformat.write(notebook, path)
            out = tmp_path / "otter" / slug / variant
            out.mkdir(parents=True)
            jobs.append((str(path), str(item.autograder_zip), str(out)))
        expected_rows[slug] = kit
    # otter's runner in two processes beside course grade: the machine's two cores stay busy.
    halves = [jobs[0::2], jobs[1::2]]
    runners = [
        subprocess.Popen(
            [sys.executable, "-c", OTTER_BATCH, json.dumps(half), str(tmp_path / f"otter{i}.json")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
        for i, half in enumerate(halves)
    ]
    ours: dict[str, dict[str, float]] = {}
    for slug, item in sorted(built_exercises.items.items()):
        rows, _ = grading.grade_class(
            tmp_path / "class" / slug, item.autograder_zip, tmp_path / f"{slug}.csv", jobs=1
        )
        for row in rows:
            assert row.status == "ok", (slug, row.submission, row.message)
            ours[str(tmp_path / "class" / slug / row.submission)] = row.scores
    otter: dict[str, dict[str, float]] = {}
    for i, runner in enumerate(runners):
        _, errors = runner.communicate(timeout=600)
        assert runner.returncode == 0, errors[-3000:]
        otter.update(json.loads((tmp_path / f"otter{i}.json").read_text()))
    assert sorted(otter) == sorted(ours) and len(ours) == 5 * len(built_exercises.items)
    differ = {
        path: (otter[path], ours[path])
        for path in sorted(ours)
        if {q: otter[path].get(q) for q in ours[path]} != ours[path]
        or set(otter[path]) != set(ours[path])
    }
    assert not differ, f"otter run vs course grade: {json.dumps(differ, indent=1)}"
    for slug, kit in expected_rows.items():
        full = sum(kit.possible.values())
        score = {
            v: sum(ours[str(tmp_path / "class" / slug / v / f"{slug}.ipynb")].values())
            for v in VARIANTS
        }
        # The semantics, not only the agreement: a check that passed keeps its points.
        assert score["key"] == full and score["deleted"] == full, (slug, score)
        assert score["untouched"] == 0, (slug, score)
        assert score["late"] < full and score["reassigned"] < full, (slug, score)
    print(f"agreement over {len(ours)} notebooks: {time.monotonic() - started:.1f} s")
