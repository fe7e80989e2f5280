"""Shared test helpers: CI detection, the shared-data guard, and a strict book build from a
clean copy of the repository (slow)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests: 300 examples each in make test; make quick (--hypothesis-profile=quick) runs
# fewer while you iterate.
settings.register_profile("full", max_examples=300)
settings.register_profile("quick", max_examples=40)
settings.load_profile("full")

REPO = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def need_shared(path: Path) -> Path:
    """Skip (or fail under CI=true) when the shared raw data is missing."""
    if not path.exists():
        if IN_CI:
            pytest.fail(f"CI=true but {path} is missing: the shared FARA data is required in CI")
        pytest.skip(f"{path} not present: shared DOJ FARA data unavailable, real-data test skipped")
    return path


def repo_files(root: Path = REPO) -> list[str]:
    """Files git tracks plus untracked ones it does not ignore: what a clean clone would hold."""
    out = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=root,
        check=True,
        capture_output=True,
    ).stdout.decode()
    return [name for name in out.split("\0") if name and (root / name).is_file()]


def clean_copy(target: Path) -> Path:
    for name in repo_files():
        dest = target / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, dest)
    return target


@dataclass
class ExerciseBuild:
    """The suite's one ``otter assign`` build of every master, inside a clean copy."""

    root: Path
    out: Path
    items: dict  # slug -> course.exercises.BuiltAssignment


@dataclass
class BookBuild:
    root: Path
    html: Path
    returncode: int
    log: str


@pytest.fixture(scope="session")
def built_exercises(tmp_path_factory) -> ExerciseBuild:
    """Every master built once (otter assign runs each answer key) into a clean copy's
    ``_build/exercises``, exactly where ``make book`` puts them; the book build reuses it."""
    from course import exercises

    root = clean_copy(tmp_path_factory.mktemp("book") / "repo")
    out = root / "_build" / "exercises"
    built = exercises.build_exercises(root / "exercises", out, data_root=root)
    return ExerciseBuild(root=root, out=out, items={item.slug: item for item in built})


@pytest.fixture(scope="session")
def built_book(built_exercises) -> BookBuild:
    """Build the book strictly (`--all -n -W --keep-going`) from a clean copy, as `make book`
    does. The exercise step finds the session's exercise build unchanged and keeps it."""
    root = built_exercises.root
    env = {**os.environ, "COURSE_ROOT": str(root)}
    logs = []
    steps = [
        [sys.executable, "-m", "course", "exercises", "build"],
        [
            str(Path(sys.executable).parent / "jupyter-book"),
            "build",
            ".",
            "--all",
            "-n",
            "-W",
            "--keep-going",
        ],
    ]
    code = 0
    for step in steps:
        proc = subprocess.run(step, cwd=root, env=env, capture_output=True, text=True)
        logs.append(f"$ {' '.join(step)}\n{proc.stdout}\n{proc.stderr}")
        code = proc.returncode
        if code:
            break
    return BookBuild(root=root, html=root / "_build" / "html", returncode=code, log="\n".join(logs))
