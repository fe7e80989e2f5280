"""Otter assignments: stage each master notebook with the course data it reads, run
``otter assign``, and lay out the results per slug::

    OUT/student/<slug>.ipynb      the student notebook (public tests in its metadata, and the
                                  build hash under metadata["course"]["build_hash"])
    OUT/student/<slug>.zip        that notebook, the data files it reads, its public tests as
                                  tests/<q>.py (otter on Colab reads only test files), a
                                  README.md (install, open, check, submit) and a requirements.txt
                                  with the exact pins of the repository's requirements.txt
    OUT/autograder/<slug>.zip     otter's Gradescope-compatible autograder (hidden tests)
    OUT/solutions/<slug>.ipynb    the answer key (instructors only; never published)

A master lists the data it reads in its assignment config (``files:``), as paths relative to the
repository root (``data/fara/foreign_principals.csv``). Otter wants those files under the master's
folder, so each build copies the master, the shared ``assignment_config.yml`` and the data into a
temporary folder first. A build is skipped when a fingerprint of all of those inputs is unchanged.

One job per module: ``masters`` (what a master is and reads, its questions), ``bundle`` (the
student notebook, README and requirements), ``buildhash`` (the skip stamp and the build hash),
``build`` (running otter and placing the outputs).
"""

from course.exercises.build import (
    STAMP_DIR,
    BuiltAssignment,
    autograder_for,
    build_assignment,
    build_command,
    build_exercises,
)
from course.exercises.buildhash import (
    BUILD_FORMAT,
    BUILD_HASH_KEY,
    METADATA_KEY,
    build_hash,
    build_hash_for,
    fingerprint,
    notebook_build_hash,
)
from course.exercises.bundle import (
    OTTER_CHECK_ALL_TEXT,
    PIP_CELL,
    PUBLIC_CHECK_ALL_TEXT,
    SETUP_CELL_MARK,
    SETUP_MARKDOWN,
    STUDENT_PACKAGES,
    public_test_files,
    student_readme,
    student_requirements,
)
from course.exercises.masters import (
    ExerciseBuildError,
    assignment_config,
    data_inputs,
    masters,
    question_table,
)

__all__ = [
    "BUILD_FORMAT",
    "BUILD_HASH_KEY",
    "METADATA_KEY",
    "OTTER_CHECK_ALL_TEXT",
    "PIP_CELL",
    "PUBLIC_CHECK_ALL_TEXT",
    "SETUP_CELL_MARK",
    "SETUP_MARKDOWN",
    "STAMP_DIR",
    "STUDENT_PACKAGES",
    "BuiltAssignment",
    "ExerciseBuildError",
    "assignment_config",
    "autograder_for",
    "build_assignment",
    "build_command",
    "build_exercises",
    "build_hash",
    "build_hash_for",
    "data_inputs",
    "fingerprint",
    "masters",
    "notebook_build_hash",
    "public_test_files",
    "question_table",
    "student_readme",
    "student_requirements",
]
