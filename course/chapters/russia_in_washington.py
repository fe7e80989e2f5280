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
CODED_RULES = [tables.unique("foreign_principal", "coded twice (one row per name)")]


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


# ---- the chapter's figures and charts --------------------------------------------------------

COMPARISON = ("JAPAN", "SAUDI ARABIA", "UNITED ARAB EMIRATES", "QATAR", "UKRAINE")
"""The countries the article compares Russia with, as filed in the registry."""
CONTEXT = ("CHINA", "ISRAEL")
"""Countries the chapter adds for context."""
GROUPS = ("Russia", "The article's comparison set", "Context (China, Israel)", "Other labels")


def group_of(label: str) -> str:
    """The chart group of a country label: Russia, the comparison set, context or other."""
    if label == fara.RUSSIA:
        return GROUPS[0]
    if label in COMPARISON:
        return GROUPS[1]
    if label in CONTEXT:
        return GROUPS[2]
    return GROUPS[3]


def rank_table(by_label: pd.Series) -> pd.DataFrame:
    """Labels with at least Russia's count of active rows: ``country``, ``active``, ``rank``
    (competition rank) and ``group``."""
    ranked = by_label.rename("active").rename_axis("country").reset_index()
    ranked["rank"] = ranked["active"].rank(method="min", ascending=False).astype(int)
    ranked["group"] = ranked["country"].map(group_of)
    return ranked[ranked["active"] >= by_label[fara.RUSSIA]]


def rank_chart(by_label: pd.Series, snapshot: pd.Timestamp):
    """Bars of active rows per label, for every label with at least Russia's count."""
    import altair as alt

    from course import charts
    from course.dates import day_text

    colours = [charts.PALETTE[0], charts.PALETTE[2], charts.MUTED]
    bars = (
        alt.Chart(rank_table(by_label))
        .mark_bar()
        .encode(
            x=alt.X("active:Q", title="Active principal rows"),
            y=alt.Y("country:N", sort="-x", title=None, axis=alt.Axis(labelLimit=110)),
            color=alt.Color(
                "group:N",
                title=None,
                legend=alt.Legend(orient="bottom", columns=1, labelLimit=170),
                scale=charts.highlight_scale(list(GROUPS), "Russia", colours),
            ),
            tooltip=[
                alt.Tooltip("country:N", title="Country label"),
                alt.Tooltip("active:Q", title="Active rows"),
                alt.Tooltip("rank:Q", title="Competition rank"),
                alt.Tooltip("group:N", title="Group"),
            ],
        )
    )
    return charts.titled(
        bars,
        f"Active FARA principals by country, {day_text(snapshot)}",
        "Active principal rows per country label on the snapshot date, for every label with at "
        "least as many rows as Russia; colour marks the article's comparison set.",
        height=alt.Step(12),
    )


def yearly_series(yearly: pd.DataFrame, snapshot: pd.Timestamp, first_year: int) -> pd.DataFrame:
    """Active rows per year from ``first_year`` for Russia (USSR rows added before 1992) and the
    comparison set, dated 31 December (the snapshot date in its own year), with a ``line`` label."""
    from course.dates import year_end_or

    window = yearly[yearly["year"] >= first_year]
    series = window.assign(country=window["country_normalized"].replace({fara.USSR: fara.RUSSIA}))
    series = series[series["country"].isin([fara.RUSSIA, *COMPARISON])]
    series = series.groupby(["country", "year"], as_index=False)["active"].sum()
    series["date"] = series["year"].map(lambda year: year_end_or(snapshot, year))
    series["line"] = series["country"].str.title().replace({"Russia": "Russia (USSR before 1992)"})
    return series


