"""Dated events and leader-to-leader contacts of five U.S.-Soviet/Russian leader pairs.

Reads ``data/timeline`` through the shared checked loader (:mod:`course.datasets.tables`); the
columns, allowed values, the -3..+3 score scale and the selection procedure are defined in
``data/timeline/CODEBOOK.md``.

Eras are windows, each half-open (start day included, end day excluded):

* ``reagan-gorbachev``: 1985-11-19 (the Geneva summit) to 1989-01-01 (the end of 1988);
* ``clinton-yeltsin``: 1993-01-20 (Clinton's inauguration) to 2000-01-01 (Yeltsin resigned on
  31 December 1999);
* ``bush-putin``: 2001-01-20 to 2009-01-20 (Bush's two terms);
* ``obama-medvedev``: 2009-01-20 to 2012-05-07 (Putin's inauguration ended Medvedev's term);
* ``trump-putin``: 2017-01-20 to 2021-01-20, and 2025-01-20 to the data's as-of date
  :data:`AS_OF` (included);
* ``between``: everything from 1985-11-19 to :data:`AS_OF` that lies in no leader era.

A date of month precision (``YYYY-MM``) must lie in its era for the whole month.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from course import paths
from course.datasets import tables

LEADER_PAIR_ERAS = (
    "reagan-gorbachev",
    "clinton-yeltsin",
    "bush-putin",
    "obama-medvedev",
    "trump-putin",
)
"""The eras of one leader pair each, in time order (names are contracts)."""
ERA_LABELS = {
    "reagan-gorbachev": "Reagan–Gorbachev",
    "clinton-yeltsin": "Clinton–Yeltsin",
    "bush-putin": "Bush–Putin",
    "obama-medvedev": "Obama–Medvedev",
    "trump-putin": "Trump–Putin",
    "between": "between pairs",
}
"""How tables and charts name each era."""
ERAS = (
    "reagan-gorbachev",
    "clinton-yeltsin",
    "bush-putin",
    "obama-medvedev",
    "between",
    "trump-putin",
)
KINDS = ("meeting", "call", "agreement", "cooperation", "clash", "institutional")
FORMATS = ("summit", "sidelines", "visit", "call")
IN_PERSON = ("summit", "sidelines", "visit")
PRECISIONS = tables.PRECISIONS
STATUSES = tables.STATUSES
US_LEADERS = {
    "Reagan": "reagan-gorbachev",
    "Clinton": "clinton-yeltsin",
    "Bush": "bush-putin",
    "Obama": "obama-medvedev",
    "Trump": "trump-putin",
}
RUSSIAN_LEADERS = ("Gorbachev", "Yeltsin", "Putin", "Medvedev")
ERA_RUSSIAN_LEADER = {
    "reagan-gorbachev": "Gorbachev",
    "clinton-yeltsin": "Yeltsin",
    "bush-putin": "Putin",
    "obama-medvedev": "Medvedev",
    "trump-putin": "Putin",
}
"""The Russian (or Soviet) leader a contact of each leader era must be with."""
RUSSIAN_STATES = ("USSR", "Russia")
STATE_OF_LEADER = {
    "Gorbachev": "USSR",
    "Yeltsin": "Russia",
    "Putin": "Russia",
    "Medvedev": "Russia",
}
"""The state each leader headed during the contacts in the table (Gorbachev: the USSR)."""
MEASURES = ("meetings", "calls", "recorded_meetings")

AS_OF = pd.Timestamp("2025-12-31")
"""The last day the tables cover: the research notes' latest Trump-era items are of Dec 2025."""

