"""Country labels as filed, mapped to one value per country (USSR kept separate)."""

from __future__ import annotations

import re

import pandas as pd

#: Labels filed for the same country, mapped to one value. Historical states that changed
#: borders or regime (USSR, YUGOSLAVIA, CZECHOSLOVAKIA, GERMAN DEMOCRATIC REPUBLIC, the
#: South African homelands) keep their own value: merging them would invent continuity.
COUNTRY_NORMALIZATION: dict[str, str] = {
    "GREAT BRITAIN": "UNITED KINGDOM",
    "ENGLAND": "UNITED KINGDOM",
    "SCOTLAND": "UNITED KINGDOM",
    "NORTHERN IRELAND": "UNITED KINGDOM",
    "UNITED KINGDOM": "UNITED KINGDOM",
    "BURMA": "MYANMAR",
    "MYANMAR (BURMA)": "MYANMAR",
    "MYANMAR": "MYANMAR",
    "KOREA, SOUTH": "KOREA, SOUTH",
    "SOUTH KOREA": "KOREA, SOUTH",
    "REPUBLIC OF KOREA": "KOREA, SOUTH",
    "KOREA, NORTH": "KOREA, NORTH",
    "NORTH KOREA": "KOREA, NORTH",
    "GERMANY, FEDERAL REPUBLIC OF": "GERMANY",
    "GERMANY": "GERMANY",
    "SOMALI DEMOCRATIC REPUBLIC": "SOMALIA",
    "CEYLON (SRI LANKA)": "SRI LANKA",
    "CEYLON": "SRI LANKA",
    "TIMOR-LESTE (EAST TIMOR)": "TIMOR-LESTE",
    "EAST TIMOR": "TIMOR-LESTE",
    "MACEDONIA": "NORTH MACEDONIA",
    "REPUBLIC OF SOUTH SUDAN": "SOUTH SUDAN",
    "WESTERN SAMOA": "SAMOA",
    "DAHOMEY": "BENIN",
    "ZAIRE": "CONGO, DEMOCRATIC REPUBLIC OF THE",
    "CONGO, DEMOCRATIC REPUBLIC OF THE": "CONGO, DEMOCRATIC REPUBLIC OF THE",
    "CONGO, REPUBLIC OF THE": "CONGO, REPUBLIC OF THE",
    "MUSCAT": "OMAN",
    "KOSOVA": "KOSOVO",
    "SOUTHERN YEMAN": "YEMEN, PEOPLES DEMOCRATIC REPUBLIC OF YEMEN",
    "COTE D'IVOIRE (IVORY COAST)": "COTE D'IVOIRE",
    "IVORY COAST": "COTE D'IVOIRE",
    "GAMBIA, THE": "GAMBIA",
    "RUSSIA": "RUSSIA",
    "RUSSIAN FEDERATION": "RUSSIA",
    "USSR": "USSR",
}


def _loose(label: str) -> str:
    # Variants differ in commas, dots and spacing: "KOREA SOUTH" vs "KOREA, SOUTH".
    return " ".join(re.sub(r"[^A-Z0-9&'() -]", " ", label.upper()).split())


_LOOSE_LOOKUP = {}
for _label, _value in COUNTRY_NORMALIZATION.items():
    _LOOSE_LOOKUP[_loose(_label)] = _value
    _LOOSE_LOOKUP.setdefault(_loose(_value), _value)


def normalize_country(label) -> str:
    """One value per country (see :data:`COUNTRY_NORMALIZATION`); other labels are returned
    upper-cased with whitespace collapsed. USSR stays USSR."""
    if label is None or (not isinstance(label, str) and pd.isna(label)):
        return ""
    cleaned = " ".join(str(label).upper().split())
    return _LOOSE_LOOKUP.get(_loose(cleaned), cleaned)


RUSSIA, USSR = "RUSSIA", "USSR"


def is_russian(labels: pd.Series, soviet: bool = False) -> pd.Series:
    """True where a country label, as filed, is ``RUSSIA`` (or, with ``soviet``, ``USSR``).

    The one rule every chapter, claim and test uses to select Russian rows. Labels are compared
    without surrounding spaces; with ``soviet`` the Soviet-era ``USSR`` label counts too (the DOJ
    filed Soviet bodies under both labels). The exercises' hidden tests run without this package
    and keep their own copy of the rule, which a test keeps equal to this one."""
    wanted = (RUSSIA, USSR) if soviet else (RUSSIA,)
    return labels.astype("string").str.strip().isin(wanted).fillna(False).astype(bool)


def russian_rows(
    frame: pd.DataFrame, soviet: bool = False, column: str = "country"
) -> pd.DataFrame:
    """The rows of ``frame`` whose ``column`` label is Russian (:func:`is_russian`)."""
    return frame[is_russian(frame[column], soviet=soviet)]
