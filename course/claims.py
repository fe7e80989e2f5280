"""The article's checkable claims (``data/claims.csv``) and the evidence that tests each one.

Every claim whose ``testable`` is ``yes`` or ``partly`` has one small evidence function in
:data:`EVIDENCE`. It reads the course data under a data root (the layout of ``data/``:
``fara/``, ``russia/``, ``oral_history/``, ``timeline/``), computes a few figures and applies a
verdict rule written in its body. :func:`check` compares each computed verdict with the one
recorded in ``claims.csv``, so a data refresh that changes the story is caught
(``python -m course claims check``).

Convention: a claim that the data can only *partly* test (its wording goes beyond what the data
records: a purpose, a cause, "heavily") gets at best ``partly supported``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from course import fara, paths
from course.chapters import russia_in_washington as russia
from course.datasets import tables, timeline
from course.dates import day_text

SECTIONS = ("russia-in-washington", "bush-putin", "trump-putin", "conclusion")
KINDS = ("descriptive", "comparative", "causal", "predictive")
TESTABLE = ("yes", "partly", "no")
SUPPORTED, PARTLY, NOT_SUPPORTED = "supported", "partly supported", "not supported"
NOT_TESTABLE = "not testable with this data"
VERDICTS = (SUPPORTED, PARTLY, NOT_SUPPORTED, NOT_TESTABLE)
COLUMNS = ("claim_id", "section", "claim", "kind", "testable", "evidence", "verdict", "note")

# The countries the article compares Russia with, as filed in the registry.
COMPARISON = russia.COMPARISON
GULF_MONARCHIES = ("SAUDI ARABIA", "UNITED ARAB EMIRATES", "QATAR")
EAST_ASIAN_ALLIES = ("JAPAN", "KOREA, SOUTH", "TAIWAN")
NAMED_INDIVIDUALS = ("Abramovich", "Khudainatov", "Chemezov", "Brovko")
FAR_MORE_FACTOR = 2  # "far more": more than this many times Russia's active rows
STATED_INTERVIEWS = 30  # the article's "over 30 interviews"
FIRST_POST_SOVIET_YEAR = 1992  # post-1991 claims count only rows registered from this year on
HANDFUL = 5  # "a handful" read as a count: at most this many state-interest rows active at once
ARTICLE_DATE = pd.Timestamp("2025-09-03")  # the article's publication date: its "today"
REGISTRY_LIST_DATE = pd.Timestamp("2025-10-01")  # the dated list nearest the article

# What each coded principal type means for the claims. The evidence functions use these
# meanings, never the type strings, so a renamed or split type in the codebook
# (course.chapters.russia_in_washington.TYPES) needs one line here; type_meaning() refuses a type missing from this map.
STATE, INDIVIDUAL, NON_STATE, UNCLEAR = "state", "individual", "non-state", "unclear"
TYPE_MEANING = {
    "state media": STATE,
    "state body or state-owned company": STATE,
    "individual seeking sanctions relief": INDIVIDUAL,  # renamed by the accuracy pass (i16) to:
    "individual facing sanctions or legal action": INDIVIDUAL,
    "private company or association": NON_STATE,
    "opposition or civil society": NON_STATE,  # split by the accuracy pass (i16) into:
    "opposition or exile group": NON_STATE,
    "political party or civil society": NON_STATE,
    "unclear": UNCLEAR,
    russia.NOT_YET_CODED: UNCLEAR,
}

# Whether a principal's registered activity served a Russian state interest
# (data/russia/state_interest.csv): a coding separate from ownership (the type above).
STATE_INTEREST = ("yes", "no", "unclear")
STATE_INTEREST_SCHEMA = tables.schema(
    {
        "foreign_principal": tables.text(),
        "state_interest": tables.text(STATE_INTEREST),
        "justification": tables.text(),
    }
)
STATE_INTEREST_RULES = [tables.unique("foreign_principal", "coded twice (one row per name)")]
# The RUSSIA rows on the DOJ list of 1 October 2025, transcribed by hand (names and dates only).
REGISTRY_LIST_SCHEMA = tables.schema(
    {
        "foreign_principal": tables.text(),
        "principal_registered": tables.iso_date(),
        "type": tables.text(tuple(t for t in TYPE_MEANING if t != russia.NOT_YET_CODED)),
        "state_interest": tables.text(STATE_INTEREST),
        "source": tables.text(),
    }
)
REGISTRY_LIST_RULES = [tables.unique("foreign_principal", "listed twice")]

# The two Trump terms, judged separately: the eras' timeline spans a four-year gap.
TRUMP_TERMS = {
    "term_2017": (pd.Timestamp("2017-01-20"), pd.Timestamp("2021-01-20")),
    "term_2025": (pd.Timestamp("2025-01-20"), None),
}

CLAIM_SCHEMA = tables.schema(
    {
        "claim_id": tables.text(),
        "section": tables.text(SECTIONS),
        "claim": tables.text(),
        "kind": tables.text(KINDS),
        "testable": tables.text(TESTABLE),
        "evidence": tables.text(),
        "verdict": tables.text(VERDICTS),
        "note": tables.text(required=False),
    }
)
CLAIM_RULES = [
    tables.RowRule(
        "claim_id",
        "claim_id must be unique and written in lower-case-with-hyphens",
        lambda f: (
            ~f["claim_id"].duplicated() & f["claim_id"].str.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*")
        ),
    ),
    tables.RowRule(
        "verdict",
        f"a claim with testable = no must have the verdict {NOT_TESTABLE!r}",
        lambda f: (f["testable"] != "no") | (f["verdict"] == NOT_TESTABLE),
    ),
]


class ClaimsError(ValueError):
    """The claims cannot be checked (missing data root, file or evidence function)."""


@dataclass(frozen=True)
class Evidence:
    """What an evidence function found: its verdict, the figures behind it, and its rule."""

    verdict: str
    figures: dict = field(default_factory=dict)
    rule: str = ""

    def figures_text(self) -> str:
        def show(value):
            if isinstance(value, float):
                return f"{value:.3f}".rstrip("0").rstrip(".")
            if isinstance(value, pd.Timestamp):
                return f"{value:%Y-%m-%d}"
            return str(value)

        return "; ".join(f"{name}={show(value)}" for name, value in self.figures.items())


def data_root(data_dir: Path | str | None = None) -> Path:
    return Path(data_dir) if data_dir is not None else paths.DATA_DIR


def claims_path(data_dir: Path | str | None = None) -> Path:
    return data_root(data_dir) / "claims.csv"


def load_claims(path: Path | str | None = None) -> pd.DataFrame:
    """``claims.csv`` through the shared checked loader (a bad row names file, line, column)."""
    return tables.read_table(path or claims_path(), CLAIM_SCHEMA, CLAIM_RULES)


def type_meaning(kind: str) -> str:
    """The meaning (state, individual, non-state, unclear) of a coded principal type."""
    try:
        return TYPE_MEANING[kind]
    except KeyError:
        raise ClaimsError(
            f"coded type {kind!r} has no meaning in course.claims.TYPE_MEANING; "
            "add it there (the codebook's types are course.chapters.russia_in_washington.TYPES)"
        ) from None


# ---- data under a root ---------------------------------------------------------------------------


def snapshot_date(data_dir=None) -> pd.Timestamp:
    return pd.Timestamp(fara.load_datapackage(data_root(data_dir) / "fara")["snapshot_date"])


def principals(data_dir=None) -> pd.DataFrame:
    return fara.load_principals(data_root(data_dir) / "fara")


def coded_russian_principals(data_dir=None) -> pd.DataFrame:
    """Rows filed under ``RUSSIA`` with their coded ``type`` and its ``meaning``."""
    root = data_root(data_dir)
    coded = russia.code_principals(
        principals(root), russia.load_principals_coded(root / "russia" / "principals_coded.csv")
    )
    coded = fara.russian_rows(coded).copy()
    coded["meaning"] = coded["type"].map(type_meaning)
    return coded


def load_state_interest(path: Path | str | None = None) -> pd.DataFrame:
    """``data/russia/state_interest.csv`` through the checked loader."""
    path = path or paths.DATA_DIR / "russia" / "state_interest.csv"
    return tables.read_table(path, STATE_INTEREST_SCHEMA, STATE_INTEREST_RULES)


def load_registry_list(path: Path | str | None = None) -> pd.DataFrame:
    """``data/russia/registry_2025-10-01.csv``: the RUSSIA rows on file on 1 October 2025."""
    path = path or paths.DATA_DIR / "russia" / "registry_2025-10-01.csv"
    table = tables.read_table(path, REGISTRY_LIST_SCHEMA, REGISTRY_LIST_RULES)
    table["principal_registered"] = pd.to_datetime(table["principal_registered"])
    table["meaning"] = table["type"].map(type_meaning)
    return table


def post_soviet_rows(data_dir=None) -> pd.DataFrame:
    """RUSSIA rows registered since 1992 (the post-1991 rule of the FARA data guide), with the
    ownership ``type``/``meaning`` and the ``state_interest`` coding (``not yet coded`` for a
    name the coding lacks, e.g. after a data refresh)."""
    root = data_root(data_dir)
    rows = coded_russian_principals(root)
    rows = rows[rows["principal_registered"].dt.year >= FIRST_POST_SOVIET_YEAR].copy()
    rows["foreign_principal"] = rows["foreign_principal"].str.strip()
    coding = load_state_interest(root / "russia" / "state_interest.csv")
    lookup = dict(zip(coding["foreign_principal"], coding["state_interest"]))
    rows["state_interest"] = rows["foreign_principal"].map(lookup).fillna(russia.NOT_YET_CODED)
    return rows


def handful_by_year(data_dir=None) -> pd.DataFrame:
    """Per year since 1992: post-1991 RUSSIA rows active on 31 December (the snapshot date in
    its own year), and how many of them served a state interest: "a handful" as a count."""
    rows = post_soviet_rows(data_dir)
    snapshot = snapshot_date(data_dir)
    out = []
    for year in range(FIRST_POST_SOVIET_YEAR, snapshot.year + 1):
        day = min(pd.Timestamp(year=year, month=12, day=31), snapshot)
        active = fara.active_on(day, rows)
        out.append((year, len(active), int((active["state_interest"] == "yes").sum())))
    table = pd.DataFrame(out, columns=["year", "active", "state_interest"]).set_index("year")
    table["share"] = (table["state_interest"] / table["active"]).fillna(0.0)
    return table


def ahead_from(yearly: pd.DataFrame, country: str, of: str = "RUSSIA") -> int | None:
    """First year from which ``country`` had more active rows than ``of`` in every later year
    of ``yearly`` (None if it is not ahead in the last year)."""
    ahead = yearly[country] > yearly[of]
    if not ahead.iloc[-1]:
        return None
    behind = ahead.index[~ahead]
    return int(
        ahead.index.min() if len(behind) == 0 else ahead.index[ahead.index > behind.max()].min()
    )


def active_by_label(data_dir=None) -> pd.Series:
    """Active principal rows per country label as filed, on the snapshot date."""
    active = fara.active_on(snapshot_date(data_dir), principals(data_dir))
    return active["country"].str.strip().value_counts().astype(int)


def yearly_active(data_dir=None, labels=("RUSSIA", *COMPARISON)) -> pd.DataFrame:
    """Active rows on 31 December of each year since 1992 (snapshot date in its own year),
    one column per normalised country label."""
    rows = principals(data_dir)
    rows = rows[rows["country_normalized"].isin(labels)]
    yearly = fara.active_by_country_year(rows, snapshot_date(data_dir))
    yearly = yearly[yearly["year"] >= FIRST_POST_SOVIET_YEAR]
    table = yearly.pivot(index="year", columns="country_normalized", values="active")
    return table.reindex(columns=list(labels), fill_value=0)


def timeline_events(data_dir=None) -> pd.DataFrame:
    return timeline.load_events(data_root(data_dir) / "timeline" / "events.csv")


# ---- evidence functions: one per testable claim -----------------------------------------------


def fara_shallow_today(data_dir=None) -> Evidence:
    counts = active_by_label(data_dir)
    ours = int(counts.get("RUSSIA", 0))
    others = counts.reindex(list(COMPARISON), fill_value=0)
    share = ours / int(counts.sum())
    below_all = ours < int(others.min())
    small = share < 0.01
    verdict = SUPPORTED if below_all and small else PARTLY if below_all or small else NOT_SUPPORTED
    return Evidence(
        verdict,
        {
            "russia_active": ours,
            "comparison_min": int(others.min()),
            "comparison_min_country": others.idxmin().title(),
            "russia_share": share,
            "russia_rank": russia.competition_rank(
                counts.reindex(counts.index.union(["RUSSIA"]), fill_value=0), "RUSSIA"
            ),
            "labels": int(len(counts)),
        },
        "supported if Russia has fewer active rows than every comparison country and under 1% "
        "of all active rows; partly supported if only one of the two holds",
    )


def comparators_lobby_more(data_dir=None) -> Evidence:
    counts = active_by_label(data_dir)
    ours = int(counts.get("RUSSIA", 0))
    named = counts.reindex(list(GULF_MONARCHIES + EAST_ASIAN_ALLIES), fill_value=0)
    far_more = named > FAR_MORE_FACTOR * ours
    return Evidence(
        PARTLY if far_more.all() else NOT_SUPPORTED,
        {
            "russia_active": ours,
            "named_min": int(named.min()),
            "named_min_country": named.idxmin().title(),
            "named_far_more": int(far_more.sum()),
            "named": int(len(named)),
        },
        "partly supported (the aims of lobbying are not in the data) if every Gulf monarchy and "
        "East Asian ally named has more than twice Russia's active rows; else not supported",
    )


def fara_always_low(data_dir=None) -> Evidence:
    yearly = yearly_active(data_dir)
    ours = yearly["RUSSIA"]
    median = yearly[list(COMPARISON)].median(axis=1)
    below = ours < median
    maxima = yearly[list(COMPARISON)].max()
    always = bool(below.all()) and int(ours.max()) < int(maxima.min())
    verdict = SUPPORTED if always else PARTLY if below.mean() >= 0.5 else NOT_SUPPORTED
    return Evidence(
        verdict,
        {
            "years": int(len(ours)),
            "years_below_median": int(below.sum()),
            "russia_max": int(ours.max()),
            "russia_max_year": int(ours.idxmax()),
            "comparison_max_lowest": int(maxima.min()),
            "comparison_max_lowest_country": maxima.idxmin().title(),
            "russia_max_since_2000": int(ours.loc[2000:].max()),
        },
        "supported if Russia is below the comparison set's median country in every year since "
        "1992 and its highest year is below every comparison country's; partly supported if it "
        "is below the median in at least half the years",
    )


def state_principals_few(data_dir=None) -> Evidence:
    rows = post_soviet_rows(data_dir)
    names = rows.drop_duplicates("foreign_principal")
    by_year = handful_by_year(data_dir)
    interest = names["state_interest"] == "yes"
    decided = names["state_interest"].isin(["yes", "no"])
    share = float(interest.mean())
    return Evidence(
        PARTLY if share < 0.5 else NOT_SUPPORTED,
        {
            "names": int(len(names)),
            "state_interest_names": int(interest.sum()),
            "state_interest_share": share,
            "state_interest_share_decided": float(interest[decided].mean()),
            "unclear_names": int((~decided).sum()),
            "peripheral_names": int((names["state_interest"] == "no").sum()),
            "peripheral_share": float((names["state_interest"] == "no").mean()),
            "years": int(len(by_year)),
            "state_majority_years": int((by_year["share"] > 0.5).sum()),
            "handful_years": int((by_year["state_interest"] <= HANDFUL).sum()),
            "handful_years_any_coding": int((by_year["active"] <= HANDFUL).sum()),
            "max_state_interest_rows": int(by_year["state_interest"].max()),
            "max_state_interest_year": int(by_year["state_interest"].idxmax()),
            "owned_names": int((names["meaning"] == STATE).sum()),
            "owned_share": float((names["meaning"] == STATE).mean()),
        },
        "read as a share (the verdict's reading, because the article sets its handful against "
        '"most" of the few cases): partly supported (the state-interest coding is the '
        'course\'s, and "peripheral" is a judgement) if fewer than half of the names filed '
        f"under RUSSIA since {FIRST_POST_SOVIET_YEAR} are coded as serving a state interest, the "
        "unclear names counted outside the state's share (among the names the coding can decide "
        "the share may pass half); else "
        f"not supported. Read as a count (at most {HANDFUL} state-interest rows active at a "
        "year-end) the claim is shown, not used: Russia's rows were so few that the count would "
        "hold in half the years whatever the coding",
    )


def _today_mix(active: pd.DataFrame) -> dict:
    individuals = int((active["meaning"] == INDIVIDUAL).sum())
    names = active["foreign_principal"]
    return {
        "rows": int(len(active)),
        "individual_rows": individuals,
        "individual_share": individuals / len(active) if len(active) else 0.0,
        "state_rows": int((active["meaning"] == STATE).sum()),
        "state_interest_rows": int((active["state_interest"] == "yes").sum()),
        "named_on_file": sum(bool(names.str.contains(n).any()) for n in NAMED_INDIVIDUALS),
    }


def individual_sanctions_today(data_dir=None) -> Evidence:
    root = data_root(data_dir)
    listed = _today_mix(load_registry_list(root / "russia" / "registry_2025-10-01.csv"))
    april = post_soviet_rows(root)
    april = _today_mix(fara.active_on(snapshot_date(root), april))

    def holds(mix):
        return mix["individual_share"] >= 0.5 and mix["state_rows"] == 0

    figures = {f"list_{k}": v for k, v in listed.items()}
    figures.update({f"snapshot_{k}": v for k, v in april.items()})
    figures["list_date"] = REGISTRY_LIST_DATE
    figures["list_days_after_article"] = int((REGISTRY_LIST_DATE - ARTICLE_DATE).days)
    figures["snapshot_days_before_article"] = int((ARTICLE_DATE - snapshot_date(root)).days)
    return Evidence(
        PARTLY if holds(listed) else NOT_SUPPORTED,
        figures,
        "on the list of 1 October 2025, the date nearest the article: partly supported (a "
        "contract's purpose is not in the registry) if individuals are at least half of the "
        "Russian rows and no state-owned principal is on file; else not supported. The snapshot "
        "of 10 April 2025 is the second date, shown beside it",
    )


def rt_2017(data_dir=None) -> Evidence:
    rows = principals(data_dir)
    rows = fara.russian_rows(rows)
    rt = rows[rows["foreign_principal"].str.contains(r"TV[- ]?Novosti", case=False)]
    first = rt.sort_values("principal_registered").iloc[0] if len(rt) else None
    coded = coded_russian_principals(data_dir)
    state_media_2017 = coded[
        (coded["type"] == "state media") & (coded["principal_registered"].dt.year == 2017)
    ]
    ok = first is not None and first["principal_registered"].year == 2017
    return Evidence(
        SUPPORTED if ok else NOT_SUPPORTED,
        {
            "first_rt_registration": first["principal_registered"] if first is not None else "none",
            "first_rt_registrant": first["registrant_name"] if first is not None else "none",
            "rt_rows": int(len(rt)),
            "state_media_rows_2017": int(len(state_media_2017)),
        },
        "supported if the earliest row naming ANO TV-Novosti (RT) as principal is dated 2017",
    )


def over_30_interviews(data_dir=None) -> Evidence:
    from course.datasets import oral_history

    people = oral_history.load_interviewees(
        data_root(data_dir) / "oral_history" / "interviewees.csv"
    )
    listed = people[people["in_collection"].isin(["confirmed", "role_listed"])]
    return Evidence(
        SUPPORTED if len(listed) > STATED_INTERVIEWS else NOT_TESTABLE,
        {
            "listed": int(len(listed)),
            "confirmed": int((listed["in_collection"] == "confirmed").sum()),
        },
        "supported if the course lists more than 30 people in the collection; a shorter list "
        "cannot refute the figure (the archived listing is cut off), so: not testable",
    )


def witnesses_agree_warmth(data_dir=None) -> Evidence:
    from course.datasets import oral_history

    root = data_root(data_dir) / "oral_history"
    explanations = oral_history.load_explanations(root / "explanations.csv")
    people = oral_history.load_interviewees(root / "interviewees.csv")
    chem = explanations[explanations["factor"] == "personal chemistry"].merge(
        people[["name", "side"]], on="name", how="left"
    )
    both_sides = {"US", "Russia"} <= set(chem["side"])
    stances = sorted(set(chem["stance"]))
    transcript_sides = set(chem.loc[chem["basis"] == "transcript", "side"])
    if not (both_sides and len(stances) >= 2):
        verdict = NOT_SUPPORTED
    elif {"US", "Russia"} <= transcript_sides:
        verdict = SUPPORTED
    else:
        verdict = PARTLY
    return Evidence(
        verdict,
        {
            "speakers": int(chem["name"].nunique()),
            "us_speakers": int(chem.loc[chem["side"] == "US", "name"].nunique()),
            "russian_speakers": int(chem.loc[chem["side"] == "Russia", "name"].nunique()),
            "stances": len(stances),
            "from_transcripts": int((chem["basis"] == "transcript").sum()),
        },
        "needs personal-chemistry codes from both sides with at least two different stances; "
        "supported only if each side's code rests on a transcript, else partly supported",
    )


CONTACT_KINDS = ("meeting", "call")
"""Timeline kinds that record the leaders' contact itself; the other kinds are the substance."""