_DAY = pd.Timedelta(days=1)
_T = pd.Timestamp
WINDOWS = {
    "reagan-gorbachev": ((_T("1985-11-19"), _T("1989-01-01")),),
    "clinton-yeltsin": ((_T("1993-01-20"), _T("2000-01-01")),),
    "bush-putin": ((_T("2001-01-20"), _T("2009-01-20")),),
    "obama-medvedev": ((_T("2009-01-20"), _T("2012-05-07")),),
    "between": (
        (_T("1989-01-01"), _T("1993-01-20")),
        (_T("2000-01-01"), _T("2001-01-20")),
        (_T("2012-05-07"), _T("2017-01-20")),
        (_T("2021-01-20"), _T("2025-01-20")),
    ),
    "trump-putin": (
        (pd.Timestamp("2017-01-20"), pd.Timestamp("2021-01-20")),
        (pd.Timestamp("2025-01-20"), AS_OF + _DAY),
    ),
}
"""Half-open ``[start, end)`` windows of each era; the last ends the day after :data:`AS_OF`."""

DAYS_PER_MONTH = 365.25 / 12
"""An average calendar month; ``months_since_first_meeting`` is days divided by this."""

EVENT_SCHEMA = tables.schema(
    {
        "event_id": tables.text(),
        "date": tables.iso_date(),
        "precision": tables.text(PRECISIONS),
        "era": tables.text(ERAS),
        "event": tables.text(),
        "kind": tables.text(KINDS),
        "score": tables.integer(-3, 3),
        "status": tables.text(STATUSES),
        "source_url": tables.url(),
    }
)
CONTACT_SCHEMA = tables.schema(
    {
        "date": tables.iso_date(),
        "precision": tables.text(PRECISIONS),
        "us_leader": tables.text(list(US_LEADERS)),
        "russian_leader": tables.text(RUSSIAN_LEADERS),
        "place": tables.text(),
        "format": tables.text(FORMATS),
        "status": tables.text(STATUSES),
        "source_url": tables.url(),
        "russian_state": tables.text(RUSSIAN_STATES),
    }
)
TOTALS_SCHEMA = tables.schema(
    {
        "us_leader": tables.text(list(US_LEADERS)),
        "russian_leader": tables.text(RUSSIAN_LEADERS),
        "measure": tables.text(MEASURES),
        "total": tables.integer(minimum=0),
        "through": tables.iso_date(),
        "precision": tables.text(PRECISIONS),
        "counted_by": tables.text(),
        "status": tables.text(STATUSES),
        "source_url": tables.url(),
    }
)


AGREEMENT_STEPS = (
    "signed",
    "ratified",
    "in-force",
    "operational",
    "verification",
    "amended",
    "extended",
    "submission-withdrawn",
    "suspended",
    "withdrawn",
    "repudiated",
    "superseded",
    "denounced",
    "expired",
)
"""The dated steps of an agreement in ``agreements.csv`` (meanings in the codebook)."""
AGREEMENT_FORMS = ("treaty", "agreement")
AGREEMENT_PARTIES = ("both", "US", "USSR", "Russia")
AGREEMENT_ID = r"^[a-z0-9]+(-[a-z0-9]+)*$"

AGREEMENT_SCHEMA = tables.schema(
    {
        "agreement_id": tables.text(),
        "agreement": tables.text(),
        "form": tables.text(AGREEMENT_FORMS),
        "step": tables.text(AGREEMENT_STEPS),
        "date": tables.iso_date(),
        "precision": tables.text(PRECISIONS),
        "era": tables.text(ERAS),
        "party": tables.text(AGREEMENT_PARTIES),
        "event_id": tables.text(required=False),
        "status": tables.text(STATUSES),
        "source_url": tables.url(),
    }
)


def events_path() -> Path:
    return paths.TIMELINE_DIR / "events.csv"


def contacts_path() -> Path:
    return paths.TIMELINE_DIR / "contacts.csv"


def agreements_path() -> Path:
    return paths.TIMELINE_DIR / "agreements.csv"


def stated_totals_path() -> Path:
    return paths.TIMELINE_DIR / "stated_totals.csv"


def in_era(date: pd.Timestamp, precision: str, era: str) -> bool:
    """Whether a date (the first of its month for ``month``) lies in ``era``'s windows."""
    last = date + pd.offsets.MonthEnd(0) if precision == "month" else date
    return any(start <= date and last < end for start, end in WINDOWS[era])


