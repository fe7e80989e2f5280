"""The student bundle: the student notebook with its set-up cells and build hash, the public tests
as files, the README (``student_readme.md``) and the exact pins in ``requirements.txt``."""

from __future__ import annotations

import string
from pathlib import Path

import nbformat

from course.exercises.masters import ExerciseBuildError
from course.paths import REPO_ROOT

# Otter's check-all cell says it reruns "all of the autograder tests"; in a student notebook it
# runs only the public ones, and students must not be told otherwise.
OTTER_CHECK_ALL_TEXT = "the cell below will rerun all of the autograder tests."

PUBLIC_CHECK_ALL_TEXT = (
    "the cell below reruns the **public** tests of every question. The hidden tests run only "
    "when your work is graded, so they can still fail."
)

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


def student_notebook_text(path: Path, build: str) -> str:
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


def notebook_title(student_text: str, slug: str) -> str:
    notebook = nbformat.reads(student_text, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return slug


README_TEMPLATE = Path(__file__).with_name("student_readme.md")


def student_readme(slug: str, title: str, questions: list[str]) -> str:
    """The bundle's README.md: install, open, check, export and submit, with nothing else to read."""
    first = questions[0] if questions else "q1"
    template = string.Template(README_TEMPLATE.read_text(encoding="utf-8"))
    return template.substitute(slug=slug, title=title, first=first)


def public_test_files(student_text: str) -> list[tuple[str, bytes]]:
    """The student notebook's public tests as ``tests/<q>.py``.

    In Jupyter otter reads them from the notebook's metadata; on Colab it refuses metadata tests
    and needs a ``tests`` folder, which the unzipped bundle then provides.
    """
    notebook = nbformat.reads(student_text, as_version=4)
    tests = notebook.metadata.get("otter", {}).get("tests", {})
    return [(f"tests/{name}.py", source.encode()) for name, source in sorted(tests.items())]
