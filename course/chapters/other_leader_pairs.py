"""The other-leader-pairs chapter's analysis: contacts per year, the warm phase (first meeting to
first clash) under both codings, how long each binding agreement stayed in force, the pairs
side by side, and the chapter's two charts.

Reads nothing itself: the frames come from :mod:`course.datasets.timeline` and
:mod:`course.agreement`, so a recoded copy goes through the same functions as the data.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from course import charts
from course.datasets import timeline

PAIRS = timeline.LEADER_PAIR_ERAS
PAIR_LABELS = timeline.ERA_LABELS
START_STEPS = ("in-force", "operational")
"""Steps from which an agreement counts as in force (``operational``: a body that works)."""
END_RULES = {
    "any-break": ("suspended", "withdrawn", "repudiated", "superseded", "denounced", "expired"),
    "formal-exit": ("withdrawn", "repudiated", "superseded", "denounced", "expired"),
}
"""Which steps end an agreement's time in force. ``any-break`` (the chapter's rule) also ends
it at a suspension; ``formal-exit`` only at a withdrawal, repudiation, replacement,
denunciation or expiry."""
ANCHOR_STEPS = {"ratified": ("ratified",), "verification": ("verification", "operational")}
"""Institutional anchors: a legislature's ratification vote, and a verification regime or
standing body (the risk-reduction centres are one)."""
CODINGS = {"first": "score", "second": "second_score"}
SHORT_NAMES = {
    "nrrc": "Risk-reduction centres",
    "inf": "INF Treaty",
    "start2": "START II",
    "pmda": "Plutonium disposition",
    "sort": "Moscow Treaty (SORT)",
    "nuclear-123": "Civil nuclear (123)",
    "new-start": "New START",
}
"""Axis labels for the agreements chart (the full name is in the tooltip)."""
SPAN_COLUMNS = [
    "agreement_id",
    "agreement",
    "form",
    "pair",
    "signed",
    "in_force",
    "ended",
    "end_step",
    "years_in_force",
    "still_in_force",
    "ratified",
    "verification",
]
WARM_COLUMNS = [
    "era",
    "coding",
    "first_meeting",
    "first_clash",
    "event_id",
    "first_clash_event",
    "days_to_first_clash",
    "months_to_first_clash",
]


def pair_label(era: str) -> str:
    return PAIR_LABELS[era]


# ---- contacts -----------------------------------------------------------------------------------


def contact_rates(contacts: pd.DataFrame) -> pd.DataFrame:
    """Per leader pair: meetings (in person), calls, years in office and both per year."""
    met = timeline.contacts_per_era(contacts, timeline.IN_PERSON).set_index("era")
    calls = timeline.contacts_per_era(contacts, ["call"]).set_index("era")
    table = pd.DataFrame(
        {
            "meetings": met["contacts"],
            "calls": calls["contacts"],
            "years_in_office": met["years_in_office"],
            "meetings_per_year": met["contacts_per_year"],
            "calls_per_year": calls["contacts_per_year"],
        }
    ).reindex(list(PAIRS))
    return table.rename_axis("era").reset_index()


def meetings_by_year(contacts: pd.DataFrame) -> pd.DataFrame:
    """Per pair and calendar year: columns era, year, meetings, calls (0 where none)."""
    met = timeline.contacts_per_year(contacts, timeline.IN_PERSON)
    calls = timeline.contacts_per_year(contacts, ["call"])
    table = met.rename(columns={"contacts": "meetings"}).merge(
        calls.rename(columns={"contacts": "calls"}), on=["era", "year"], validate="one_to_one"
    )
    return table[table["era"].isin(PAIRS)].reset_index(drop=True)


# ---- the warm phase -----------------------------------------------------------------------------


def second_coded(events: pd.DataFrame, second: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``events`` whose ``score`` is the independent second coding's
    (:func:`course.agreement.load_second_coding`); every scored event must have one."""
    scores = second.set_index("event_id")["second_score"]
    missing = sorted(set(events["event_id"]) - set(scores.index))
    if missing:
        raise ValueError(f"events without a second score: {missing}")
    return events.assign(score=events["event_id"].map(scores).astype("Int64"))


