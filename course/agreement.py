"""Agreement between the two codings of the timeline's event scores.

``data/timeline/events.csv`` carries the first coding (``score``);
``data/timeline/events_second_coding.csv`` carries a second, independent score for every event,
keyed by ``event_id`` (how it was made: ``data/timeline/CODEBOOK.md``). This module pairs them
and computes, per era, n, raw agreement and weighted Cohen's kappa, and lists disagreements.

Weighted kappa (Cohen 1968) on the full -3..+3 scale, with disagreement weights
``w[i, j] = |i - j| / (k - 1)`` (``linear``, the default) or ``((i - j) / (k - 1)) ** 2``
(``quadratic``), where k is the number of scale points:
``kappa = 1 - sum(w * observed) / sum(w * expected)``, ``observed`` being the table of paired
proportions and ``expected`` the outer product of the two coders' marginal proportions.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from course import paths
from course.datasets import tables

SCALE = tuple(range(-3, 4))
"""The score scale of the codebook, -3..+3; kappa is computed over all seven points."""
WEIGHTS = ("linear", "quadratic")

SECOND_CODING_SCHEMA = tables.schema(
    {
        "event_id": tables.text(),
        "second_score": tables.integer(-3, 3),
        "adjudicated_score": tables.integer(-3, 3, required=False),
        "retest_score": tables.integer(-3, 3),
    }
)
SECOND_CODING_RULES = (tables.unique("event_id", "repeats an earlier row's event_id"),)
AGREEMENT_COLUMNS = ["era", "n", "raw_agreement", "kappa"]
DISAGREEMENT_COLUMNS = [
    "event_id",
    "era",
    "date",
    "event",
    "first_score",
    "second_score",
    "difference",
]


def second_coding_path() -> Path:
    return paths.TIMELINE_DIR / "events_second_coding.csv"


def load_second_coding(path: Path | str | None = None) -> pd.DataFrame:
    """``events_second_coding.csv``, checked: event_id, second_score (Int64, -3..+3: the
    independent coder), adjudicated_score (Int64 or <NA>; blank unless a disagreement was
    adjudicated), retest_score (Int64, -3..+3: the first coders' own blind re-coding)."""
    return tables.read_table(
        path or second_coding_path(), SECOND_CODING_SCHEMA, SECOND_CODING_RULES
    )


def _weights(k: int, weights: str) -> np.ndarray:
    if weights not in WEIGHTS:
        raise ValueError(f"unknown weights {weights!r}; expected one of {list(WEIGHTS)}")
    i, j = np.indices((k, k))
    distance = np.abs(i - j) / (k - 1)
    return distance if weights == "linear" else distance**2


def weighted_kappa(
    first: Sequence[int],
    second: Sequence[int],
    categories: Sequence[int] = SCALE,
    weights: str = "linear",
) -> float:
    """Weighted Cohen's kappa of two equally long codings over ``categories``.

    NaN when the expected disagreement is zero (both coders used one and the same category
    throughout), where kappa is undefined. A value outside ``categories`` is an error.
    """
    first, second = list(first), list(second)
    if len(first) != len(second):
        raise ValueError(f"codings differ in length: {len(first)} and {len(second)}")
    if not first:
        raise ValueError("no paired scores")
    index = {value: position for position, value in enumerate(categories)}
    unknown = sorted({v for v in first + second if v not in index}, key=str)
    if unknown:
        raise ValueError(f"scores {unknown} are not in the categories {list(categories)}")
    k = len(categories)
    observed = np.zeros((k, k))
    for a, b in zip(first, second):
        observed[index[a], index[b]] += 1
    observed /= len(first)
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0))
    w = _weights(k, weights)
    chance = float((w * expected).sum())
    if chance == 0:
        return float("nan")
    return 1 - float((w * observed).sum()) / chance


def raw_agreement(first: Sequence[int], second: Sequence[int]) -> float:
    """Share of pairs with the same score."""
    first, second = list(first), list(second)
    if len(first) != len(second) or not first:
        raise ValueError("need two equally long, non-empty codings")
    return sum(a == b for a, b in zip(first, second)) / len(first)