def warmth_then_erosion(events: pd.DataFrame) -> dict:
    """The arc of a span of scored events around its first clash (:func:`timeline.first_clash`):
    the net score of all events before it, and, from it on, the net score of the leaders'
    contacts (meetings, calls) and of the substance (agreements, cooperation, clashes,
    institutional events) separately. ``holds`` is the warmth-then-erosion test."""
    events = events.sort_values("date", kind="stable")
    score = events["score"].astype(int)
    clash = timeline.first_clash(events)
    if clash is None:
        return {
            "first_clash": "none",
            "first_clash_event": "none",
            "before_clash": int(score.sum()),
            "contacts_after": 0,
            "substance_after": 0,
            "holds": False,
        }
    first = clash["date"]
    after = events["date"] >= first
    contact = events["kind"].isin(CONTACT_KINDS)
    before_score = int(score[~after].sum())
    substance_after = int(score[after & ~contact].sum())
    return {
        "first_clash": first,
        "first_clash_event": clash.get("event", ""),
        "before_clash": before_score,
        "contacts_after": int(score[after & contact].sum()),
        "substance_after": substance_after,
        "holds": before_score > 0 and substance_after < 0,
    }


ARC_RULE = (
    "partly supported (a timeline shows order, not cause) if the net score of the events before "
    "the first clash is positive and, from that clash on, the net score of the substance "
    "(everything but the leaders' meetings and calls) is negative; else not supported"
)


