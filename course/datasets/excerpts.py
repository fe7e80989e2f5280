"""Short primary-source excerpts the pages quote, with their licences (``data/sources``).

The columns and the allowed licences are defined in ``data/sources/CODEBOOK.md``; the loader
refuses a row with an unknown licence, a malformed URL, a repeated id or an excerpt over
:data:`MAX_WORDS` words, naming the file, line and column (:mod:`course.datasets.tables`).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd

from course import dates, paths
from course.datasets import tables

LICENCES = ("public-domain-us-government", "CC-BY-4.0", "public-record-doj-fara")
"""The only licences an excerpt may carry (see the codebook for what each covers)."""
MAX_WORDS = 250
"""Issue 24's limit on an excerpt's length, counted as whitespace-separated words."""
ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"

EXCERPT_SCHEMA = tables.schema(
    {
        "id": tables.text(),
        "title": tables.text(),
        "date": tables.iso_date(),
        "speaker": tables.text(),
        "url": tables.url(),
        "licence": tables.text(LICENCES),
        "attribution": tables.text(),
        "excerpt": tables.text(),
        "question": tables.text(),
    }
)


def well_formed_url(url: str) -> bool:
    """An absolute http(s) URL with a dotted host and no whitespace."""
    if any(ch.isspace() for ch in url):
        return False
    parts = urlsplit(url)
    host = parts.hostname or ""
    return parts.scheme in ("http", "https") and "." in host and not host.startswith(".")


def word_count(text: str) -> int:
    return len(text.split())


EXCERPT_RULES = (
    tables.RowRule(
        "id", "is not a lower-case slug (e.g. geneva-1985)", lambda f: f["id"].str.match(ID_PATTERN)
    ),
    tables.unique("id", "repeats an earlier row's id"),
    tables.RowRule(
        "url", "is not a well-formed http(s) URL", lambda f: f["url"].map(well_formed_url)
    ),
    tables.RowRule(
        "excerpt",
        f"is longer than {MAX_WORDS} words",
        lambda f: f["excerpt"].map(word_count) <= MAX_WORDS,
    ),
    tables.RowRule(
        "attribution",
        "must name the Kremlin's translation and link the CC BY 4.0 licence",
        lambda f: (
            (f["licence"] != "CC-BY-4.0")
            | (
                f["attribution"].str.contains("Kremlin", regex=False)
                & f["attribution"].str.contains("creativecommons.org/licenses/by/4.0", regex=False)
            )
        ),
    ),
)


def excerpts_path() -> Path:
    return paths.DATA_DIR / "sources" / "excerpts.csv"


def load_excerpts(path: Path | str | None = None) -> pd.DataFrame:
    """``data/sources/excerpts.csv``, checked; ``date`` as a datetime (month: its first day)."""
    return tables.read_table(path or excerpts_path(), EXCERPT_SCHEMA, EXCERPT_RULES)


LICENCE_LINKS = {
    "public-domain-us-government": "U.S. government work, in the public domain",
    "CC-BY-4.0": "[CC BY 4.0](https://creativecommons.org/licenses/by/4.0/)",
    "public-record-doj-fara": "public record filed with the U.S. Department of Justice (FARA)",
}


def as_markdown(excerpt_id: str, excerpts: pd.DataFrame | None = None) -> str:
    """One excerpt as a MyST block quotation, its source line and the question for the reader.

    A page shows it from a hidden cell: ``display(Markdown(excerpts.as_markdown("munich-2007")))``.
    """
    frame = load_excerpts() if excerpts is None else excerpts
    rows = frame[frame["id"] == excerpt_id]
    if rows.empty:
        raise KeyError(f"{excerpts_path()}: no excerpt with id {excerpt_id!r}")
    row = rows.iloc[0]
    quoted = "\n>\n".join(
        f"> {para.strip()}" for para in row["excerpt"].split("\n") if para.strip()
    )
    # A month-precision date (e.g. 2000-07) is stored as its first day; print it as a month.
    raw_date = pd.read_csv(excerpts_path(), dtype=str).set_index("id")["date"].get(excerpt_id, "")
    when = f"{row['date']:%B %Y}" if len(str(raw_date)) == 7 else dates.day_text(row["date"])
    source = f"> — {row['speaker']}, [{row['title']}]({row['url']}), {when}. {row['attribution']}"
    return f"{quoted}\n>\n{source}\n\n**Question for the reader.** {row['question']}\n"
