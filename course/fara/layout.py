"""The layouts of the DOJ bulk files and of the fara-history snapshots: headers, course column
names and types, file names and source URLs."""

from __future__ import annotations

KINDS = ("principals", "registrants")


#: DOJ header, course column name, type ("date", "int" or "str") for each kind, in file order.
BULK_COLUMNS: dict[str, list[tuple[str, str, str]]] = {
    "principals": [
        ("Foreign Principal Termination Date", "principal_terminated", "date"),
        ("Foreign Principal", "foreign_principal", "str"),
        ("Foreign Principal Registration Date", "principal_registered", "date"),
        ("Country/Location Represented", "country", "str"),
        ("Registration Number", "registration_number", "int"),
        ("Registrant Date", "registrant_registered", "date"),
        ("Registrant Name", "registrant_name", "str"),
        ("Address 1", "address_1", "str"),
        ("Address 2", "address_2", "str"),
        ("City", "city", "str"),
        ("State", "state", "str"),
        ("Zip", "zip", "str"),
    ],
    "registrants": [
        ("Registration Number", "registration_number", "int"),
        ("Registration Date", "registered", "date"),
        ("Termination Date", "terminated", "date"),
        ("Name", "name", "str"),
        ("Business Name", "business_name", "str"),
        ("Address 1", "address_1", "str"),
        ("Address 2", "address_2", "str"),
        ("City", "city", "str"),
        ("State", "state", "str"),
        ("Zip", "zip", "str"),
    ],
}
BULK_FILE_NAMES = {
    "principals": "FARA_All_ForeignPrincipals.csv",
    "registrants": "FARA_All_Registrants.csv",
}
DOJ_BULK_URL = "https://efile.fara.gov/bulk/zip/"
SOURCE_URLS = {kind: DOJ_BULK_URL + name + ".zip" for kind, name in BULK_FILE_NAMES.items()}
DATE_PATTERN = r"^(\d{2}/\d{2}/\d{4})?$"
INT_PATTERN = r"^\d+$"


def bulk_header(kind: str) -> list[str]:
    """The DOJ bulk header of ``kind``."""
    return [doj for doj, _, _ in columns_of(kind)]


def history_header(kind: str) -> list[str]:
    """The header of the re-serialised fara-history snapshots (spaces became underscores)."""
    return [doj.replace(" ", "_") for doj in bulk_header(kind)]


def column_names(kind: str) -> list[str]:
    """Course (snake_case) column names of ``kind``, in file order."""
    return [name for _, name, _ in columns_of(kind)]


def columns_of(kind: str) -> list[tuple[str, str, str]]:
    if kind not in BULK_COLUMNS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    return BULK_COLUMNS[kind]


def header_problem(found: list[str], expected: list[str]) -> str | None:
    missing = [c for c in expected if c not in found]
    extra = [c for c in found if c not in expected]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing column(s) {', '.join(map(repr, missing))}")
        if extra:
            parts.append(f"unexpected column(s) {', '.join(map(repr, extra))}")
        return "; ".join(parts) + f" (expected {expected})"
    if found != expected:
        return f"columns out of order: {found} (expected {expected})"
    return None
