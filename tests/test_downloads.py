"""Downloads that run as they are: the page wheel and its set-up cells, Binder, the student zip.

The slow tests build fresh virtual environments from nothing but what a reader gets (pip uses
its cache; the registry must be reachable), so they follow the published instructions exactly.
"""

from __future__ import annotations

import concurrent.futures
import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import tomllib
import zipfile
from pathlib import Path

import nbformat
import pytest
import yaml

from course import exercises
from course.book import downloads
from course.paths import REPO_ROOT
from tests.fixtures import build
from tests.fixtures.submissions import ClassMaker
from tests.test_book import toc_files


def executable_pages() -> list[Path]:
    """Pages with code cells (the ones that have an .ipynb download)."""
    paths = [REPO_ROOT / f"{page}.md" for page in toc_files()]
    return [path for path in paths if "```{code-cell}" in path.read_text(encoding="utf-8")]


# --- fast ------------------------------------------------------------------------------------


def test_site_url_comes_from_baseurl_or_the_repository():
    assert downloads.site_url("https://x.org/book", "") == "https://x.org/book/"
    assert (
        downloads.site_url("", "https://github.com/Trumputin-Course/trumputin-course")
        == "https://trumputin-course.github.io/trumputin-course/"
    )
    with pytest.raises(downloads.DownloadError, match="html.baseurl"):
        downloads.site_url("", "https://gitlab.com/a/b")


def test_wheel_holds_the_package_its_data_and_exact_pins(tmp_path):
    wheel = downloads.build_wheel(tmp_path)
    assert wheel.name == downloads.wheel_name()
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = archive.read(next(n for n in names if n.endswith("METADATA"))).decode()
        record = archive.read(next(n for n in names if n.endswith("RECORD"))).decode()
        packaged = archive.read("course/_data/fara/foreign_principals.csv")
    assert "course/paths.py" in names and "course/fara/__init__.py" in names
    assert packaged == (REPO_ROOT / "data/fara/foreign_principals.csv").read_bytes()
    data_files = {p for p in (REPO_ROOT / "data").rglob("*") if p.is_file()}
    assert sum(n.startswith("course/_data/") for n in names) == len(data_files)
    requires = re.findall(r"^Requires-Dist: (\S+)$", metadata, flags=re.M)
    repo = {line.strip() for line in (REPO_ROOT / "requirements.txt").read_text().splitlines()}
    assert [r.split("==")[0] for r in requires] == list(downloads.CHAPTER_PACKAGES)
    assert set(requires) <= repo
    assert all(name in record for name in names)
    # Reproducible: the same inputs give the same bytes.
    again = downloads.build_wheel(tmp_path / "again")
    assert again.read_bytes() == wheel.read_bytes()


def test_packaged_data_is_used_only_without_a_data_folder(tmp_path):
    code = "from course import paths; print(paths.DATA_DIR)"
    site = tmp_path / "site"
    with zipfile.ZipFile(downloads.build_wheel(tmp_path)) as archive:
        archive.extractall(site)
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("COURSE_ROOT", None)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.stdout.strip() == str(site / "course" / "_data"), done.stderr
    in_repo = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert in_repo.stdout.strip() == str(REPO_ROOT / "data")


def test_downloaded_page_starts_with_its_set_up_once():
    text = (REPO_ROOT / "chapters/russia-in-washington.md").read_text(encoding="utf-8")
    url = "https://example.org/book/downloads/w.whl"
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import course")])
    once = downloads.runnable_notebook(nbformat.writes(notebook), "p", url, "https://r")
    assert downloads.runnable_notebook(once, "p", url, "https://r") == once
    cells = nbformat.reads(once, as_version=4).cells
    assert f'python -m pip install "{url}"' in cells[0].source
    assert cells[1].source == f'# %pip install "{url}"' and cells[2].source == "import course"
    page = downloads.runnable_markdown(text, "russia-in-washington", url, "https://r")
    assert page.startswith(text[: text.index("---", 3) + 4])
    assert page.count(downloads.SETUP_MARK) == 1 and f'# %pip install "{url}"' in page
    assert downloads.runnable_markdown(page, "x", url, "https://r") == page


