"""Grading otter submissions without Docker: fast, parallel, and out of the student's reach.

How one submission is graded:

1. A grading worker (``python -m course.grading --worker``, one per job) copies the notebook and
   the assignment's data into a private temporary folder; the original is only ever read.
2. The copy runs top to bottom in a fresh Jupyter kernel (errors do not stop it; outputs are
   dropped as they arrive, so gigantic outputs cost nothing). The kernel runs inside a
   bubblewrap sandbox (``sandbox``): it can write only its private folder, sees none of the
   grader's files, has no network, and nothing it starts outlives it. Each ``grader.check``
   records the values of the names its question's tests read at that moment (as otter's
   runner grades each question at its check), and a last, injected cell exports those
   records and the final values, as JSON (never pickle: decoding must not run code).
3. The kernel is shut down. The worker, a process the student's code never ran in, with otter,
   pandas and the tests loaded before the kernel started, writes a pristine copy of the data to a
   new folder and runs every public and hidden test on the exported values. Patching otter,
   ``grader.check`` or builtins inside the notebook changes nothing here, and files the notebook
   writes are never read as results.
4. The worker answers the parent over a private pipe, signed with a key only the two share.

One concern per module:

- ``kit``: the assignment's tests (``load_kit``, ``public_kit``, ``run_tests``);
- ``export``: the answer export, the only grader code that runs in the student's kernel;
- ``answers``: reading and decoding the exported answers (``decode``);
- ``sandbox``: the bubblewrap sandbox the kernel runs in (``Sandbox``, ``Limits``);
- ``kernel``: running one notebook in a fresh kernel (``execute_for_answers``);
- ``submission``: grading one submission (``grade_submission``);
- ``result``: the typed record one submission's grading produces (``Result``);
- ``worker``: the worker process and its signed line protocol (``Worker``);
- ``classrun``: a whole class in steps (``GradeOptions``, ``ClassPlan``, ``run_workers``,
  ``annotate``, ``summarise``), the grades CSV (``grade_class``);
- ``report``: the class report page of ``course grade --report`` (``write_report``);
- ``responses``: the open answers beside their rubrics, ``course responses``;
- ``pages``: rendering the instructor pages' Jinja2 templates (``templates/``; autoescaped,
  offline, phone-sized);
- ``check``: a student's self-check (``check_notebook``);
- ``cli``: the ``course grade`` and ``course check`` verbs;
- ``skipped_imports``: a slow optional import the grader and its kernels go without.
"""

# First, before any module imports jsonschema: see course.grading.skipped_imports.
from course.grading.skipped_imports import SKIPPED_IMPORTS

# isort: split
from course.grading.answers import ChartSpec, Unsupported, decode
from course.grading.check import check_notebook
from course.grading.classrun import GradeRow, find_submissions, grade_class, write_grades
from course.grading.cli import check_command, grade_command
from course.grading.kit import GradingKit, GradingUsageError, load_kit, public_kit, run_tests
from course.grading.result import STATUSES, UNSANDBOXED, Result
from course.grading.sandbox import DEFAULT_MEMORY, Limits, Sandbox, SandboxUnavailable
from course.grading.submission import grade_submission

__all__ = [
    "SKIPPED_IMPORTS",
    "DEFAULT_MEMORY",
    "STATUSES",
    "UNSANDBOXED",
    "Limits",
    "Sandbox",
    "SandboxUnavailable",
    "ChartSpec",
    "GradeRow",
    "GradingKit",
    "GradingUsageError",
    "Result",
    "Unsupported",
    "check_command",
    "check_notebook",
    "decode",
    "find_submissions",
    "grade_class",
    "grade_command",
    "grade_submission",
    "load_kit",
    "public_kit",
    "run_tests",
    "write_grades",
]
