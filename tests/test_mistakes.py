"""Public tests that teach: every master lists the mistakes students are likely to make
(``exercises/<slug>.mistakes.yml``), and each listed wrong answer fails its question's public
check with its hint, while the answer key passes. Masters are found in ``exercises/``."""

from __future__ import annotations

import ast
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
import yaml

from course import exercises, grading
from course.paths import EXERCISES_DIR
from tests.fixtures.submissions import ClassMaker

MASTERS = exercises.masters(EXERCISES_DIR)
FIELDS = {"mistake", "hint", "answer"}


def mistakes_file(master: Path) -> Path:
    return master.with_name(f"{master.stem}.mistakes.yml")


def load_mistakes(master: Path) -> dict[str, list[dict]]:
    """The master's listed mistakes, checked: a clear message for a missing or malformed file."""
    path = mistakes_file(master)
    if not path.is_file():
        pytest.fail(
            f"{master.name} has no {path.name}: every master lists, per auto-graded question, "
            "the mistakes its public checks catch (see 'Listing mistakes' in CONTRIBUTING.md)"
        )
    listed = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(listed, dict), f"{path}: expected a mapping question -> list of mistakes"
    for question, entries in listed.items():
        assert isinstance(entries, list) and entries, f"{path}: {question}: expected a list"
        for number, entry in enumerate(entries, 1):
            where = f"{path}: {question}, mistake {number}"
            assert isinstance(entry, dict) and set(entry) == FIELDS, (
                f"{where}: needs exactly the keys {sorted(FIELDS)}"
            )
            for key in FIELDS:
                assert isinstance(entry[key], str) and entry[key].strip(), f"{where}: empty {key}"
    return listed


def master_test_cells(master: Path) -> Iterator[tuple[str, str]]:
    """(question, source) of every test cell in the master, in order."""
    current = None
    for cell in nbformat.read(master, as_version=4).cells:
        text = cell.source.strip()
        if cell.cell_type == "raw" and text.startswith("# BEGIN QUESTION"):
            current = yaml.safe_load(text)["name"]
        elif cell.cell_type == "code" and "# BEGIN TEST CONFIG" in text:
            yield current, text


def public_sources(master: Path) -> dict[str, str]:
    """question -> source of its public test cells in the master."""
    found: dict[str, str] = {}
    for question, text in master_test_cells(master):
        header = text.split("# BEGIN TEST CONFIG", 1)[1].split('""" # END TEST CONFIG', 1)[0]
        if not (yaml.safe_load(header) or {}).get("hidden"):
            found[question] = found.get(question, "") + text
    return found


@pytest.mark.parametrize("master", MASTERS, ids=[m.stem for m in MASTERS])
def test_every_autograded_question_lists_its_mistakes(master):
    listed = load_mistakes(master)
    table = exercises.question_table(master)
    auto = list(table.loc[table["kind"] == "auto", "question"])
    assert sorted(listed) == sorted(auto), (
        f"{mistakes_file(master).name}: list mistakes for exactly the auto-graded questions {auto}"
    )
    sources = public_sources(master)
    for question, entries in listed.items():
        for entry in entries:
            # The hint is printed by a public check of that question, not invented here.
            assert entry["hint"] in sources.get(question, ""), (
                f"{master.name} {question}: no public test prints the hint {entry['hint']!r}"
            )


@pytest.mark.parametrize("master", MASTERS, ids=[m.stem for m in MASTERS])
def test_test_functions_of_a_question_have_distinct_names(master):
    """otter writes a question's tests into one module: a public test named like a hidden one
    is silently replaced by it, and its points vanish from the grade."""
    names: dict[str, set[str]] = {}
    for question, text in master_test_cells(master):
        for name in re.findall(r"^def (\w+)\(", text, flags=re.M):
            assert name not in names.get(question, set()), f"{master.name} {question}: two {name}"
            names.setdefault(question, set()).add(name)


def test_a_missing_mistakes_file_is_named(tmp_path):
    master = tmp_path / "new-chapter.ipynb"
    master.write_text("{}")
    with pytest.raises(pytest.fail.Exception, match=r"new-chapter\.ipynb has no new-chapter"):
        load_mistakes(master)


# --- slow: every listed wrong answer through the public checks ---------------------------------

