"""Batch grading and the student self-check, on a class of real notebooks generated from the
master (fixtures/submissions.py): statuses, exact scores, messages, untouched originals."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import altair as alt
import pandas as pd
import pytest

from course import exercises, grading, paths
from course.exercises.masters import question_table
from course.grading import classrun, export, gradebook, worker
from course.grading.sandbox import Limits, PidsCgroup
from course.paths import EXERCISES_DIR, REPO_ROOT
from tests.fixtures.submissions import (
    CELL_TIMEOUT,
    MISMATCHED,
    ClassMaker,
    make_class,
    run_course_grade,
)

SLUG = "russia-in-washington"
# Points per auto-graded question, read from the master, so a reworked master moves them here.
AUTO_POINTS = {
    row.question: row.points
    for row in question_table(paths.REPO_ROOT / "exercises" / f"{SLUG}.ipynb").itertuples()
    if row.kind == "auto"
}
ROSTER = """student_id,name,email,submission
s1,Ann Lee,ann@example.org,full.ipynb
s2,Bo Chen,bo@example.org,zips/alice
s3,Cy Park,cy@example.org,partial
s4,Di Sousa,di@example.org,absent
"""
CLASS_TIMEOUT = 30.0  # generous: a loaded CI machine must not turn slow notebooks into timeouts


# --- fast: the pieces ---------------------------------------------------------------------------


def _export_roundtrip(values: dict, tmp_path: Path) -> dict:
    """Run the kernel-side export code as the kernel does (its source, executed in a bare
    namespace), then decode as the grader does."""
    from course.grading.kernel import export_source

    space = {"__builtins__": __builtins__}
    exec(export_source(), space)
    target = tmp_path / "answers.json"
    space["export"](list(values) + ["never_defined"], str(target), values)
    exported = json.loads(target.read_text())
    assert exported["missing"] == ["never_defined"]
    return {name: grading.decode(value) for name, value in exported["answers"].items()}


def test_answers_survive_export_and_decoding(tmp_path):
    import numpy as np

    chart = (
        alt.Chart(pd.DataFrame({"country": ["RUSSIA"], "active_rows": [4]}))
        .mark_bar()
        .encode(x="active_rows:Q")
    )
    values = {
        "count": np.int64(4),
        "share": np.float64(0.25),
        "missing_value": float("nan"),
        "text": "Kobre & Kim LLP",
        "series": pd.Series([56, 4], index=["JAPAN", "RUSSIA"], name="count"),
        "frame": pd.DataFrame({"country": ["JAPAN"], "n": [56]}),
        "chart": chart,
        "blank": ...,
        "nested": {"a": [1, (2, 3)], 5: {"x"}},
        "function": len,
        "day": pd.Timestamp("2022-02-24"),
        "dates": pd.DataFrame({"ended": pd.to_datetime(["2022-02-24", None])}),
    }
    back = _export_roundtrip(values, tmp_path)
    assert back["count"] == 4 and type(back["count"]) is int
    assert (
        back["share"] == 0.25
        and math.isnan(back["missing_value"])
        and back["text"] == "Kobre & Kim LLP"
    )
    pd.testing.assert_series_equal(back["series"], values["series"])
    assert back["frame"].to_dict("list") == {"country": ["JAPAN"], "n": [56]}
    assert back["chart"].to_dict() == chart.to_dict()
    assert back["blank"] is Ellipsis
    assert back["nested"] == {"a": [1, (2, 3)], 5: {"x"}}
    assert isinstance(back["function"], grading.Unsupported)
    assert back["day"] == pd.Timestamp("2022-02-24")
    # An empty date (a principal never terminated) stays an empty date, not an unknown object.
    assert back["dates"]["ended"].iloc[0] == pd.Timestamp("2022-02-24")
    assert back["dates"]["ended"].isna().iloc[1]


def test_export_module_encodes_plain_json_and_refuses_deep_nesting(tmp_path):
    import numpy as np

    assert export.encode(np.int64(3)) == 3
    assert export.encode(float("inf")) == {"__kind__": "float", "repr": "inf"}
    assert export.encode(len) == {
        "__kind__": "unsupported",
        "type": "builtins.builtin_function_or_method",
    }
    deep: list = []
    for _ in range(40):
        deep = [deep]
    target = tmp_path / "answers.json"
    export.export(["deep", "gone"], str(target), {"deep": deep})
    written = json.loads(target.read_text())
    assert written == {
        "answers": {},
        "missing": ["gone"],
        "failed": {"deep": "ValueError: nested too deeply"},
        "checked": {},
    }


def test_each_question_is_graded_on_its_values_at_its_last_check(monkeypatch, tmp_path):
    """The kernel-side wrapper of grader.check records a question's names when it is checked;
    a question never checked is graded on the final values (as otter's runner does)."""
    import otter

    from course.grading.answers import graded_records, read_exported
    from course.grading.kernel import export_source

    monkeypatch.setattr(otter.Notebook, "check", otter.Notebook.check)  # put back afterwards
    monkeypatch.chdir(tmp_path)  # otter's check writes its log file into the working folder
    (tmp_path / "tests").mkdir()  # as in otter's runner: a tests folder, here without q9
    space = {"__builtins__": __builtins__}
    exec(export_source(), space)
    space["install"]({"q1": ["a"], "q2": ["b"], "q3": ["c"]})
    grader = otter.Notebook.__new__(otter.Notebook)  # no tests here: otter's own check fails
    env = {"a": 0, "b": 2}
    otter.Notebook.check(grader, "q1", env)
    env["a"] = 1
    otter.Notebook.check(grader, "q1", env)  # checked twice: the last check counts
    otter.Notebook.check(grader, "q3", env)  # c not yet defined when checked
    env.update(a="reused", c=3)
    del env["b"]
    with pytest.raises(FileNotFoundError):  # a question the autograder does not know
        otter.Notebook.check(otter.Notebook(), "q9", env)
    target = tmp_path / "answers.json"
    space["export"](["a", "b", "c"], str(target), env)
    records = graded_records(read_exported(target), ["q1", "q2", "q3"])
    assert records["q1"] == {"answers": {"a": 1}, "missing": [], "failed": {}}
    assert records["q2"] == {"answers": {"a": "reused", "c": 3}, "missing": ["b"], "failed": {}}
    assert records["q3"] == {"answers": {}, "missing": ["c"], "failed": {}}


def test_injected_cells_survive_answer_names_that_look_like_placeholders():
    """A variable called TARGET or SOURCE must not be replaced again inside the injected cells."""
    import nbformat

    from course.grading.kernel import prepare

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("TARGET = 1")])
    names = ["TARGET", "SOURCE", "NAMES"]
    prepared = prepare(notebook, names, Path("/tmp/NAMES.json"), {"q1": names})
    for cell in (prepared.cells[0], prepared.cells[-1]):
        compile(cell.source, "injected", "exec")
    assert "export(['TARGET', 'SOURCE', 'NAMES'], '/tmp/NAMES.json'" in prepared.cells[-1].source
    assert "install({'q1': ['TARGET', 'SOURCE', 'NAMES']})" in prepared.cells[0].source