def bush_warmth_then_clash(data_dir=None, events: pd.DataFrame | None = None) -> Evidence:
    events = timeline_events(data_dir) if events is None else events
    arc = warmth_then_erosion(events[events["era"] == "bush-putin"])
    return Evidence(
        PARTLY if arc["holds"] else NOT_SUPPORTED,
        {k: v for k, v in arc.items() if k != "holds"},
        ARC_RULE,
    )


def bush_milestones(data_dir=None, events: pd.DataFrame | None = None) -> Evidence:
    events = timeline_events(data_dir) if events is None else events
    clashes = events[(events["kind"] == "clash") & (events["score"].astype(int) < 0)]
    month = clashes["date"].dt.strftime("%Y-%m")
    found = {m: bool((month == m).any()) for m in ("2007-02", "2008-08")}
    hits = sum(found.values())
    return Evidence(
        PARTLY if hits == 2 else NOT_SUPPORTED,
        {
            "clash_2007_02": found["2007-02"],
            "clash_2008_08": found["2008-08"],
            "worst_score_2008_08": int(clashes.loc[month == "2008-08", "score"].min())
            if found["2008-08"]
            else "none",
        },
        "partly supported if the timeline has a negatively scored clash in February 2007 (Munich) "
        "and in August 2008 (Georgia war): the data reach the events and the sign of their "
        "scores, not what they proved; else not supported",
    )