def yearly_chart(series: pd.DataFrame, first_year: int):
    """Lines of :func:`yearly_series`, the Soviet years shaded and three events marked."""
    import altair as alt

    from course import charts

    events = pd.DataFrame(
        {
            "date": pd.to_datetime(["2014-03-18", "2017-11-13", "2022-02-24"]),
            "event": [
                "2014: Russia annexes Crimea",
                "Nov 2017: T&R Productions registers for RT",
                "24 Feb 2022: full-scale invasion of Ukraine",
            ],
        }
    )
    soviet = pd.DataFrame(
        {
            "start": [pd.Timestamp(year=first_year, month=1, day=1)],
            "end": [pd.Timestamp("1991-12-31")],
            "era": ["Soviet Union (before 1992)"],
        }
    )
    names = sorted(series["line"].unique())
    lines = (
        alt.Chart(series)
        .mark_line(point=True)
        .encode(
            x=alt.X("date:T", title=None),
            y=alt.Y("active:Q", title="Active principal rows"),
            color=alt.Color(
                "line:N",
                title=None,
                legend=alt.Legend(orient="bottom", columns=1, labelLimit=250),
                scale=charts.highlight_scale(names, lambda name: name.startswith("Russia")),
            ),
            strokeWidth=alt.condition(
                alt.datum.country == fara.RUSSIA, alt.value(3.5), alt.value(1.5)
            ),
            tooltip=[
                alt.Tooltip("line:N", title="Country"),
                alt.Tooltip("year:Q", title="Year"),
                alt.Tooltip("active:Q", title="Active rows"),
            ],
        )
    )
    band = (
        alt.Chart(soviet)
        .mark_rect(opacity=0.15, color=charts.MUTED)
        .encode(x="start:T", x2="end:T", tooltip=[alt.Tooltip("era:N", title="Shaded")])
    )
    rules = (
        alt.Chart(events)
        .mark_rule(strokeDash=[4, 3], color="#555")
        .encode(
            x="date:T",
            tooltip=[alt.Tooltip("event:N", title="Event"), alt.Tooltip("date:T", title="Date")],
        )
    )
    labels = (
        alt.Chart(events)
        .mark_text(angle=270, align="right", dx=-4, dy=-6, fontSize=11, color="#333")
        .encode(x="date:T", y=alt.value(0), text="event:N")
    )
    return charts.titled(
        band + lines + rules + labels,
        "Active FARA rows: Russia (USSR before 1992) and the comparison set",
        "Active principal rows per year (31 December; snapshot date for the last year) for Russia "
        "and the article's comparison set, with the Soviet years shaded and three events marked.",
    )


def year_range(series: pd.DataFrame, first: int, last: int) -> dict[str, str]:
    """'low–high' of each line's yearly active rows between two years (one value if equal)."""
    rows = series[series["year"].between(first, last)].groupby("line")["active"].agg(["min", "max"])
    return {
        line: f"{low}" if low == high else f"{low}–{high}" for line, (low, high) in rows.iterrows()
    }


def state_client(principals: pd.DataFrame, name: str, registrant: str) -> tuple[pd.Series, str]:
    """One Russian principal's first row with a registrant (name prefix), and its
    'first–last year' of registration."""
    rows = fara.russian_rows(principals)
    rows = rows[
        (rows["foreign_principal"] == name) & rows["registrant_name"].str.startswith(registrant)
    ]
    if rows.empty:
        raise ValueError(f"no RUSSIA row for {name!r} with a registrant starting {registrant!r}")
    row = rows.iloc[0]
    return row, f"{row['principal_registered'].year}–{row['principal_terminated'].year}"


def termination_chart(ended: pd.DataFrame, invasion: pd.Timestamp):
    """When each Russian row that ended around the invasion was terminated, as published."""
    import altair as alt

    from course import charts

    kinds = ["dated around the invasion", "backdated, filed late"]
    timing = ended.assign(
        timing=(ended["days_backdated"] > 7).map({True: kinds[1], False: kinds[0]})
    )
    points = (
        alt.Chart(timing)
        .mark_point(filled=True, size=90)
        .encode(
            x=alt.X(
                "principal_terminated:T",
                title="Terminated (as published)",
                axis=alt.Axis(format="%b %Y"),
            ),
            y=alt.Y(
                "name_in_current_file:N",
                title=None,
                sort=alt.EncodingSortField("principal_terminated"),
                axis=alt.Axis(labelLimit=110),
            ),
            color=alt.Color(
                "timing:N",
                title=None,
                scale=charts.highlight_scale(kinds, kinds[1]),
                legend=alt.Legend(orient="bottom", columns=1, labelLimit=170),
            ),
            tooltip=[
                alt.Tooltip("name_in_current_file:N", title="Principal"),
                alt.Tooltip("registrant_name:N", title="Registrant"),
                alt.Tooltip("principal_terminated:T", title="Terminated"),
                alt.Tooltip("days_backdated:Q", title="Days before 23 Feb 2022"),
            ],
        )
    )
    marker = pd.DataFrame({"date": [invasion], "event": ["Invasion, 24 February 2022"]})
    rule = (
        alt.Chart(marker)
        .mark_rule(strokeDash=[4, 3], color="#555")
        .encode(x="date:T", tooltip=[alt.Tooltip("event:N", title="Event")])
    )
    return charts.titled(
        points + rule,
        "Russian FARA terminations around the invasion",
        "Termination date of each Russian row that was active on 23 February 2022 and gone by "
        "31 March 2022; the dashed line is the invasion.",
        height=alt.Step(26),
    )


