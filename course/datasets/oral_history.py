"""The Bush-Putin oral history as data: who was interviewed, and what the article says they said.

Reads ``data/oral_history`` through the shared checked loader (:mod:`course.datasets.tables`); the
columns, allowed values and coding rules are in ``data/oral_history/CODEBOOK.md``. Every
explanation row rests on the article (``basis = article``): no transcript has been checked.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from course import paths
from course.datasets import tables

FACTORS = (
    "personal chemistry",
    "9/11 counter-terrorism cooperation",
    "Freedom Agenda and democracy promotion",
    "NATO enlargement",
    "missile defence and the ABM withdrawal",
    "colour revolutions",
    "U.S. unilateralism",
    "Russian domestic consolidation",
)
STANCES = ("cause_of_breakdown", "source_of_cooperation", "limited_effect")
NOT_CODED = "not coded"
"""The stance :func:`factor_matrix` gives a participant with no row for a factor."""
SIDES = ("US", "Russia")
IN_COLLECTION = ("confirmed", "role_listed", "article_only")
IDENTITIES = ("named", "inferred_from_role", "partial_name")
STATUSES = tables.STATUSES
BASES = ("article", "transcript")

INTERVIEWEE_SCHEMA = tables.schema(
    {
        "name": tables.text(),
        "side": tables.text(SIDES),
        "role_2001_2008": tables.text(),
        "in_collection": tables.text(IN_COLLECTION),
        "identity": tables.text(IDENTITIES),
        "status": tables.text(STATUSES),
        "interviewer": tables.text(required=False),
        "interview_date": tables.iso_date(required=False),
        "source_url": tables.url(),
        "note": tables.text(required=False),
    }
)
EXPLANATION_SCHEMA = tables.schema(
    {
        "name": tables.text(),
        "factor": tables.text(FACTORS),
        "stance": tables.text(STANCES),
        "evidence": tables.text(),
        "article_phrase": tables.text(required=False),
        "basis": tables.text(BASES),
        "status": tables.text(STATUSES),
        "source": tables.url(),
    }
)
UNNAMED_ROLE_SCHEMA = tables.schema(
    {
        "role": tables.text(),
        "side": tables.text(SIDES),
        "status": tables.text(STATUSES),
        "source_url": tables.url(),
        "note": tables.text(required=False),
    }
)
COLLECTION_SCHEMA = tables.schema(
    {
        "fact": tables.text(),
        "value": tables.integer(minimum=0),
        "status": tables.text(STATUSES),
        "source_url": tables.url(),
        "note": tables.text(required=False),
    }
)

INTERVIEWEE_RULES = (
    tables.unique("name", "appears twice"),
    tables.RowRule(
        "status",
        "an article_only participant cannot be better than unverified",
        lambda f: (f["in_collection"] != "article_only") | (f["status"] == "unverified"),
    ),
    tables.RowRule(
        "status",
        "a name inferred from a role, or cut off, cannot be verified",
        lambda f: (f["identity"] == "named") | (f["status"] != "verified"),
    ),
)
EXPLANATION_RULES = (
    tables.RowRule(
        "factor",
        "a second row for this name and factor",
        lambda f: ~f.duplicated(["name", "factor"]),
    ),
    tables.RowRule(
        "status",
        "a row based on the article alone cannot be verified (no transcript was checked)",
        lambda f: (f["basis"] != "article") | (f["status"] != "verified"),
    ),
)


def interviewees_path() -> Path:
    return paths.ORAL_HISTORY_DIR / "interviewees.csv"


def explanations_path() -> Path:
    return paths.ORAL_HISTORY_DIR / "explanations.csv"


def unnamed_roles_path() -> Path:
    return paths.ORAL_HISTORY_DIR / "unnamed_roles.csv"


def collection_path() -> Path:
    return paths.ORAL_HISTORY_DIR / "collection.csv"


def load_interviewees(path: Path | str | None = None) -> pd.DataFrame:
    """``interviewees.csv``, checked; ``interview_date`` is a datetime (NaT when unknown)."""
    return tables.read_table(path or interviewees_path(), INTERVIEWEE_SCHEMA, INTERVIEWEE_RULES)


def load_explanations(path: Path | str | None = None) -> pd.DataFrame:
    """``explanations.csv``, checked: known factors and stances, one row per name and factor."""
    return tables.read_table(path or explanations_path(), EXPLANATION_SCHEMA, EXPLANATION_RULES)


def load_unnamed_roles(path: Path | str | None = None) -> pd.DataFrame:
    """``unnamed_roles.csv``: SMU-listed roles whose holder no source identifies."""
    return tables.read_table(path or unnamed_roles_path(), UNNAMED_ROLE_SCHEMA)


def load_collection(path: Path | str | None = None) -> pd.DataFrame:
    """``collection.csv``: counts stated about the collection (value Int64), with status."""
    return tables.read_table(path or collection_path(), COLLECTION_SCHEMA)


def factor_matrix(
    explanations: pd.DataFrame | None = None, interviewees: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The participant x factor matrix, tidy: columns name, side, factor, stance.

    One row for every interviewee (file order) and every factor (:data:`FACTORS` order); the
    stance is :data:`NOT_CODED` where the participant has no explanation row for the factor.
    An explanation naming someone absent from the interviewees is an error, not dropped.
    """
    explanations = load_explanations() if explanations is None else explanations
    interviewees = load_interviewees() if interviewees is None else interviewees
    unknown = sorted(set(explanations["name"]) - set(interviewees["name"]))
    if unknown:
        raise ValueError(f"explanations name people not in the interviewees table: {unknown}")
    grid = pd.MultiIndex.from_product(
        [interviewees["name"], FACTORS], names=["name", "factor"]
    ).to_frame(index=False)
    grid = grid.merge(interviewees[["name", "side"]], on="name", how="left")
    coded = explanations[["name", "factor", "stance"]]
    matrix = grid.merge(coded, on=["name", "factor"], how="left")
    matrix["stance"] = matrix["stance"].fillna(NOT_CODED)
    return matrix[["name", "side", "factor", "stance"]]