# Runs in the one kernel of a master, after the answer key: snapshot the key's namespace
# (deep copies, so a mistake that edits a frame in place cannot leak into the next one).
SNAPSHOT_CELL = """
import copy as __course_copy
__course_skip = {"In", "Out", "get_ipython", "exit", "quit"}
def __course_clone(value):
    try:
        return __course_copy.deepcopy(value)
    except Exception:  # modules, the otter grader: kept as they are
        return value
__course_snapshot = {k: __course_clone(v) for k, v in list(globals().items())
                     if not k.startswith("_") and k not in __course_skip}
"""

# Before each mistake: the namespace as the key left it, minus what the key's answer cell of that
# question binds, so a wrong answer that raises leaves those names undefined, as in a fresh run.
RESTORE_CELL = """
for __k in [k for k in list(globals()) if not k.startswith("_") and k not in __course_skip]:
    del globals()[__k]
for __k, __v in __course_snapshot.items():
    globals()[__k] = __course_clone(__v)
for __k in NAMES:
    globals().pop(__k, None)
"""


def bound_names(source: str) -> list[str]:
    """The names a cell binds at its top level (assignments, defs, imports, loops)."""
    names = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.append(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names += [(a.asname or a.name).split(".")[0] for a in node.names]
        else:
            for inner in ast.walk(node):
                if isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Store):
                    names.append(inner.id)
    return list(dict.fromkeys(names))


def run_mistakes(maker, listed, kit, folder: Path) -> tuple[dict, list[dict]]:
    """Run the answer key once, as the grader prepares it, then every listed mistake in the
    same kernel, each from the key's state; returns the key's public outcomes and one outcome
    per mistake, in order."""
    from nbclient import NotebookClient

    from course.grading.kernel import EXPORT_CELL, fill, prepare

    def export(names, target):
        cell = fill(EXPORT_CELL, NAMES=repr(names), TARGET=repr(str(target)))
        return nbformat.v4.new_code_cell(cell)

    key_notebook = maker.notebook(answered=maker.questions)
    notebook = prepare(key_notebook, kit.names, folder / "key.json", kit.question_names)
    notebook.cells.append(nbformat.v4.new_code_cell(SNAPSHOT_CELL))
    order = []
    for question, entries in listed.items():
        for entry in entries:
            target = folder / f"mistake-{len(order)}.json"
            bound = bound_names(maker.answers[question])
            notebook.cells.append(
                nbformat.v4.new_code_cell(RESTORE_CELL.replace("NAMES", repr(bound)))
            )
            notebook.cells.append(nbformat.v4.new_code_cell(entry["answer"]))
            notebook.cells.append(export(kit.question_names[question], target))
            order.append((question, target))
    client = NotebookClient(
        notebook,
        timeout=300,
        allow_errors=True,  # a mistake may raise; its question then has no answer
        kernel_name="python3",
        resources={"metadata": {"path": str(folder)}},
    )
    client.execute()

    def outcomes(target: Path) -> dict[str, dict]:
        exported = json.loads(target.read_text())
        answers = {n: grading.decode(v) for n, v in exported["answers"].items()}
        return grading.run_tests(kit, answers, folder)

    return outcomes(folder / "key.json"), [outcomes(t)[q] for q, t in order]


@pytest.mark.slow
@pytest.mark.parametrize("master", MASTERS, ids=[m.stem for m in MASTERS])
def test_each_listed_mistake_fails_its_public_check_with_its_hint(
    master, built_exercises, tmp_path
):
    listed = load_mistakes(master)
    built = built_exercises.items[master.stem]
    folder = tmp_path / "student"
    with zipfile.ZipFile(built.student_zip) as archive:
        archive.extractall(folder)
    maker = ClassMaker(built.student_notebook, built.solutions_notebook)
    kit = grading.public_kit(maker.student, built.student_notebook)

    key, outcomes = run_mistakes(maker, listed, kit, folder)
    failing = {
        q: o["public_summary"] for q, o in key.items() if o["public_passed"] < o["public_total"]
    }
    assert not failing, f"the answer key fails public checks: {failing}"

    problems = []
    entries = [(q, entry) for q, listed_entries in listed.items() for entry in listed_entries]
    for (question, entry), outcome in zip(entries, outcomes, strict=True):
        if outcome["public_passed"] == outcome["public_total"]:
            problems.append(f"{question}: passes its public check: {entry['mistake']}")
        elif entry["hint"] not in outcome["public_summary"]:
            problems.append(
                f"{question}: fails without the hint {entry['hint']!r} "
                f"({entry['mistake']}):\n{outcome['public_summary']}"
            )
    assert not problems, "\n".join(problems)
