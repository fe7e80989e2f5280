"""Where things live in the repository (the package is installed editable from its root).

``COURSE_ROOT`` points the package at another checkout, e.g. the clean copy the build test uses.
Installed from the published wheel, ``DATA_DIR`` is the data packaged inside ``course/_data``.
"""

import os
from pathlib import Path

REPO_ROOT = Path(os.environ.get("COURSE_ROOT") or Path(__file__).resolve().parent.parent)
# Installed from the wheel the book publishes (course.book.downloads), the data travels inside the
# package; a repository checkout always uses its own data/ folder.
PACKAGED_DATA_DIR = Path(__file__).resolve().parent / "_data"
DATA_DIR = (
    PACKAGED_DATA_DIR
    if not (REPO_ROOT / "data").is_dir() and PACKAGED_DATA_DIR.is_dir()
    else REPO_ROOT / "data"
)
FARA_DIR = DATA_DIR / "fara"
RUSSIA_DIR = DATA_DIR / "russia"
ORAL_HISTORY_DIR = DATA_DIR / "oral_history"
TIMELINE_DIR = DATA_DIR / "timeline"
OPINION_DIR = DATA_DIR / "opinion"
EXERCISES_DIR = REPO_ROOT / "exercises"
BUILD_DIR = REPO_ROOT / "_build"
SHARED_DIR = REPO_ROOT.parent / "shared"