def warm_phase(events: pd.DataFrame, contacts: pd.DataFrame, coding: str = "first") -> pd.DataFrame:
    """Per pair, the first clash on or after the first meeting (the one definition,
    :func:`course.datasets.timeline.first_clash`) and the time to it: columns era, coding,
    first_meeting, first_clash, event_id, first_clash_event, days_to_first_clash,
    months_to_first_clash (days / :data:`course.datasets.timeline.DAYS_PER_MONTH`). A pair
    without such a clash gets NaT and NaN, not an error. ``events`` carries the scores of the
    coding named by ``coding`` (see :func:`second_coded`)."""
    rows = []
    for era in PAIRS:
        first = timeline.first_meeting(contacts, era)
        clash = timeline.first_clash(events[events["era"] == era], since=first)
        days = None if clash is None else int((clash["date"] - first).days)
        rows.append(
            {
                "era": era,
                "coding": coding,
                "first_meeting": first,
                "first_clash": pd.NaT if clash is None else clash["date"],
                "event_id": None if clash is None else clash["event_id"],
                "first_clash_event": None if clash is None else clash["event"],
                "days_to_first_clash": days,
                "months_to_first_clash": None if days is None else days / timeline.DAYS_PER_MONTH,
            }
        )
    table = pd.DataFrame(rows, columns=WARM_COLUMNS)
    return table.astype({"days_to_first_clash": "Int64", "months_to_first_clash": "float"})


def warm_phase_both(
    events: pd.DataFrame, second: pd.DataFrame, contacts: pd.DataFrame
) -> pd.DataFrame:
    """:func:`warm_phase` under the first and the second coding, one row per pair and coding."""
    return pd.concat(
        [
            warm_phase(events, contacts, "first"),
            warm_phase(second_coded(events, second), contacts, "second"),
        ],
        ignore_index=True,
    )


def warm_phase_range(both: pd.DataFrame) -> pd.DataFrame:
    """Per pair, the months to the first clash under each coding and whether they agree on
    the event: columns era, months_first, months_second, same_event."""
    wide = both.pivot(index="era", columns="coding", values=["months_to_first_clash", "event_id"])
    table = pd.DataFrame(
        {
            "months_first": wide[("months_to_first_clash", "first")].astype(float),
            "months_second": wide[("months_to_first_clash", "second")].astype(float),
            "same_event": wide[("event_id", "first")] == wide[("event_id", "second")],
        }
    ).reindex(list(PAIRS))
    return table.rename_axis("era").reset_index()


# ---- agreements ---------------------------------------------------------------------------------


def agreement_spans(
    agreements: pd.DataFrame, end_rule: str = "any-break", as_of: pd.Timestamp = timeline.AS_OF
) -> pd.DataFrame:
    """One row per agreement: the pair that signed it (the era of its ``signed`` step), when
    it came into force (first ``in-force`` or ``operational`` step), when and how that ended
    (first step of ``END_RULES[end_rule]`` after it), years in force (days / 365.25, up to
    ``as_of`` inclusive when nothing ended it; 0 if never in force), whether it is still in
    force at ``as_of``, and its institutional anchors (a ratification vote; a verification
    regime or standing body)."""
    if end_rule not in END_RULES:
        raise ValueError(f"unknown end rule {end_rule!r}; expected one of {list(END_RULES)}")
    rows = []
    for agreement_id, steps in agreements.groupby("agreement_id", sort=False):
        steps = steps[steps["date"] <= as_of].sort_values("date", kind="stable")
        if steps.empty:
            continue
        signed = steps[steps["step"] == "signed"].iloc[0]
        started = steps[steps["step"].isin(START_STEPS)]
        start = started["date"].min() if len(started) else pd.NaT
        ended = steps[steps["step"].isin(END_RULES[end_rule])]
        if pd.notna(start):
            ended = ended[ended["date"] >= start]
        end = ended.iloc[0] if len(ended) else None
        if pd.isna(start):
            years, still = 0.0, False
        elif end is None:
            years, still = ((as_of - start).days + 1) / 365.25, True
        else:
            years, still = (end["date"] - start).days / 365.25, False
        rows.append(
            {
                "agreement_id": agreement_id,
                "agreement": signed["agreement"],
                "form": signed["form"],
                "pair": signed["era"],
                "signed": signed["date"],
                "in_force": start,
                "ended": pd.NaT if end is None else end["date"],
                "end_step": None if end is None else end["step"],
                "years_in_force": years,
                "still_in_force": still,
                "ratified": bool(steps["step"].isin(ANCHOR_STEPS["ratified"]).any()),
                "verification": bool(steps["step"].isin(ANCHOR_STEPS["verification"]).any()),
            }
        )
    return pd.DataFrame(rows, columns=SPAN_COLUMNS)


