"""Shared fixtures: a strict book build from a clean copy of the repository (slow)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def repo_files(root: Path = REPO) -> list[str]:
    """Files git tracks plus untracked ones it does not ignore: what a clean clone would hold."""
    out = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=root, check=True, capture_output=True,
    ).stdout.decode()
    return [name for name in out.split("\0") if name and (root / name).is_file()]


def clean_copy(target: Path) -> Path:
    for name in repo_files():
        dest = target / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, dest)
    return target


@dataclass
class BookBuild:
    root: Path
    html: Path
    returncode: int
    log: str


@pytest.fixture(scope="session")
def built_book(tmp_path_factory) -> BookBuild:
    """Build the book strictly (`--all -n -W --keep-going`) from a clean copy, as `make book` does."""
    root = clean_copy(tmp_path_factory.mktemp("book") / "repo")
    env = {**os.environ, "COURSE_ROOT": str(root)}
    logs = []
    steps = [
        [sys.executable, "-m", "course", "exercises", "build"],
        [str(Path(sys.executable).parent / "jupyter-book"), "build", ".", "--all", "-n", "-W", "--keep-going"],
    ]
    code = 0
    for step in steps:
        proc = subprocess.run(step, cwd=root, env=env, capture_output=True, text=True)
        logs.append(f"$ {' '.join(step)}\n{proc.stdout}\n{proc.stderr}")
        code = proc.returncode
        if code:
            break
    return BookBuild(root=root, html=root / "_build" / "html", returncode=code, log="\n".join(logs))