def test_signed_lines_reject_forgeries():
    key = b"k" * 32
    line = worker.envelope(key, {"id": "1", "result": {"status": "ok"}})
    assert worker.verify(key, line) == {"id": "1", "result": {"status": "ok"}}
    forged = json.dumps(
        {
            "body": json.dumps({"id": "1", "result": {"status": "ok", "scores": {"q1": 3}}}),
            "sig": "0" * 64,
        }
    )
    assert worker.verify(key, forged) is None
    assert worker.verify(b"x" * 32, line) is None
    assert worker.verify(key, "not json") is None


def test_grades_csv_is_written_in_one_piece(tmp_path):
    rows = [
        grading.GradeRow("a/x.ipynb", "ok", {"q1": 3.0, "q2": 1.5}, ""),
        grading.GradeRow("b.ipynb", "timeout", {}, "stopped after 120 s", ["unsandboxed", "late"]),
    ]
    out = tmp_path / "grades.csv"
    out.write_text("old")
    grading.write_grades(rows, ["q1", "q2"], {"q1": 3.0, "q2": 3.0}, out)
    assert out.read_text() == (
        "submission,status,total,max,q1,q2,manual_max,final,final_max,message,flags\n"
        "a/x.ipynb,ok,4.5,6,3,1.5,0,4.5,6,,\n"
        "b.ipynb,timeout,0,6,,,0,0,6,stopped after 120 s,unsandboxed;late\n"
    )
    rows[0].manual = {"q6": 2.5}
    rows[0].student = gradebook.Student("s1", "Ann Lee", "ann@example.org", "a")
    grading.write_grades(rows, ["q1"], {"q1": 3.0}, out, {"q6": 4.0, "q7": 3.0}, roster=True)
    assert out.read_text().splitlines() == [
        "submission,student_id,name,email,status,total,max,q1,q6,q7,manual_max,final,final_max,"
        "message,flags",
        "a/x.ipynb,s1,Ann Lee,ann@example.org,ok,4.5,3,3,2.5,,7,7,10,,",
        "b.ipynb,,,,timeout,0,3,,,,7,0,10,stopped after 120 s,unsandboxed;late",
    ]
    assert [p.name for p in tmp_path.iterdir()] == ["grades.csv"]


