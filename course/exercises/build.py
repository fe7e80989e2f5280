"""``otter assign`` for every master: stage it with its data, run otter, post-process the student
notebook and bundle, and move each output into place atomically; unchanged masters are skipped."""

from __future__ import annotations

import concurrent.futures
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat

from course import files
from course.exercises.buildhash import build_hash, fingerprint
from course.exercises.bundle import (
    BUILD_HASH_KEY,
    METADATA_KEY,
    notebook_title,
    public_test_files,
    student_notebook_text,
    student_readme,
    student_requirements,
)
from course.exercises.masters import (
    ExerciseBuildError,
    assignment_config,
    data_inputs,
    masters,
)
from course.paths import REPO_ROOT

STAMP_DIR = ".stamps"


@dataclass(frozen=True)
class BuiltAssignment:
    """The files one master produced, and whether this run rebuilt them."""

    slug: str
    student_notebook: Path
    student_zip: Path
    autograder_zip: Path
    solutions_notebook: Path
    rebuilt: bool


def _outputs(out: Path, slug: str) -> dict[str, Path]:
    return {
        "student_notebook": out / "student" / f"{slug}.ipynb",
        "student_zip": out / "student" / f"{slug}.zip",
        "autograder_zip": out / "autograder" / f"{slug}.zip",
        "solutions_notebook": out / "solutions" / f"{slug}.ipynb",
    }


def _stage(master: Path, config: dict, inputs: list[tuple[str, Path]], stage_dir: Path) -> Path:
    staged = stage_dir / master.name
    shutil.copy2(master, staged)
    if config.get("config_file"):
        shutil.copy2(master.parent / config["config_file"], stage_dir / config["config_file"])
    for relative, path in inputs:
        target = stage_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    return staged


def _run_otter_assign(staged: Path, dist: Path) -> None:
    # A subprocess keeps otter's global state (and its kernel) out of the caller.
    result = subprocess.run(
        [sys.executable, "-m", "otter", "assign", staged.name, str(dist)],
        cwd=staged.parent,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        raise ExerciseBuildError(f"otter assign failed for {staged.name}:\n{tail}")


def build_assignment(
    master: Path, out: Path, data_root: Path = REPO_ROOT, force: bool = False
) -> BuiltAssignment:
    """Build one master into ``out`` unless its fingerprint is unchanged (or ``force``)."""
    master, out = Path(master), Path(out)
    slug = master.stem
    config = assignment_config(master)
    inputs = data_inputs(master, config, Path(data_root))
    stamp = out / STAMP_DIR / f"{slug}.sha256"
    outputs = _outputs(out, slug)
    current = fingerprint(master, config, inputs)
    unchanged = (
        stamp.is_file()
        and stamp.read_text().strip() == current
        and all(p.is_file() for p in outputs.values())
    )
    if unchanged and not force:
        return BuiltAssignment(slug=slug, rebuilt=False, **outputs)

    with tempfile.TemporaryDirectory(prefix=f"course-assign-{slug}-") as tmp:
        stage_dir, dist = Path(tmp) / "stage", Path(tmp) / "dist"
        stage_dir.mkdir()
        staged = _stage(master, config, inputs, stage_dir)
        _run_otter_assign(staged, dist)
        generated = sorted((dist / "autograder").glob(f"{slug}-autograder_*.zip"))
        if len(generated) != 1:
            raise ExerciseBuildError(
                f"otter assign made {len(generated)} autograder zips for {slug}"
            )
        student_text = student_notebook_text(
            dist / "student" / f"{slug}.ipynb", build_hash(master, inputs)
        )
        ready = Path(tmp) / "ready"
        for key in outputs:
            (ready / key).mkdir(parents=True)
        (ready / "student_notebook" / "f").write_text(student_text, encoding="utf-8")
        tests = public_test_files(student_text)
        questions = [Path(name).stem for name, _ in tests]
        files.write_zip(
            ready / "student_zip" / "f",
            [(f"{slug}.ipynb", student_text.encode())]
            + [
                (
                    "README.md",
                    student_readme(slug, notebook_title(student_text, slug), questions).encode(),
                )
            ]
            + [("requirements.txt", student_requirements().encode())]
            + [(relative, (dist / "student" / relative).read_bytes()) for relative, _ in inputs]
            + tests,
        )
        shutil.copy2(generated[0], ready / "autograder_zip" / "f")
        # The key carries the build hash too: graded as a check, it is not a version mismatch.
        solutions = nbformat.read(dist / "autograder" / f"{slug}.ipynb", as_version=4)
        solutions.metadata.setdefault(METADATA_KEY, {})[BUILD_HASH_KEY] = build_hash(master, inputs)
        nbformat.write(solutions, ready / "solutions_notebook" / "f")
        # Files appear complete or not at all: move each one into place in a single rename.
        for key, target in outputs.items():
            with files.atomic_target(target) as partial:
                shutil.copy2(ready / key / "f", partial)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(current + "\n")
    return BuiltAssignment(slug=slug, rebuilt=True, **outputs)


def build_exercises(
    source: Path, out: Path, data_root: Path = REPO_ROOT, force: bool = False
) -> list[BuiltAssignment]:
    """Build every master in ``source`` into ``out``."""
    found = masters(Path(source))
    if not found:
        raise ExerciseBuildError(f"no master notebooks (*.ipynb) in {source}")
    # Each otter assign is a subprocess that keeps about one core busy running its answer key:
    # one per core at a time, results in the masters' order.
    workers = max(1, min(len(found), os.cpu_count() or 1))
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        return list(
            pool.map(
                lambda master: build_assignment(master, out, data_root=data_root, force=force),
                found,
            )
        )


def autograder_for(slug: str, source: Path, out: Path, data_root: Path = REPO_ROOT) -> Path:
    """The autograder zip of ``slug``, built from ``source`` first if needed."""
    master = Path(source) / f"{slug}.ipynb"
    if not master.is_file():
        known = ", ".join(p.stem for p in masters(Path(source))) or "none"
        raise ExerciseBuildError(f"no master {master} (assignments in {source}: {known})")
    return build_assignment(master, out, data_root=data_root).autograder_zip


def build_command(args) -> int:
    """``python -m course exercises build``: build every master, one line each, then a summary."""
    try:
        built = build_exercises(args.source, args.out)
    except ExerciseBuildError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for item in built:
        print(
            f"{item.slug}: {'built' if item.rebuilt else 'unchanged'} -> {item.student_zip.parent.parent}"
        )
    rebuilt = sum(item.rebuilt for item in built)
    print(
        f"{len(built)} assignment(s): {rebuilt} built, {len(built) - rebuilt} unchanged; "
        f"publish only {Path(args.out) / 'student'}"
    )
    return 0
