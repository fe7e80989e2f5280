"""Otter assignments: stage each master notebook with the course data it reads, run
``otter assign``, and lay out the results per slug::

    OUT/student/<slug>.ipynb      the student notebook (public tests in its metadata, and the
                                  build hash under metadata["course"]["build_hash"])
    OUT/student/<slug>.zip        that notebook, the data files it reads, its public tests as
                                  tests/<q>.py (otter on Colab reads only test files), a
                                  README.md (install, open, check, submit) and a requirements.txt
                                  with the exact pins of the repository's requirements.txt
    OUT/autograder/<slug>.zip     otter's Gradescope-compatible autograder (hidden tests)
    OUT/solutions/<slug>.ipynb    the answer key (instructors only; never published)

A master lists the data it reads in its assignment config (``files:``), as paths relative to the
repository root (``data/fara/foreign_principals.csv``). Otter wants those files under the master's
folder, so each build copies the master, the shared ``assignment_config.yml`` and the data into a
temporary folder first. A build is skipped when a fingerprint of all of those inputs is unchanged.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import nbformat
import yaml

from course.paths import REPO_ROOT

# Bump when the layout or the post-processing below changes, so old builds are redone.
BUILD_FORMAT = 6
STAMP_DIR = ".stamps"
# Otter's check-all cell says it reruns "all of the autograder tests"; in a student notebook it
# runs only the public ones, and students must not be told otherwise.
OTTER_CHECK_ALL_TEXT = "the cell below will rerun all of the autograder tests."
PUBLIC_CHECK_ALL_TEXT = (
    "the cell below reruns the **public** tests of every question. The hidden tests run only "
    "when your work is graded, so they can still fail."
)
ZIP_DATE = (2025, 1, 1, 0, 0, 0)  # fixed timestamps keep the student zip reproducible
# What a student notebook needs, pinned as in the repository's requirements.txt: otter, the two
# libraries the masters may use, numpy (pandas' own pin would float), and a notebook UI.
STUDENT_PACKAGES = ("otter-grader", "pandas", "numpy", "altair", "jupyterlab", "ipykernel")
SETUP_CELL_MARK = "<!-- course: set-up -->"
SETUP_MARKDOWN = f"""{SETUP_CELL_MARK}
- **Set-up (once):** with Python 3.11 or later, create a virtual environment in this folder and install `requirements.txt` into it (`README.md`, step 1), then `jupyter lab`; keep the notebook beside its `data/` and `tests/` folders.
- **Colab or a JupyterHub:** upload and unzip the whole zip beside the notebook (`README.md` says how), remove the `#` in the next cell, run it once, then restart the kernel.
- **Check and submit:** run the `grader.check` cell under each answer; the last cell exports the zip you submit (the bundle's `README.md` says more)."""
PIP_CELL = "# %pip install -r requirements.txt"
# Where a student notebook records what it was built from: notebook.metadata["course"][...].
# Jupyter and otter's export keep notebook metadata, so submissions carry it back to the grader.
METADATA_KEY, BUILD_HASH_KEY = "course", "build_hash"
BUILD_HASH_VERSION = "course build hash 1"


class ExerciseBuildError(RuntimeError):
    """A master cannot be built (missing data, bad config, or ``otter assign`` failed)."""


@dataclass(frozen=True)
class BuiltAssignment:
    """The files one master produced, and whether this run rebuilt them."""

    slug: str
    student_notebook: Path
    student_zip: Path
    autograder_zip: Path
    solutions_notebook: Path
    rebuilt: bool


def masters(source: Path) -> list[Path]:
    """The master notebooks in ``source`` (one per slug), sorted by name."""
    return sorted(p for p in Path(source).glob("*.ipynb") if not p.name.startswith("."))


def _config_text(cell_source: str) -> str | None:
    """The YAML of an ``# ASSIGNMENT CONFIG`` block in a raw cell or an ```otter fence, if any."""
    text = cell_source.strip()
    if text.startswith("```otter") and text.endswith("```"):
        text = text[len("```otter") : -3].strip()
    if text.startswith("# ASSIGNMENT CONFIG"):
        return text
    return None


def assignment_config(master: Path) -> dict:
    """The master's assignment config merged over its ``config_file`` (master wins, as in otter)."""
    try:
        notebook = nbformat.read(master, as_version=4)
    except Exception as error:  # nbformat raises several unrelated types
        raise ExerciseBuildError(f"{master}: not a readable notebook ({error})") from error
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type in {"raw", "markdown"} and (text := _config_text(cell.source)):
            try:
                config = yaml.safe_load(text) or {}
            except yaml.YAMLError as error:
                raise ExerciseBuildError(
                    f"{master}: cell {index}: bad ASSIGNMENT CONFIG YAML: {error}"
                ) from error
            break
    else:
        raise ExerciseBuildError(f"{master}: no '# ASSIGNMENT CONFIG' cell")
    if config.get("config_file"):
        shared_path = master.parent / config["config_file"]
        if not shared_path.is_file():
            raise ExerciseBuildError(f"{master}: config_file {shared_path} does not exist")
        shared = yaml.safe_load(shared_path.read_text(encoding="utf-8")) or {}
        config = {**shared, **config}
    for key in ("name", "python_version"):
        if not config.get(key):
            raise ExerciseBuildError(f"{master}: the assignment config must set '{key}'")
    if config["name"] != master.stem:
        raise ExerciseBuildError(
            f"{master}: config name '{config['name']}' differs from the file name"
        )
    return config


def data_inputs(master: Path, config: dict, data_root: Path) -> list[tuple[str, Path]]:
    """(relative path, file on disk) for every data file the master reads; fails on a missing one."""
    inputs = []
    for relative in config.get("files", []):
        path = Path(data_root) / relative
        if not path.is_file():
            raise ExerciseBuildError(
                f"{master.name} reads {relative} (listed under 'files' in its assignment config), "
                f"but {path} does not exist; build that dataset first"
            )
        inputs.append((relative, path))
    return inputs


def fingerprint(master: Path, config: dict, inputs: list[tuple[str, Path]]) -> str:
    """A sha256 over everything that shapes the outputs of one master."""
    # The installed version, read without importing otter (0.6 s): a no-change build stays cheap.
    otter_version = importlib.metadata.version("otter-grader")
    digest = hashlib.sha256(f"format {BUILD_FORMAT} otter {otter_version}\n".encode())
    digest.update(student_requirements().encode())
    parts = [("master", master)]
    if config.get("config_file"):
        parts.append(("config", master.parent / config["config_file"]))
    parts += inputs
    for label, path in parts:
        digest.update(f"{label}\0".encode())
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()


def build_hash(master: Path, inputs: list[tuple[str, Path]]) -> str:
    """The hash a student notebook carries: sha256 over the master notebook's bytes, then every
    data file bundled with the student zip (``inputs``: path in the zip, file on disk), sorted
    by that path. Each part is preceded by its name and byte length, so moving bytes from one
    file into another changes the hash. The shared config, otter's version and the student
    requirements are left out: they change no question and no data."""
    digest = hashlib.sha256(f"{BUILD_HASH_VERSION}\n".encode())
    parts = [("master", Path(master))]
    parts += sorted((relative, Path(path)) for relative, path in inputs)
    for name, path in parts:
        payload = path.read_bytes()
        digest.update(f"{name}\0{len(payload)}\0".encode())
        digest.update(payload)
    return digest.hexdigest()


def build_hash_for(master: Path, data_root: Path = REPO_ROOT) -> str:
    """The build hash of ``master`` with the data under ``data_root`` as it is now: what a
    student notebook built from them carries (``course grade`` compares the two)."""
    master = Path(master)
    return build_hash(master, data_inputs(master, assignment_config(master), Path(data_root)))


def notebook_build_hash(notebook) -> str | None:
    """The build hash a (student) notebook carries in its metadata, or None."""
    section = notebook.get("metadata", {}).get(METADATA_KEY)
    value = section.get(BUILD_HASH_KEY) if isinstance(section, dict) else None
    return value if isinstance(value, str) else None


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


def _student_notebook_text(path: Path, build: str) -> str:
    text = path.read_text(encoding="utf-8")
    notebook = nbformat.reads(text, as_version=4)
    notebook.metadata.setdefault(METADATA_KEY, {})[BUILD_HASH_KEY] = build
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and OTTER_CHECK_ALL_TEXT in cell.source:
            cell.source = cell.source.replace(OTTER_CHECK_ALL_TEXT, PUBLIC_CHECK_ALL_TEXT)
    # The set-up comes first, before otter's own ``import otter`` cell can fail.
    notebook.cells[:0] = [
        nbformat.v4.new_markdown_cell(SETUP_MARKDOWN),
        nbformat.v4.new_code_cell(PIP_CELL),
    ]
    for cell in notebook.cells[:2]:
        cell.pop("id", None)  # nbformat 4.5 ids: fresh, stable ones below
    for index, cell in enumerate(notebook.cells[:2]):
        cell["id"] = f"course-setup-{index}"
    return nbformat.writes(notebook)


def student_requirements(requirements: Path = REPO_ROOT / "requirements.txt") -> str:
    """The student bundle's requirements.txt: the repository's exact pins of STUDENT_PACKAGES."""
    pins = {}
    for number, line in enumerate(requirements.read_text(encoding="utf-8").splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = (part.strip() for part in line.split("==", 1))
            pins[name.lower()] = (version, number)
    missing = [name for name in STUDENT_PACKAGES if name not in pins]
    if missing:
        raise ExerciseBuildError(
            f"{requirements} has no exact pin (name==version) for {', '.join(missing)}, "
            "which the student bundle needs"
        )
    lines = [
        "# Everything the notebook needs, at the versions the course was tested with.",
        "# Install with: python -m pip install -r requirements.txt  (Python 3.11 or later)",
    ]
    return "\n".join(lines + [f"{name}=={pins[name][0]}" for name in STUDENT_PACKAGES]) + "\n"


def _title(student_text: str, slug: str) -> str:
    notebook = nbformat.reads(student_text, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return slug


def student_readme(slug: str, title: str, questions: list[str]) -> str:
    """The bundle's README.md: install, open, check, export and submit, with nothing else to read."""
    first = questions[0] if questions else "q1"
    return f"""# {title}

This zip is one course assignment. It holds the notebook `{slug}.ipynb`, the data it reads
(`data/`), the public tests of its questions (`tests/`) and `requirements.txt`. Unzip it into a
folder of its own (`unzip {slug}.zip -d {slug}`; Finder and Windows Explorer make the folder for
you) and keep the files together: the notebook opens its data and tests by paths relative to
that folder, and another assignment unzipped into the same folder would replace its tests.

## 1. Install (once)

You need Python 3.11 or later (`python3 --version`; on Windows `py --version`). In a terminal,
in the assignment's folder:

```
python3 -m venv .venv              # Windows: py -m venv .venv
source .venv/bin/activate          # Windows: .venv\\Scripts\\activate
python -m pip install -r requirements.txt
```

Each time you come back, activate the environment again (the `source` line) before the next
step.

**Colab instead:** open `{slug}.ipynb` there (*File → Upload notebook*), upload this zip to
the session's files (the folder icon), and run `!unzip -o {slug}.zip` in a new cell (use a new
session for each assignment, so that no other assignment's tests are left beside it). Then
remove the `#` in the cell `# %pip install -r requirements.txt` near the top, run it once, and
restart the session (*Runtime* menu). Otter cannot export on Colab: its export cell stops with
an error there, so submit the notebook itself (*File → Download → Download .ipynb*).
**JupyterHub:** upload the zip, unzip it into its own folder (`unzip {slug}.zip -d {slug}` in a
terminal), open the notebook from that folder, and run that `%pip` cell the same way.

## 2. Open the notebook

```
jupyter lab {slug}.ipynb
```

Run the cells from the top. The first code cell is the commented `%pip` line (for Colab and
JupyterHub only); the next ones start the checker (`grader = otter.Notebook(...)`) and load the
data. Answer each question where you see `...`. If the terminal prints "Kernel is running over
TCP without encryption", that is Jupyter's notice about your own computer's local connection,
not a problem with your work.

## 3. Check your answers

Under each question a cell runs `grader.check("{first}")`. It runs the question's **public** tests
and, when one fails, prints a hint about the likely mistake. Passing them does not prove the
answer right: hidden tests run when your work is graded. Questions without a check are written
answers, read by your instructor. Near the end, `grader.check_all()` reruns every public test.

What your check showed is what is graded: each question is graded on its variables as they were
when its `grader.check` cell ran (the last time, if it ran more than once), with the hidden tests
added. Changing or deleting a variable after its check does not change that question's grade; an
answer written only after its check is graded as it was at the check (still `...`, or not
defined). Rerun the check after you change an answer. A question whose check cell you deleted is
graded on the values at the end. Keep the notebook's file name `{slug}.ipynb`: the checker opens
the notebook by that name.

## 4. Export and submit

1. Save, then choose *Kernel → Restart Kernel and Run All Cells*; every check should run.
2. The last cell runs `grader.export(pdf=False)`: it writes a zip named after the assignment
   (`{slug}_<date and time>.zip`) into this folder and shows a link to it. It zips the notebook
   as last saved, so save once more after the run if you want the outputs in it. Each export
   writes a new zip: submit the newest.
3. Submit that zip, or the notebook `{slug}.ipynb` itself, where your instructor tells you
   (for example your course's learning platform). Do not rename the variables the questions
   ask for: the grader reads your answers from them.
"""


def public_test_files(student_text: str) -> list[tuple[str, bytes]]:
    """The student notebook's public tests as ``tests/<q>.py``.

    In Jupyter otter reads them from the notebook's metadata; on Colab it refuses metadata tests
    and needs a ``tests`` folder, which the unzipped bundle then provides.
    """
    notebook = nbformat.reads(student_text, as_version=4)
    tests = notebook.metadata.get("otter", {}).get("tests", {})
    return [(f"tests/{name}.py", source.encode()) for name, source in sorted(tests.items())]


def _write_zip(target: Path, members: list[tuple[str, bytes]]) -> None:
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, payload in members:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, payload)


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
        student_text = _student_notebook_text(
            dist / "student" / f"{slug}.ipynb", build_hash(master, inputs)
        )
        ready = Path(tmp) / "ready"
        for key in outputs:
            (ready / key).mkdir(parents=True)
        (ready / "student_notebook" / "f").write_text(student_text, encoding="utf-8")
        tests = public_test_files(student_text)
        questions = [Path(name).stem for name, _ in tests]
        _write_zip(
            ready / "student_zip" / "f",
            [(f"{slug}.ipynb", student_text.encode())]
            + [("README.md", student_readme(slug, _title(student_text, slug), questions).encode())]
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
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f".{target.name}.partial")
            shutil.copy2(ready / key / "f", partial)
            os.replace(partial, target)
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
    return [build_assignment(master, out, data_root=data_root, force=force) for master in found]


def question_table(master: Path):
    """One row per question of a master: question, kind (auto/manual), points, public and
    hidden test counts, and the points the public and the hidden tests carry. Read from the
    master's markers, without running otter."""
    import pandas as pd

    notebook = nbformat.read(master, as_version=4)
    rows, current = [], None
    for cell in notebook.cells:
        text = cell.source.strip()
        if cell.cell_type == "raw" and text.startswith("# BEGIN QUESTION"):
            config = yaml.safe_load(text) or {}
            current = {
                "question": config["name"],
                "kind": "manual" if config.get("manual") else "auto",
                "points": float(config.get("points") or 0),
                "public_tests": 0,
                "hidden_tests": 0,
                "public_points": 0.0,
                "hidden_points": 0.0,
            }
            rows.append(current)
        elif cell.cell_type == "code" and current and "# BEGIN TEST CONFIG" in text:
            header = text.split("# BEGIN TEST CONFIG", 1)[1].split('""" # END TEST CONFIG', 1)[0]
            config = yaml.safe_load(header) or {}
            kind = "hidden" if config.get("hidden") else "public"
            current[f"{kind}_tests"] += 1
            current[f"{kind}_points"] += float(config.get("points") or 0)
            current["points"] += float(config.get("points") or 0)
    return pd.DataFrame(
        rows,
        columns=[
            "question",
            "kind",
            "points",
            "public_tests",
            "hidden_tests",
            "public_points",
            "hidden_points",
        ],
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
