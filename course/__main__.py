"""Command line: ``python -m course VERB ...``. Argument parsing only; each verb calls one
function of the modules that own the work."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m course", description=__doc__)
    verbs = parser.add_subparsers(dest="verb", required=True)

    data = verbs.add_parser("data", help="build or refresh the FARA course datasets")
    data_verbs = data.add_subparsers(dest="data_verb", required=True)
    build = data_verbs.add_parser("build", help="derive data/fara from DOJ bulk files")
    build.add_argument(
        "--raw",
        required=True,
        type=Path,
        help="folder with FARA_All_ForeignPrincipals.csv and FARA_All_Registrants.csv (or .csv.zip)",
    )
    build.add_argument(
        "--out", type=Path, default=Path("data/fara"), help="output folder (default: data/fara)"
    )
    build.add_argument(
        "--snapshot-date",
        default=None,
        help="YYYY-MM-DD; defaults to the _YYYY-MM-DD suffix of the raw folder's name",
    )
    build.add_argument(
        "--history",
        type=Path,
        action="append",
        default=[],
        help="a fara-history_YYYY-MM-DD folder to compare with (repeatable); fills snapshot_checks.csv",
    )
    refresh = data_verbs.add_parser(
        "refresh", help="download the current DOJ bulk ZIPs, then build"
    )
    refresh.add_argument(
        "--base-url",
        default="https://efile.fara.gov/bulk/zip/",
        help="where FARA_All_*.csv.zip are served",
    )
    refresh.add_argument(
        "--cache",
        type=Path,
        default=Path("_build/fara-raw"),
        help="folder that keeps each download as a dated raw snapshot",
    )
    refresh.add_argument(
        "--out", type=Path, default=Path("data/fara"), help="output folder (default: data/fara)"
    )
    refresh.add_argument(
        "--snapshot-date", default=None, help="YYYY-MM-DD (default: today's UTC date)"
    )
    refresh.add_argument(
        "--history",
        type=Path,
        action="append",
        default=[],
        help="a fara-history_YYYY-MM-DD folder to compare with (repeatable)",
    )

    exercises = verbs.add_parser("exercises", help="otter assignments")
    ex_verbs = exercises.add_subparsers(dest="exercises_verb", required=True)
    ex_build = ex_verbs.add_parser("build", help="run otter assign for every master notebook")
    ex_build.add_argument(
        "--source", type=Path, default=Path("exercises"), help="folder of master notebooks"
    )
    ex_build.add_argument(
        "--out", type=Path, default=Path("_build/exercises"), help="output folder"
    )

    check = verbs.add_parser("check", help="run a notebook's public tests and print a table")
    check.add_argument("notebook", type=Path)

    grade = verbs.add_parser(
        "grade", help="grade a folder of submissions with public and hidden tests"
    )
    grade.add_argument(
        "submissions",
        type=Path,
        help="class folder (searched for *.ipynb and otter export *.zip), or one .ipynb or .zip",
    )
    grade.add_argument(
        "--assignment", required=True, help="assignment slug, e.g. russia-in-washington"
    )
    grade.add_argument("--out", type=Path, required=True, help="grades CSV to write")
    grade.add_argument(
        "--jobs", type=int, default=None, help="parallel kernels (default: all cores)"
    )
    grade.add_argument(
        "--timeout",
        type=float,
        default=120.0,
        help="seconds per submission; answers defined by then still count (default: 120)",
    )
    grade.add_argument(
        "--cell-timeout",
        type=float,
        default=60.0,
        help="seconds per cell: a longer cell is interrupted and grading goes on (default: 60)",
    )
    grade.add_argument(
        "--roster",
        type=Path,
        default=None,
        help="CSV student_id,name,email,submission (submission: file or folder under PATH)",
    )
    grade.add_argument(
        "--manual",
        type=Path,
        default=None,
        help="rubric scores: CSV with submission or student_id, then one column per manual "
        "question",
    )
    grade.add_argument(
        "--feedback",
        type=Path,
        default=None,
        help="folder for one Markdown feedback file per submission (safe to send to students)",
    )
    grade.add_argument(
        "--report",
        type=Path,
        default=None,
        help="class report page (HTML; opens offline, vega-bundle.js is written beside it); "
        "it lists students by name: keep it private",
    )
    grade.add_argument(
        "--deadline",
        default=None,
        help="ISO date-time (UTC unless it has an offset); later exports are flagged late",
    )
    grade.add_argument(
        "--source", type=Path, default=Path("exercises"), help="folder of master notebooks"
    )
    grade.add_argument(
        "--memory",
        default="2G",
        help="memory (address space) per submission's kernel, e.g. 2G or 512M (default: 2G)",
    )
    grade.add_argument(
        "--no-sandbox",
        action="store_true",
        help="run kernels outside the bubblewrap sandbox (trusted notebooks only; rows are "
        "flagged unsandboxed)",
    )
    responses = verbs.add_parser(
        "responses",
        help="every submission's open-ended answers on one page, beside the guide's rubrics",
    )
    responses.add_argument(
        "submissions",
        type=Path,
        help="class folder (searched for *.ipynb and otter export *.zip), or one .ipynb or .zip",
    )
    responses.add_argument(
        "--assignment", required=True, help="assignment slug, e.g. russia-in-washington"
    )
    responses.add_argument("--out", type=Path, required=True, help="HTML page to write")
    responses.add_argument(
        "--scores-template",
        type=Path,
        default=None,
        help="also write an empty rubric-scores CSV ready for `course grade --manual` "
        "(refuses to overwrite a file)",
    )
    responses.add_argument(
        "--roster",
        type=Path,
        default=None,
        help="CSV student_id,name,email,submission: names on the page, template by student_id",
    )
    responses.add_argument(
        "--source", type=Path, default=Path("exercises"), help="folder of master notebooks"
    )
    responses.add_argument(
        "--guide",
        type=Path,
        default=None,
        help="Markdown file with the rubrics (default: chapters/instructor-guide.md)",
    )
    claims = verbs.add_parser("claims", help="the article's claims ledger (data/claims.csv)")
    claims_verbs = claims.add_subparsers(dest="claims_verb", required=True)
    claims_check = claims_verbs.add_parser(
        "check", help="recompute every testable claim's verdict; exit 1 if one differs"
    )
    claims_check.add_argument(
        "--data",
        type=Path,
        default=None,
        help="data folder laid out as data/ (fara/, russia/, oral_history/, timeline/, "
        "claims.csv); default: the committed data/",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.verb == "data":
        from course.fara import cli as fara_cli

        return fara_cli.run(args)
    if args.verb == "exercises":
        from course import exercises

        return exercises.build_command(args)
    if args.verb == "check":
        from course import grading

        return grading.check_command(args)
    if args.verb == "grade":
        from course import grading

        return grading.grade_command(args)
    if args.verb == "responses":
        from course.grading.responses import responses_command

        return responses_command(args)
    if args.verb == "claims":
        from course import claims

        return claims.check_command(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
