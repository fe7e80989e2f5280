"""The Bush-Putin chapter's analysis: who spoke, the era's timeline, the participant x factor
matrix by side, recodes for the sensitivity section, and the chapter's two charts.

Reads nothing itself: the frames come from :mod:`course.datasets.oral_history` and
:mod:`course.datasets.timeline`, so a recoded copy goes through the same functions as the data.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from course import agreement, charts, claims
from course.datasets import timeline
from course.dates import day_text

ERA = "bush-putin"
ERA_START, ERA_END = pd.Timestamp("2001-01-20"), pd.Timestamp("2009-01-20")
IN_PERSON = timeline.IN_PERSON

HOW_KNOWN = {
    "confirmed": "named on SMU's project page",
    "role_listed": "role listed by SMU, name stripped",
    "article_only": "named only by the article",
}
"""How the course knows a participant is in the collection (``in_collection``), in words."""

SIDE_NAMES = {"US": "U.S.", "Russia": "Russian"}
STANCE_NAMES = {
    "cause_of_breakdown": "cause of the breakdown",
    "source_of_cooperation": "source of cooperation",
    "limited_effect": "limited effect",
    "not coded": "not coded",
}
SHORT_FACTORS = {
    "personal chemistry": "personal chemistry",
    "9/11 counter-terrorism cooperation": "9/11 cooperation",
    "Freedom Agenda and democracy promotion": "Freedom Agenda",
    "NATO enlargement": "NATO enlargement",
    "missile defence and the ABM withdrawal": "missile defence, ABM",
    "colour revolutions": "colour revolutions",
    "U.S. unilateralism": "unilateralism",
    "Russian domestic consolidation": "domestic consolidation",
}
"""Axis labels for the eight factors (the full name is in each cell's tooltip)."""


def participants_table(interviewees: pd.DataFrame) -> pd.DataFrame:
    """The participants as the page shows them: U.S. side first, then Russian, in file order."""
    order = interviewees["side"].map({"US": 0, "Russia": 1})
    people = interviewees.assign(_order=order).sort_values("_order", kind="stable")
    dates = people["interview_date"].map(lambda d: "" if pd.isna(d) else f"{d:%d %b %Y}")
    return pd.DataFrame(
        {
            "Participant": people["name"],
            "Side": people["side"].map(SIDE_NAMES),
            "Role in 2001–2008": people["role_2001_2008"],
            "How the course knows": people["in_collection"].map(HOW_KNOWN)
            + " ("
            + people["in_collection"]
            + ")",
            "Interviewer": people["interviewer"],
            "Interviewed": dates,
            "Status": people["status"],
        }
    ).reset_index(drop=True)


def era_events(events: pd.DataFrame, era: str = ERA) -> pd.DataFrame:
    """The events of one era, in date order."""
    return events[events["era"] == era].sort_values("date", kind="stable")


def meetings(contacts: pd.DataFrame, era: str = ERA) -> pd.DataFrame:
    """In-person leader contacts (summit, sidelines or visit) of one era, in date order."""
    rows = contacts[(contacts["era"] == era) & contacts["format"].isin(IN_PERSON)]
    return rows.sort_values("date", kind="stable")


def first_clash(events: pd.DataFrame, era: str = ERA) -> pd.Series:
    """The era's first clash (:func:`course.datasets.timeline.first_clash`)."""
    clash = timeline.first_clash(era_events(events, era))
    if clash is None:
        raise ValueError(f"no scored clash in era {era!r}")
    return clash


def yearly_net_score(events: pd.DataFrame, era: str = ERA) -> pd.DataFrame:
    """Per calendar year of the era: number of events and the sum of their scores."""
    rows = era_events(events, era)
    table = rows.groupby(rows["date"].dt.year).agg(
        events=("score", "size"), net_score=("score", "sum")
    )
    table = table.rename_axis("year").reset_index()
    return table.astype({"year": "int64", "events": "int64", "net_score": "int64"})


def first_negative_year(events: pd.DataFrame, era: str = ERA) -> int | None:
    """The first calendar year whose events sum to a negative score, or None."""
    yearly = yearly_net_score(events, era)
    negative = yearly[yearly["net_score"] < 0]
    return None if negative.empty else int(negative["year"].iloc[0])


FINDING_COLUMNS = ["finding", "first", "second", "same"]


def score_findings(events: pd.DataFrame, contacts: pd.DataFrame, era: str = ERA) -> dict:
    """The chapter's figures that depend on the event scores, as the page words them, under
    whatever coding ``events`` carries: the first clash and the months to it from the first
    meeting, the best and the first negative year, the share of events scored above zero, the
    era's net score, the day the running total peaks, and the claims ledger's arc (net score
    before the first clash; leaders' contacts and substance from it on)."""
    clash = first_clash(events, era)
    first = timeline.first_meeting(contacts, era)
    rows = era_events(events, era)
    yearly = yearly_net_score(events, era)
    negative = first_negative_year(events, era)
    arc = timeline.era_arc(events, contacts, era)
    peak = arc.loc[arc["cumulative_score"].idxmax(), "date"]
    ledger = claims.warmth_then_erosion(rows)
    return {
        "first clash": f"{day_text(clash['date'])}: {clash['event']}",
        "months from the first meeting to the first clash": round(
            (clash["date"] - first).days / timeline.DAYS_PER_MONTH
        ),
        "year with the highest net score": int(yearly.loc[yearly["net_score"].idxmax(), "year"]),
        "first year with a negative net score": "none" if negative is None else negative,
        "share of events scored above zero": f"{(rows['score'] > 0).mean():.0%}",
        "net score of the era": int(rows["score"].sum()),
        "running total peaks on": day_text(peak),
        "net score before the first clash": ledger["before_clash"],
        "leaders' meetings and calls from the first clash on": ledger["contacts_after"],
        "substance from the first clash on": ledger["substance_after"],
        "the ledger's warmth-then-erosion test": "holds" if ledger["holds"] else "fails",
    }


def findings_under_both(
    events: pd.DataFrame, second: pd.DataFrame, contacts: pd.DataFrame, era: str = ERA
) -> pd.DataFrame:
    """:func:`score_findings` under the first and the second coding
    (:func:`course.agreement.codings`): columns finding, first, second, same (the two
    codings give the same value)."""
    found = {
        key: score_findings(coded, contacts, era)
        for key, coded in agreement.codings(events, second).items()
    }
    rows = [
        {
            "finding": finding,
            "first": found["first"][finding],
            "second": found["second"][finding],
            "same": found["first"][finding] == found["second"][finding],
        }
        for finding in found["first"]
    ]
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)