def trump_repeats_pattern(data_dir=None, events: pd.DataFrame | None = None) -> Evidence:
    events = timeline_events(data_dir) if events is None else events
    events = events[events["era"] == "trump-putin"]
    figures, holds = {}, []
    for term, (start, end) in TRUMP_TERMS.items():
        span = events[(events["date"] >= start) & ((events["date"] < end) if end else True)]
        arc = warmth_then_erosion(span)
        holds.append(arc["holds"])
        for key in (
            "first_clash",
            "first_clash_event",
            "before_clash",
            "contacts_after",
            "substance_after",
        ):
            figures[f"{term}_{key}"] = arc[key]
        # How much of the term the data cover after its first clash (to the tables' as-of date).
        if isinstance(arc["first_clash"], pd.Timestamp):
            after = (min(end, timeline.AS_OF) if end else timeline.AS_OF) - arc["first_clash"]
            figures[f"{term}_months_after"] = round(after.days / timeline.DAYS_PER_MONTH)
    return Evidence(
        PARTLY if all(holds) else NOT_SUPPORTED,
        figures,
        ARC_RULE + ", in each Trump term separately",
    )


EVIDENCE: dict[str, Callable[..., Evidence]] = {
    "fara-shallow-today": fara_shallow_today,
    "comparators-lobby-more": comparators_lobby_more,
    "fara-always-low": fara_always_low,
    "state-principals-few": state_principals_few,
    "individual-sanctions-today": individual_sanctions_today,
    "rt-2017": rt_2017,
    "over-30-interviews": over_30_interviews,
    "witnesses-agree-warmth": witnesses_agree_warmth,
    "bush-warmth-then-clash": bush_warmth_then_clash,
    "bush-milestones": bush_milestones,
    "trump-repeats-pattern": trump_repeats_pattern,
}
"""Evidence function of each testable claim, by ``claim_id``."""


