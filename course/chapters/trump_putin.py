"""The Bush–Putin and Trump–Putin eras side by side, and Russia's FARA footprint on named dates.

For the chapter "Trump, Putin and the repetition of a pattern". The timeline tables come from
:mod:`course.datasets.timeline` (eras, first meetings, contacts per year in office); the FARA counts
from :mod:`course.fara` and :mod:`course.chapters.russia_in_washington`, with the same active-on-date rule and
coding as the Russia chapter and the FARA data guide.
"""

from __future__ import annotations

from collections.abc import Iterable

import altair as alt
import pandas as pd

from course import agreement, charts, claims, fara
from course.chapters import russia_in_washington as russia
from course.datasets import congress, timeline
from course.dates import day_text

LEADER_ERAS = ("bush-putin", "trump-putin")
ERA_LABELS = {era: timeline.ERA_LABELS[era] for era in LEADER_ERAS}
STATE_TYPES = russia.STATE_TYPES
"""The coded types that speak for the Russian state, as the Russia chapter counts them."""

FOOTPRINT_COLUMNS = ["date", "active_rows", "principals", "state_rows"]
FIRST_RUSSIAN_DAY = pd.Timestamp("1992-01-01")
"""Before 1992 the ``RUSSIA`` label also holds Soviet bodies (see the FARA data guide)."""

COMPARISON_COLUMNS = [
    "era",
    "first_meeting",
    "contacts",
    "in_person",
    "years_in_office",
    "contacts_per_year",
    "events",
    "cooperative_share",
    "first_clash",
    "first_clash_event",
    "days_to_first_clash",
    "agreements",
]


# ---- FARA footprint -----------------------------------------------------------------------------


def footprint_dates(snapshot) -> list[pd.Timestamp]:
    """The dates the chapter names: the ends of 2001, 2008, 2017 and 2021, and the snapshot."""
    ends = [pd.Timestamp(year=year, month=12, day=31) for year in (2001, 2008, 2017, 2021)]
    return [*ends, pd.Timestamp(snapshot).normalize()]