def paired(events: pd.DataFrame, second: pd.DataFrame) -> pd.DataFrame:
    """Every scored event with both scores: the events' columns plus ``second_score`` and
    ``adjudicated_score``. Refuses a scored event without a second score, and a second score
    for an event_id that is not in ``events``."""
    scored = events[events["score"].notna()]
    missing = sorted(set(scored["event_id"]) - set(second["event_id"]))
    if missing:
        raise ValueError(f"scored events without a second score: {missing}")
    unknown = sorted(set(second["event_id"]) - set(events["event_id"]))
    if unknown:
        raise ValueError(f"second scores for unknown event_id: {unknown}")
    return scored.merge(second, on="event_id", how="left", validate="one_to_one")


def agreement_by_era(
    events: pd.DataFrame, second: pd.DataFrame, weights: str = "linear"
) -> pd.DataFrame:
    """Columns era, n, raw_agreement, kappa (weighted as ``weights`` says): one row per era in
    the order of :data:`course.datasets.timeline.ERAS`, then ``all``."""
    from course.datasets import timeline

    both = paired(events, second)
    groups = [(era, both[both["era"] == era]) for era in timeline.ERAS]
    groups.append(("all", both))
    rows = []
    for era, rows_of_era in groups:
        if rows_of_era.empty:
            continue
        a = rows_of_era["score"].astype(int).tolist()
        b = rows_of_era["second_score"].astype(int).tolist()
        rows.append(
            {
                "era": era,
                "n": len(a),
                "raw_agreement": raw_agreement(a, b),
                "kappa": weighted_kappa(a, b, weights=weights),
            }
        )
    return pd.DataFrame(rows, columns=AGREEMENT_COLUMNS)


def disagreements(events: pd.DataFrame, second: pd.DataFrame) -> pd.DataFrame:
    """The events the two codings score differently, in date order, with
    ``difference = second_score - first_score``."""
    both = paired(events, second)
    both = both[both["score"] != both["second_score"]]
    out = both.rename(columns={"score": "first_score"})
    out["difference"] = (out["second_score"] - out["first_score"]).astype(int)
    return out[DISAGREEMENT_COLUMNS].sort_values("date", kind="stable").reset_index(drop=True)


CODINGS = {"first": "first coding", "second": "second coding"}
"""The two codings of the event scores, by key, with the words the pages use."""


def second_coded(events: pd.DataFrame, second: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``events`` whose ``score`` column holds the independent second coding
    (``second_score``) wherever the first coding has a score, so every score-dependent function
    runs unchanged on either coding. Kinds, dates and texts stay as they are: the second coder
    scored events, not kinds. Refuses what :func:`paired` refuses."""
    both = paired(events, second).set_index("event_id")["second_score"]
    out = events.copy()
    scored = out["score"].notna()
    out.loc[scored, "score"] = out.loc[scored, "event_id"].map(both).to_numpy()
    out["score"] = out["score"].astype("Int64")
    return out


def codings(events: pd.DataFrame, second: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Both codings of ``events``, keyed as :data:`CODINGS`: ``first`` is ``events`` itself,
    ``second`` is :func:`second_coded`."""
    return {"first": events, "second": second_coded(events, second)}


def agreement_table(events: pd.DataFrame, second: pd.DataFrame) -> pd.DataFrame:
    """:func:`agreement_by_era` with both weightings side by side: columns era, n,
    raw_agreement, kappa_linear, kappa_quadratic, disagreements (the count)."""
    linear = agreement_by_era(events, second, "linear")
    quadratic = agreement_by_era(events, second, "quadratic")
    table = linear.rename(columns={"kappa": "kappa_linear"})
    table["kappa_quadratic"] = quadratic["kappa"].to_numpy()
    table["disagreements"] = (table["n"] * (1 - table["raw_agreement"])).round().astype(int)
    return table
