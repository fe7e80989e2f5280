"""Grading benchmark: `python -m course grade`, sandboxed and not, against a plain sequential
loop of `otter run`.

Run from the repository root: `.venv/bin/python benchmarks/grading.py [--count 40] [--jobs N]`.
Builds the assignment into a temporary folder, generates COUNT submissions from its student
notebook and answer key (each answers a different subset of the questions), grades them three
ways in one run (course grade with its bubblewrap sandbox, the default; course grade
--no-sandbox; the otter loop), checks that all three give every submission the same total, and
prints the wall times, the sandbox's overhead and the speed-up over the loop, to paste into
benchmarks/RESULTS.md. Targets: overhead at most 20% of the unsandboxed wall time; the
sandboxed run at least 3x faster than the loop.

`--baseline DIR --rounds N` compares instead this checkout's `course grade` with another
checkout's (DIR, with its own `.venv`), e.g. a worktree of `main` from before a change: the same
COUNT submissions, default options, sandboxed, graded N times by each, alternating (baseline,
this, baseline, this, ...) so that the machine's load falls on both alike. It prints every
wall time, the median of each side and their ratio (target: this checkout at most 10% slower),
and checks that both give every submission the same total and that no row of this checkout is
flagged version_mismatch (the submissions come from its own build).
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import itertools
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from course.exercises import build_assignment
from course.paths import EXERCISES_DIR, REPO_ROOT

SLUG = "russia-in-washington"


def _fixtures():
    # The submission generator lives with the tests; load it by path (benchmarks are scripts).
    spec = importlib.util.spec_from_file_location(
        "fixture_submissions", REPO_ROOT / "tests" / "fixtures" / "submissions.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_submissions(built, folder: Path, count: int) -> list[Path]:
    fixtures = _fixtures()
    maker = fixtures.ClassMaker(built.student_notebook, built.solutions_notebook)
    subsets = [
        list(c)
        for r in range(len(maker.questions) + 1)
        for c in itertools.combinations(maker.questions, r)
    ]
    paths = []
    for index in range(count):
        path = folder / f"student-{index:03d}" / f"{SLUG}.ipynb"
        path.parent.mkdir(parents=True)
        nbformat.write(maker.notebook(answered=subsets[index % len(subsets)]), path)
        paths.append(path)
    return paths


def build_class(tmp: Path, count: int):
    """Build the assignment once, into the repository's _build where `course grade` looks for
    it, and write ``count`` submissions under ``tmp/submissions``: (built, that folder)."""
    built = build_assignment(EXERCISES_DIR / f"{SLUG}.ipynb", REPO_ROOT / "_build" / "exercises")
    folder = tmp / "submissions"
    make_submissions(built, folder, count)
    return built, folder


def course_grade(
    folder: Path, out: Path, jobs: int | None, sandbox: bool = True
) -> tuple[float, dict[str, float], str]:
    extra = (["--jobs", str(jobs)] if jobs else []) + ([] if sandbox else ["--no-sandbox"])
    start = time.perf_counter()
    done = _fixtures().run_course_grade(folder, out, SLUG, *extra)
    done.check_returncode()
    wall = time.perf_counter() - start
    with open(out, newline="") as handle:
        totals = {row["submission"]: float(row["total"]) for row in csv.DictReader(handle)}
    return wall, totals, done.stdout.strip()


def otter_loop(
    folder: Path, paths: list[Path], autograder: Path, scratch: Path
) -> tuple[float, dict[str, float]]:
    otter = Path(sys.executable).parent / "otter"
    totals = {}
    start = time.perf_counter()
    for index, path in enumerate(paths):
        out = scratch / f"otter-run-{index:03d}"
        out.mkdir(parents=True)
        subprocess.run(
            [str(otter), "run", "-a", str(autograder), "-o", str(out), str(path)],
            cwd=path.parent,
            capture_output=True,
            check=True,
        )
        results = json.loads((out / "results.json").read_text())
        totals[path.relative_to(folder).as_posix()] = sum(
            test.get("score", 0) or 0
            for test in results["tests"]
            if test.get("name") != "Public Tests"
        )
    return time.perf_counter() - start, totals


def baseline_grade(baseline: Path, folder: Path, out: Path, jobs: int | None):
    """``course grade`` of another checkout, run with that checkout's own venv and masters."""
    command = [str(baseline / ".venv" / "bin" / "python"), "-m", "course", "grade", str(folder)]
    command += ["--assignment", SLUG, "--out", str(out), "--source", str(baseline / "exercises")]
    command += ["--jobs", str(jobs)] if jobs else []
    env = {k: v for k, v in os.environ.items() if k != "COURSE_ROOT"}
    start = time.perf_counter()
    done = subprocess.run(command, cwd=baseline, capture_output=True, text=True, env=env)
    done.check_returncode()
    return time.perf_counter() - start, done.stdout.strip()