def era_of(date: pd.Timestamp) -> str | None:
    """The era a day falls in, or None before 1985-11-19 or after :data:`AS_OF`."""
    return next((era for era in ERAS if in_era(date, "day", era)), None)


def _dates_in(frame: pd.DataFrame, eras: pd.Series) -> pd.Series:
    return pd.Series(
        [
            in_era(tables.parse_date(date), precision, era)
            for date, precision, era in zip(frame["date"], frame["precision"], eras)
        ],
        index=frame.index,
        dtype=bool,
    )


PRECISION_RULE = tables.matches_precision("date")
EVENT_ID = r"^E\d{3}$"
"""An event's stable key: ``E`` and three digits, never reused or renumbered."""
EVENT_RULES = (
    tables.RowRule(
        "event_id", "is not of the form E001", lambda f: f["event_id"].str.match(EVENT_ID)
    ),
    tables.unique("event_id", "repeats an earlier row's event_id"),
    PRECISION_RULE,
    tables.RowRule(
        "date",
        "falls outside its era (see course.datasets.timeline.WINDOWS)",
        lambda f: _dates_in(f, f["era"]),
    ),
)
CONTACT_RULES = (
    PRECISION_RULE,
    tables.RowRule(
        "date",
        "falls outside the U.S. leader's time in office (see course.datasets.timeline.WINDOWS)",
        lambda f: _dates_in(f, f["us_leader"].map(US_LEADERS)),
    ),
    tables.RowRule(
        "russian_leader",
        "is not the Russian or Soviet leader of the U.S. leader's era",
        lambda f: f["russian_leader"] == f["us_leader"].map(US_LEADERS).map(ERA_RUSSIAN_LEADER),
    ),
    tables.RowRule(
        "russian_state",
        "is not the state the leader headed (Gorbachev: USSR; the others: Russia)",
        lambda f: f["russian_state"] == f["russian_leader"].map(STATE_OF_LEADER),
    ),
)


def _same_in_group(frame: pd.DataFrame, column: str) -> pd.Series:
    # The first row of an agreement sets its name and form; a later row that differs is blamed.
    return frame[column] == frame.groupby("agreement_id")[column].transform("first")


def _dates_not_before_previous(frame: pd.DataFrame) -> pd.Series:
    dates = frame["date"].map(tables.parse_date)
    previous = dates.groupby(frame["agreement_id"]).shift()
    return previous.isna() | (dates >= previous)


AGREEMENT_RULES = (
    tables.RowRule(
        "agreement_id",
        "is not a lower-case slug (e.g. new-start)",
        lambda f: f["agreement_id"].str.match(AGREEMENT_ID),
    ),
    tables.RowRule(
        "agreement",
        "differs from the agreement's first row",
        lambda f: _same_in_group(f, "agreement"),
    ),
    tables.RowRule(
        "form", "differs from the agreement's first row", lambda f: _same_in_group(f, "form")
    ),
    tables.RowRule(
        "step",
        "is not 'signed': an agreement's first row is its signature",
        lambda f: f["agreement_id"].duplicated() | (f["step"] == "signed"),
    ),
    tables.RowRule(
        "step",
        "repeats 'signed': an agreement has one signature row",
        lambda f: ~(f["agreement_id"].duplicated() & (f["step"] == "signed")),
    ),
    PRECISION_RULE,
    tables.RowRule(
        "date",
        "is earlier than the agreement's previous step (steps go in date order)",
        _dates_not_before_previous,
    ),
    tables.RowRule(
        "date",
        "falls outside its era (see course.datasets.timeline.WINDOWS)",
        lambda f: _dates_in(f, f["era"]),
    ),
    tables.RowRule(
        "event_id",
        "is not blank or of the form E001",
        lambda f: (f["event_id"] == "") | f["event_id"].str.match(EVENT_ID),
    ),
)
TOTALS_RULES = (tables.matches_precision("through"),)