def pair_comparison(
    events: pd.DataFrame,
    second: pd.DataFrame,
    contacts: pd.DataFrame,
    agreements: pd.DataFrame,
    end_rule: str = "any-break",
) -> pd.DataFrame:
    """One row per pair: meetings per year, months to the first clash under both codings,
    agreements signed, how many ever came into force, their total and longest years in
    force, and how many are still in force."""
    rates = contact_rates(contacts).set_index("era")
    warm = warm_phase_range(warm_phase_both(events, second, contacts)).set_index("era")
    spans = agreement_spans(agreements, end_rule)
    rows = []
    for era in PAIRS:
        own = spans[spans["pair"] == era]
        rows.append(
            {
                "era": era,
                "meetings_per_year": float(rates.loc[era, "meetings_per_year"]),
                "months_first": float(warm.loc[era, "months_first"]),
                "months_second": float(warm.loc[era, "months_second"]),
                "agreements_signed": len(own),
                "in_force_ever": int(own["in_force"].notna().sum()),
                "years_in_force": float(own["years_in_force"].sum()),
                "longest_years": float(own["years_in_force"].max()) if len(own) else 0.0,
                "still_in_force": int(own["still_in_force"].sum()),
            }
        )
    return pd.DataFrame(rows)


def anchors_and_durability(spans: pd.DataFrame) -> pd.DataFrame:
    """Agreements grouped by their anchors (ratified, verification): count, mean years in
    force and how many are still in force, for the question whether durable ones rested on
    institutions."""
    grouped = spans.groupby(["ratified", "verification"])
    table = grouped.agg(
        agreements=("agreement_id", "size"),
        mean_years=("years_in_force", "mean"),
        still_in_force=("still_in_force", "sum"),
        names=("agreement", lambda s: ", ".join(s)),
    )
    return table.reset_index().astype({"agreements": "int64", "still_in_force": "int64"})


# ---- charts -------------------------------------------------------------------------------------

CLOCK_TOOLTIP = [
    alt.Tooltip("pair:N", title="Leader pair"),
    alt.Tooltip("day:N", title="Date"),
    alt.Tooltip("label:N", title="Event"),
    alt.Tooltip("kind:N", title="Kind"),
    alt.Tooltip("score:Q", title="Score (first coding)"),
    alt.Tooltip("months:Q", title="Months since first meeting", format=".1f"),
    alt.Tooltip("status:N", title="Status"),
]


def clock_data(events: pd.DataFrame, contacts: pd.DataFrame, months: float = 48) -> pd.DataFrame:
    """Every pair's scored events on the clock of months since its first meeting, up to
    ``months`` after it: columns pair, era, months, day, label, kind, score, status, tone."""
    frames = []
    for era in PAIRS:
        arc = timeline.era_arc(events, contacts, era)
        arc = arc[(arc["source"] == "event") & arc["months_since_first_meeting"].between(0, months)]
        frames.append(
            pd.DataFrame(
                {
                    "pair": PAIR_LABELS[era],
                    "era": era,
                    "months": arc["months_since_first_meeting"].round(2),
                    "day": arc["date"].dt.strftime("%d %b %Y"),
                    "label": arc["label"],
                    "kind": arc["kind"],
                    "score": arc["score"].astype("int64"),
                    "status": arc["status"],
                }
            )
        )
    data = pd.concat(frames, ignore_index=True)
    data["tone"] = pd.cut(
        data["score"], [-4, -1, 0, 3], labels=["conflict (below 0)", "neutral (0)", "cooperation"]
    ).astype(str)
    return data


def clock_chart(
    events: pd.DataFrame,
    contacts: pd.DataFrame,
    warm: pd.DataFrame,
    title: str,
    description: str,
    months: float = 48,
) -> alt.LayerChart:
    """Every pair on one clock: a row per pair, its scored events as points (colour: sign of
    the score; size: its size) over the months since the pair's first meeting, and the first
    clash under each coding as a vertical tick (``warm``: :func:`warm_phase_both`)."""
    data = clock_data(events, contacts, months)
    order = [PAIR_LABELS[era] for era in PAIRS]
    y = alt.Y("pair:N", sort=order, title=None)
    x = alt.X(
        "months:Q",
        title="Months since first meeting",
        scale=alt.Scale(domain=[0, months]),
    )
    tones = ["conflict (below 0)", "neutral (0)", "cooperation"]
    points = (
        alt.Chart(data)
        .mark_circle(opacity=0.75)
        .encode(
            x=x,
            y=y,
            yOffset=alt.YOffset("tone:N", sort=tones),
            color=alt.Color(
                "tone:N",
                title=None,
                scale=alt.Scale(
                    domain=tones, range=[charts.HIGHLIGHT, charts.MUTED, charts.PALETTE[0]]
                ),
                legend=alt.Legend(orient="bottom", columns=1),
            ),
            size=alt.Size("size:Q", scale=alt.Scale(domain=[0, 3], range=[20, 160]), legend=None),
            tooltip=CLOCK_TOOLTIP,
        )
        .transform_calculate(size="abs(datum.score)")
    )
    clashes = warm.dropna(subset=["months_to_first_clash"]).assign(
        pair=lambda f: f["era"].map(PAIR_LABELS),
        months=lambda f: f["months_to_first_clash"].round(2),
        coding_label=lambda f: f["coding"].map(
            {"first": "first clash, first coding", "second": "first clash, second coding"}
        ),
        day=lambda f: f["first_clash"].dt.strftime("%d %b %Y"),
    )[["pair", "months", "coding_label", "day", "first_clash_event"]]
    ticks = (
        alt.Chart(clashes)
        .mark_tick(thickness=3, size=26)
        .encode(
            x="months:Q",
            y=y,
            color=alt.value("#000000"),
            strokeDash=alt.StrokeDash(
                "coding_label:N",
                title=None,
                scale=alt.Scale(
                    domain=["first clash, first coding", "first clash, second coding"],
                    range=[[1, 0], [3, 2]],
                ),
                # A second legend does not fit a phone screen; the subtitle names the ticks.
                legend=None,
            ),
            tooltip=[
                alt.Tooltip("pair:N", title="Leader pair"),
                alt.Tooltip("coding_label:N", title="Which"),
                alt.Tooltip("day:N", title="Date"),
                alt.Tooltip("first_clash_event:N", title="Event"),
                alt.Tooltip("months:Q", title="Months since first meeting", format=".1f"),
            ],
        )
    )
    return charts.titled(
        points + ticks,
        title,
        description,
        subtitle="Solid tick: first clash, first coding. Dashed tick: second coding.",
        height=alt.Step(34),
    )


