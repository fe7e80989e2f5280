"""Chapter downloads that run outside the repository.

The book's download button hands out each page's source (``_sources/chapters/<slug>.md``) and
its executed notebook (``_sources/chapters/<slug>.ipynb``). Both import ``course`` and
``myst_nb``, which a reader's laptop does not have. So the build also publishes

    downloads/trumputin_course-<version>-py3-none-any.whl

a wheel of the helper package with the course data inside it (``course/_data``; ``course.paths``
falls back to it when there is no repository ``data/`` folder) and, as its dependencies, the
exact pins of the repository's ``requirements.txt`` that the pages need. Every downloadable
page then starts with set-up instructions: one ``pip install`` of that wheel's URL.

Pages that read the exercise masters (the instructor guide) cannot run that way: the masters
hold the answer keys and are never published. Their instructions say to use a clone.
"""

from __future__ import annotations

import base64
import hashlib
import re
import tomllib
from pathlib import Path

import nbformat

from course import files
from course.paths import REPO_ROOT

# What the pages import, directly or through ``course``, plus a notebook UI; pinned from
# requirements.txt so the wheel installs what the book was built and tested with.
CHAPTER_PACKAGES = (
    "myst-nb",
    "pandas",
    "numpy",
    "altair",
    "vl-convert-python",
    "pandera",
    "nbformat",
    "jupytext",
    "jupyterlab",
    "ipykernel",
)
DOWNLOADS = "downloads"
SETUP_MARK = "<!-- course: run-this-page -->"
ZIP_DATE = (2025, 1, 1, 0, 0, 0)
# A page whose code reads these needs the repository (the masters are private).
REPOSITORY_ONLY_MARKERS = ("EXERCISES_DIR", "course.exercises")


class DownloadError(RuntimeError):
    """The downloads cannot be built (a missing pin, a bad pyproject)."""


def pins(requirements: Path, names: tuple[str, ...]) -> list[str]:
    """``name==version`` for each of ``names``, as pinned in ``requirements``; fails on a gap."""
    found = {}
    for line in requirements.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = (part.strip() for part in line.split("==", 1))
            found[name.lower()] = version
    missing = [name for name in names if name not in found]
    if missing:
        raise DownloadError(f"{requirements} has no exact pin (name==version) for {missing}")
    return [f"{name}=={found[name]}" for name in names]


def project(root: Path = REPO_ROOT) -> dict:
    return tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def wheel_name(root: Path = REPO_ROOT) -> str:
    meta = project(root)
    return f"{meta['name'].replace('-', '_')}-{meta['version']}-py3-none-any.whl"


def _record_hash(payload: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(payload).digest()).rstrip(b"=")
    return "sha256=" + digest.decode()


def wheel_members(root: Path = REPO_ROOT) -> list[tuple[str, bytes]]:
    """(path in the wheel, bytes): the package's modules and the data under ``course/_data``."""
    members = []
    for path in sorted((root / "course").rglob("*.py")):
        if "__pycache__" not in path.parts:
            members.append((path.relative_to(root).as_posix(), path.read_bytes()))
    for path in sorted((root / "data").rglob("*")):
        if path.is_file():
            members.append(
                (f"course/_data/{path.relative_to(root / 'data').as_posix()}", path.read_bytes())
            )
    return members


def build_wheel(out_dir: Path, root: Path = REPO_ROOT) -> Path:
    """Write the wheel into ``out_dir`` (reproducible: fixed timestamps, sorted members).

    Written directly (a wheel is a zip with three metadata files) so the book build needs
    neither network nor a build backend.
    """
    meta = project(root)
    dist_info = f"{meta['name'].replace('-', '_')}-{meta['version']}.dist-info"
    requires = pins(root / "requirements.txt", CHAPTER_PACKAGES)
    metadata = "\n".join(
        [
            "Metadata-Version: 2.1",
            f"Name: {meta['name']}",
            f"Version: {meta['version']}",
            f"Summary: {meta.get('description', '')}",
            f"Requires-Python: {meta.get('requires-python', '>=3.11')}",
            *[f"Requires-Dist: {pin}" for pin in requires],
        ]
    )
    wheel = "Wheel-Version: 1.0\nGenerator: course.book.downloads\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    members = wheel_members(root) + [
        (f"{dist_info}/METADATA", (metadata + "\n").encode()),
        (f"{dist_info}/WHEEL", wheel.encode()),
    ]
    record = "".join(f"{name},{_record_hash(data)},{len(data)}\n" for name, data in members)
    members.append((f"{dist_info}/RECORD", (record + f"{dist_info}/RECORD,,\n").encode()))
    return files.write_zip(out_dir / wheel_name(root), members)