def load_events(path: Path | str | None = None) -> pd.DataFrame:
    """``data/timeline/events.csv``, checked: event_id (unique key), date (datetime),
    precision, era, event, kind, score (Int64, -3..+3), status, source_url."""
    return tables.read_table(path or events_path(), EVENT_SCHEMA, EVENT_RULES)


def load_contacts(path: Path | str | None = None) -> pd.DataFrame:
    """``data/timeline/contacts.csv``, checked, plus ``era`` derived from ``us_leader``
    (see :data:`US_LEADERS`). Dates are datetimes (month: its first day)."""
    frame = tables.read_table(path or contacts_path(), CONTACT_SCHEMA, CONTACT_RULES)
    frame["era"] = frame["us_leader"].map(US_LEADERS)
    return frame


def load_agreements(path: Path | str | None = None) -> pd.DataFrame:
    """``data/timeline/agreements.csv``, checked: one row per dated step of a binding
    agreement (agreement_id, agreement, form, step, date, precision, era, party, event_id,
    status, source_url). Dates are datetimes; a blank event_id is ``""``."""
    return tables.read_table(path or agreements_path(), AGREEMENT_SCHEMA, AGREEMENT_RULES)


def agreement_event_mismatches(agreements: pd.DataFrame, events: pd.DataFrame) -> list[str]:
    """Steps whose ``event_id`` is not in ``events`` or names an event of another day; each
    problem as a sentence naming the agreement, step and event."""
    by_id = events.set_index("event_id")["date"]
    problems = []
    for row in agreements[agreements["event_id"].fillna("") != ""].itertuples():
        if row.event_id not in by_id.index:
            problems.append(f"{row.agreement_id} {row.step}: event {row.event_id} is not in events")
        elif by_id[row.event_id] != row.date:
            problems.append(
                f"{row.agreement_id} {row.step}: event {row.event_id} is dated "
                f"{by_id[row.event_id]:%Y-%m-%d}, the step {row.date:%Y-%m-%d}"
            )
    return problems


def load_stated_totals(path: Path | str | None = None) -> pd.DataFrame:
    """``data/timeline/stated_totals.csv``: totals of meetings or calls that a source states."""
    return tables.read_table(path or stated_totals_path(), TOTALS_SCHEMA, TOTALS_RULES)


def _check_era(era: str) -> None:
    if era not in ERAS:
        raise ValueError(f"unknown era {era!r}; expected one of {list(ERAS)}")


def first_meeting(contacts: pd.DataFrame, era: str) -> pd.Timestamp:
    """The date of the era's first in-person contact (format summit, sidelines or visit)."""
    _check_era(era)
    met = contacts[(contacts["era"] == era) & contacts["format"].isin(IN_PERSON)]
    if met.empty:
        raise ValueError(f"no in-person contact in era {era!r}")
    return met["date"].min()


def first_clash(events: pd.DataFrame, since: pd.Timestamp | None = None) -> pd.Series | None:
    """The first clash of ``events``: the earliest event of kind ``clash`` scored below zero (on
    or after ``since``, if given), or None. The one definition every chapter and claim uses."""
    clashes = events[(events["kind"] == "clash") & (events["score"].astype(int) < 0)]
    if since is not None:
        clashes = clashes[clashes["date"] >= since]
    if clashes.empty:
        return None
    return clashes.sort_values("date", kind="stable").iloc[0]


def years_in_office(era: str) -> float:
    """Years of the era's windows (days / 365.25): Bush 8.0; Trump 4 years plus 2025-01-20
    to :data:`AS_OF` inclusive."""
    _check_era(era)
    return sum((end - start).days for start, end in WINDOWS[era]) / 365.25


def _leader_eras(contacts: pd.DataFrame) -> list[str]:
    return [era for era in ERAS if era in US_LEADERS.values() and (contacts["era"] == era).any()]


