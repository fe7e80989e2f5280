"""Every otter master and the suite's one build of them (`conftest.built_exercises`): config,
layout, public/hidden split, grading through `course grade`, skip-when-unchanged, no leaks.
Masters are found in `exercises/`; one chapter's numbers belong to its own test module."""

from __future__ import annotations

import ast
import csv
import html
import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from course import exercises
from course.exercises import ExerciseBuildError
from course.paths import EXERCISES_DIR, REPO_ROOT

MASTERS = sorted(EXERCISES_DIR.glob("*.ipynb"))
# The build machinery (skipping, failing, naming missing data) is shown on one example master.
SLUG = "russia-in-washington"
MASTER = EXERCISES_DIR / f"{SLUG}.ipynb"
each_master = pytest.mark.parametrize("master", MASTERS, ids=lambda path: path.stem)


# --- the master itself (fast) -----------------------------------------------------------------


@each_master
def test_master_has_autograded_questions_with_public_and_hidden_tests(master):
    table = exercises.question_table(master)
    auto = table[table["kind"] == "auto"]
    assert len(auto), f"{master.name} has no auto-graded question"
    assert (auto["public_tests"] >= 1).all() and (auto["hidden_tests"] >= 1).all()
    assert (table["points"] > 0).all()
    assert (auto["public_points"] + auto["hidden_points"] == auto["points"]).all()
    assert (auto["public_points"] > 0).all() and (auto["hidden_points"] > 0).all()


@each_master
def test_master_config_names_itself_and_its_data(master):
    config = exercises.assignment_config(master)
    assert config["name"] == master.stem
    assert str(config["python_version"]) == "3.11"
    for name in config.get("files", []):
        assert (REPO_ROOT / name).is_file() and name.startswith("data/"), name
    assert config["tests"] == {"files": False, "ok_format": False}  # from assignment_config.yml


def master_imports(master: Path) -> set[str]:
    notebook = nbformat.read(master, as_version=4)
    imported = set()
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                imported.add(node.module.split(".")[0])
    return imported


@each_master
def test_master_does_not_import_the_course_package(master):
    # Students get the notebook and its data only; the helper package is not in their bundle.
    assert "course" not in master_imports(master)


def test_missing_data_file_is_named(tmp_path):
    (tmp_path / "data" / "fara").mkdir(parents=True)
    (tmp_path / "data" / "fara" / "foreign_principals.csv").write_bytes(b"x\n")
    with pytest.raises(ExerciseBuildError, match=r"data/russia/principals_coded\.csv"):
        exercises.build_assignment(MASTER, tmp_path / "out", data_root=tmp_path)


def test_config_without_python_version_is_refused(tmp_path):
    notebook = nbformat.read(MASTER, as_version=4)
    notebook.cells[0].source = notebook.cells[0].source.replace('python_version: "3.11"\n', "")
    (tmp_path / "assignment_config.yml").write_text("tests:\n  files: false\n")
    nbformat.write(notebook, tmp_path / f"{SLUG}.ipynb")
    with pytest.raises(ExerciseBuildError, match="python_version"):
        exercises.assignment_config(tmp_path / f"{SLUG}.ipynb")


def test_cli_reports_missing_data_with_exit_1(tmp_path):
    source = tmp_path / "masters"
    source.mkdir()
    (source / "nothing.txt").write_text("")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "course",
            "exercises",
            "build",
            "--source",
            str(source),
            "--out",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
    )
    assert done.returncode == 1
    assert "no master notebooks" in done.stderr


