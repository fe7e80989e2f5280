"""Where things live in the repository (the package is installed editable from its root).

``COURSE_ROOT`` points the package at another checkout, e.g. the clean copy the build test uses.
"""

import os
from pathlib import Path

REPO_ROOT = Path(os.environ.get("COURSE_ROOT") or Path(__file__).resolve().parent.parent)
DATA_DIR = REPO_ROOT / "data"
FARA_DIR = DATA_DIR / "fara"
RUSSIA_DIR = DATA_DIR / "russia"
ORAL_HISTORY_DIR = DATA_DIR / "oral_history"
TIMELINE_DIR = DATA_DIR / "timeline"
OPINION_DIR = DATA_DIR / "opinion"
EXERCISES_DIR = REPO_ROOT / "exercises"
BUILD_DIR = REPO_ROOT / "_build"
SHARED_DIR = REPO_ROOT.parent / "shared"
