"""Russia's FARA principals: the hand coding, its USSR rule, ranks and shares for the chapter.

Reads only committed course data (``data/russia``); the FARA frames come from ``course.fara``.
The types and rules are documented in ``data/russia/CODEBOOK.md``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from course import fara, paths
from course.datasets import tables

TYPES = (
    "state media",
    "state body or state-owned company",
    "individual facing sanctions or legal action",
    "private company or association",
    "opposition or exile group",
    "political party or civil society",
    "unclear",
)
# Named subsets the chapter counts by; spelled once here so a rename cannot miss a page.
STATE_TYPES = ("state media", "state body or state-owned company")
INDIVIDUAL_TYPE = "individual facing sanctions or legal action"
NOT_YET_CODED = "not yet coded"
CODED_COLUMNS = ["foreign_principal", "type", "justification"]
RUSSIAN_LABELS = (fara.RUSSIA, fara.USSR)

EXODUS_COLUMNS = [
    "registration_number",
    "registrant_name",
    "foreign_principal",
    "country",
    "principal_registered",
    "active_2022_02_23",
    "active_2022_03_31",
    "principal_terminated",
    "days_backdated",
    "name_in_current_file",
]


# A problem in a hand-curated Russia table; the message names file, line and column.
CodingError = tables.TableError


def coded_path() -> Path:
    return paths.RUSSIA_DIR / "principals_coded.csv"


def exodus_path() -> Path:
    return paths.RUSSIA_DIR / "exodus_2022.csv"


CODED_SCHEMA = tables.schema(
    {
        "foreign_principal": tables.text(),
        "type": tables.text(allowed=TYPES),
        "justification": tables.text(),
    }
)
CODED_RULES = [
    tables.RowRule(
        "foreign_principal",
        "coded twice (one row per name)",
        lambda frame: ~frame["foreign_principal"].duplicated(),
    )
]


def load_principals_coded(path: Path | None = None) -> pd.DataFrame:
    """The coding of every RUSSIA principal name, validated (one row per name, known types)."""
    return tables.read_table(path or coded_path(), CODED_SCHEMA, CODED_RULES)


# Ordered (pattern, type) rules for Soviet-era rows; the codebook states them in words.
_USSR_RULES = [
    (
        r"\bNTS\b|anti-communist|grand duke|in dispersion|consul general of|republic of estonia"
        r"|archbishop",
        "opposition or exile group",
    ),
    (
        r"pravda|izvesti|\btass\b|novosti|radio|television|soviet life|information bulletin"
        r"|illustrated monthly|magazine|gazet|\bnews\b|newspaper|\btrud\b|zhizn|soviet culture"
        r"|kniga|international book|press|photo|publishing|copyright agency",
        "state media",
    ),
    (
        r"embassy|ministry|government|u\.s\.s\.r|\bussr\b|soviet|v/o\b|all[- ]union|intourist"
        r"|aeroflot|amtorg|\bsov\w*|vnesh|export|import|torg\b|\bstate\b|trade mission"
        r"|chamber of commerce|secretary|delegation|exhibition|artkino|iniurcollegia|republic"
        r"|prime minister|\bssr\b",
        "state body or state-owned company",
    ),
]
_USSR_PATTERNS = [(re.compile(pattern, re.IGNORECASE), kind) for pattern, kind in _USSR_RULES]


def ussr_type(name: str) -> str:
    """Type of a principal filed under ``USSR``, by the codebook's ordered name rule."""
    for pattern, kind in _USSR_PATTERNS:
        if pattern.search(name):
            return kind
    return "unclear"


def code_principals(principals: pd.DataFrame, coded: pd.DataFrame | None = None) -> pd.DataFrame:
    """Russian and Soviet rows of ``principals`` with a ``type`` column.

    RUSSIA rows take the hand coding by name; USSR rows take :func:`ussr_type`; a RUSSIA
    name missing from the coding (a data refresh) gets ``"not yet coded"``.
    """
    coded = load_principals_coded() if coded is None else coded
    lookup = dict(zip(coded["foreign_principal"], coded["type"]))
    rows = fara.russian_rows(principals, soviet=True).copy()
    names = rows["foreign_principal"].str.strip()
    is_ussr = rows["country"].str.strip() == "USSR"
    rows["type"] = names.map(lookup).fillna(NOT_YET_CODED)
    rows.loc[is_ussr, "type"] = names[is_ussr].map(ussr_type)
    return rows


def competition_rank(counts: Mapping[str, int] | pd.Series, label: str) -> int:
    """1 + the number of labels with strictly more rows than ``label`` (ties share a rank)."""
    counts = pd.Series(counts)
    if label not in counts.index:
        raise KeyError(f"{label!r} is not among the {len(counts)} labels counted")
    return int(1 + (counts > counts[label]).sum())