def test_pages_that_need_the_repository_say_so():
    guide = (REPO_ROOT / "chapters/instructor-guide.md").read_text(encoding="utf-8")
    page = downloads.runnable_markdown(guide, "instructor-guide", "https://x/w.whl", "https://r")
    assert "git clone https://r" in page and "pip install" not in page.split("---", 2)[2][:800]
    assert [p.stem for p in executable_pages() if downloads.needs_repository(p.read_text())] == [
        "instructor-guide"
    ]


def test_launch_buttons_name_no_placeholder_hub():
    config = yaml.safe_load((REPO_ROOT / "_config.yml").read_text())
    hub = config["launch_buttons"].get("jupyterhub_url") or ""
    assert not re.search(r"example\.(edu|org|com)|localhost|127\.0\.0\.1", hub), hub
    assert config["launch_buttons"]["binderhub_url"] == "https://mybinder.org"


def test_binder_installs_the_pins_and_the_package():
    requirements = (REPO_ROOT / "binder/requirements.txt").read_text()
    assert "-r ../requirements.txt" in requirements.splitlines()
    post_build = REPO_ROOT / "binder/postBuild"
    assert os.access(post_build, os.X_OK)
    assert "pip install --no-deps -e ." in post_build.read_text()


def test_student_requirements_cover_what_the_student_notebook_imports():
    assert set(exercises.STUDENT_PACKAGES) >= {"otter-grader", "pandas", "altair", "ipykernel"}
    assert "jupyterlab" in exercises.STUDENT_PACKAGES


# --- slow: fresh environments ----------------------------------------------------------------

# PIP_NO_COMPILE="0": pip skips byte-compiling every installed module (most are never imported
# here); Python compiles what a page imports as it imports it, so the journeys run the same.
# "0", not "1": pip stores the value in the option's target, `compile` (tried: "1" compiles).
PIP_ENV = {"PIP_DISABLE_PIP_VERSION_CHECK": "1", "PYTHONNOUSERSITE": "1", "PIP_NO_COMPILE": "0"}


@pytest.fixture(scope="session")
def wheelhouse(run_dir) -> Path:
    """One local copy of every pinned distribution (and the build backend ``pip install -e .``
    needs), downloaded once per run (shared by the xdist workers): each journey's venv then
    installs with its published command, word for word, with pip pointed at this folder
    (PIP_FIND_LINKS, PIP_NO_INDEX) instead of resolving every package against the registry
    again."""
    backend = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["build-system"]

    def download(folder: Path) -> None:
        _run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--dest", folder, "-r",
             REPO_ROOT / "requirements.txt", *backend["requires"], "wheel"]
        )  # fmt: skip

    return build.once(run_dir / "wheelhouse", download)


