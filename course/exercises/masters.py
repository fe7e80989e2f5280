"""What a master notebook is and reads: the masters of a folder, their assignment config, the
data files they bundle, and their questions (read from otter's markers, without running otter)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import yaml


class ExerciseBuildError(RuntimeError):
    """A master cannot be built (missing data, bad config, or ``otter assign`` failed)."""


def masters(source: Path) -> list[Path]:
    """The master notebooks in ``source`` (one per slug), sorted by name."""
    return sorted(p for p in Path(source).glob("*.ipynb") if not p.name.startswith("."))


def _config_text(cell_source: str) -> str | None:
    """The YAML of an ``# ASSIGNMENT CONFIG`` block in a raw cell or an ```otter fence, if any."""
    text = cell_source.strip()
    if text.startswith("```otter") and text.endswith("```"):
        text = text[len("```otter") : -3].strip()
    if text.startswith("# ASSIGNMENT CONFIG"):
        return text
    return None


def assignment_config(master: Path) -> dict:
    """The master's assignment config merged over its ``config_file`` (master wins, as in otter)."""
    try:
        notebook = nbformat.read(master, as_version=4)
    except Exception as error:  # nbformat raises several unrelated types
        raise ExerciseBuildError(f"{master}: not a readable notebook ({error})") from error
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type in {"raw", "markdown"} and (text := _config_text(cell.source)):
            try:
                config = yaml.safe_load(text) or {}
            except yaml.YAMLError as error:
                raise ExerciseBuildError(
                    f"{master}: cell {index}: bad ASSIGNMENT CONFIG YAML: {error}"
                ) from error
            break
    else:
        raise ExerciseBuildError(f"{master}: no '# ASSIGNMENT CONFIG' cell")
    if config.get("config_file"):
        shared_path = master.parent / config["config_file"]
        if not shared_path.is_file():
            raise ExerciseBuildError(f"{master}: config_file {shared_path} does not exist")
        shared = yaml.safe_load(shared_path.read_text(encoding="utf-8")) or {}
        config = {**shared, **config}
    for key in ("name", "python_version"):
        if not config.get(key):
            raise ExerciseBuildError(f"{master}: the assignment config must set '{key}'")
    if config["name"] != master.stem:
        raise ExerciseBuildError(
            f"{master}: config name '{config['name']}' differs from the file name"
        )
    return config


def data_inputs(master: Path, config: dict, data_root: Path) -> list[tuple[str, Path]]:
    """(relative path, file on disk) for every data file the master reads; fails on a missing one."""
    inputs = []
    for relative in config.get("files", []):
        path = Path(data_root) / relative
        if not path.is_file():
            raise ExerciseBuildError(
                f"{master.name} reads {relative} (listed under 'files' in its assignment config), "
                f"but {path} does not exist; build that dataset first"
            )
        inputs.append((relative, path))
    return inputs


def question_table(master: Path):
    """One row per question of a master: question, kind (auto/manual), points, public and
    hidden test counts, and the points the public and the hidden tests carry. Read from the
    master's markers, without running otter."""
    import pandas as pd

    notebook = nbformat.read(master, as_version=4)
    rows, current = [], None
    for cell in notebook.cells:
        text = cell.source.strip()
        if cell.cell_type == "raw" and text.startswith("# BEGIN QUESTION"):
            config = yaml.safe_load(text) or {}
            current = {
                "question": config["name"],
                "kind": "manual" if config.get("manual") else "auto",
                "points": float(config.get("points") or 0),
                "public_tests": 0,
                "hidden_tests": 0,
                "public_points": 0.0,
                "hidden_points": 0.0,
            }
            rows.append(current)
        elif cell.cell_type == "code" and current and "# BEGIN TEST CONFIG" in text:
            header = text.split("# BEGIN TEST CONFIG", 1)[1].split('""" # END TEST CONFIG', 1)[0]
            config = yaml.safe_load(header) or {}
            kind = "hidden" if config.get("hidden") else "public"
            current[f"{kind}_tests"] += 1
            current[f"{kind}_points"] += float(config.get("points") or 0)
            current["points"] += float(config.get("points") or 0)
    return pd.DataFrame(
        rows,
        columns=[
            "question",
            "kind",
            "points",
            "public_tests",
            "hidden_tests",
            "public_points",
            "hidden_points",
        ],
    )
