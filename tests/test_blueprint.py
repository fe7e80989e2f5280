"""The assessment blueprint (exercises/blueprint.csv, issue 26) against the masters it describes.

One row per graded question of every master found in exercises/ (none is listed here by name):
its questions and points equal the master's, reasoning carries at least half of each master's
auto-graded points, each master has an auto-graded item marked ``after``, and such an item's
public tests check only the form of the answer while its hidden tests recompute the value from
the bundled data."""

from __future__ import annotations

import ast
import re

import nbformat
import pandas as pd
import pytest
import yaml

from course import exercises
from course.paths import EXERCISES_DIR, REPO_ROOT

BLUEPRINT = EXERCISES_DIR / "blueprint.csv"
COLUMNS = ["assignment", "question", "points", "kind", "skill", "feedback", "objective"]
ALLOWED = {
    "kind": {"auto", "manual"},
    "skill": {"mechanics", "reasoning"},
    "feedback": {"instant", "after"},
}
MASTERS = exercises.masters(EXERCISES_DIR)
each_master = pytest.mark.parametrize("master", MASTERS, ids=lambda path: path.stem)
# Calls through which a test reads data: a form-only check needs none.
READERS = {"read_csv", "read_table", "read_json", "read_excel", "read_parquet", "open", "loadtxt"}


def load_blueprint() -> pd.DataFrame:
    table = pd.read_csv(BLUEPRINT, dtype=str, keep_default_na=False)
    assert list(table.columns) == COLUMNS, f"{BLUEPRINT.name}: columns must be exactly {COLUMNS}"
    for line, row in zip(range(2, len(table) + 2), table.itertuples(index=False)):
        where = f"{BLUEPRINT.name} line {line}"
        for column, allowed in ALLOWED.items():
            value = getattr(row, column)
            assert value in allowed, f"{where}: {column} {value!r} is not one of {sorted(allowed)}"
        assert re.fullmatch(r"q\d+", row.question), f"{where}: question {row.question!r}"
        assert re.fullmatch(r"\d+(\.\d+)?", row.points), f"{where}: points {row.points!r}"
        assert row.objective.strip(), f"{where}: empty objective"
    duplicated = table.duplicated(["assignment", "question"])
    assert not duplicated.any(), f"{BLUEPRINT.name}: repeated rows {table[duplicated].values}"
    table["points"] = table["points"].astype(float)
    return table


def rows_of(master) -> pd.DataFrame:
    table = load_blueprint()
    rows = table[table["assignment"] == master.stem]
    assert len(rows), f"{BLUEPRINT.name} has no row for {master.name}: add one per graded question"
    return rows.set_index("question")


def plain(text: str) -> str:
    """Objective text without MyST roles, in one line: {term}`a <b>` -> a."""
    text = re.sub(r"\{term\}`([^`<]+?)\s*(<[^`]*>)?`", r"\1", text)
    text = re.sub(r"\s+", " ", text).strip().rstrip(";.").strip()
    # Capitalised list items (the readability rule) and lower-case ones are the same objective.
    return text[:1].lower() + text[1:]


def chapter_objectives(slug: str) -> set[str]:
    page = (REPO_ROOT / "chapters" / f"{slug}.md").read_text(encoding="utf-8")
    block = page.split("```{admonition} Learning objectives", 1)[1].split("\n```", 1)[0]
    return {plain(item) for item in re.split(r"\n- ", block)[1:]}


def test_every_row_names_a_master():
    stems = {master.stem for master in MASTERS}
    unknown = set(load_blueprint()["assignment"]) - stems
    assert not unknown, f"{BLUEPRINT.name} lists assignments with no master: {sorted(unknown)}"