def recode_score(events: pd.DataFrame, contains: str, score: int) -> pd.DataFrame:
    """A copy of ``events`` with the score of the one event whose text contains ``contains``
    set to ``score``. Zero or several matches is an error: a recode must name one event."""
    if not -3 <= score <= 3:
        raise ValueError(f"score {score} is outside -3..+3")
    hits = events["event"].str.contains(contains, regex=False)
    if hits.sum() != 1:
        found = events.loc[hits, "event"].tolist()
        raise ValueError(f"{contains!r} matches {int(hits.sum())} events, expected 1: {found}")
    recoded = events.copy()
    recoded.loc[hits, "score"] = score
    return recoded


def recode_stance(explanations: pd.DataFrame, name: str, factor: str, stance: str) -> pd.DataFrame:
    """A copy of ``explanations`` with one participant's stance on one factor changed."""
    row = (explanations["name"] == name) & (explanations["factor"] == factor)
    if row.sum() != 1:
        raise ValueError(f"no coded row for {name!r} and {factor!r}")
    recoded = explanations.copy()
    recoded.loc[row, "stance"] = stance
    return recoded


def coded_cells(matrix: pd.DataFrame) -> pd.DataFrame:
    """The cells of a :func:`course.datasets.oral_history.factor_matrix` that carry a coded stance."""
    return matrix[matrix["stance"] != "not coded"]