def _venv(folder: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    return folder / "bin"


def _run(args, **kwargs):
    env = {k: v for k, v in os.environ.items() if k not in {"COURSE_ROOT", "VIRTUAL_ENV"}}
    env.update(PIP_ENV)
    env.update(kwargs.pop("env", {}))
    done = subprocess.run(args, capture_output=True, text=True, env=env, **kwargs)
    assert done.returncode == 0, (
        f"$ {' '.join(map(str, args))}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    )
    return done


def _offline(wheelhouse: Path) -> dict:
    return {"PIP_FIND_LINKS": str(wheelhouse), "PIP_NO_INDEX": "1"}


def _execute(bin_dir: Path, notebook: Path) -> dict:
    """Run ``notebook`` top to bottom with the venv's own Jupyter, in its folder."""
    _run(
        [
            bin_dir / "jupyter",
            "nbconvert",
            "--to",
            "notebook",
            "--execute",
            notebook.name,
            "--output",
            f"{notebook.stem}.executed.ipynb",
            "--ExecutePreprocessor.timeout=600",
        ],
        cwd=notebook.parent,
    )
    return json.loads(notebook.with_name(f"{notebook.stem}.executed.ipynb").read_text())


def _errors(executed: dict) -> list[dict]:
    return [
        o
        for c in executed["cells"]
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]


def _execute_all(bin_dir: Path, notebooks: list[Path]) -> dict[str, list[dict]]:
    """Execute several notebooks, two at a time (each kernel uses about one core)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        runs = pool.map(lambda path: (path.stem, _errors(_execute(bin_dir, path))), notebooks)
        return dict(runs)


def _freeze(bin_dir: Path) -> dict[str, str]:
    """name -> version of every distribution installed in a venv (editable installs as '-e')."""
    listed = json.loads(
        _run([bin_dir / "python", "-m", "pip", "list", "--format", "json"]).stdout
    )  # fmt: skip
    return {item["name"].lower().replace("_", "-"): item["version"] for item in listed}


@pytest.fixture(scope="module")
def served(built_book):
    """The built site on a local web server (the published URL prefix is swapped for it)."""
    assert built_book.returncode == 0, built_book.log[-3000:]
    handler = functools.partial(
        http.server.SimpleHTTPRequestHandler, directory=str(built_book.html)
    )
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.mark.slow
def test_every_downloaded_page_runs_as_its_set_up_says(built_book, served, wheelhouse, tmp_path):
    html = built_book.html
    assert (html / downloads.DOWNLOADS / downloads.wheel_name()).is_file()
    sources = html / "_sources" / "chapters"
    installs, runnable = set(), []
    for page in executable_pages():
        notebook = nbformat.read(sources / f"{page.stem}.ipynb", as_version=4)
        top = notebook.cells[0].source
        assert downloads.SETUP_MARK in top, page.stem
        assert downloads.SETUP_MARK in (sources / f"{page.stem}.md").read_text()
        if downloads.needs_repository(page.read_text()):
            assert "git clone" in top
            continue
        installs |= set(re.findall(r'python -m pip install "([^"]+)"', top))
        runnable.append(page.stem)
    assert len(installs) == 1 and runnable, installs
    (url,) = installs
    assert url.endswith(f"/{downloads.DOWNLOADS}/{downloads.wheel_name()}")
    local_url = served + url[url.index(f"{downloads.DOWNLOADS}/") :]

    # The set-up, word for word: a venv, then the one pip install (from the local copy of the site).
    bin_dir = _venv(tmp_path / ".venv")
    _run([bin_dir / "python", "-m", "pip", "install", local_url], env=_offline(wheelhouse))
    notebooks = []
    for slug in runnable:
        folder = tmp_path / slug
        folder.mkdir()
        shutil.copy2(sources / f"{slug}.ipynb", folder / f"{slug}.ipynb")
        notebooks.append(folder / f"{slug}.ipynb")
    # The .md download opens through jupytext, which the wheel installs.
    folder = tmp_path / "markdown"
    folder.mkdir()
    shutil.copy2(sources / f"{runnable[0]}.md", folder / "page.md")
    _run([bin_dir / "jupytext", "--to", "ipynb", "page.md"], cwd=folder)
    notebooks.append(folder / "page.ipynb")
    errors = {slug: found[:1] for slug, found in _execute_all(bin_dir, notebooks).items() if found}
    assert not errors, errors


@pytest.mark.slow
def test_binder_steps_build_the_books_environment_and_run_a_page(built_book, wheelhouse, tmp_path):
    """Binder's steps give exactly the environment the strict book build executed every page
    in (the same distributions at the same versions, the course package editable), so that
    build is the proof that every page runs on Binder; one page is run here as well, opened
    through jupytext as the launch button opens it, from the checkout."""
    root = built_book.root
    bin_dir = _venv(tmp_path / "venv")
    _run(
        [bin_dir / "python", "-m", "pip", "install", "-r", "binder/requirements.txt"],
        cwd=root,
        env=_offline(wheelhouse),
    )
    home = tmp_path / "home"
    home.mkdir()
    path = f"{bin_dir}{os.pathsep}{os.environ['PATH']}"
    _run(
        ["bash", "binder/postBuild"],
        cwd=root,
        env={"HOME": str(home), "PATH": path, **_offline(wheelhouse)},
    )
    assert (home / ".jupyter/labconfig/default_setting_overrides.json").is_file()

    binder, book = _freeze(bin_dir), _freeze(Path(sys.executable).parent)
    dev_only = {
        line.split("==")[0].strip().lower()
        for line in (REPO_ROOT / "requirements-dev.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    }
    differ = {
        name: (version, book.get(name))
        for name, version in binder.items()
        # A dev pin (playwright, say, which otter also requires) sets the book venv's version.
        if name not in {"pip", "setuptools", "wheel", *dev_only} and book.get(name) != version
    }
    assert not differ, f"Binder's environment differs from the book build's: {differ}"
    missing = set(book) - set(binder) - dev_only - {"pip", "setuptools", "wheel"}
    # What the dev tools pull in (playwright's greenlet, pytest's pluggy, ...) is all that the
    # book's venv may have beyond Binder's.
    assert all(_needed_by_dev_tools(name) for name in missing), missing

    page = executable_pages()[0]
    target = root / page.relative_to(REPO_ROOT).with_name(f"binder-{page.stem}.ipynb")
    _run([bin_dir / "jupytext", "--to", "ipynb", "-o", target, root / page.relative_to(REPO_ROOT)])
    try:
        errors = _errors(_execute(bin_dir, target))
    finally:
        target.unlink()
        target.with_name(f"{target.stem}.executed.ipynb").unlink(missing_ok=True)
    assert not errors, (page.stem, errors[:1])


def _needed_by_dev_tools(name: str) -> bool:
    """True if ``name`` is required, directly or not, by a requirements-dev-only tool."""
    import importlib.metadata

    dev = [
        line.split("==")[0].strip()
        for line in (REPO_ROOT / "requirements-dev.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    ]
    seen, todo = set(), list(dev)
    while todo:
        current = todo.pop().lower().replace("_", "-")
        if current in seen:
            continue
        seen.add(current)
        try:
            requires = importlib.metadata.requires(current) or []
        except importlib.metadata.PackageNotFoundError:
            continue
        for requirement in requires:
            if "extra ==" not in requirement:
                todo.append(re.split(r"[ ;<>=!~\[(]", requirement, maxsplit=1)[0])
    return name in seen


@pytest.mark.slow
def test_student_zip_alone_gets_to_a_checked_exported_submission(
    built_exercises, wheelhouse, tmp_path
):
    """The README's steps, with nothing but the zip: install, run, check every question, export.
    Every master's zip pins the same packages, so one venv (from the first zip) serves them all."""
    bin_dir = None
    notebooks = {}
    for slug, item in sorted(built_exercises.items.items()):
        folder = tmp_path / slug
        with zipfile.ZipFile(item.student_zip) as archive:
            archive.extractall(folder)
        readme = (folder / "README.md").read_text()
        assert "python -m pip install -r requirements.txt" in readme
        if bin_dir is None:
            bin_dir = _venv(tmp_path / ".venv")
            requirements = (folder / "requirements.txt").read_text()
            _run(
                [bin_dir / "python", "-m", "pip", "install", "-r", "requirements.txt"],
                cwd=folder,
                env=_offline(wheelhouse),
            )
        assert (folder / "requirements.txt").read_text() == requirements, slug
        maker = ClassMaker(item.student_notebook, item.solutions_notebook)
        nbformat.write(maker.notebook(answered=maker.questions), folder / f"{slug}.ipynb")
        notebooks[slug] = (folder / f"{slug}.ipynb", maker)
    assert bin_dir is not None and notebooks
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        executed = dict(
            zip(notebooks, pool.map(lambda v: _execute(bin_dir, v[0]), notebooks.values()))
        )
    for slug, (path, maker) in notebooks.items():
        text = {}
        for cell in executed[slug]["cells"]:
            match = re.match(r'grader\.check\("(q\d+)"\)', "".join(cell["source"]).strip())
            if match:
                text[match.group(1)] = json.dumps(cell.get("outputs", []))
        assert sorted(text) == sorted(maker.questions), slug
        for question, output in text.items():
            assert f"{question} results: All test cases passed!" in output, (
                slug,
                question,
                output[:500],
            )
        exported = list(path.parent.glob(f"{slug}_*.zip"))
        assert len(exported) == 1, slug
        with zipfile.ZipFile(exported[0]) as archive:
            assert f"{slug}.ipynb" in archive.namelist()
