"""Build benchmark: clean and no-change builds, `make book` as a whole and `jupyter-book build` alone.

Run from the repository root with the project's venv: `.venv/bin/python benchmarks/build.py [--runs 3]`.
Each run works on a fresh clean copy of the repository (tracked and non-ignored files), so the
repository's own `_build` is untouched. Prints a table of medians and each chapter's kernel time
(from the execution cache), to paste into benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _load_clean_copy():
    """The tests' clean-copy helper (a script, not part of the package: loaded by path)."""
    spec = importlib.util.spec_from_file_location("book_conftest", REPO / "tests" / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module.clean_copy


clean_copy = _load_clean_copy()

VENV = Path(sys.executable).parent.parent


def timed(cmd: list[str], cwd: Path) -> float:
    env = {**os.environ, "COURSE_ROOT": str(cwd)}
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode:
        sys.exit(f"{' '.join(cmd)} failed in {cwd}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return elapsed


def kernel_times(root: Path) -> dict[str, float]:
    from jupyter_cache import get_cache

    cache = get_cache(root / "_build" / ".jupyter_cache")
    return {
        Path(r.uri).stem: float(r.data.get("execution_seconds", 0.0))
        for r in cache.list_cache_records()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    # -o: treat the venv as installed, so make never reinstalls this venv from the copy.
    make_book = ["make", "book", f"VENV={VENV}", "-o", str(VENV / ".installed")]
    jb_build = [str(VENV / "bin" / "jupyter-book"), "build", ".", "-n", "-W", "--keep-going"]
    # make book's exercise step goes first so jupyter-book alone builds the same site.
    exercises = [str(VENV / "bin" / "python"), "-m", "course", "exercises", "build"]
    results: dict[str, list[float]] = {
        k: []
        for k in (
            "make book, clean",
            "make book, no change",
            "make book, after a data change",
            "jupyter-book build, clean",
            "jupyter-book build, no change",
        )
    }
    kernels: dict[str, float] = {}
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
            root = clean_copy(Path(tmp) / "repo")
            results["make book, clean"].append(timed(make_book, root))
            kernels = kernel_times(root)
            results["make book, no change"].append(timed(make_book, root))
            # The acceptance edit: drop the last row of the exodus table; every page re-executes.
            exodus = root / "data" / "russia" / "exodus_2022.csv"
            page = root / "_build" / "html" / "chapters" / "russia-in-washington.html"
            before, rows = page.read_text(), exodus.read_text().splitlines(keepends=True)
            exodus.write_text("".join(rows[:-1]))
            results["make book, after a data change"].append(timed(make_book, root))
            if page.read_text() == before:
                sys.exit("a data change left the built page unchanged")
            exodus.write_text("".join(rows))
            # Clean for jupyter-book alone: no html, doctrees, execution cache or vendor bundle;
            # the exercise files are make's step, rebuilt untimed.
            shutil.rmtree(root / "_build")
            timed(exercises, root)
            results["jupyter-book build, clean"].append(timed(jb_build, root))
            results["jupyter-book build, no change"].append(timed(jb_build, root))
    medians = {k: statistics.median(v) for k, v in results.items()}
    print(
        f"Build benchmark: {args.runs} runs each, {os.cpu_count()} cores, Python {sys.version.split()[0]}"
    )
    print()
    print("| step | median (s) | runs (s) |")
    print("|---|---:|---|")
    for key, values in results.items():
        print(f"| {key} | {medians[key]:.1f} | {', '.join(f'{v:.1f}' for v in values)} |")
    ratio = medians["make book, no change"] / medians["make book, clean"]
    print()
    print(f"No-change `make book` / clean `make book`: {ratio:.1%} (target: at most 15%)")
    print()
    print("| chapter | kernel time (s) |")
    print("|---|---:|")
    for name, seconds in sorted(kernels.items()):
        print(f"| {name} | {seconds:.1f} |")


if __name__ == "__main__":
    main()