def type_shares_by_year(coded_rows: pd.DataFrame, years, snapshot: pd.Timestamp) -> pd.DataFrame:
    """Share of each type among the rows active at each year's reference date (31 December, or
    the snapshot date in its own year), with ``total`` active rows per year."""
    from course.dates import year_end_or

    frames = [
        fara.active_on(year_end_or(snapshot, year), coded_rows).assign(year=year) for year in years
    ]
    table = share_by_type(pd.concat(frames), by="year")
    return table.assign(total=table.groupby("year")["rows"].transform("sum"))


def type_share_chart(over_time: pd.DataFrame):
    """Stacked shares of :func:`type_shares_by_year`, one bar per year."""
    import altair as alt

    from course import charts

    present = set(over_time["type"])
    kinds = [kind for kind in [*TYPES, NOT_YET_CODED] if kind in present]
    colours = [*charts.PALETTE[:5], charts.MUTED, "#444444"][: len(kinds)]
    shares = (
        alt.Chart(over_time[over_time["rows"] > 0])
        .mark_bar()
        .encode(
            x=alt.X("year:O", title=None),
            y=alt.Y(
                "share:Q",
                stack="normalize",
                title="Share of active rows",
                axis=alt.Axis(format="%"),
            ),
            color=alt.Color(
                "type:N",
                title="Type",
                scale=alt.Scale(domain=kinds, range=colours),
                legend=alt.Legend(orient="bottom", columns=1, labelLimit=300),
            ),
            order=alt.Order("type:N"),
            tooltip=[
                alt.Tooltip("year:O", title="Year"),
                alt.Tooltip("type:N", title="Type"),
                alt.Tooltip("rows:Q", title="Rows"),
                alt.Tooltip("total:Q", title="All active rows"),
                alt.Tooltip("share:Q", title="Share", format=".0%"),
            ],
        )
    )
    return charts.titled(
        shares,
        "From Soviet trading bodies to state media to individuals",
        "Share of each type among the Russian and Soviet principal rows active at the end of each "
        "year (snapshot date for the last), from the course's coding.",
    )


def state_rows_in_year(over_time: pd.DataFrame, year: int) -> tuple[int, int]:
    """(rows of a state type, all rows) active at ``year``'s reference date."""
    rows = over_time[over_time["year"] == year]
    state = rows[rows["type"].isin(list(STATE_TYPES))]["rows"].sum()
    return int(state), int(rows["rows"].sum())


# ---- channels the FARA count does not see --------------------------------------------------------

UNREGISTERED_CASES = {
    "LDA clients": ("Gazprombank", "Sberbank", "Nord Stream"),
    "the campaign against the Magnitsky Act": (
        "Human Rights Accountability Global Initiative",
        "Prevezon",
        "Akhmetshin",
        "Veselnitskaya",
    ),
    "the Butina case": ("Butina", "Torshin"),
}
"""The documented cases of the chapter's section on channels FARA does not see, and the names
searched for in the DOJ file: clients, organisations and people the sources name."""


def rows_naming(principals: pd.DataFrame, names) -> pd.DataFrame:
    """For each name: the FARA rows whose foreign principal or registrant contains it as a
    whole word or phrase, ignoring case (columns ``name``, ``rows``, ``countries``)."""
    haystack = (
        principals["foreign_principal"].fillna("")
        + " | "
        + principals["registrant_name"].fillna("")
    )
    out = []
    for name in names:
        pattern = r"\b" + r"\s+".join(re.escape(word) for word in name.split()) + r"\b"
        hits = principals[haystack.str.contains(pattern, case=False, regex=True)]
        out.append(
            {
                "name": name,
                "rows": len(hits),
                "countries": ", ".join(sorted(hits["country"].dropna().unique())),
            }
        )
    return pd.DataFrame(out, columns=["name", "rows", "countries"])
