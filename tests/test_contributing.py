"""CONTRIBUTING.md stays true: its chapter map lists every TOC page with modules that exist, and
the pre-commit hooks run the checks of `make lint`."""

from __future__ import annotations

import importlib
import re

import yaml

from course.paths import REPO_ROOT
from tests.test_book import toc_files


def chapter_map() -> dict[str, list[str]]:
    text = (REPO_ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    section = text.split("## Chapter map", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0].startswith("`chapters/"):
            rows[cells[0].strip("`")] = cells
    return rows


def test_the_chapter_map_lists_every_toc_page_and_nothing_else():
    assert sorted(chapter_map()) == sorted(toc_files())


def test_the_chapter_map_names_modules_masters_and_tests_that_exist():
    for page, (_, module, _, exercise, tests) in chapter_map().items():
        for name in re.findall(r"`(course(?:\.\w+)*)`", module):
            importlib.import_module(name)
        slug = page.split("/", 1)[1]
        master = REPO_ROOT / "exercises" / f"{slug}.ipynb"
        assert (f"`exercises/{slug}.ipynb`" in exercise) == master.is_file(), page
        for name in re.findall(r"`(test_\w+)`", tests):
            assert (REPO_ROOT / "tests" / f"{name}.py").is_file(), (page, name)


def test_each_graded_chapter_has_its_module_and_test_module():
    for master in sorted((REPO_ROOT / "exercises").glob("*.ipynb")):
        name = master.stem.replace("-", "_")
        assert (REPO_ROOT / "course" / "chapters" / f"{name}.py").is_file(), master.name
        assert (REPO_ROOT / "tests" / f"test_{name}.py").is_file(), master.name


def test_pre_commit_runs_the_checks_of_make_lint():
    hooks = yaml.safe_load((REPO_ROOT / ".pre-commit-config.yaml").read_text())
    entries = [hook["entry"] for repo in hooks["repos"] for hook in repo["hooks"]]
    makefile = (REPO_ROOT / "Makefile").read_text()
    lint = makefile.split("\nruff:", 1)[1].split("\n\n", 1)[0]
    lint += makefile.split("\nlint:", 1)[1].split("\n\n", 1)[0]
    for tool in ("ruff check", "ruff format --check", "course.book.cells --check", "mypy"):
        assert tool in lint, tool
        assert any(tool in entry for entry in entries), tool


def test_declared_dependencies_are_installed_and_pinned_ones_match():
    """pyproject.toml declares what the package imports; requirements.txt pins the versions."""
    import importlib.metadata
    import tomllib

    declared = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pins = {}
    for line in (REPO_ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[name.strip().lower()] = version.strip()
    assert declared == sorted(declared), "keep pyproject's dependencies sorted"
    for name in declared:
        installed = importlib.metadata.version(name)
        if name in pins:
            assert installed == pins[name], (name, installed, pins[name])
    # The libraries the package's modules import at their top are all declared.
    for name in ("altair", "pandas", "numpy", "pandera", "nbformat", "jinja2", "sphinx"):
        assert name in declared, name