def stance_counts(matrix: pd.DataFrame) -> pd.DataFrame:
    """Participants per side, factor and stance (coded cells only); columns side, factor,
    stance, participants."""
    coded = coded_cells(matrix)
    counts = coded.groupby(["side", "factor", "stance"]).size().rename("participants")
    return counts.reset_index().astype({"participants": "int64"})


def breakdown_by_side(matrix: pd.DataFrame) -> pd.DataFrame:
    """Factors named as a cause of the breakdown: one row per factor, a column per side
    (``US``, ``Russia``) with the number of participants, most-named factor first."""
    coded = coded_cells(matrix)
    blamed = coded[coded["stance"] == "cause_of_breakdown"]
    table = pd.crosstab(blamed["factor"], blamed["side"]).reindex(columns=["US", "Russia"])
    table = table.fillna(0).astype("int64")
    table.columns.name = None
    order = table.sum(axis=1).sort_values(ascending=False, kind="stable").index
    return table.loc[order]


def chemistry_views(matrix: pd.DataFrame) -> pd.DataFrame:
    """Who says what about personal chemistry, per side: columns side, stance, participants,
    names (joined)."""
    rows = coded_cells(matrix)
    rows = rows[rows["factor"] == "personal chemistry"]
    grouped = rows.groupby(["side", "stance"])["name"]
    table = pd.DataFrame(
        {"participants": grouped.size(), "names": grouped.agg(lambda s: ", ".join(s))}
    )
    return table.reset_index().astype({"participants": "int64"})


def both_sides_doubt_chemistry(matrix: pd.DataFrame) -> bool:
    """The summary the sensitivity section tests: at least one participant on each side is
    coded as saying personal chemistry had a limited effect."""
    views = chemistry_views(matrix)
    doubting = views[views["stance"] == "limited_effect"]
    return {"US", "Russia"} <= set(doubting["side"])


def arc_chart(arc: pd.DataFrame, title: str, description: str) -> alt.LayerChart:
    """The era's coded events (stems to their score, coloured by kind) over time, with leader
    meetings and calls as ticks along the bottom; every mark has a tooltip with its source.

    ``arc`` is :func:`course.datasets.timeline.era_arc` output (events and contacts on one clock).
    """
    events = arc[arc["source"] == "event"].assign(score=lambda f: f["score"].astype("int64"))
    contacts = arc[arc["source"] == "contact"]
    columns = ["date", "label", "kind", "status", "source_url"]
    event_data = events[[*columns, "score", "cumulative_score"]].assign(
        day=events["date"].dt.strftime("%d %b %Y")
    )
    contact_data = contacts[columns].assign(
        day=contacts["date"].dt.strftime("%d %b %Y"),
        mark=contacts["kind"].map(lambda k: "call" if k == "call" else "meeting"),
    )
    kinds = [
        k
        for k in ("agreement", "cooperation", "meeting", "call", "institutional", "clash")
        if k in set(event_data["kind"])
    ]
    palette = dict(
        zip(
            ("agreement", "cooperation", "meeting", "call", "institutional", "clash"),
            (
                charts.PALETTE[2],
                charts.PALETTE[5],
                charts.PALETTE[0],
                charts.PALETTE[4],
                charts.MUTED,
                charts.HIGHLIGHT,
            ),
        )
    )
    x = alt.X(
        "date:T",
        title=None,
        scale=alt.Scale(domain=[ERA_START.isoformat(), ERA_END.isoformat()]),
        # Years only, and fewer of them on a phone than on a wide screen.
        axis=alt.Axis(format="%Y", labelOverlap="greedy", labelSeparation=6),
    )
    base = alt.Chart(event_data)
    zero = alt.Chart(pd.DataFrame({"score": [0]})).mark_rule(color="#555").encode(y="score:Q")
    stems = base.mark_rule(strokeWidth=1.5).encode(
        x=x,
        y=alt.Y(
            "score:Q",
            title="Coded score: conflict below 0",
            scale=alt.Scale(domain=[-3.5, 3.5]),
        ),
        y2=alt.datum(0),
        color=alt.Color(
            "kind:N",
            scale=alt.Scale(domain=kinds, range=[palette[k] for k in kinds]),
            title="Event kind",
            legend=alt.Legend(orient="bottom", columns=3),
        ),
    )
    tooltip = [
        alt.Tooltip("day:N", title="Date"),
        alt.Tooltip("label:N", title="Event"),
        alt.Tooltip("kind:N", title="Kind"),
        alt.Tooltip("score:Q", title="Score"),
        alt.Tooltip("status:N", title="Status"),
        alt.Tooltip("source_url:N", title="Source"),
    ]
    # Drag to pan and scroll to zoom along the time axis only.
    zoom = alt.selection_interval(bind="scales", encodings=["x"])
    points = (
        base.mark_circle(size=70, opacity=0.9)
        .encode(x=x, y="score:Q", color=alt.Color("kind:N"), tooltip=tooltip)
        .add_params(zoom)
    )
    ticks = (
        alt.Chart(contact_data)
        .mark_tick(thickness=2, size=14)
        .encode(
            x=x,
            y=alt.datum(-3.3),
            color=alt.value("#333333"),
            opacity=alt.condition(alt.datum.mark == "call", alt.value(0.45), alt.value(1.0)),
            tooltip=[
                alt.Tooltip("day:N", title="Date"),
                alt.Tooltip("label:N", title="Leaders' contact"),
                alt.Tooltip("status:N", title="Status"),
                alt.Tooltip("source_url:N", title="Source"),
            ],
        )
    )
    return charts.titled(alt.layer(zero, stems, points, ticks), title, description, height=300)