def site_url(baseurl: str, repository_url: str) -> str:
    """Where the book is published: ``html.baseurl`` if set, else the GitHub Pages address of
    ``repository.url`` (``https://github.com/OWNER/REPO`` -> ``https://OWNER.github.io/REPO/``)."""
    if baseurl:
        return baseurl.rstrip("/") + "/"
    match = re.fullmatch(r"https://github\.com/([^/]+)/([^/]+?)(?:\.git)?/?", repository_url or "")
    if not match:
        raise DownloadError(
            "_config.yml: set html.baseurl (the address the book is published at); "
            f"it cannot be derived from repository.url {repository_url!r}"
        )
    owner, name = match.groups()
    return f"https://{owner.lower()}.github.io/{name}/"


def needs_repository(code: str) -> bool:
    return any(marker in code for marker in REPOSITORY_ONLY_MARKERS)


def setup_text(slug: str, wheel_url: str, repository_url: str, repository_only: bool) -> str:
    """The markdown at the top of a downloaded page."""
    if repository_only:
        return f"""{SETUP_MARK}
**Run this page yourself.** This page reads the course's exercise masters, which hold the answer
keys and are not published, so it runs only from a clone of the repository:
`git clone {repository_url}`, then `make book` in the clone (Python 3.11 or later)."""
    return f"""{SETUP_MARK}
**Run this page yourself.** It needs the course's helper package and data, published with the
book as one wheel that also installs the exact versions the book was built with. With Python
3.11 or later, in a terminal, in the folder where you saved this file:

```
python -m venv .venv
source .venv/bin/activate          # Windows: .venv\\Scripts\\activate
python -m pip install "{wheel_url}"
jupyter lab {slug}.ipynb
```

(For the `.md` file, open it in JupyterLab with *Open With → Jupytext Notebook*.) On Colab or
a JupyterHub, remove the `#` in the next cell, run it once, then restart the kernel. Then run
all cells from the top."""


def pip_cell(wheel_url: str) -> str:
    return f'# %pip install "{wheel_url}"'


def runnable_notebook(text: str, slug: str, wheel_url: str, repository_url: str) -> str:
    """An executed page notebook with the set-up cells first (idempotent)."""
    notebook = nbformat.reads(text, as_version=4)
    if notebook.cells and SETUP_MARK in notebook.cells[0].source:
        return text
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    only = needs_repository(code)
    cells = [nbformat.v4.new_markdown_cell(setup_text(slug, wheel_url, repository_url, only))]
    if not only:
        cells.append(nbformat.v4.new_code_cell(pip_cell(wheel_url)))
    for index, cell in enumerate(cells):
        cell["id"] = f"course-run-this-page-{index}"
    notebook.cells[:0] = cells
    return nbformat.writes(notebook)


def runnable_markdown(text: str, slug: str, wheel_url: str, repository_url: str) -> str:
    """A MyST page source with the same set-up after its jupytext header (idempotent)."""
    if SETUP_MARK in text:
        return text
    match = re.match(r"---\n.*?\n---\n", text, flags=re.S)
    if not match:
        return text  # not a notebook page: nothing runs
    only = needs_repository(text)
    block = "\n" + setup_text(slug, wheel_url, repository_url, only) + "\n"
    if not only:
        block += f"\n```{{code-cell}} ipython3\n{pip_cell(wheel_url)}\n```\n"
    return text[: match.end()] + block + text[match.end() :]


def publish(
    html_dir: Path, baseurl: str, repository_url: str, root: Path = REPO_ROOT
) -> list[Path]:
    """Write the wheel under ``downloads/`` and put the set-up on top of every page download."""
    wheel = build_wheel(html_dir / DOWNLOADS, root)
    wheel_url = site_url(baseurl, repository_url) + f"{DOWNLOADS}/{wheel.name}"
    changed = [wheel]
    sources = html_dir / "_sources" / "chapters"
    for path in sorted(sources.glob("*.ipynb")):
        path.write_text(
            runnable_notebook(
                path.read_text(encoding="utf-8"), path.stem, wheel_url, repository_url
            ),
            encoding="utf-8",
        )
        changed.append(path)
    for path in sorted(sources.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        new = runnable_markdown(text, path.stem, wheel_url, repository_url)
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed.append(path)
    return changed