def agreements_chart(spans: pd.DataFrame, title: str, description: str) -> alt.LayerChart:
    """Each agreement as a bar from its entry into force to its end (or the as-of date),
    coloured by the pair that signed it, after a thin line from its signature; an agreement
    never in force is its signature line alone. Tooltips give the years in force and anchors."""
    end = spans["ended"].fillna(timeline.AS_OF)
    data = spans.assign(
        short=spans["agreement_id"].map(SHORT_NAMES).fillna(spans["agreement"]),
        pair_label=spans["pair"].map(PAIR_LABELS),
        start=spans["in_force"].dt.strftime("%Y-%m-%d"),
        stop=end.dt.strftime("%Y-%m-%d"),
        signed_day=spans["signed"].dt.strftime("%Y-%m-%d"),
        line_end=spans["in_force"].fillna(end).dt.strftime("%Y-%m-%d"),
        years=spans["years_in_force"].round(1),
        how_ended=spans["end_step"].fillna("still in force at the as-of date"),
        anchors=[
            ", ".join(
                name for name, on in (("ratification vote", r), ("verification or body", v)) if on
            )
            or "none in the table"
            for r, v in zip(spans["ratified"], spans["verification"])
        ],
    ).drop(columns=["signed", "in_force", "ended"])
    order = list(data.sort_values("signed_day")["short"])
    pairs = [PAIR_LABELS[p] for p in (*PAIRS, "between") if p in set(spans["pair"])]
    palette = [charts.PALETTE[i] for i in (0, 1, 2, 4, 3, 7)][: len(pairs)]
    y = alt.Y("short:N", sort=order, title=None, axis=alt.Axis(labelLimit=150))
    colour = alt.Color(
        "pair_label:N",
        title="Signed by",
        scale=alt.Scale(domain=pairs, range=palette),
        legend=alt.Legend(orient="bottom", columns=1, labelLimit=300),
    )
    tooltip = [
        alt.Tooltip("agreement:N", title="Agreement"),
        alt.Tooltip("pair_label:N", title="Signed by"),
        alt.Tooltip("signed_day:N", title="Signed"),
        alt.Tooltip("start:N", title="In force from"),
        alt.Tooltip("stop:N", title="Until"),
        alt.Tooltip("how_ended:N", title="How it ended"),
        alt.Tooltip("years:Q", title="Years in force"),
        alt.Tooltip("anchors:N", title="Institutional anchors"),
    ]
    line = (
        alt.Chart(data)
        .mark_rule(strokeWidth=1.5, strokeDash=[3, 2])
        .encode(x=alt.X("signed_day:T", title=None), x2="line_end:T", y=y, color=colour)
    )
    signed = (
        alt.Chart(data)
        .mark_point(filled=True, size=40)
        .encode(x="signed_day:T", y=y, color=colour, tooltip=tooltip)
    )
    bars = (
        alt.Chart(data[data["start"].notna()])
        .mark_bar(height=12)
        .encode(
            x=alt.X("start:T", title=None, axis=alt.Axis(format="%Y", labelOverlap="greedy")),
            x2="stop:T",
            y=y,
            color=colour,
            tooltip=tooltip,
        )
    )
    return charts.titled(line + bars + signed, title, description, height=alt.Step(30))