def factor_heatmap(matrix: pd.DataFrame, title: str, description: str) -> alt.FacetChart:
    """The participant x factor matrix as a heatmap, U.S. and Russian participants in panels
    side by side; cells coloured by stance, grey where nothing is coded."""
    data = matrix.assign(
        participant=matrix["name"].str.split().str[-1],
        factor_label=matrix["factor"].map(SHORT_FACTORS),
        stance_label=matrix["stance"].map(STANCE_NAMES),
        side_label=matrix["side"].map(
            {"US": "U.S. participants", "Russia": "Russian participants"}
        ),
    )
    order = list(dict.fromkeys(data["participant"]))
    stances = list(STANCE_NAMES.values())
    colours = [charts.HIGHLIGHT, charts.PALETTE[2], charts.PALETTE[1], "#EEEEEE"]
    heat = (
        alt.Chart(data)
        .mark_rect(stroke="white", strokeWidth=1)
        .encode(
            x=alt.X("participant:N", sort=order, title=None, axis=alt.Axis(labelAngle=-60)),
            y=alt.Y("factor_label:N", sort=list(SHORT_FACTORS.values()), title=None),
            color=alt.Color(
                "stance_label:N",
                scale=alt.Scale(domain=stances, range=colours),
                title="Coded stance",
                legend=alt.Legend(orient="bottom", columns=1),
            ),
            tooltip=[
                alt.Tooltip("name:N", title="Participant"),
                alt.Tooltip("side:N", title="Side"),
                alt.Tooltip("factor:N", title="Factor"),
                alt.Tooltip("stance_label:N", title="Stance"),
            ],
        )
        .properties(width=alt.Step(14), height=alt.Step(17))
    )
    faceted = heat.facet(
        column=alt.Column(
            "side_label:N", title=None, sort=["U.S. participants", "Russian participants"]
        ),
        spacing=4,
    ).resolve_scale(x="independent")
    # A facet has no overall width: each panel's width comes from its cell step.
    return charts.titled(faceted, title, description, width=alt.Undefined)
