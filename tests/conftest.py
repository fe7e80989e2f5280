"""Shared test helpers: CI detection, the shared-data guard, and the suite's one exercise build
and strict book build from a clean copy of the repository (slow; tests/fixtures/build.py)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

from tests.fixtures import build

# Property tests: 300 examples each in make test; make quick (--hypothesis-profile=quick) runs
# fewer while you iterate.
# No per-example deadline: the suite runs on two workers beside builds and browsers, so a
# property test's wall time says nothing about the code (timings live in benchmarks/).
settings.register_profile("full", max_examples=300, deadline=None)
settings.register_profile("quick", max_examples=40, deadline=None)
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


def _stage(item) -> int:
    """0: needs no build; 1: needs the exercise build; 2: needs the book too (built last)."""
    names = set(getattr(item, "fixturenames", ()))
    return 2 if "built_book" in names else 1 if "built_exercises" in names else 0


def _shared_dir(config) -> Path:
    """One folder for this run's build, the same for every xdist worker."""
    base = config._tmp_path_factory.getbasetemp()
    return (base.parent if hasattr(config, "workerinput") else base) / "suite-build"


GROUP = "book-site"


def _group(item) -> str | None:
    """The tests that use the browser or read the build's own files run on one worker: one
    Chromium and one server for them all, and test_print's second build in that folder never
    runs beside a test reading it."""
    names = set(getattr(item, "fixturenames", ()))
    if item.nodeid.startswith("tests/browser/") or "glued" in names:
        return GROUP
    if item.nodeid.startswith("tests/test_chapters.py") and "book" in names:
        return GROUP
    return None


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(config, items):
    """After the other hooks (after -m/-k deselection, so `make quick` starts no build): order
    the tests by what they need, so that the build runs beside the tests that need none, start
    the build if a selected test needs it, and write the xdist groups for the controller's
    scheduler. Every worker orders and groups alike, as xdist requires."""
    result = yield
    items.sort(key=_stage)
    if config.option.collectonly:
        return result
    shared = _shared_dir(config)
    if items and _stage(items[-1]):
        build.start(shared)
    if hasattr(config, "workerinput"):
        groups = {item.nodeid: group for item in items if (group := _group(item))}
        shared.mkdir(parents=True, exist_ok=True)
        partial = shared.parent / f"xdist-groups.{os.getpid()}.partial"
        partial.write_text(json.dumps(groups), encoding="utf-8")
        partial.replace(shared.parent / "xdist-groups.json")
    return result


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadgroup`` with the groups of :func:`_group`. (xdist's own xdist_group mark
    cannot work with pytest 9, whose node ids xdist can no longer rename.) The workers wrote
    the groups before sending their collections, so they are there when scheduling starts."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    groups_file = _shared_dir(config).parent / "xdist-groups.json"

    class Scheduling(LoadGroupScheduling):
        groups: dict[str, str] | None = None

        def _split_scope(self, nodeid: str) -> str:
            if self.groups is None:
                found = groups_file.is_file()
                self.groups = json.loads(groups_file.read_text(encoding="utf-8")) if found else {}
            return self.groups.get(nodeid, nodeid)

    return Scheduling(config, log)


def pytest_unconfigure(config):
    # When the run ends (in the xdist controller, after every worker) no test needs the build
    # any more: stop it if it is still going (a run cut short, -x, Ctrl-C).
    build.reap()
    if not hasattr(config, "workerinput"):
        build.stop(_shared_dir(config))


@pytest.fixture(scope="session")
def run_dir(pytestconfig) -> Path:
    """A folder of this run that every xdist worker shares (for what is made once per run)."""
    return _shared_dir(pytestconfig).parent


@pytest.fixture(scope="session")
def built_exercises(pytestconfig) -> ExerciseBuild:
    """Every master built once (otter assign runs each answer key) into a clean copy's
    ``_build/exercises``, exactly where ``make book`` puts them; the book build reuses it."""
    from course.exercises import BuiltAssignment

    found = build.wait(_shared_dir(pytestconfig), build.EXERCISES_RESULT)
    if "error" in found:
        raise RuntimeError(f"the suite's exercise build failed:\n{found['error']}")
    items = {
        slug: BuiltAssignment(
            **{k: v if isinstance(v, bool) or k == "slug" else Path(v) for k, v in item.items()}
        )
        for slug, item in found["items"].items()
    }
    return ExerciseBuild(root=Path(found["root"]), out=Path(found["out"]), items=items)


@pytest.fixture(scope="session")
def built_book(built_exercises, pytestconfig) -> BookBuild:
    """The book built strictly (`--all -n -W --keep-going`) from the clean copy, as `make book`
    does. The exercise step finds the session's exercise build unchanged and keeps it."""
    found = build.wait(_shared_dir(pytestconfig), build.BOOK_RESULT)
    if "error" in found:
        raise RuntimeError(f"the suite's book build did not run: {found['error']}")
    return BookBuild(
        root=Path(found["root"]),
        html=Path(found["html"]),
        returncode=found["returncode"],
        log=found["log"],
    )
