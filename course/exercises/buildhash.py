"""Fingerprints of a build: the stamp that skips an unchanged master, and the build hash a
student notebook carries so ``course grade`` can tell which build a submission came from."""

from __future__ import annotations

import hashlib
import importlib.metadata
from pathlib import Path

from course.exercises.bundle import (
    BUILD_HASH_KEY,
    METADATA_KEY,
    README_TEMPLATE,
    student_requirements,
)
from course.exercises.masters import assignment_config, data_inputs
from course.paths import REPO_ROOT

# Bump when the layout or the post-processing below changes, so old builds are redone.
BUILD_FORMAT = 6

BUILD_HASH_VERSION = "course build hash 1"


def fingerprint(master: Path, config: dict, inputs: list[tuple[str, Path]]) -> str:
    """A sha256 over everything that shapes the outputs of one master."""
    # The installed version, read without importing otter (0.6 s): a no-change build stays cheap.
    otter_version = importlib.metadata.version("otter-grader")
    digest = hashlib.sha256(f"format {BUILD_FORMAT} otter {otter_version}\n".encode())
    digest.update(student_requirements().encode())
    digest.update(README_TEMPLATE.read_bytes())
    parts = [("master", master)]
    if config.get("config_file"):
        parts.append(("config", master.parent / config["config_file"]))
    parts += inputs
    for label, path in parts:
        digest.update(f"{label}\0".encode())
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()


def build_hash(master: Path, inputs: list[tuple[str, Path]]) -> str:
    """The hash a student notebook carries: sha256 over the master notebook's bytes, then every
    data file bundled with the student zip (``inputs``: path in the zip, file on disk), sorted
    by that path. Each part is preceded by its name and byte length, so moving bytes from one
    file into another changes the hash. The shared config, otter's version and the student
    requirements are left out: they change no question and no data."""
    digest = hashlib.sha256(f"{BUILD_HASH_VERSION}\n".encode())
    parts = [("master", Path(master))]
    parts += sorted((relative, Path(path)) for relative, path in inputs)
    for name, path in parts:
        payload = path.read_bytes()
        digest.update(f"{name}\0{len(payload)}\0".encode())
        digest.update(payload)
    return digest.hexdigest()


def build_hash_for(master: Path, data_root: Path = REPO_ROOT) -> str:
    """The build hash of ``master`` with the data under ``data_root`` as it is now: what a
    student notebook built from them carries (``course grade`` compares the two)."""
    master = Path(master)
    return build_hash(master, data_inputs(master, assignment_config(master), Path(data_root)))


def notebook_build_hash(notebook) -> str | None:
    """The build hash a (student) notebook carries in its metadata, or None."""
    section = notebook.get("metadata", {}).get(METADATA_KEY)
    value = section.get(BUILD_HASH_KEY) if isinstance(section, dict) else None
    return value if isinstance(value, str) else None