def test_build_hash_covers_the_master_and_every_bundled_data_file(tmp_path):
    """The hash student notebooks carry: the master's bytes and each bundled data file's, in a
    stable order; one byte changed anywhere gives another hash."""
    files = exercises.assignment_config(MASTER).get("files", [])
    assert files
    root = tmp_path / "root"
    for name in files:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO_ROOT / name, root / name)
    current = exercises.build_hash_for(MASTER)
    assert exercises.build_hash_for(MASTER, data_root=root) == current  # bytes, not places
    inputs = exercises.data_inputs(MASTER, exercises.assignment_config(MASTER), root)
    assert exercises.build_hash(MASTER, inputs[::-1]) == current  # the config's order is moot
    seen = {current}
    for name in files:
        original = (root / name).read_bytes()
        changed = bytearray(original)
        changed[len(changed) // 2] ^= 1  # one data byte
        (root / name).write_bytes(bytes(changed))
        seen.add(exercises.build_hash_for(MASTER, data_root=root))
        (root / name).write_bytes(original)
    master = tmp_path / "masters" / MASTER.name
    master.parent.mkdir()
    shutil.copy2(MASTER, master)
    shutil.copy2(EXERCISES_DIR / "assignment_config.yml", master.parent)
    master.write_bytes(MASTER.read_bytes().replace(b"\n", b"\n ", 1))
    seen.add(exercises.build_hash_for(master, data_root=root))
    assert len(seen) == len(files) + 2


def test_student_requirements_pin_what_the_repository_pins():
    text = exercises.student_requirements()
    pins = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert [pin.split("==")[0] for pin in pins] == list(exercises.STUDENT_PACKAGES)
    repo_lines = {
        line.strip() for line in (REPO_ROOT / "requirements.txt").read_text().splitlines()
    }
    assert set(pins) <= repo_lines


def test_student_requirements_name_a_missing_pin(tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("pandas==3.1.1\notter-grader>=7\n")
    with pytest.raises(ExerciseBuildError, match=r"requirements\.txt.*otter-grader.*altair"):
        exercises.student_requirements(requirements)


# --- a real build (slow: otter assign runs the answer key against every test) ------------------


@pytest.fixture(scope="module")
def built(built_exercises):
    return built_exercises.items


def _zip_names(path):
    with zipfile.ZipFile(path) as archive:
        return sorted(archive.namelist())


def auto_questions(master: Path) -> list[str]:
    table = exercises.question_table(master)
    return sorted(table.loc[table["kind"] == "auto", "question"])


@pytest.mark.slow
@each_master
def test_build_lays_out_student_autograder_and_solutions(built, built_exercises, master):
    slug, out = master.stem, built_exercises.out
    item = built[slug]
    assert item.student_notebook == out / "student" / f"{slug}.ipynb"
    files = exercises.assignment_config(master).get("files", [])
    questions = auto_questions(master)
    with zipfile.ZipFile(item.student_zip) as archive:
        readme = archive.read("README.md").decode()
        requirements = archive.read("requirements.txt").decode()
        first = nbformat.reads(archive.read(f"{slug}.ipynb").decode(), as_version=4).cells[:2]
    assert requirements == exercises.student_requirements()
    for step in ("Python 3.11", "pip install -r requirements.txt", "jupyter lab", "grader.check"):
        assert step in readme, step
    assert (
        "grader.export(" in readme and "Submit that zip" in readme and "submit the newest" in readme
    )
    assert first[0].cell_type == "markdown" and "requirements.txt" in first[0].source
    assert first[1].source == "# %pip install -r requirements.txt"
    assert _zip_names(item.student_zip) == sorted(
        [f"{slug}.ipynb", "README.md", "requirements.txt", *files]
        + [f"tests/{q}.py" for q in questions]
    )
    names = _zip_names(item.autograder_zip)
    assert {f"tests/{q}.py" for q in questions} <= set(names)
    with zipfile.ZipFile(item.student_zip) as archive:
        for name in files:
            assert f"files/{name}" in names
            assert archive.read(name) == (built_exercises.root / name).read_bytes()
    assert item.solutions_notebook.is_file()


@pytest.mark.slow
@each_master
def test_student_notebook_carries_only_public_tests_and_says_so(built, master):
    item = built[master.stem]
    student = nbformat.read(item.student_notebook, as_version=4)
    tests = student.metadata["otter"]["tests"]
    assert sorted(tests) == auto_questions(master)
    assert all("hidden=True" not in source for source in tests.values())
    with zipfile.ZipFile(item.autograder_zip) as archive:
        hidden = [archive.read(f"tests/{q}.py").decode().count("hidden=True") for q in tests]
    assert all(count >= 1 for count in hidden)
    text = "\n".join(cell.source for cell in student.cells)
    assert "only the **public** tests" in text and "hidden tests" in text.lower()
    assert "rerun all of the autograder tests" not in text
    assert "import course" not in text and "from course" not in text


@pytest.mark.slow
@each_master
def test_student_notebook_carries_the_build_hash(built, built_exercises, master):
    """In its metadata, in the notebook and in the zip's copy: what `course grade` compares."""
    item = built[master.stem]
    expected = exercises.build_hash_for(
        built_exercises.root / "exercises" / master.name, data_root=built_exercises.root
    )
    student = nbformat.read(item.student_notebook, as_version=4)
    assert student.metadata["course"] == {"build_hash": expected}
    with zipfile.ZipFile(item.student_zip) as archive:
        zipped = nbformat.reads(archive.read(f"{master.stem}.ipynb").decode(), as_version=4)
    assert exercises.notebook_build_hash(zipped) == expected
    # The suite's clean copy holds the repository's own master and data: the same hash.
    assert expected == exercises.build_hash_for(master)


@pytest.mark.slow
@each_master
def test_bundle_tests_folder_holds_exactly_the_public_tests(built, master, tmp_path):
    """Colab: otter refuses metadata tests there, so the unzipped bundle carries test files."""
    from otter.check.utils import resolve_test_info

    item = built[master.stem]
    student = nbformat.read(item.student_notebook, as_version=4)
    with zipfile.ZipFile(item.student_zip) as archive:
        archive.extractall(tmp_path / "bundle")
        for name, source in student.metadata["otter"]["tests"].items():
            assert archive.read(f"tests/{name}.py").decode() == source
            assert "hidden=True" not in source
    notebook = str(tmp_path / "bundle" / f"{master.stem}.ipynb")
    first = auto_questions(master)[0]
    # Unzipped: otter resolves each question to its test file (what Colab needs) ...
    assert resolve_test_info(str(tmp_path / "bundle" / "tests"), notebook, None, first) == (
        str(tmp_path / "bundle" / "tests" / f"{first}.py"),
        None,
    )
    # ... while the notebook alone still checks itself from its metadata.
    assert resolve_test_info(str(tmp_path / "nowhere"), notebook, None, first) == (
        notebook,
        first,
    )


@pytest.mark.slow
@each_master
def test_answer_key_full_marks_and_untouched_notebook_zero_through_course_grade(
    built, built_exercises, master, tmp_path
):
    from tests.fixtures.submissions import ClassMaker

    item = built[master.stem]
    maker = ClassMaker(item.student_notebook, item.solutions_notebook)
    folder = tmp_path / "submissions"
    folder.mkdir()
    nbformat.write(maker.notebook(answered=maker.questions), folder / "key.ipynb")
    nbformat.write(maker.notebook(), folder / "untouched.ipynb")
    root = built_exercises.root
    done = subprocess.run(
        [sys.executable, "-m", "course", "grade", str(folder), "--assignment", master.stem]
        + ["--out", str(tmp_path / "grades.csv"), "--jobs", "2", "--timeout", "120"],
        cwd=root,
        env={**os.environ, "COURSE_ROOT": str(root)},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    with (tmp_path / "grades.csv").open(encoding="utf-8") as handle:
        rows = {row["submission"]: row for row in csv.DictReader(handle)}
    table = exercises.question_table(master)
    full = table.loc[table["kind"] == "auto", "points"].sum()
    assert float(rows["key.ipynb"]["max"]) == full > 0
    assert rows["key.ipynb"]["status"] == "ok" and float(rows["key.ipynb"]["total"]) == full
    assert rows["untouched.ipynb"]["status"] == "ok"
    assert float(rows["untouched.ipynb"]["total"]) == 0


@pytest.mark.slow
def test_unchanged_inputs_skip_the_build_and_changed_ones_redo_it(built_exercises, tmp_path):
    # A copy: the suite's shared build must stay as it is for the other tests.
    out = tmp_path / "exercises"
    shutil.copytree(built_exercises.out, out)
    again = exercises.build_assignment(MASTER, out)
    assert not again.rebuilt
    # A changed master (same questions, one more prose line) must rebuild.
    source = tmp_path / "masters"
    source.mkdir()
    notebook = nbformat.read(MASTER, as_version=4)
    notebook.cells[1].source += "\n\nA note added by the test."
    nbformat.write(notebook, source / MASTER.name)
    (source / "assignment_config.yml").write_bytes(
        (EXERCISES_DIR / "assignment_config.yml").read_bytes()
    )
    rebuilt = exercises.build_assignment(source / MASTER.name, out)
    assert rebuilt.rebuilt
    # ... and its student notebook carries another build hash, so old submissions are flagged.
    previous = nbformat.read(built_exercises.out / "student" / MASTER.name, as_version=4)
    now = nbformat.read(rebuilt.student_notebook, as_version=4)
    assert exercises.notebook_build_hash(now) == exercises.build_hash_for(source / MASTER.name)
    assert exercises.notebook_build_hash(now) != exercises.notebook_build_hash(previous)


@pytest.mark.slow
def test_a_wrong_answer_key_fails_the_build(tmp_path):
    source = tmp_path / "masters"
    source.mkdir()
    text = MASTER.read_text(encoding="utf-8")
    broken = text.replace(
        'assert russia_active_2022 == (labels == \\"RUSSIA\\").sum()',
        "assert russia_active_2022 == -1",
    )
    assert broken != text
    (source / MASTER.name).write_text(broken, encoding="utf-8")
    (source / "assignment_config.yml").write_bytes(
        (EXERCISES_DIR / "assignment_config.yml").read_bytes()
    )
    with pytest.raises(ExerciseBuildError, match="otter assign failed"):
        exercises.build_assignment(source / MASTER.name, tmp_path / "out")


# --- no leaks in the published site (slow: builds the whole book) -----------------------------

SOLUTION_LINE = re.compile(r"#\s*SOLUTION\s*$")


def solution_lines(master: Path) -> set[str]:
    """Lines inside solution markers (blocks, ``# SOLUTION`` lines, NO PROMPT blocks)."""
    found = set()
    notebook = nbformat.read(master, as_version=4)
    in_block = False
    for cell in notebook.cells:
        text = cell.source.strip()
        if cell.cell_type == "raw":
            if text.startswith("# BEGIN SOLUTION"):
                in_block = True
            elif text.startswith("# END SOLUTION"):
                in_block = False
            continue
        inner = False
        for line in cell.source.splitlines():
            stripped = line.strip()
            if stripped.startswith("# BEGIN SOLUTION"):
                inner = True
                continue
            if stripped.startswith("# END SOLUTION"):
                inner = False
                continue
            if SOLUTION_LINE.search(stripped):
                found.add(SOLUTION_LINE.sub("", stripped).strip())
            elif in_block and cell.cell_type == "markdown" or inner:
                found.add(stripped)
    return found


def hidden_test_lines(autograder_zip: Path) -> set[str]:
    """Source lines of every hidden test function in the autograder."""
    found = set()
    with zipfile.ZipFile(autograder_zip) as archive:
        for name in archive.namelist():
            if not (name.startswith("tests/") and name.endswith(".py")):
                continue
            source = archive.read(name).decode()
            lines = source.splitlines()
            for node in ast.parse(source).body:
                if isinstance(node, ast.FunctionDef) and "hidden=True" in ast.unparse(
                    node.decorator_list[0]
                ):
                    found |= {line.strip() for line in lines[node.lineno - 1 : node.end_lineno]}
    return found


def searchable_text(path: Path) -> str:
    """All text a reader could get from a published file: raw, JSON strings, HTML text, and the
    members of every archive (zips, wheels, data bundles: any zip-format file, nested too)."""
    return searchable_text_bytes(path.name, path.read_bytes())


def is_archive(raw: bytes) -> bool:
    return zipfile.is_zipfile(io.BytesIO(raw))


def searchable_text_bytes(name: str, raw: bytes, depth: int = 0) -> str:
    text = raw.decode("utf-8", "ignore")
    parts = [text]
    if depth < 3 and is_archive(raw):
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            parts += [
                searchable_text_bytes(member, archive.read(member), depth + 1)
                for member in archive.namelist()
            ]
    if name.endswith((".ipynb", ".json")):
        try:
            parts += list(_strings(json.loads(text)))
        except ValueError:
            pass
    if name.endswith((".html", ".js")):
        parts.append(html.unescape(re.sub(r"<[^>]+>", "", text)))
    return "\n".join(parts)


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


@pytest.mark.slow
@each_master
def test_published_site_leaks_no_hidden_test_or_solution(built_book, built, master):
    item, slug = built[master.stem], master.stem
    html_dir = built_book.html
    published = html_dir / "exercises" / f"{slug}.ipynb"
    assert published.is_file() and (html_dir / "exercises" / f"{slug}.zip").is_file(), (
        built_book.log[-3000:]
    )
    # Public by design: every master's student notebook (a public test line of one master may
    # equal a hidden-test line of another) and the course package, which the repository and the
    # page wheel publish (a solution line that equals a helper's line is visible there anyway).
    public_text = "\n".join(searchable_text(other.student_notebook) for other in built.values())
    public_text += "\n".join(
        line.strip()
        for path in sorted((REPO_ROOT / "course").rglob("*.py"))
        for line in path.read_text(encoding="utf-8").splitlines()
    )
    secrets = {
        line
        for line in hidden_test_lines(item.autograder_zip) | solution_lines(master)
        if len(line) >= 20 and line not in public_text
    }
    assert len(secrets) >= 5, f"{slug}: too few distinctive secret lines to search for"
    # The search can fail: the secrets are there in the files that must stay private.
    private = searchable_text(item.autograder_zip) + searchable_text(item.solutions_notebook)
    assert sum(line in private for line in secrets) >= len(secrets) // 2
    # Every archive the site publishes is opened: the student zips and the page wheel at least.
    archives = {
        p.relative_to(html_dir).as_posix()
        for p in html_dir.rglob("*")
        if p.is_file() and is_archive(p.read_bytes())
    }
    assert f"exercises/{slug}.zip" in archives
    assert any(name.startswith("downloads/") and name.endswith(".whl") for name in archives)
    leaks = {}
    for path in sorted(p for p in html_dir.rglob("*") if p.is_file()):
        text = searchable_text(path)
        hits = [line for line in secrets if line in text]
        if hits:
            leaks[str(path.relative_to(html_dir))] = hits[:3]
    assert not leaks, leaks