def share_by_type(coded_rows: pd.DataFrame, by: str | list[str] | None = None) -> pd.DataFrame:
    """Rows and share of each type (within each ``by`` group), as a tidy frame.

    Every type in :data:`TYPES` appears (with 0 rows) so charts and tables keep one legend;
    ``not yet coded`` appears only when present.
    """
    groups = [] if by is None else ([by] if isinstance(by, str) else list(by))
    kinds = list(TYPES) + ([NOT_YET_CODED] if (coded_rows["type"] == NOT_YET_CODED).any() else [])
    counts = coded_rows.groupby([*groups, "type"]).size()
    if groups:
        keys = counts.index.droplevel("type").unique()
        full = pd.MultiIndex.from_tuples(
            [
                (*(key if isinstance(key, tuple) else (key,)), kind)
                for key in keys
                for kind in kinds
            ],
            names=[*groups, "type"],
        )
    else:
        full = pd.Index(kinds, name="type")
    table = counts.reindex(full, fill_value=0).rename("rows").reset_index()
    totals = (
        table.groupby(groups)["rows"].transform("sum")
        if groups
        else pd.Series(table["rows"].sum(), index=table.index)
    )
    table["share"] = (table["rows"] / totals.where(totals > 0)).fillna(0.0)
    return table


_TRUE_FALSE = ["true", "false"]
EXODUS_SCHEMA = tables.schema(
    {
        "registration_number": tables.integer(minimum=1),
        "registrant_name": tables.text(),
        "foreign_principal": tables.text(),
        "country": tables.text(allowed=RUSSIAN_LABELS),
        "principal_registered": tables.iso_date(),
        "active_2022_02_23": tables.text(allowed=_TRUE_FALSE),
        "active_2022_03_31": tables.text(allowed=_TRUE_FALSE),
        "principal_terminated": tables.iso_date(required=False),
        "days_backdated": tables.integer(minimum=0, required=False),
        "name_in_current_file": tables.text(),
    }
)


def load_exodus(path: Path | None = None) -> pd.DataFrame:
    """The committed 2022 exodus table (see ``scripts/russia_exodus_2022.py``), typed."""
    table = tables.read_table(path or exodus_path(), EXODUS_SCHEMA)
    for column in ("active_2022_02_23", "active_2022_03_31"):
        table[column] = table[column] == "true"
    return table


def exodus_table(
    before: pd.DataFrame,
    before_date,
    after: pd.DataFrame,
    after_date,
    current: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Russian and Soviet rows active in either registry snapshot, with their fate.

    ``before``/``after`` are principal frames as :func:`course.fara.read_history` returns them,
    published on ``before_date``/``after_date``; a row is matched across them by registration
    number, principal name and principal registration date. ``days_backdated`` counts the days
    by which a termination published after ``before_date`` predates it (0 if it does not).
    ``current`` (the committed bulk frame) supplies ``name_in_current_file``: DOJ edits names
    in place, and the snapshots mangle some quotes. The flag columns keep the 2022 names
    (:data:`EXODUS_COLUMNS`) whatever the dates, so the committed file has one schema.
    """
    key = ["registration_number", "foreign_principal", "principal_registered"]
    day_before, day_after = pd.Timestamp(before_date), pd.Timestamp(after_date)

    def russian(frame: pd.DataFrame) -> pd.DataFrame:
        return fara.russian_rows(frame, soviet=True)

    then = russian(fara.active_on(day_before, before))
    now_all = russian(after)
    now = russian(fara.active_on(day_after, after))
    keys = pd.concat([then[key], now[key]]).drop_duplicates()
    names = pd.concat([then, now_all]).drop_duplicates(key)[[*key, "registrant_name", "country"]]
    table = keys.merge(names, on=key, how="left")
    index = table.set_index(key).index
    table["active_2022_02_23"] = index.isin(then.set_index(key).index)
    table["active_2022_03_31"] = index.isin(now.set_index(key).index)
    ended = now_all.drop_duplicates(key).set_index(key)["principal_terminated"]
    table["principal_terminated"] = pd.to_datetime(index.map(ended))
    lag = (day_before - table["principal_terminated"]).dt.days
    table["days_backdated"] = (
        lag.clip(lower=0)
        .where(table["active_2022_02_23"] & table["principal_terminated"].notna())
        .astype("Int64")
    )
    table["name_in_current_file"] = _current_names(table, current)
    table = table.sort_values(
        ["active_2022_03_31", "principal_terminated", "foreign_principal"],
        ascending=[False, True, True],
        kind="stable",
        na_position="first",
    )
    return table[EXODUS_COLUMNS].reset_index(drop=True)


def _current_names(table: pd.DataFrame, current: pd.DataFrame | None) -> pd.Series:
    """The same pair's name in ``current``, matched on registration number, country and
    principal registration date; empty when there is no current frame or no single match."""
    if current is None:
        return pd.Series([""] * len(table), index=table.index, dtype=object)
    match = ["registration_number", "country", "principal_registered"]
    pool = current[match + ["foreign_principal"]].copy()
    pool["country"] = pool["country"].str.strip()
    out = []
    for _, row in table.iterrows():
        hits = pool[
            (pool["registration_number"] == row["registration_number"])
            & (pool["country"] == row["country"].strip())
            & (pool["principal_registered"] == row["principal_registered"])
        ]
        exact = hits[hits["foreign_principal"] == row["foreign_principal"]]
        chosen = exact if len(exact) else hits
        out.append(str(chosen["foreign_principal"].iloc[0]).strip() if len(chosen) == 1 else "")
    return pd.Series(out, index=table.index, dtype=object)