def test_submissions_are_found_recursively_in_a_stable_order(tmp_path):
    for name in [
        "b/z.ipynb",
        "a.ipynb",
        "b/.ipynb_checkpoints/z-checkpoint.ipynb",
        "c/notes.txt",
        "B.ipynb",
    ]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}")
    (tmp_path / "c/export.zip").write_bytes(b"PK")
    assert [p.relative_to(tmp_path).as_posix() for p in grading.find_submissions(tmp_path)] == [
        "B.ipynb",
        "a.ipynb",
        "b/z.ipynb",
        "c/export.zip",
    ]
    base, found, skipped = classrun.scan(tmp_path)
    assert base == tmp_path and len(found) == 4
    assert skipped == [
        ("b/.ipynb_checkpoints/z-checkpoint.ipynb", "a Jupyter checkpoint, not a submission"),
        ("c/notes.txt", "not a notebook (.ipynb) or an otter export (.zip)"),
    ]
    # One file: its folder is the base, so the row is named by the file's own name.
    assert classrun.scan(tmp_path / "b/z.ipynb") == (tmp_path / "b", [tmp_path / "b/z.ipynb"], [])
    with pytest.raises(grading.GradingUsageError, match="notes.txt is not a notebook"):
        classrun.scan(tmp_path / "c/notes.txt")


def test_progress_bar_only_on_a_terminal():
    quiet = io.StringIO()
    progress = classrun.Progress(2, quiet)
    progress.step()
    progress.step()
    assert quiet.getvalue() == ""

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    progress = classrun.Progress(2, terminal)
    progress.step()
    progress.step()
    assert terminal.getvalue().endswith("] 2/2\n") and "\r" in terminal.getvalue()


def test_usage_errors_exit_non_zero_before_any_build(tmp_path):
    """Every usage error exits 2 before the assignment is built: the checkout the command runs
    for (COURSE_ROOT, a copy of the masters with no _build) gets no build folder."""
    root = tmp_path / "root"
    shutil.copytree(EXERCISES_DIR, root / "exercises")
    env = {**os.environ, "COURSE_ROOT": str(root)}

    def grade(*extra):
        return subprocess.run(
            [sys.executable, "-m", "course", "grade", *extra],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            env=env,
        )

    out = str(tmp_path / "g.csv")
    missing = grade(str(tmp_path / "nowhere"), "--assignment", SLUG, "--out", out)
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    unknown = grade(str(tmp_path), "--assignment", "no-such-slug", "--out", out)
    assert unknown.returncode == 2 and "no-such-slug" in unknown.stderr
    assert grade(str(tmp_path)).returncode == 2  # argparse: --assignment and --out are required
    for option, value, message in (
        ("--jobs", "0", "--jobs must be at least 1"),
        ("--timeout", "0", "--timeout must be positive"),
        ("--cell-timeout", "-1", "--cell-timeout must be positive"),
        ("--memory", "lots", "--memory 'lots'"),
        ("--roster", str(tmp_path / "no-roster.csv"), "no-roster.csv"),
    ):
        bad = grade(str(tmp_path), "--assignment", SLUG, "--out", out, option, value)
        assert bad.returncode == 2 and message in bad.stderr, (option, bad.stderr)
    assert not (tmp_path / "g.csv").exists()
    assert not (root / "_build").exists()  # validated before building anything


def test_a_worker_that_is_already_gone_gives_no_answer_instead_of_crashing():
    handle = worker.Worker()
    handle.stop(kill=True)
    assert handle.proc.poll() is not None
    job = {"id": "job-1", "submission": "/nowhere.ipynb", "kit": "/nowhere.zip", "timeout": 1}
    assert handle.ask(job, wait=5) is None


def test_a_failing_grader_still_gives_every_submission_a_row(tmp_path, monkeypatch):
    import nbformat

    folder = tmp_path / "class"
    folder.mkdir()
    for name in ("a.ipynb", "b.ipynb"):
        nbformat.write(nbformat.v4.new_notebook(), folder / name)
    autograder = tmp_path / "autograder.zip"
    with zipfile.ZipFile(autograder, "w") as archive:
        archive.writestr("otter_config.json", json.dumps({"assignment_name": SLUG}))

    class BrokenWorker:
        def __init__(self):
            raise OSError("cannot start a worker")

    monkeypatch.setattr(worker, "Worker", BrokenWorker)
    monkeypatch.setattr(threading, "excepthook", lambda args: None)
    rows, summary = grading.grade_class(folder, autograder, tmp_path / "g.csv", jobs=2)
    assert [(row.submission, row.status) for row in rows] == [
        ("a.ipynb", "error"),
        ("b.ipynb", "error"),
    ]
    with open(tmp_path / "g.csv", newline="") as handle:
        written = list(csv.DictReader(handle))
    assert [row["submission"] for row in written] == ["a.ipynb", "b.ipynb"]
    assert all(row["message"].startswith("not graded:") for row in written)
    assert summary.startswith(
        "graded 0 of 2 submissions, failed 2 (0 timeout, 2 error, 0 unreadable)"
    )