SCORE_CLAIMS = ("bush-warmth-then-clash", "bush-milestones", "trump-repeats-pattern")
"""The testable claims whose evidence rests on the timeline's event scores."""
BOTH_CODINGS_COLUMNS = ["claim_id", "figure", "first", "second", "same"]


def score_claims_under_both(data_dir=None) -> pd.DataFrame:
    """The score-dependent claims (:data:`SCORE_CLAIMS`) judged on the first and on the
    independent second coding of the event scores (:func:`course.agreement.codings`): one row
    per claim and figure, the verdict first, with both values as the pages glue them
    (:func:`figure_text`) and whether they are the same."""
    from course import agreement

    root = data_root(data_dir)
    second = agreement.load_second_coding(root / "timeline" / "events_second_coding.csv")
    coded = agreement.codings(timeline_events(root), second)
    rows = []
    for claim_id in SCORE_CLAIMS:
        found = {key: EVIDENCE[claim_id](root, events) for key, events in coded.items()}
        figures: dict[str, dict[str, object]] = {
            "verdict": {key: e.verdict for key, e in found.items()}
        }
        for name in found["first"].figures:
            figures[name] = {key: figure_text(e.figures[name]) for key, e in found.items()}
        for name, values in figures.items():
            rows.append(
                {
                    "claim_id": claim_id,
                    "figure": name,
                    "first": values["first"],
                    "second": values["second"],
                    "same": values["first"] == values["second"],
                }
            )
    return pd.DataFrame(rows, columns=BOTH_CODINGS_COLUMNS)