def contacts_per_year(contacts: pd.DataFrame, formats: Sequence[str] | None = None) -> pd.DataFrame:
    """Contacts per era and calendar year: columns era, year, contacts.

    Every calendar year that overlaps the era's windows appears, with 0 where the table has no
    contact. ``formats`` keeps only those formats (e.g. ``IN_PERSON`` or ``["call"]``).
    """
    if formats is not None:
        contacts = contacts[contacts["format"].isin(formats)]
    rows = []
    for era in (e for e in ERAS if e in US_LEADERS.values()):
        years = sorted(
            {y for start, end in WINDOWS[era] for y in range(start.year, (end - _DAY).year + 1)}
        )
        counts = contacts.loc[contacts["era"] == era, "date"].dt.year.value_counts()
        rows += [{"era": era, "year": year, "contacts": int(counts.get(year, 0))} for year in years]
    return pd.DataFrame(rows, columns=["era", "year", "contacts"]).astype(
        {"year": "int64", "contacts": "int64"}
    )


def contacts_per_era(contacts: pd.DataFrame, formats: Sequence[str] | None = None) -> pd.DataFrame:
    """Contacts per leader era: columns era, contacts, years_in_office, contacts_per_year.

    ``years_in_office`` follows :func:`years_in_office` (see the module docstring for the
    windows); ``contacts_per_year`` is contacts divided by it.
    """
    if formats is not None:
        contacts = contacts[contacts["format"].isin(formats)]
    rows = []
    for era in (e for e in ERAS if e in US_LEADERS.values()):
        count = int((contacts["era"] == era).sum())
        years = years_in_office(era)
        rows.append(
            {
                "era": era,
                "contacts": count,
                "years_in_office": years,
                "contacts_per_year": count / years,
            }
        )
    return pd.DataFrame(rows, columns=["era", "contacts", "years_in_office", "contacts_per_year"])


ARC_COLUMNS = [
    "date",
    "precision",
    "source",
    "label",
    "kind",
    "score",
    "status",
    "source_url",
    "months_since_first_meeting",
    "cumulative_score",
]


def era_arc(events: pd.DataFrame, contacts: pd.DataFrame, era: str) -> pd.DataFrame:
    """One era's events and contacts on a common clock, in date order (events before contacts
    on the same day).

    Columns: date, precision, source ("event" or "contact"), label (the event text, or the
    contact's format and place), kind (event kind, or contact format), score (events only;
    <NA> for contacts), status, source_url, months_since_first_meeting (float: days since
    :func:`first_meeting` divided by :data:`DAYS_PER_MONTH`; negative before it),
    cumulative_score (running sum of event scores; contacts carry it unchanged).
    """
    _check_era(era)
    first = first_meeting(contacts, era)
    ev = events[events["era"] == era]
    co = contacts[contacts["era"] == era]
    arc = pd.concat(
        [
            pd.DataFrame(
                {
                    "date": ev["date"],
                    "precision": ev["precision"],
                    "source": "event",
                    "label": ev["event"],
                    "kind": ev["kind"],
                    "score": ev["score"],
                    "status": ev["status"],
                    "source_url": ev["source_url"],
                }
            ),
            pd.DataFrame(
                {
                    "date": co["date"],
                    "precision": co["precision"],
                    "source": "contact",
                    "label": co["format"] + ": " + co["place"],
                    "kind": co["format"],
                    "score": pd.array([pd.NA] * len(co), dtype="Int64"),
                    "status": co["status"],
                    "source_url": co["source_url"],
                }
            ),
        ],
        ignore_index=True,
    )
    arc["score"] = arc["score"].astype("Int64")
    arc = arc.sort_values(["date", "source"], kind="stable", key=_event_first).reset_index(
        drop=True
    )
    arc["months_since_first_meeting"] = (arc["date"] - first).dt.days / DAYS_PER_MONTH
    arc["cumulative_score"] = arc["score"].fillna(0).cumsum().astype("int64")
    return arc[ARC_COLUMNS]


def _event_first(column: pd.Series) -> pd.Series:
    return column.map({"event": 0, "contact": 1}) if column.name == "source" else column
