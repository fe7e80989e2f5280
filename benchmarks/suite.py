"""Suite benchmark: how long `make quick` and `make test` take on a clean clone after `make book`.

Run from the repository root: `python3 benchmarks/suite.py [--only quick|test] [--clone DIR]`.
It clones the repository's committed HEAD into a fresh folder (or uses `--clone DIR`, a clone
that already has its venv and `make book`), runs `make book` there if needed (not timed), then
times `make quick` and `make test` once each, as CI would run them (CI=true). Prints the wall
time, the CPU time, the load average before each step, and pytest's closing line, to paste into
benchmarks/RESULTS.md. The shared data must sit beside the clone (`../shared`), as in CI.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SUMMARY = re.compile(r"^=+ (.*(passed|failed).*) in [\d.]+s.*=+$", re.M)


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def run(cmd: list[str], cwd: Path) -> tuple[float, float, str, int]:
    """Wall seconds, CPU seconds (of every process it waited for), output, exit code."""
    env = {**os.environ, "CI": "true"}
    env.pop("COURSE_ROOT", None)
    start, cpu = time.perf_counter(), _children_cpu()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    return seconds, _children_cpu() - cpu, proc.stdout + proc.stderr, proc.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["quick", "test"])
    parser.add_argument("--clone", type=Path, help="an existing clone to run in")
    args = parser.parse_args()
    if args.clone:
        clone = args.clone.resolve()
    else:
        # Beside the repository, so that ../shared resolves as it does for the repository.
        clone = Path(tempfile.mkdtemp(prefix="suite-bench-", dir=REPO.parent))
        branch = subprocess.run(
            ["git", "branch", "--show-current"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip()
        pick = ["--branch", branch] if branch else []
        subprocess.run(["git", "clone", "--quiet", *pick, str(REPO), str(clone)], check=True)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=clone, capture_output=True, text=True
    ).stdout.strip()
    print(f"clone {clone} at {commit}, {os.cpu_count()} CPUs")
    # Set-up, not timed as a target: the book, the test tools and axe-core (one-time installs).
    for step in (["make", "book"], ["make", ".venv/.installed-dev", "axe"]):
        seconds, _, log, code = run(step, clone)
        if code:
            sys.exit(f"{' '.join(step)} failed:\n{log[-3000:]}")
        print(f"{' '.join(step)} (set-up, not timed as a target): {seconds:.0f} s")
    for target in ["quick", "test"]:
        if args.only and target != args.only:
            continue
        load = os.getloadavg()[0]
        seconds, cpu, log, code = run(["make", target], clone)
        found = SUMMARY.findall(log)
        line = found[-1][0] if found else "(no pytest summary)"
        status = "ok" if code == 0 else f"FAILED (exit {code})"
        # CPU time says what the suite costs whatever else the machine runs; wall time on a
        # 2-core machine cannot be below CPU / 2.
        print(f"make {target}: {seconds:.0f} s ({seconds / 60:.1f} min), CPU {cpu:.0f} s, "
              f"load before {load:.1f}, {status}: {line}")  # fmt: skip
        if code:
            print(log[-3000:])


if __name__ == "__main__":
    main()
