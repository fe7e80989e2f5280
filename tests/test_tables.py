"""The checked table loader: typed output, and bad rows refused with file, line and column."""

from __future__ import annotations

import pandas as pd
import pytest

from course.datasets import tables

SCHEMA = tables.schema(
    {
        "date": tables.iso_date(),
        "kind": tables.text(allowed=["meeting", "call"]),
        "score": tables.integer(-3, 3),
        "note": tables.text(required=False),
        "source_url": tables.url(),
    }
)
HEADER = "date,kind,score,note,source_url\n"
GOOD = '2001-06-16,meeting,2,"Brdo, near Ljubljana",https://example.org/a\n2002-05,call,-1,,https://example.org/b\n'


def write(tmp_path, body: str, header: str = HEADER):
    path = tmp_path / "table.csv"
    path.write_text(header + body, encoding="utf-8")
    return path


def test_good_table_is_typed(tmp_path):
    frame = tables.read_table(write(tmp_path, GOOD), SCHEMA)
    assert frame["score"].dtype == "Int64"
    assert list(frame["score"]) == [2, -1]
    assert frame["date"].tolist() == [pd.Timestamp("2001-06-16"), pd.Timestamp("2002-05-01")]
    assert frame["note"].tolist() == ["Brdo, near Ljubljana", ""]


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        ("2001-06-16,meeting,5,,https://example.org/x", "score", "-3..3"),
        ("2001-06-16,meeting,two,,https://example.org/x", "score", "whole number"),
        ("2001-06-16,summit,1,,https://example.org/x", "kind", "not one of"),
        ("2001-06-16,meeting,1,,", "source_url", "blank"),
        ("2001-02-30,meeting,1,,https://example.org/x", "date", "ISO date"),
        ("16/06/2001,meeting,1,,https://example.org/x", "date", "ISO date"),
        ("2001-06-16,meeting,1,,ftp://example.org/x", "source_url", "URL"),
    ],
)
def test_bad_row_names_file_line_and_column(tmp_path, row, column, words):
    path = write(tmp_path, GOOD + row + "\n")
    with pytest.raises(tables.TableError) as err:
        tables.read_table(path, SCHEMA)
    message = str(err.value)
    assert str(path) in message and "line 4" in message and f"column {column}" in message
    assert words in message
    assert err.value.line == 4 and err.value.column == column


def test_quoted_newline_does_not_shift_lines(tmp_path):
    body = '2001-06-16,meeting,1,"two\nlines",https://example.org/a\n2001-06-17,meeting,9,,https://e.org\n'
    with pytest.raises(tables.TableError, match="line 4, column score"):
        tables.read_table(write(tmp_path, body), SCHEMA)


def test_wrong_header_and_field_count(tmp_path):
    with pytest.raises(tables.TableError, match="line 1: header must be"):
        tables.read_table(write(tmp_path, GOOD, header="date,kind,score\n"), SCHEMA)
    with pytest.raises(tables.TableError, match="line 3: expected 5 fields, got 3"):
        tables.read_table(write(tmp_path, GOOD.splitlines()[0] + "\n2001-06-16,call,1\n"), SCHEMA)


def test_row_rule_blames_its_column(tmp_path):
    rule = tables.RowRule(
        "date",
        "a call needs a day-precision date",
        lambda f: (f["kind"] != "call") | (f["date"].str.len() == 10),
    )
    with pytest.raises(tables.TableError, match=r"line 3, column date: '2002-05': a call needs"):
        tables.read_table(write(tmp_path, GOOD), SCHEMA, rules=[rule])


def test_unique_blames_the_second_row_with_a_seen_value():
    frame = pd.DataFrame({"id": ["a", "b", "a", "c", "b"]})
    rule = tables.unique("id", "appears twice")
    assert rule.column == "id" and rule.message == "appears twice"
    assert rule.test(frame).tolist() == [True, True, False, True, False]