def _children_cpu() -> float:
    """User plus system CPU seconds of finished child processes (and of those they reaped)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _rows(out: Path) -> dict[str, dict]:
    with open(out, newline="") as handle:
        return {row["submission"]: row for row in csv.DictReader(handle)}


def compare(args) -> int:
    """A/B: the baseline checkout's course grade against this one's, alternating."""
    import statistics

    baseline = args.baseline.resolve()
    commits = {
        name: subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True
        ).stdout.strip()
        for name, root in (("baseline", baseline), ("this", REPO_ROOT))
    }
    with tempfile.TemporaryDirectory(prefix="grading-ab-") as tmp:
        tmp = Path(tmp)
        built, folder = build_class(tmp, args.count)
        # The baseline builds its own autograder once, untimed (its first grade would).
        warm_up = (
            "from course.exercises import build_assignment\n"
            "from course.paths import BUILD_DIR, EXERCISES_DIR\n"
            f"build_assignment(EXERCISES_DIR / '{SLUG}.ipynb', BUILD_DIR / 'exercises')\n"
        )
        subprocess.run(
            [str(baseline / ".venv" / "bin" / "python"), "-c", warm_up],
            cwd=baseline,
            capture_output=True,
            check=True,
        )
        times: dict[str, list[float]] = {"baseline": [], "this": []}
        cpus: dict[str, list[float]] = {"baseline": [], "this": []}
        results: dict[str, dict] = {}
        for round_ in range(args.rounds):
            for side in ("baseline", "this"):
                out = tmp / f"{side}-{round_}.csv"
                load = os.getloadavg()[0]
                cpu_before = _children_cpu()
                if side == "baseline":
                    wall, _ = baseline_grade(baseline, folder, out, args.jobs)
                else:
                    wall, _, _ = course_grade(folder, out, args.jobs)
                cpu = _children_cpu() - cpu_before
                times[side].append(wall)
                cpus[side].append(cpu)
                results[side] = _rows(out)
                print(
                    f"round {round_ + 1} {side:<8} ({commits[side]}): {wall:6.1f} s wall, "
                    f"{cpu:5.1f} s CPU without kernels (1-min load before: {load:.2f})",
                    flush=True,
                )
    medians = {side: statistics.median(values) for side, values in times.items()}
    ratio = medians["this"] / medians["baseline"]
    disagree = sorted(
        name
        for name, row in results["baseline"].items()
        if (row["status"], row["total"])
        != (results["this"].get(name, {}).get("status"), results["this"].get(name, {}).get("total"))
    )
    flagged = sorted(n for n, r in results["this"].items() if "version_mismatch" in r["flags"])
    print(
        f"machine: {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"submissions: {args.count} ({SLUG}); jobs: {args.jobs or os.cpu_count()}; sandboxed"
    )
    for side in ("baseline", "this"):
        listed = ", ".join(f"{t:.1f}" for t in times[side])
        print(f"{side:<8} ({commits[side]}): median {medians[side]:6.1f} s  (runs: {listed})")
    print(f"ratio this / baseline: {ratio:.3f} ({ratio - 1:+.1%}; target: at most +10%)")
    # CPU time is less sensitive to the machine's load than wall time, but it counts only the
    # course grade process and its workers: the sandboxed kernels' CPU does not reach it.
    cpu_medians = {side: statistics.median(values) for side, values in cpus.items()}
    for side in ("baseline", "this"):
        listed = ", ".join(f"{t:.1f}" for t in cpus[side])
        print(
            f"{side:<8} CPU of course grade and its workers (kernels not counted): "
            f"median {cpu_medians[side]:5.1f} s  (runs: {listed})"
        )
    print(f"that CPU, this / baseline: {cpu_medians['this'] / cpu_medians['baseline']:.3f}")
    print(
        "statuses and totals agree on all submissions"
        if not disagree and len(results["this"]) == len(results["baseline"])
        else f"statuses or totals DISAGREE on {len(disagree)}: {disagree[:5]}"
    )
    print(f"rows flagged version_mismatch (this checkout): {len(flagged)}")
    return 0 if not disagree and not flagged else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument(
        "--jobs", type=int, default=None, help="passed to course grade (default: all cores)"
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        default=None,
        help="another checkout (with its own .venv) to compare this course grade with",
    )
    parser.add_argument("--rounds", type=int, default=2, help="A/B rounds with --baseline")
    args = parser.parse_args()
    if args.baseline is not None:
        return compare(args)
    with tempfile.TemporaryDirectory(prefix="grading-bench-") as tmp:
        tmp = Path(tmp)
        built, folder = build_class(tmp, args.count)
        # Otter run may write files beside a submission, so it gets its own copy of the class.
        otter_folder = tmp / "otter-copy"
        otter_paths = make_submissions(built, otter_folder, args.count)
        boxed, boxed_totals, summary = course_grade(folder, tmp / "sandboxed.csv", args.jobs)
        bare, bare_totals, _ = course_grade(folder, tmp / "unsandboxed.csv", args.jobs, False)
        theirs, their_totals = otter_loop(
            otter_folder, otter_paths, built.autograder_zip, tmp / "otter-results"
        )
    disagree = {
        k: (boxed_totals.get(k), bare_totals.get(k), v)
        for k, v in their_totals.items()
        if not boxed_totals.get(k) == bare_totals.get(k) == v
    }
    disagree |= {k: (v, None, None) for k, v in boxed_totals.items() if k not in their_totals}
    overhead = (boxed - bare) / bare
    speedup = theirs / boxed
    n = args.count
    print(
        f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}"
    )
    print(f"submissions: {n} generated ({SLUG}); jobs: {args.jobs or os.cpu_count()}")
    print(f"course grade summary (sandboxed): {summary}")
    print(
        f"course grade, sandboxed wall time:   {boxed:7.1f} s  ({boxed / n:.2f} s per submission)"
    )
    print(f"course grade, --no-sandbox wall time: {bare:7.1f} s  ({bare / n:.2f} s per submission)")
    print(
        f"sequential otter run wall time:      {theirs:7.1f} s  ({theirs / n:.2f} s per submission)"
    )
    print(f"sandbox overhead: {overhead:+.1%} of the unsandboxed wall time (target: at most +20%)")
    print(f"ratio (otter loop / sandboxed course grade): {speedup:.2f}x (target: at least 3x)")
    print(
        f"totals agree on all {len(their_totals)} submissions, three ways"
        if not disagree
        else f"totals DISAGREE (sandboxed, unsandboxed, otter) on {len(disagree)}: {disagree}"
    )
    return 0 if not disagree else 1


if __name__ == "__main__":
    sys.exit(main())