def test_grading_processes_and_kernels_skip_the_slow_optional_import(tmp_path):
    """rfc3987_syntax (a jsonschema extra jupyterlab brings) costs seconds per kernel to import;
    the grading package and each kernel's first cell keep it out (otter still imports)."""
    import nbformat

    from course.grading.kernel import prepare

    first_cell = prepare(nbformat.v4.new_notebook(), ["x"], tmp_path / "answers").cells[0].source
    probes = {
        "package": "import course.grading, nbformat, otter",
        "kernel": first_cell + "\nimport nbformat",
    }
    for where, code in probes.items():
        done = subprocess.run(
            [sys.executable, "-c", code + "\nimport sys; print(sys.modules['rfc3987_syntax'])"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
        )
        assert (done.returncode, done.stdout.strip()) == (0, "None"), (where, done.stderr)


def course_check(notebook: Path) -> subprocess.CompletedProcess:
    """``python -m course check NOTEBOOK``, as a student runs it."""
    return subprocess.run(
        [sys.executable, "-m", "course", "check", str(notebook)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )


def test_a_notebook_without_the_current_build_hash_is_flagged():
    """Flagged unless it carries this build's hash: another hash, or none at all (built before
    hashes existed, or its metadata stripped) proves nothing about what it was built from."""
    import nbformat

    from course.grading.submission import version_flags

    current = hashlib.sha256(b"this build").hexdigest()
    notebook = nbformat.v4.new_notebook(metadata={"course": {"build_hash": current}})
    assert version_flags(notebook, current) == []
    assert version_flags(notebook, None) == []  # no hash asked for (grade_class called alone)
    other = nbformat.v4.new_notebook(metadata={"course": {"build_hash": "0" * 64}})
    stripped = nbformat.v4.new_notebook()
    mangled = nbformat.v4.new_notebook(metadata={"course": current})
    for notebook in (other, stripped, mangled):
        assert version_flags(notebook, current) == ["version_mismatch"]


def test_check_refuses_a_notebook_without_otter_tests(tmp_path):
    import nbformat

    path = tmp_path / "plain.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), path)
    done = course_check(path)
    assert done.returncode == 2 and "no otter tests" in done.stderr


# --- slow: real kernels -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(built_exercises):
    """The suite's one otter build (conftest); grading never writes into it."""
    return built_exercises.items[SLUG]


@pytest.fixture(scope="module")
def maker(built):
    return ClassMaker(built.student_notebook, built.solutions_notebook)


def _names_only(line: str) -> bool:
    """True for a line that only names variables, like ``a, b`` ending a cell to show them."""
    return all(part.strip().isidentifier() for part in line.strip().split(","))


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.slow
def test_the_instructors_solution_notebook_is_not_a_version_mismatch(built_exercises, built):
    """The key the build writes carries the build hash too, so grading it flags nothing."""
    import nbformat

    from course.grading.submission import version_flags

    root = built_exercises.root
    expected = exercises.build_hash_for(root / "exercises" / f"{SLUG}.ipynb", data_root=root)
    for path in (built.solutions_notebook, built.student_notebook):
        notebook = nbformat.read(path, as_version=4)
        assert exercises.notebook_build_hash(notebook) == expected, path
        assert version_flags(notebook, expected) == []
    # The student README says what is graded: the values at each check.
    with zipfile.ZipFile(built.student_zip) as bundle:
        readme = bundle.read("README.md").decode()
    assert "What your check showed is what is graded" in " ".join(readme.split())


@pytest.mark.slow
def test_answer_key_scores_full_marks_and_untouched_notebook_zero(built, maker, tmp_path):
    folder = tmp_path / "two"
    folder.mkdir()
    import nbformat

    nbformat.write(maker.notebook(answered=maker.questions), folder / "key.ipynb")
    nbformat.write(maker.notebook(), folder / "untouched.ipynb")
    rows, _ = grading.grade_class(
        folder, built.autograder_zip, tmp_path / "g.csv", jobs=2, timeout=60
    )
    by_name = {row.submission: row for row in rows}
    assert by_name["key.ipynb"].status == "ok" and by_name["key.ipynb"].total() == 15
    assert by_name["untouched.ipynb"].status == "ok" and by_name["untouched.ipynb"].total() == 0


@pytest.mark.slow
def test_a_class_of_real_notebooks(built, maker, tmp_path):
    folder = tmp_path / "class"
    expected = make_class(maker, folder)
    for path in folder.rglob("*"):  # written long before the deadline; only a zip's name says late
        os.utime(path, (1767225600, 1767225600))  # 2026-01-01
    before = _snapshot(folder)
    out = tmp_path / "grades.csv"
    # Kept outside the class folder, as an instructor should (they hold names and emails).
    roster, manual = tmp_path / "roster.csv", tmp_path / "manual.csv"
    roster.write_text(ROSTER)
    manual.write_text("student_id,q6,q7\ns1,4,2\ns3,3,\n")
    started = time.monotonic()
    done = run_course_grade(
        folder,
        out,
        SLUG,
        *("--jobs", "2", "--timeout", str(CLASS_TIMEOUT), "--cell-timeout", str(CELL_TIMEOUT)),
        *("--roster", str(roster), "--manual", str(manual)),
        *("--deadline", "2026-11-30T11:00:00", "--feedback", str(tmp_path / "feedback")),
        *("--report", str(tmp_path / "report.html")),
    )
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    # Originals untouched, and nothing new next to them.
    assert _snapshot(folder) == before
    # The whole class fits in its time budget: no submission ran past its timeout.
    assert elapsed < len(expected) * CLASS_TIMEOUT / 2, elapsed

    with open(out, newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == [
            "submission",
            "student_id",
            "name",
            "email",
            "status",
            "total",
            "max",
            "q1",
            "q2",
            "q3",
            "q4",
            "q5",
            "q6",
            "q7",
            "manual_max",
            "final",
            "final_max",
            "message",
            "flags",
        ]
        rows = list(reader)
    # The roster: a missing student's row comes last; ids, duplicates and unmatched files.
    assert rows[-1] == {
        **dict.fromkeys(reader.fieldnames, ""),
        "submission": "absent",
        "student_id": "s4",
        "name": "Di Sousa",
        "email": "di@example.org",
        "status": "missing",
        "total": "0",
        "max": "15",
        "manual_max": "7",
        "final": "0",
        "final_max": "22",
        "message": "nothing submitted",
    }
    rows = rows[:-1]
    owners = {"full.ipynb": "s1", "partial/q1-q3.ipynb": "s3", "partial/wrong-rank.ipynb": "s3"}
    owners[next(name for name in expected if name.startswith("zips/alice/"))] = "s2"
    assert {
        row["submission"]: (row["student_id"], row["flags"], row["q6"], row["q7"], row["final"])
        for row in rows
    } == {
        name: (
            owners.get(name, ""),
            ";".join(
                (["version_mismatch"] if name in MISMATCHED else [])
                + (["late"] if name.startswith("zips/alice/") else [])  # 12:00, deadline 11:00
                + (["duplicate"] if name.startswith("partial/") else [])
                + ([] if name in owners else ["unmatched"])
            ),
            {"s1": "4", "s3": "3"}.get(owners.get(name), ""),
            "2" if name == "full.ipynb" else "",
            f"{want['total'] + {'s1': 6, 's3': 3}.get(owners.get(name), 0):g}",
        )
        for name, want in expected.items()
    }
    assert [row["submission"] for row in rows] == sorted(expected)
    got = {
        row["submission"]: {
            "status": row["status"],
            "total": float(row["total"]),
            "message": row["message"]
            if expected[row["submission"]]["message"] is not None
            else None,
        }
        for row in rows
    }
    assert got == expected
    # Sandboxed by default: no row is flagged unsandboxed.
    assert all(row["max"] == "15" and "unsandboxed" not in row["flags"] for row in rows)
    # Messages go back to students: no line of any test's code appears in one.
    test_lines = {
        line.strip()
        for source in grading.load_kit(built.autograder_zip).tests.values()
        for line in source.splitlines()
        if len(line.strip()) > 20
    }
    assert not [
        (r["submission"], line) for r in rows for line in test_lines if line in r["message"]
    ]
    by_name = {row["submission"]: row for row in rows}
    assert [by_name["partial/q1-q3.ipynb"][q] for q in ["q1", "q2", "q3", "q4", "q5"]] == [
        "2",
        "0",
        "4",
        "0",
        "0",
    ]
    assert [by_name["partial/wrong-rank.ipynb"][q] for q in ["q1", "q2", "q3", "q4", "q5"]] == [
        "2",
        "1",
        "4",
        "4",
        "2",
    ]
    assert by_name["bad/endless-loop.ipynb"]["message"] == f"stopped after {CLASS_TIMEOUT:g} s"
    assert by_name["bad/truncated.ipynb"]["message"].startswith("not a valid notebook:")
    assert by_name["bad/monkeypatch.ipynb"]["status"] == "ok"
    assert by_name["bad/monkeypatch.ipynb"]["total"] == "0"
    for status in ("timeout", "error", "unreadable"):
        assert all(
            by_name[name][q] == ""
            for name in by_name
            if by_name[name]["status"] == status
            for q in ["q1", "q5"]
        )
    # Feedback: one file per submission (by student id with a roster, -2 for a duplicate),
    # none for the missing student; no line of any test or of the answer key in any of them.
    feedback = {p.name: p.read_text() for p in (tmp_path / "feedback").iterdir()}
    # They name students: readable by the instructor only, like the grades CSV.
    assert {p.stat().st_mode & 0o777 for p in (tmp_path / "feedback").iterdir()} == {0o600}
    unmatched = [n for n in expected if not n.startswith(("full", "partial/", "zips/alice/"))]
    assert sorted(feedback) == sorted(
        ["s1.md", "s2.md", "s3.md", "s3-2.md"] + [n.replace("/", "__") + ".md" for n in unmatched]
    )
    key_lines = {
        line.strip()
        for source in maker.answers.values()
        for line in source.splitlines()
        if len(line.strip()) > 20 and not _names_only(line)  # names alone are no answer
    }
    for name, text in feedback.items():
        assert not [line for line in test_lines | key_lines if line in text], name
    assert "| q6 (read by your instructor) | 4 | 4 |" in feedback["s1.md"]
    assert "| q7 (read by your instructor) | not scored yet | 3 |" in feedback["s3.md"]
    assert "- q2: test_q2_rank (hidden test) failed" in feedback["s3-2.md"]
    assert "Total so far: 16 of 22" in feedback["s3-2.md"]  # 13 auto + s3's rubric 3
    check_class_report(tmp_path / "report.html", rows, expected)
    meta = json.loads(Path(f"{out}.meta.json").read_text())
    assert meta["sandbox"] is True and meta["assignment"] == SLUG
    assert meta["otter_version"] and len(meta["master_sha256"]) == 64
    # The hash the current build stamps into student notebooks; the class carries it.
    assert meta["build_hash"] == exercises.build_hash_for(EXERCISES_DIR / f"{SLUG}.ipynb")
    assert meta["build_hash"] == exercises.notebook_build_hash(maker.student)
    assert meta["options"]["cell_timeout"] == CELL_TIMEOUT
    assert meta["options"]["deadline"] == "2026-11-30T11:00:00"
    assert meta["course_commit"] is None or len(meta["course_commit"]) == 40
    summary = done.stdout.strip().splitlines()[-3]
    ok = sum(w["status"] == "ok" for w in expected.values())
    # A student who submitted nothing is missing, not a failed submission.
    assert summary.startswith(
        f"graded {ok} of {len(expected)} submissions, failed {len(expected) - ok} "
        "(1 timeout, 2 error, 3 unreadable); 1 student(s) missing (nothing submitted); "
        "mean score "
    )
    assert "wall time" in summary
    assert done.stdout.strip().splitlines()[-2:] == [
        "skipped 1 file(s):",
        "  stray/essay.pdf: not a notebook (.ipynb) or an otter export (.zip)",
    ]


def check_class_report(report: Path, rows: list[dict], expected: dict) -> None:
    """The --report page of the class: offline (the bundle beside it), two charts, every
    status counted, each question's mean as the CSV gives it, and exactly the rows that need a
    look listed."""
    from tests.browser.conftest import chart_specs

    page = report.read_text(encoding="utf-8")
    assert (report.parent / "vega-bundle.js").stat().st_size > 100_000
    assert re.findall(r'<script src="([^"]+)"', page) == ["vega-bundle.js"]
    assert len(chart_specs(page)) == 2
    assert "corrected item-total correlation" in page
    statuses = [r["status"] for r in rows] + ["missing"]
    for status in ("ok", "timeout", "error", "unreadable", "missing"):
        count = statuses.count(status)
        assert f'<tr><td>{status}</td><td class="number">{count}</td></tr>' in page, status
    for question in ["q1", "q2", "q3", "q4", "q5"]:
        scores = [float(r[question]) for r in rows if r[question] != ""]
        line = re.search(rf"<tr><td>{question}</td>.*?</tr>", page).group(0)
        assert f'<td class="number">{sum(scores) / len(scores):.2f}</td>' in line, line
    looked = page[page.index('<ul class="look">') :]
    for row in rows:
        flagged = row["status"] != "ok" or row["flags"]
        assert (f"<strong>{row['submission']}</strong>" in looked) == bool(flagged), row
    assert "<strong>absent</strong> &middot; Di Sousa (s4)" in looked


@pytest.mark.slow
def test_one_student_is_regraded_from_a_single_zip_or_notebook(built, maker, tmp_path):
    """PATH may be one export zip or one notebook: a regrade needs no class folder."""
    import nbformat

    folder = tmp_path / "class" / "bob"
    folder.mkdir(parents=True)
    notebook = folder / f"{SLUG}.ipynb"
    nbformat.write(maker.notebook(answered=["q1", "q2"]), notebook)
    export_zip = folder / f"{SLUG}_2026_12_01T09_00_00_000000.zip"
    with zipfile.ZipFile(export_zip, "w") as archive:
        archive.write(notebook, f"{SLUG}.ipynb")
    for path in (export_zip, notebook):
        out = tmp_path / f"{path.suffix[1:]}.csv"
        rows, summary = grading.grade_class(path, built.autograder_zip, out, jobs=1, timeout=60)
        assert [(r.submission, r.status, r.total()) for r in rows] == [(path.name, "ok", 5)]
        assert summary.startswith("graded 1 of 1 submissions") and "skipped" not in summary
    # With the class roster, the file is named as in the class folder and gets its student;
    # the others are not reported missing by a one-file regrade.
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,name,email,submission\ns1,Ann,a@x.org,ann\ns2,Bob,b@x.org,bob\n")
    rows, summary = grading.grade_class(
        export_zip, built.autograder_zip, tmp_path / "one.csv", jobs=1, timeout=60, roster=roster
    )
    assert [(r.submission, r.status, r.student.student_id, r.flags) for r in rows] == [
        (f"bob/{export_zip.name}", "ok", "s2", [])
    ]
    # Out of time in an endless cell: the answers defined before it still count.
    nbformat.write(
        maker.notebook(answered=["q1", "q2"], insert_before={"q3": "while 1: pass"}), notebook
    )
    rows, _ = grading.grade_class(
        notebook, built.autograder_zip, tmp_path / "late.csv", jobs=1, timeout=12, cell_timeout=None
    )
    assert [(r.status, r.scores, r.message.split("; ")[0]) for r in rows] == [
        (
            "timeout",
            {"q1": AUTO_POINTS["q1"], "q2": AUTO_POINTS["q2"], "q3": 0, "q4": 0, "q5": 0},
            "stopped after 12 s",
        )
    ]


@pytest.mark.slow
def test_a_bad_manual_scores_line_stops_the_run_before_anything_is_written(maker, tmp_path):
    import nbformat

    folder = tmp_path / "class"
    folder.mkdir()
    nbformat.write(maker.notebook(), folder / "a.ipynb")
    manual = tmp_path / "manual.csv"
    manual.write_text("submission,q6,q7\na.ipynb,4,3\na.ipynb,9,\n")
    out = tmp_path / "grades.csv"
    done = run_course_grade(folder, out, SLUG, "--manual", str(manual))
    assert done.returncode == 2
    assert f"{manual}:3: submission a.ipynb scored twice" in done.stderr
    assert not out.exists()


@pytest.mark.slow
def test_parent_gives_up_on_a_worker_that_does_not_answer(maker, built, tmp_path):
    """The backstop behind the worker's own timeout: no answer in time, the worker is killed."""
    import nbformat

    path = tmp_path / "slow.ipynb"
    nbformat.write(maker.notebook(insert_before={"q1": "import time\ntime.sleep(60)"}), path)
    handle = worker.Worker()
    job = {
        "id": "job-1",
        "submission": str(path),
        "kit": str(built.autograder_zip),
        "timeout": 60,
        "sandbox": Limits.for_timeout(60).to_json() if shutil.which("bwrap") else None,
    }
    started = time.monotonic()
    assert handle.ask(job, wait=8) is None
    assert time.monotonic() - started < 13
    assert handle.proc.poll() is None  # still busy, not dead
    handle.stop(kill=True)
    assert handle.proc.poll() is not None
    # The sandboxed kernel died with its worker; the worker's private folders and its cgroup
    # (as root) are gone.
    assert list(Path(tempfile.gettempdir()).glob(f"course-grade-*-{handle.proc.pid}-*")) == []
    cgroups = PidsCgroup.find_root() if os.geteuid() == 0 else None
    if cgroups is not None:
        assert list(cgroups.glob(f"course-grade-{handle.proc.pid}-*")) == []


@pytest.mark.slow
def test_grader_check_works_inside_the_unzipped_student_notebook(maker, built, tmp_path):
    """As a student runs it: the bundle's notebook in plain Jupyter, with otter's own checks."""
    import zipfile

    import nbformat
    from nbclient import NotebookClient

    from course.grading.submission import notebook_in_zip

    with zipfile.ZipFile(built.student_zip) as archive:
        archive.extractall(tmp_path)
    notebook = maker.notebook(answered=["q1", "q3"])
    # Saved as Jupyter saves it (nbformat), over the bundle's copy, before the run exports it.
    nbformat.write(notebook, tmp_path / f"{SLUG}.ipynb")
    client = NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=120,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()
    outputs = {}
    for cell in notebook.cells:
        match = re.match(r'grader\.check\("(q\d)"\)', cell.source.strip())
        if match:
            outputs[match.group(1)] = json.dumps(cell.outputs)
    assert "q1 results: All test cases passed!" in outputs["q1"]
    assert "q3 results: All test cases passed!" in outputs["q3"]
    assert "q2 results" in outputs["q2"] and "All test cases passed" not in outputs["q2"]
    # Only public tests are inside the notebook, so only they ran.
    assert "hidden" not in json.dumps(notebook.metadata["otter"]["tests"]).replace(
        "hidden=False", ""
    )
    # The last cell's grader.export() zip keeps the build hash in the notebook's metadata, and
    # `course grade` takes that zip as coming from the current build (no version_mismatch).
    (exported,) = tmp_path.glob(f"{SLUG}_*.zip")
    inside = nbformat.reads(notebook_in_zip(exported).decode(), as_version=4)
    current = exercises.build_hash_for(EXERCISES_DIR / f"{SLUG}.ipynb")
    assert exercises.notebook_build_hash(inside) == current
    rows, _ = grading.grade_class(
        exported, built.autograder_zip, tmp_path / "g.csv", jobs=1, build_hash=current
    )
    assert [(r.status, r.total(), r.flags) for r in rows] == [
        ("ok", AUTO_POINTS["q1"] + AUTO_POINTS["q3"], [])
    ]


@pytest.mark.slow
def test_check_prints_the_public_tests_per_question(maker, built, tmp_path):
    import zipfile

    import nbformat

    with zipfile.ZipFile(built.student_zip) as archive:
        archive.extractall(tmp_path / "student")
    notebook_path = tmp_path / "student" / f"{SLUG}.ipynb"
    nbformat.write(maker.notebook(answered=maker.questions), notebook_path)
    before = notebook_path.read_bytes()
    done = course_check(notebook_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["question", "public", "tests", "points"]
    assert [line.split()[:3] for line in lines[1:6]] == [
        [f"q{i}", "1/1", "passed"] for i in range(1, 6)
    ]
    assert "Only the public tests ran" in done.stdout
    assert notebook_path.read_bytes() == before

    nbformat.write(maker.notebook(answered=["q1"]), notebook_path)
    partial = course_check(notebook_path)
    assert partial.returncode == 1
    rows = {line.split()[0]: line.split()[1] for line in partial.stdout.splitlines()[1:6]}
    assert rows == {"q1": "1/1", "q2": "0/1", "q3": "0/1", "q4": "0/1", "q5": "0/1"}
    # Like running it in Jupyter: otter may keep its .OTTER_LOG; the grader leaves nothing behind.
    unzipped = ["README.md", "data", "requirements.txt", f"{SLUG}.ipynb", "tests"]
    assert sorted(p.name for p in (tmp_path / "student").iterdir()) in (
        sorted(unzipped),
        sorted([".OTTER_LOG", *unzipped]),
    )
    # Kernels talk over local sockets: ipykernel's TCP warning never reaches the student.
    assert "without encryption" not in done.stderr + partial.stderr


@pytest.mark.slow
def test_check_names_the_missing_data_file_and_where_it_looked(maker, tmp_path):
    import nbformat

    notebook_path = tmp_path / "alone" / f"{SLUG}.ipynb"
    notebook_path.parent.mkdir()
    nbformat.write(maker.notebook(answered=maker.questions), notebook_path)
    done = course_check(notebook_path)
    assert done.returncode == 1
    looked = notebook_path.parent / "data" / "fara" / "foreign_principals.csv"
    assert "could not find data/fara/foreign_principals.csv" in done.stderr
    assert f"looked for {looked}" in done.stderr
    assert "No question was scored" in done.stderr and "passed" not in done.stdout
    assert "without encryption" not in done.stderr
