"""Public tests that teach: every master lists the mistakes students are likely to make
(``exercises/<slug>.mistakes.yml``), and each listed wrong answer fails its question's public
check with its hint, while the answer key passes. Masters are found in ``exercises/``."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import nbformat
import pytest
import yaml

from course import exercises, grading
from course.grading.kernel import execute_for_answers
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


def public_sources(master: Path) -> dict[str, str]:
    """question -> source of its public test cells in the master."""
    found, current = {}, None
    for cell in nbformat.read(master, as_version=4).cells:
        text = cell.source.strip()
        if cell.cell_type == "raw" and text.startswith("# BEGIN QUESTION"):
            current = yaml.safe_load(text)["name"]
        elif cell.cell_type == "code" and "# BEGIN TEST CONFIG" in text:
            header = text.split("# BEGIN TEST CONFIG", 1)[1].split('""" # END TEST CONFIG', 1)[0]
            if not (yaml.safe_load(header) or {}).get("hidden"):
                found[current] = found.get(current, "") + text
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
    names, current = {}, None
    for cell in nbformat.read(master, as_version=4).cells:
        text = cell.source.strip()
        if cell.cell_type == "raw" and text.startswith("# BEGIN QUESTION"):
            current = yaml.safe_load(text)["name"]
        elif cell.cell_type == "code" and "# BEGIN TEST CONFIG" in text:
            for name in re.findall(r"^def (\w+)\(", text, flags=re.M):
                assert name not in names.get(current, set()), f"{master.name} {current}: two {name}"
                names.setdefault(current, set()).add(name)


def test_a_missing_mistakes_file_is_named(tmp_path):
    master = tmp_path / "new-chapter.ipynb"
    master.write_text("{}")
    with pytest.raises(pytest.fail.Exception, match=r"new-chapter\.ipynb has no new-chapter"):
        load_mistakes(master)


# --- slow: every listed wrong answer through the public checks ---------------------------------


def _public_outcomes(notebook, kit, folder: Path) -> dict[str, dict]:
    run = execute_for_answers(notebook, kit.names, folder, timeout=120)
    assert run.status == "ok", run.message
    answers = {n: grading.decode(v) for n, v in run.exported["answers"].items()}
    return grading.run_tests(kit, answers, folder)


@pytest.mark.slow
@pytest.mark.parametrize("master", MASTERS, ids=[m.stem for m in MASTERS])
def test_each_listed_mistake_fails_its_public_check_with_its_hint(master, tmp_path):
    listed = load_mistakes(master)
    built = exercises.build_assignment(master, tmp_path / "build")
    folder = tmp_path / "student"
    with zipfile.ZipFile(built.student_zip) as archive:
        archive.extractall(folder)
    maker = ClassMaker(built.student_notebook, built.solutions_notebook)
    kit = grading.public_kit(maker.student, built.student_notebook)

    key = _public_outcomes(maker.notebook(answered=maker.questions), kit, folder)
    failing = {
        q: o["public_summary"] for q, o in key.items() if o["public_passed"] < o["public_total"]
    }
    assert not failing, f"the answer key fails public checks: {failing}"

    problems = []
    for question, entries in listed.items():
        for entry in entries:
            notebook = maker.notebook(answered=maker.questions, replace={question: entry["answer"]})
            outcome = _public_outcomes(notebook, kit, folder)[question]
            if outcome["public_passed"] == outcome["public_total"]:
                problems.append(f"{question}: passes its public check: {entry['mistake']}")
            elif entry["hint"] not in outcome["public_summary"]:
                problems.append(
                    f"{question}: fails without the hint {entry['hint']!r} "
                    f"({entry['mistake']}):\n{outcome['public_summary']}"
                )
    assert not problems, "\n".join(problems)
