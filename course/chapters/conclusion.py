"""The conclusion chapter's figures beyond the claims ledger: the Russian clients named in its
argument."""

from __future__ import annotations

import pandas as pd

from course import fara


def russian_client(registry: pd.DataFrame, registrant: str, principal: str = "") -> pd.DataFrame:
    """Rows filed under RUSSIA for one registrant (name prefix), optionally narrowed to
    principals whose name contains ``principal``."""
    rows = fara.russian_rows(registry)
    rows = rows[rows["registrant_name"].str.startswith(registrant)]
    return rows[rows["foreign_principal"].str.contains(principal, regex=False)]
