"""Compute data/russia/exodus_2022.csv: Russian FARA rows before and after 24 February 2022.

Reads the two published registry snapshots that bracket the invasion,
``../shared/data/fara/fara-history_2022-02-23`` and ``..._2022-03-31`` (re-serialized DOJ
files kept by simonw/fara-history; see the FARA provenance notes), with ``course.fara``'s
snapshot reader, keeps the rows labelled RUSSIA or USSR that were active (registered and not
yet terminated) on either date, and writes one row per principal-registrant pair with its
status in each snapshot, its termination date as published on 2022-03-31, the days by which
that termination predates 2022-02-23 (backdating), and the pair's name in the committed
2025-04-10 file (``data/fara/foreign_principals.csv``; DOJ edits names in place).

Run from the repository root:

    python scripts/russia_exodus_2022.py [--shared PATH] [--out PATH]

The book reads only the committed CSV, so it builds without the shared folder.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from course import fara, files, paths
from course.chapters import russia_in_washington as russia

BEFORE, AFTER = "2022-02-23", "2022-03-31"


def load_snapshot(shared: Path, day: str) -> fara.LoadResult:
    path = shared / "data" / "fara" / f"fara-history_{day}" / "FARA_All_ForeignPrincipals.csv"
    return fara.read_history(path, "principals")


def to_csv_text(table) -> str:
    out = table.copy()
    for column in ("principal_registered", "principal_terminated"):
        out[column] = out[column].dt.strftime("%Y-%m-%d").fillna("")
    for column in ("active_2022_02_23", "active_2022_03_31"):
        out[column] = out[column].map({True: "true", False: "false"})
    return out.to_csv(index=False, lineterminator="\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--shared",
        type=Path,
        default=paths.SHARED_DIR,
        help="folder holding data/fara/fara-history_* (default: %(default)s)",
    )
    parser.add_argument(
        "--out", type=Path, default=russia.exodus_path(), help="CSV to write (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    try:
        before, after = (load_snapshot(args.shared, day) for day in (BEFORE, AFTER))
    except (OSError, fara.FaraDataError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    for result in (before, after):
        # Rejected rows would vanish silently from the table; say so instead.
        if result.report.rejected:
            lines = [note.line for note in result.report.rejected]
            print(
                f"warning: {result.report.path}: {len(lines)} rows rejected (lines {lines})",
                file=sys.stderr,
            )
    table = russia.exodus_table(
        before.frame, BEFORE, after.frame, AFTER, current=fara.load_principals()
    )
    files.write_atomic(args.out, to_csv_text(table))
    print(
        f"wrote {args.out}: {len(table)} rows, {int(table['active_2022_02_23'].sum())} active on "
        f"{BEFORE}, {int(table['active_2022_03_31'].sum())} on {AFTER}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