@each_master
def test_blueprint_matches_the_master(master):
    rows = rows_of(master)
    table = exercises.question_table(master).set_index("question")
    assert sorted(rows.index) == sorted(table.index), (
        f"{BLUEPRINT.name}: {master.stem} lists {sorted(rows.index)}, the master has "
        f"{sorted(table.index)}"
    )
    for question, row in rows.iterrows():
        where = f"{BLUEPRINT.name}: {master.stem} {question}"
        assert row["points"] == table.loc[question, "points"], (
            f"{where}: {row['points']:g} points, the master gives {table.loc[question, 'points']:g}"
        )
        assert row["kind"] == table.loc[question, "kind"], f"{where}: kind differs from the master"
        if row["kind"] == "manual":
            assert row["feedback"] == "after", f"{where}: a hand-graded question is graded after"


@each_master
def test_reasoning_carries_half_the_auto_points_and_one_item_is_graded_after(master):
    auto = rows_of(master).query("kind == 'auto'")
    reasoning = auto.loc[auto["skill"] == "reasoning", "points"].sum()
    assert reasoning >= auto["points"].sum() / 2, (
        f"{master.stem}: reasoning items carry {reasoning:g} of {auto['points'].sum():g} "
        "auto-graded points; at least half is required"
    )
    assert (auto["feedback"] == "after").any(), (
        f"{master.stem}: no auto-graded item is marked feedback=after"
    )
    assert "q2" in auto.index, f"{master.stem}: q2 must stay auto-graded"


@each_master
def test_objectives_are_worded_as_in_the_chapter(master):
    objectives = chapter_objectives(master.stem)
    for question, row in rows_of(master).iterrows():
        assert plain(row["objective"]) in objectives, (
            f"{BLUEPRINT.name}: {master.stem} {question}: objective {row['objective']!r} is not "
            f"one of the learning objectives of chapters/{master.stem}.md"
        )


def question_tests(master) -> dict[str, dict[str, list[tuple[str, dict]]]]:
    """question -> {"public"/"hidden": [(source, config)]} from the master's test cells."""
    found, current = {}, None
    for cell in nbformat.read(master, as_version=4).cells:
        text = cell.source.strip()
        if cell.cell_type == "raw" and text.startswith("# BEGIN QUESTION"):
            current = yaml.safe_load(text)["name"]
        elif cell.cell_type == "code" and "# BEGIN TEST CONFIG" in text:
            header = text.split("# BEGIN TEST CONFIG", 1)[1].split('""" # END TEST CONFIG', 1)[0]
            config = yaml.safe_load(header) or {}
            kind = "hidden" if config.get("hidden") else "public"
            found.setdefault(current, {"public": [], "hidden": []})[kind].append((text, config))
    return found


def calls(source: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            function = node.func
            names.add(
                function.attr
                if isinstance(function, ast.Attribute)
                else getattr(function, "id", "")
            )
    return names


@each_master
def test_after_items_check_only_the_form_in_public(master):
    tests = question_tests(master)
    after = rows_of(master).query("kind == 'auto' and feedback == 'after'")
    for question in after.index:
        where = f"{master.name} {question} (feedback=after)"
        for source, config in tests[question]["public"]:
            # A form check needs no data: reading a file is how a check reaches the value.
            read = calls(source) & READERS
            assert not read, f"{where}: a public test reads data ({sorted(read)}): check form only"
            assert "after the deadline" in str(config.get("success_message", "")), (
                f"{where}: the public test's success_message must say the value is graded after "
                "the deadline"
            )
        hidden = tests[question]["hidden"]
        assert hidden and all(calls(source) & {"read_csv"} for source, _ in hidden), (
            f"{where}: every hidden test recomputes the value from the bundled data (read_csv)"
        )


@each_master
def test_instant_items_teach_with_their_public_checks(master):
    tests = question_tests(master)
    instant = rows_of(master).query("kind == 'auto' and feedback == 'instant'")
    for question in instant.index:
        messages = sum(source.count("assert ") for source, _ in tests[question]["public"])
        assert messages >= 3, f"{master.name} {question}: an instant item's public check teaches"
