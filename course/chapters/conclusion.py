"""The conclusion chapter's figures beyond the claims ledger: Russian clients named in its
argument, and the post-Soviet state share counted by principal name."""

from __future__ import annotations

import pandas as pd

from course import claims, fara


def russian_client(registry: pd.DataFrame, registrant: str, principal: str = "") -> pd.DataFrame:
    """Rows filed under RUSSIA for one registrant (name prefix), optionally narrowed to
    principals whose name contains ``principal``."""
    rows = fara.russian_rows(registry)
    rows = rows[rows["registrant_name"].str.startswith(registrant)]
    return rows[rows["foreign_principal"].str.contains(principal, regex=False)]


def state_share_by_name(coded: pd.DataFrame, first_year: int) -> dict[str, float | int]:
    """Among distinct principal names registered from ``first_year`` on (rows of
    :func:`course.claims.coded_russian_principals`): how many, the share whose coded meaning is
    state, and how many are coded unclear."""
    recent = coded[coded["principal_registered"].dt.year >= first_year]
    names = recent.assign(name=recent["foreign_principal"].str.strip()).drop_duplicates("name")
    return {
        "names": len(names),
        "state_share": float((names["meaning"] == claims.STATE).mean()),
        "unclear": int((names["meaning"] == claims.UNCLEAR).sum()),
    }