def fara_footprint(
    dates: Iterable, principals: pd.DataFrame | None = None, coded: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Russia's FARA footprint on each date: one row per date with ``active_rows`` (rows
    labelled ``RUSSIA`` active by :func:`course.fara.active_on`), ``principals`` (distinct
    names among them) and ``state_rows`` (those coded as state media or state bodies by
    :func:`course.chapters.russia_in_washington.code_principals`).

    Dates before 1992 are refused: the FARA data guide's rule counts the ``RUSSIA`` label
    alone only for post-Soviet Russia.
    """
    principals = fara.load_principals() if principals is None else principals
    rows = russia.code_principals(principals, coded)
    rows = fara.russian_rows(rows)
    out = []
    for date in dates:
        day = pd.Timestamp(date).normalize()
        if day < FIRST_RUSSIAN_DAY:
            raise ValueError(
                f"{day.date()}: before 1992 the RUSSIA label mixes Soviet and Russian rows; "
                "the footprint starts on 1992-01-01"
            )
        active = fara.active_on(day, rows)
        out.append(
            {
                "date": day,
                "active_rows": len(active),
                "principals": int(active["foreign_principal"].str.strip().nunique()),
                "state_rows": int(active["type"].isin(STATE_TYPES).sum()),
            }
        )
    return pd.DataFrame(out, columns=FOOTPRINT_COLUMNS)


# ---- the eras on one clock ----------------------------------------------------------------------


def comparison_table(events: pd.DataFrame, contacts: pd.DataFrame) -> pd.DataFrame:
    """One row per leader era, every figure computed from the tables.

    - ``contacts``, ``years_in_office``, ``contacts_per_year``: as
      :func:`course.datasets.timeline.contacts_per_era` counts them; ``in_person``: summits, sidelines
      meetings and visits only;
    - ``events``: the era's scored events; ``cooperative_share``: the share of them scored
      above zero;
    - ``first_clash``: the era's first clash on or after its first meeting
      (:func:`course.datasets.timeline.first_clash`: kind ``clash``, scored below zero),
      its text in ``first_clash_event`` and the days since the first meeting in
      ``days_to_first_clash``;
    - ``agreements``: events of kind ``agreement``.
    """
    per_era = timeline.contacts_per_era(contacts).set_index("era")
    in_person = timeline.contacts_per_era(contacts, timeline.IN_PERSON).set_index("era")
    rows = []
    for era in LEADER_ERAS:
        first = timeline.first_meeting(contacts, era)
        own = events[events["era"] == era]
        clash = timeline.first_clash(own, since=first)
        if clash is None:
            raise ValueError(f"era {era!r} has no clash on or after its first meeting")
        rows.append(
            {
                "era": era,
                "first_meeting": first,
                "contacts": int(per_era.loc[era, "contacts"]),
                "in_person": int(in_person.loc[era, "contacts"]),
                "years_in_office": float(per_era.loc[era, "years_in_office"]),
                "contacts_per_year": float(per_era.loc[era, "contacts_per_year"]),
                "events": len(own),
                "cooperative_share": float((own["score"] > 0).mean()),
                "first_clash": clash["date"],
                "first_clash_event": clash["event"],
                "days_to_first_clash": int((clash["date"] - first).days),
                "agreements": int((own["kind"] == "agreement").sum()),
            }
        )
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


BOTH_CODINGS_COLUMNS = ["era", "statistic", "first", "second", "same"]


def score_statistics(events: pd.DataFrame, contacts: pd.DataFrame) -> dict[str, dict]:
    """Per leader era, the chapter's figures that depend on the event scores, as the page words
    them, under whatever coding ``events`` carries: from :func:`comparison_table` the share of
    cooperative events and the first clash after the first meeting (day, days after it), the
    first clash counted from the start of the era, the era's net score, and the highest running
    sum of :func:`course.datasets.timeline.era_arc` (the chart's line) with its month."""
    table = comparison_table(events, contacts).set_index("era")
    out: dict[str, dict] = {}
    for era in LEADER_ERAS:
        row = table.loc[era]
        own = events[events["era"] == era]
        arc = timeline.era_arc(events, contacts, era)
        peak = arc.loc[arc["cumulative_score"].idxmax()]
        from_start = timeline.first_clash(own)
        if from_start is None:  # comparison_table has already refused an era without one
            raise ValueError(f"era {era!r} has no clash")
        out[era] = {
            "share of events scored above zero": f"{row['cooperative_share']:.0%}",
            "first clash after the first meeting": day_text(row["first_clash"]),
            "days from the first meeting to the first clash": int(row["days_to_first_clash"]),
            "first clash from the start of the era": day_text(from_start["date"]),
            "net score of the era": int(own["score"].sum()),
            "highest running sum, and its month on the chart's clock": (
                f"{int(peak['cumulative_score'])} (month {peak['months_since_first_meeting']:.0f})"
            ),
        }
        if era == "trump-putin":
            # The claims ledger's test, term by term (course.claims.trump_repeats_pattern).
            for term, (start, end) in claims.TRUMP_TERMS.items():
                span = own[(own["date"] >= start) & ((own["date"] < end) if end else True)]
                arc = claims.warmth_then_erosion(span)
                label = term.replace("term_", "term of ")
                out[era][f"{label}: net score before its first clash"] = arc["before_clash"]
                out[era][f"{label}: substance from its first clash on"] = arc["substance_after"]
                out[era][f"{label}: the ledger's warmth-then-erosion test"] = (
                    "holds" if arc["holds"] else "fails"
                )
    return out


def comparison_under_both(
    events: pd.DataFrame, second: pd.DataFrame, contacts: pd.DataFrame
) -> pd.DataFrame:
    """:func:`score_statistics` under the first and the second coding
    (:func:`course.agreement.codings`): columns era, statistic, first, second, same (the
    two codings give the same value)."""
    found = {
        key: score_statistics(coded, contacts)
        for key, coded in agreement.codings(events, second).items()
    }
    rows = [
        {
            "era": era,
            "statistic": statistic,
            "first": value,
            "second": found["second"][era][statistic],
            "same": value == found["second"][era][statistic],
        }
        for era, statistics in found["first"].items()
        for statistic, value in statistics.items()
    ]
    return pd.DataFrame(rows, columns=BOTH_CODINGS_COLUMNS)


def out_of_office(contacts: pd.DataFrame) -> pd.DataFrame:
    """The gaps inside the Trump era (2021-01-20 to 2025-01-20) on the Trump clock: columns
    era, start, end, start_months, end_months, label. Months count from the first meeting,
    as in :func:`course.datasets.timeline.era_arc`."""
    first = timeline.first_meeting(contacts, "trump-putin")
    windows = timeline.WINDOWS["trump-putin"]
    rows = []
    for (_, end), (start, _) in zip(windows, windows[1:]):
        rows.append(
            {
                "era": "trump-putin",
                "start": end,
                "end": start,
                "start_months": (end - first).days / timeline.DAYS_PER_MONTH,
                "end_months": (start - first).days / timeline.DAYS_PER_MONTH,
                "label": f"Trump out of office, {end:%b %Y} to {start:%b %Y}",
            }
        )
    return pd.DataFrame(
        rows, columns=["era", "start", "end", "start_months", "end_months", "label"]
    )


def aligned_arcs(events: pd.DataFrame, contacts: pd.DataFrame) -> pd.DataFrame:
    """Both leader eras on the clock of months since each era's first meeting.

    :func:`course.datasets.timeline.era_arc` for each era, with ``era``, ``era_label`` and ``term``
    (1 or 2 for Trump's terms, 1 for Bush) so a line can break across the 2021–2024 gap.
    Events of the ``between`` era that fall inside that gap are added on the Trump clock
    with ``source = "between"`` and no cumulative score: they are context, not Trump–Putin
    events.
    """
    frames = []
    for era in LEADER_ERAS:
        arc = timeline.era_arc(events, contacts, era)
        second_term = timeline.WINDOWS[era][-1][0] if len(timeline.WINDOWS[era]) > 1 else None
        term = 1 if second_term is None else (arc["date"] >= second_term).astype(int) + 1
        frames.append(arc.assign(era=era, era_label=ERA_LABELS[era], term=term))
    gap = out_of_office(contacts)
    first = timeline.first_meeting(contacts, "trump-putin")
    between = events[events["era"] == "between"]
    inside = pd.Series(False, index=between.index)
    for _, row in gap.iterrows():
        inside |= (between["date"] >= row["start"]) & (between["date"] < row["end"])
    context = between[inside]
    if len(context):
        frames.append(
            pd.DataFrame(
                {
                    "date": context["date"],
                    "precision": context["precision"],
                    "source": "between",
                    "label": context["event"],
                    "kind": context["kind"],
                    "score": context["score"],
                    "status": context["status"],
                    "source_url": context["source_url"],
                    "months_since_first_meeting": (context["date"] - first).dt.days
                    / timeline.DAYS_PER_MONTH,
                    "cumulative_score": pd.array([pd.NA] * len(context), dtype="Int64"),
                    "era": "trump-putin",
                    "era_label": ERA_LABELS["trump-putin"],
                    "term": 0,
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    out["cumulative_score"] = out["cumulative_score"].astype("Int64")
    out["term"] = out["term"].astype("int64")
    return out


def meetings(contacts: pd.DataFrame, era: str) -> pd.DataFrame:
    """The era's in-person contacts (summit, sidelines, visit) in date order."""
    met = contacts[(contacts["era"] == era) & contacts["format"].isin(timeline.IN_PERSON)]
    return met.sort_values("date", kind="stable").reset_index(drop=True)


def meeting_list(contacts: pd.DataFrame, era: str) -> str:
    """The era's in-person contacts as prose: "place, Month YYYY; ..."."""
    met = meetings(contacts, era)
    return "; ".join(f"{place}, {day:%B %Y}" for place, day in zip(met["place"], met["date"]))


# ---- the chart ----------------------------------------------------------------------------------


def when(date: pd.Timestamp, precision: str) -> str:
    """A table date as text at its precision: "16 June 2001", or "July 2005" for a month."""
    return f"{date:%B %Y}" if precision == "month" else day_text(date)


ARC_SUBTITLE = (
    "Running sum of event scores; circles: scored events, triangles: leader contacts; "
    "shaded: Trump out of office (2021–2025)"
)
ARC_TOOLTIP = [
    alt.Tooltip("era_label:N", title="Era"),
    alt.Tooltip("when:N", title="Date"),
    alt.Tooltip("label:N", title="What"),
    alt.Tooltip("kind:N", title="Kind or format"),
    alt.Tooltip("score:Q", title="Score (-3..+3)"),
    alt.Tooltip("months:Q", title="Months since first meeting", format=".1f"),
    alt.Tooltip("status:N", title="Status"),
]


def arcs_chart(arcs: pd.DataFrame, gap: pd.DataFrame, description: str) -> alt.LayerChart:
    """Both eras on one clock: the running sum of event scores (a line per term), every
    scored event and leader contact as a point, the Trump gap shaded with the between-era
    events in it as dashed rules. Clicking a legend entry highlights one era."""
    data = arcs.assign(
        when=[when(day, precision) for day, precision in zip(arcs["date"], arcs["precision"])],
        months=arcs["months_since_first_meeting"].round(2),
        shown=arcs["source"].map(
            {"event": "scored event", "contact": "leader contact", "between": "between eras"}
        ),
        size=arcs["score"].abs().fillna(0).astype(float),
    ).drop(columns=["date", "source_url", "months_since_first_meeting"])
    data["score"] = data["score"].astype("float")
    data["cumulative_score"] = data["cumulative_score"].astype("float")
    eras_shown = [ERA_LABELS[era] for era in LEADER_ERAS]
    colour = alt.Color(
        "era_label:N",
        title=None,
        scale=charts.highlight_scale(eras_shown, ERA_LABELS["trump-putin"]),
        legend=alt.Legend(orient="bottom", columns=2),
    )
    pick = alt.selection_point(fields=["era_label"], bind="legend")
    x = alt.X("months:Q", title="Months since first meeting")
    on_line = data[data["shown"] != "between eras"]
    band = (
        alt.Chart(gap.assign(months=gap["start_months"].round(2), end=gap["end_months"].round(2)))
        .mark_rect(opacity=0.15, color=charts.MUTED)
        .encode(x="months:Q", x2="end:Q", tooltip=[alt.Tooltip("label:N", title="Gap")])
    )
    rules = (
        alt.Chart(data[data["shown"] == "between eras"])
        .mark_rule(strokeDash=[4, 3], color="#666")
        .encode(x=x, tooltip=ARC_TOOLTIP)
    )
    line = (
        alt.Chart(on_line)
        .mark_line(interpolate="step-after", strokeWidth=2)
        .encode(
            x=x,
            y=alt.Y("cumulative_score:Q", title="Running sum of event scores"),
            color=colour,
            detail="term:N",
            opacity=alt.condition(pick, alt.value(0.9), alt.value(0.15)),
        )
    )
    points = (
        alt.Chart(on_line)
        .mark_point(filled=True)
        .encode(
            x=x,
            y="cumulative_score:Q",
            color=colour,
            shape=alt.Shape(
                "shown:N",
                title=None,
                scale=alt.Scale(
                    domain=["scored event", "leader contact"], range=["circle", "triangle-up"]
                ),
                # A second legend does not fit a phone screen; the subtitle names the shapes.
                legend=None,
            ),
            size=alt.Size("size:Q", scale=alt.Scale(domain=[0, 3], range=[25, 160]), legend=None),
            opacity=alt.condition(pick, alt.value(0.9), alt.value(0.15)),
            tooltip=ARC_TOOLTIP,
        )
        .add_params(pick)
    )
    return charts.titled(
        band + rules + line + points,
        "Both eras on one clock",
        description,
        subtitle=ARC_SUBTITLE,
        height=320,
    )


# ---- opinion data: what the polls can bracket ------------------------------------------------

WARM_ANSWERS = {"Russia": "good", "United States": "favourable"}
"""The warm answer of each national series: Russians' good attitude to the United States,
Americans' favourable opinion of Russia (``data/opinion/CODEBOOK.md``)."""
BRACKET_DAYS = 183
"""A summit is bracketed when a reading of the series lies within this many days (about six
months) before it and another within as many days after it."""
SERIES_BREAK_DAYS = 400
"""Readings further apart than this are not joined by a line: the chart shows the gap."""
OPINION_COLUMNS = ["country", "field_date", "start", "end", "percent", "status", "segment"]
BRACKET_COLUMNS = [
    "era",
    "date",
    "place",
    "country",
    "before",
    "before_percent",
    "days_before",
    "after",
    "after_percent",
    "days_after",
    "same_month",
    "bracketed",
    "change",
]


def opinion_series(polls: pd.DataFrame) -> pd.DataFrame:
    """One row per reading of the warm answer of each country's series, in date order.

    ``start`` and ``end`` are the first and last day the fieldwork date can mean (the month, or
    the day for a dated poll); ``segment`` numbers the runs of readings less than
    :data:`SERIES_BREAK_DAYS` apart, so that a line never bridges a long gap.
    """
    missing = set(WARM_ANSWERS) - set(polls["country"])
    if missing:
        raise ValueError(f"polls: no readings for {sorted(missing)}")
    warm = polls[polls["answer"] == polls["country"].map(WARM_ANSWERS)].copy()
    warm = warm.sort_values(["country", "field_date"], kind="stable").reset_index(drop=True)
    monthly = warm["precision"] == "month"
    warm["start"] = warm["field_date"]
    warm["end"] = warm["field_date"].where(~monthly, warm["field_date"] + pd.offsets.MonthEnd(0))
    gap = warm.groupby("country")["field_date"].diff().dt.days
    warm["segment"] = (gap.isna() | (gap > SERIES_BREAK_DAYS)).astype(int).cumsum()
    warm["percent"] = warm["percent"].astype(int)
    return warm[OPINION_COLUMNS]


def summits(contacts: pd.DataFrame) -> pd.DataFrame:
    """The stand-alone summits (format ``summit``) of the Bush and Trump eras, in date order."""
    rows = contacts[contacts["era"].isin(LEADER_ERAS) & (contacts["format"] == "summit")]
    return rows.sort_values("date", kind="stable").reset_index(drop=True)[["era", "date", "place"]]


def summit_brackets(
    polls: pd.DataFrame, contacts: pd.DataFrame, window_days: int = BRACKET_DAYS
) -> pd.DataFrame:
    """For every summit and each national series: the last reading wholly before the summit
    and the first wholly after it, the days between, whether a reading falls in the summit's
    own month (its order is then unknown, so it counts as neither), and ``bracketed`` when both
    readings lie within ``window_days``. ``change`` is the after reading minus the before one,
    for bracketed summits only: a difference across the summit, not an effect of it."""
    series = opinion_series(polls)
    rows = []
    for summit in summits(contacts).itertuples(index=False):
        for country in WARM_ANSWERS:
            own = series[series["country"] == country]
            before = own[own["end"] < summit.date].tail(1)
            after = own[own["start"] > summit.date].head(1)
            same = bool(((own["start"] <= summit.date) & (own["end"] >= summit.date)).any())
            days_before = (summit.date - before["end"].iloc[0]).days if len(before) else None
            days_after = (after["start"].iloc[0] - summit.date).days if len(after) else None
            bracketed = (
                days_before is not None
                and days_after is not None
                and days_before <= window_days
                and days_after <= window_days
            )
            rows.append(
                {
                    "era": summit.era,
                    "date": summit.date,
                    "place": summit.place,
                    "country": country,
                    "before": before["field_date"].iloc[0] if len(before) else pd.NaT,
                    "before_percent": before["percent"].iloc[0] if len(before) else pd.NA,
                    "days_before": days_before if days_before is not None else pd.NA,
                    "after": after["field_date"].iloc[0] if len(after) else pd.NaT,
                    "after_percent": after["percent"].iloc[0] if len(after) else pd.NA,
                    "days_after": days_after if days_after is not None else pd.NA,
                    "same_month": same,
                    "bracketed": bracketed,
                    "change": (
                        int(after["percent"].iloc[0] - before["percent"].iloc[0])
                        if bracketed
                        else pd.NA
                    ),
                }
            )
    out = pd.DataFrame(rows, columns=BRACKET_COLUMNS)
    for column in ("before_percent", "days_before", "after_percent", "days_after", "change"):
        out[column] = out[column].astype("Int64")
    return out


def summit_names(brackets: pd.DataFrame) -> str:
    """Summits as prose, "Helsinki (July 2018), ...": the place up to its first comma or
    bracket, and the month; "none" for an empty table."""
    if brackets.empty:
        return "none"
    names = []
    for place, day in zip(brackets["place"], brackets["date"]):
        short = place.split(",")[0].split(" (")[0]
        names.append(f"{SUMMIT_TOWNS.get(short, short)} ({day:%B %Y})")
    return ", ".join(names)


SUMMIT_TOWNS = {"Brdo Castle": "Ljubljana", "Joint Base Elmendorf-Richardson": "Anchorage"}
"""The town the chapters name for a summit whose ``place`` starts with a building or base."""

OPINION_SUBTITLE = (
    "Share with a warm view of the other country; vertical lines: Bush and Trump summits; "
    "gaps of over a year are left open"
)


def opinion_chart(series: pd.DataFrame, summit_rows: pd.DataFrame, description: str):
    """Both national series over time (a line per run of readings, a point per reading, hollow
    when the figure is partial) with the summits as vertical rules."""
    data = series.assign(
        month=series["field_date"].dt.strftime("%B %Y"),
        series=series["country"].map(
            {
                "Russia": "Russians on the U.S. (Levada)",
                "United States": "Americans on Russia (Gallup)",
            }
        ),
    ).drop(columns=["start", "end"])
    labels = sorted(data["series"].unique())
    colour = alt.Color(
        "series:N",
        title=None,
        scale=charts.highlight_scale(labels, labels[0]),
        legend=alt.Legend(orient="bottom", columns=1, labelLimit=320),
    )
    x = alt.X("field_date:T", title="Fieldwork date")
    tooltip = [
        alt.Tooltip("series:N", title="Series"),
        alt.Tooltip("month:N", title="Fieldwork"),
        alt.Tooltip("percent:Q", title="Percent"),
        alt.Tooltip("status:N", title="Status"),
    ]
    line = (
        alt.Chart(data)
        .mark_line(strokeWidth=2)
        .encode(
            x=x,
            y=alt.Y("percent:Q", title="Percent", scale=alt.Scale(domain=[0, 100])),
            color=colour,
            detail="segment:N",
        )
    )
    # Filled points are verified figures, hollow ones partial (see the codebook's status).
    points = [
        alt.Chart(data[verified == (data["status"] == "verified")])
        .mark_point(size=45, strokeWidth=2, filled=verified)
        .encode(x=x, y="percent:Q", color=colour, tooltip=tooltip)
        for verified in (True, False)
    ]
    marks = summit_rows.assign(
        when=summit_rows["date"].map(day_text),
        era_label=summit_rows["era"].map(ERA_LABELS),
    )
    rules = (
        alt.Chart(marks)
        .mark_rule(strokeDash=[4, 3], color="#666")
        .encode(
            x="date:T",
            tooltip=[
                alt.Tooltip("era_label:N", title="Era"),
                alt.Tooltip("place:N", title="Summit"),
                alt.Tooltip("when:N", title="Date"),
            ],
        )
    )
    return charts.titled(
        alt.layer(rules, line, *points),
        "Warm views of the other country",
        description,
        subtitle=OPINION_SUBTITLE,
        height=300,
    )


# ---- Congress: the sanctions law's roll calls ------------------------------------------------


def final_votes(roll_calls: pd.DataFrame, bill_starts: str) -> pd.DataFrame:
    """From :func:`course.datasets.congress.load_roll_calls`: each chamber's last recorded vote on the bill whose title starts with ``bill_starts``."""
    rows = roll_calls[roll_calls["bill"].str.startswith(bill_starts)]
    if rows.empty:
        raise KeyError(f"{congress.roll_calls_path()}: no vote on a bill starting {bill_starts!r}")
    last = rows.sort_values("date", kind="stable").groupby("chamber").tail(1)
    return last.set_index("chamber")
