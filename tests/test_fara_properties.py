"""Property tests (hypothesis): field values full of quotes, commas, CR and LF survive DOJ-style
quoting, the lossless split, the typed reader, and the derived-CSV writer and loader."""

from __future__ import annotations

import re

import pandas as pd
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from course import fara

# Characters that break naive CSV handling, plus cp1252 letters and DOJ's curly quotes.
TRICKY = st.text(alphabet=st.sampled_from(list('ab ,"\r\n\u00e9\u201c\u201dX;')), max_size=12)
# Examples per property: the "full" profile of tests/conftest.py (make test), fewer in "quick".
SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.filter_too_much])


def raw_field(value: str, doubled: bool) -> str:
    return value.replace('"', '""') if doubled else value


def satisfies_doj_invariants(values: list[str], doubled: list[bool]) -> bool:
    """What DOJ's files guarantee: ``","`` occurs only between fields (outer quotes included), a bare
    field's quotes cannot be mistaken for escapes, and the last field never holds quote+CRLF."""
    raws = [raw_field(v, d) for v, d in zip(values, doubled)]
    quoted = '"' + fara.SEPARATOR.join(raws) + '"'
    overlapping = len(re.findall('(?=",")', quoted))
    if overlapping != len(raws) - 1 or quoted[1:-1].split(fara.SEPARATOR) != raws:
        return False
    for value, was_doubled in zip(values, doubled):
        if not was_doubled and '"' in value and fara.looks_escaped(value):
            return False
    return '"\r\n' not in raws[-1]


record = st.integers(min_value=2, max_value=6).flatmap(
    lambda n: st.tuples(
        st.lists(TRICKY, min_size=n, max_size=n), st.lists(st.booleans(), min_size=n, max_size=n)
    )
)


@SETTINGS
@given(st.lists(record, min_size=1, max_size=5))
def test_split_parse_serialize_round_trip(records):
    ncols = len(records[0][0])
    records = [r for r in records if len(r[0]) == ncols]
    for values, doubled in records:
        assume(satisfies_doj_invariants(values, doubled))
    lines = [
        '"' + fara.SEPARATOR.join(raw_field(v, d) for v, d in zip(values, doubled)) + '"\r\n'
        for values, doubled in records
    ]
    header = '"' + fara.SEPARATOR.join(f"c{i}" for i in range(ncols)) + '"\r\n'
    chunks, rejected = fara.split_bulk_text(header + "".join(lines), ncols)
    assert rejected == []
    assert [chunk for _, chunk in chunks] == lines
    line_numbers = [2]
    for text in lines[:-1]:
        line_numbers.append(line_numbers[-1] + text.count("\n"))
    assert [line for line, _ in chunks] == line_numbers
    for (line, chunk), (values, _) in zip(chunks, records):
        parsed = fara.parse_bulk_record(line, chunk)
        assert list(parsed.values) == values
        assert fara.serialize_bulk_record(parsed) == chunk


TEXT_COLUMNS = [
    "foreign_principal",
    "country",
    "registrant_name",
    "address_1",
    "address_2",
    "city",
    "state",
    "zip",
]


@SETTINGS
@given(
    st.lists(
        st.tuples(
            st.lists(TRICKY, min_size=8, max_size=8),
            st.lists(st.booleans(), min_size=8, max_size=8),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_read_bulk_keeps_every_text_value(tmp_path_factory, rows):
    names = fara.column_names("principals")
    fixed = {
        "principal_terminated": "",
        "principal_registered": "01/02/2003",
        "registration_number": "17",
        "registrant_registered": "12/31/1999",
    }
    lines, expected = [], []
    for texts, doubled in rows:
        record = dict(zip(TEXT_COLUMNS, texts))
        escape = dict(zip(TEXT_COLUMNS, doubled))
        values = [record.get(n, fixed.get(n)) for n in names]
        flags = [escape.get(n, False) for n in names]
        assume(satisfies_doj_invariants(values, flags))
        lines.append(
            '"' + fara.SEPARATOR.join(raw_field(v, d) for v, d in zip(values, flags)) + '"\r\n'
        )
        expected.append(record)
    header = '"' + fara.SEPARATOR.join(fara.bulk_header("principals")) + '"\r\n'
    path = tmp_path_factory.mktemp("prop") / "FARA_All_ForeignPrincipals.csv"
    path.write_bytes((header + "".join(lines)).encode("cp1252"))
    result = fara.read_bulk(path, "principals")
    assert result.report.balanced and result.report.rejected == []
    assert result.report.raw == len(rows)
    for column in TEXT_COLUMNS:
        assert result.frame[column].tolist() == [r[column].strip() for r in expected]


@SETTINGS
@given(st.lists(st.tuples(TRICKY, TRICKY), min_size=1, max_size=6))
def test_derived_csv_round_trip(tmp_path_factory, rows):
    frame = pd.DataFrame(
        {
            "registration_number": pd.array(range(1, len(rows) + 1), dtype="Int64"),
            "name": [a for a, _ in rows],
            "business_name": [b for _, b in rows],
            "registered": pd.to_datetime(["2001-02-03"] * len(rows)).astype("datetime64[ns]"),
            "terminated": pd.to_datetime([None] * len(rows)).astype("datetime64[ns]"),
            "city": [b for _, b in rows],
            "state": [a for a, _ in rows],
            "flags": [""] * len(rows),
        }
    )
    folder = tmp_path_factory.mktemp("derived")
    (folder / "registrants.csv").write_bytes(fara.to_csv_bytes(frame))
    loaded = fara.read_derived(
        "registrants.csv", ["registered", "terminated"], ["registration_number"], folder
    )
    assert loaded["name"].tolist() == frame["name"].tolist()
    assert loaded["business_name"].tolist() == frame["business_name"].tolist()
    assert loaded["registered"].tolist() == frame["registered"].tolist()
    assert loaded["terminated"].isna().all()
