"""Benchmark the FARA data flow: raw DOJ files -> derived data/fara, and the notebook-side load of
the derived tables, beside a plain ``pandas.read_csv`` of the same raw file.

    .venv/bin/python benchmarks/data.py [--runs 7] [--record]

Targets (issue 3): build under 3 s, load under 0.3 s on a 2-core machine. ``--record`` rewrites
the "## Data build" section of benchmarks/RESULTS.md with the table printed here.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from course import fara, paths
from course.fara import cli as fara_cli

SECTION = "## Data build"
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
FARA_SHARED = paths.SHARED_DIR / "data" / "fara"


def median_seconds(action, runs: int) -> tuple[float, float]:
    """Median and max wall time of ``runs`` calls (one untimed warm-up call first)."""
    action()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times), max(times)


def committed_build_inputs() -> tuple[Path, list[Path], str]:
    package = fara.load_datapackage()
    command = package["build_command"]
    raw = FARA_SHARED / command.split("--raw ")[1].split()[0]
    history = [FARA_SHARED / part.split()[0] for part in command.split("--history ")[1:]]
    return raw, history, package["snapshot_date"]


def cold_load() -> None:
    fara.clear_cache()  # measure reading the CSVs, not the in-process cache
    fara.load_principals()
    fara.load_registrants()
    fara.load_active_by_country_year()
    fara.load_snapshot_checks()
    fara.load_datapackage()


def measure(runs: int) -> list[tuple[str, float, float, str]]:
    raw, history, snapshot_date = committed_build_inputs()
    if not raw.exists():
        sys.exit(f"{raw} not found: the benchmark needs the shared DOJ bulk files")
    principals_csv = raw / "FARA_All_ForeignPrincipals.csv"
    raw_bytes = principals_csv.read_bytes()
    rows = []
    with tempfile.TemporaryDirectory(prefix="fara-bench-") as tmp:
        out = Path(tmp) / "fara"

        def build_full():
            fara_cli.build(raw, out, snapshot_date, history, fara_cli.Progress(io.StringIO()))

        def build_bulk_only():
            fara_cli.build(raw, out, snapshot_date, (), fara_cli.Progress(io.StringIO()))

        rows.append(
            (
                "build: raw -> data/fara, as committed (bulk + 3 history comparisons)",
                *median_seconds(build_full, runs),
                "target < 3 s",
            )
        )
        rows.append(
            (
                "build: raw -> data/fara, bulk files only",
                *median_seconds(build_bulk_only, runs),
                "target < 3 s",
            )
        )

        command = [
            sys.executable,
            "-m",
            "course",
            "data",
            "build",
            "--raw",
            str(raw),
            "--out",
            str(out),
            "--snapshot-date",
            snapshot_date,
            *[arg for h in history for arg in ("--history", str(h))],
        ]

        def build_process():
            subprocess.run(command, check=True, capture_output=True)

        rows.append(
            (
                "`python -m course data build` as committed, whole process (start-up and imports included)",
                *median_seconds(build_process, runs),
                "target < 3 s",
            )
        )
    rows.append(
        (
            "fara.read_bulk(FARA_All_ForeignPrincipals.csv) (lossless, validated, typed)",
            *median_seconds(lambda: fara.read_bulk(principals_csv, "principals"), runs),
            "",
        )
    )

    def plain_read_csv():
        return pd.read_csv(
            io.BytesIO(raw_bytes),
            encoding="cp1252",
            dtype=str,
            keep_default_na=False,
            on_bad_lines="skip",
        )

    lost = fara.read_bulk(principals_csv, "principals").report.raw - len(plain_read_csv())
    rows.append(
        (
            f'pandas.read_csv(same file, encoding="cp1252", on_bad_lines="skip") (silently loses {lost} records)',
            *median_seconds(plain_read_csv, runs),
            "",
        )
    )
    probe = (
        "import time; start = time.perf_counter(); from course import fara; fara.load_principals(); "
        "fara.load_registrants(); fara.load_active_by_country_year(); fara.load_snapshot_checks(); "
        "fara.load_datapackage(); print(time.perf_counter() - start)"
    )
    pandas_only = "import time; start = time.perf_counter(); import pandas; print(time.perf_counter() - start)"

    def in_fresh_process(code: str) -> list[float]:
        return [
            float(
                subprocess.run(
                    [sys.executable, "-c", code], check=True, capture_output=True, text=True
                ).stdout
            )
            for _ in range(runs)
        ]

    fresh, pandas_import = in_fresh_process(probe), in_fresh_process(pandas_only)
    rows.append(
        (
            "notebook load in a fresh process: `from course import fara` + the five loaders"
            " (pandas import included)",
            statistics.median(fresh),
            max(fresh),
            "",
        )
    )
    rows.append(
        (
            "of which: `import pandas` alone in a fresh process",
            statistics.median(pandas_import),
            max(pandas_import),
            "",
        )
    )
    rows.append(
        (
            "notebook load in a running kernel: load_principals + load_registrants + load_active_by_country_year"
            " + load_snapshot_checks + load_datapackage (cold)",
            *median_seconds(cold_load, runs),
            "target < 0.3 s",
        )
    )
    return rows


def table(rows, runs: int) -> str:
    lines = [
        SECTION,
        "",
        f"`benchmarks/data.py --runs {runs}`, recorded {dt.date.today().isoformat()} on "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, pandas {pd.__version__}. "
        f"Median and slowest of {runs} runs after one warm-up run.",
        "",
        "| step | median (s) | slowest (s) | note |",
        "|---|---:|---:|---|",
    ]
    lines += [
        f"| {name} | {median:.3f} | {slowest:.3f} | {note} |"
        for name, median, slowest, note in rows
    ]
    return "\n".join(lines) + "\n"


def record(section: str) -> None:
    """Replace only the data section of RESULTS.md (other sections belong to other benchmarks)."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n\n"
    if SECTION in text:
        start = text.index(SECTION)
        following = text.find("\n## ", start + len(SECTION))
        end = len(text) if following == -1 else following + 1
        text = text[:start] + section + ("\n" if following != -1 else "") + text[end:]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    RESULTS.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--record", action="store_true", help="write the table into benchmarks/RESULTS.md"
    )
    args = parser.parse_args()
    section = table(measure(args.runs), args.runs)
    print(section)
    if args.record:
        record(section)


if __name__ == "__main__":
    main()