def evidence_all(data_dir=None) -> dict[str, Evidence]:
    """Every evidence function's result on the data under ``data_dir``, by ``claim_id``."""
    return {claim_id: function(data_root(data_dir)) for claim_id, function in EVIDENCE.items()}


def figure_text(value) -> object:
    """A figure as the pages glue it: dates as "13 December 2001", flags as yes/no."""
    if isinstance(value, pd.Timestamp):
        return day_text(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


# ---- checking ------------------------------------------------------------------------------------


def check(data_dir=None, found: dict[str, Evidence] | None = None) -> pd.DataFrame:
    """One row per claim: recorded and computed verdict, whether they agree, and key figures.

    Rows with ``testable = no`` have no evidence function; their computed verdict is the
    recorded one. A testable row without an evidence function is a :class:`ClaimsError`.
    ``found`` reuses results of :func:`evidence_all` on the same data (a page that shows both).
    """
    root = data_root(data_dir)
    if not root.is_dir():
        raise ClaimsError(f"{root}: no such data folder")
    path = claims_path(root)
    if not path.is_file():
        raise ClaimsError(f"{path}: missing (the data folder needs claims.csv)")
    claims = load_claims(path)
    rows = []
    for claim in claims.itertuples(index=False):
        if claim.testable == "no":
            rows.append((claim.claim_id, claim.verdict, claim.verdict, True, "", ""))
            continue
        if claim.claim_id not in EVIDENCE:
            raise ClaimsError(
                f"{path}: claim {claim.claim_id!r} is testable ({claim.testable}) but "
                "course.claims.EVIDENCE has no evidence function for it"
            )
        if found is not None and claim.claim_id in found:
            evidence = found[claim.claim_id]
        else:
            evidence = EVIDENCE[claim.claim_id](root)
        rows.append(
            (
                claim.claim_id,
                claim.verdict,
                evidence.verdict,
                evidence.verdict == claim.verdict,
                evidence.figures_text(),
                evidence.rule,
            )
        )
    return pd.DataFrame(
        rows, columns=["claim_id", "recorded", "computed", "agrees", "figures", "rule"]
    )


def check_command(args) -> int:
    """``python -m course claims check``: 0 all agree, 1 a verdict changed, 2 bad input."""
    import sys

    try:
        table = check(args.data)
    except (
        ClaimsError,
        tables.TableError,
        russia.CodingError,
        fara.FaraDataError,
        FileNotFoundError,
    ) as err:
        print(f"claims check: {err}", file=sys.stderr)
        return 2
    width = int(table["claim_id"].str.len().max())
    for row in table.itertuples(index=False):
        mark = "ok" if row.agrees else "CHANGED"
        print(
            f"{mark:7} {row.claim_id:{width}}  recorded: {row.recorded}; computed: {row.computed}"
        )
        if row.figures:
            print(f"{'':7} {'':{width}}  {row.figures}")
    changed = table.loc[~table["agrees"], "claim_id"].tolist()
    if changed:
        print(
            f"{len(changed)} of {len(table)} claims: the computed verdict differs from "
            f"claims.csv: {', '.join(changed)}",
            file=sys.stderr,
        )
        return 1
    print(f"all {len(table)} claims agree with claims.csv")
    return 0
