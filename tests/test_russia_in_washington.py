"""course.chapters.russia_in_washington, the hand-coded Russia data, the chapter's glued figures and its built page."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from course import charts, exercises, fara, paths
from course.chapters import russia_in_washington as russia
from tests.conftest import need_shared
from tests.test_chapters import chart_specs, glued_values
from tests.test_fara import BULK, FARA_SHARED, FP

REPO = Path(__file__).resolve().parent.parent
BULK_2025 = BULK / FP


# ---- load_principals_coded ----------------------------------------------------------------------


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "coded.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_load_principals_coded_reads_a_valid_file(tmp_path):
    path = write(
        tmp_path,
        "foreign_principal,type,justification\n"
        '"Acme, ""Ltd""",private company or association,a firm\n'
        " Jane Doe ,unclear,nothing known\n",
    )
    coded = russia.load_principals_coded(path)
    assert coded["foreign_principal"].tolist() == ['Acme, "Ltd"', "Jane Doe"]
    assert coded["type"].tolist() == ["private company or association", "unclear"]


@pytest.mark.parametrize(
    "body, message",
    [
        ("Acme,state firm,why\n", r"line 2, column type: 'state firm': not one of"),
        ("Acme,unclear,\n", r"line 2, column justification: '': required, but blank"),
        (",unclear,why\n", r"line 2, column foreign_principal: '': required, but blank"),
        (
            "Acme,unclear,why\nBeta,unclear,why\nAcme,state media,why\n",
            r"line 4, column foreign_principal: 'Acme': coded twice",
        ),
        ("Acme,unclear\n", r"line 2: expected 3 fields, got 2"),
        ('"Multi\nline",unclear,why\nAcme,bogus,why\n', r"line 4, column type"),
    ],
)
def test_load_principals_coded_names_file_line_and_column(tmp_path, body, message):
    path = write(tmp_path, "foreign_principal,type,justification\n" + body)
    with pytest.raises(russia.CodingError, match=re.escape(str(path)) + ", " + message):
        russia.load_principals_coded(path)


def test_load_principals_coded_rejects_a_wrong_header(tmp_path):
    path = write(tmp_path, "name,type,justification\nAcme,unclear,why\n")
    with pytest.raises(russia.CodingError, match="line 1: header must be"):
        russia.load_principals_coded(path)


# ---- USSR rule and coding ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, kind",
    [
        ("Nacionalno Trudovoy Soyuz (NTS)", "opposition or exile group"),
        ("His Imperial Highness The Grand Duke Wladimir of Russia", "opposition or exile group"),
        ("Pravda", "state media"),
        ("Embassy of the U.S.S.R. (Soviet Life Magazine)", "state media"),
        ("Mezhdunarodnaya Kniga", "state media"),
        ("V/O Sojuzpushnina", "state body or state-owned company"),
        ("Embassy of the Union of Soviet Socialist Republics", "state body or state-owned company"),
        ("Intourist, Ltd.", "state body or state-owned company"),
        ("Prime Minister of Ukranian SSR - Vitold P. Fokin", "state body or state-owned company"),
        ("Deborah Katz", "unclear"),
    ],
)
def test_ussr_rule(name, kind):
    assert russia.ussr_type(name) == kind


def test_code_principals_uses_codebook_rule_and_flags_new_names():
    coded = pd.DataFrame(
        {
            "foreign_principal": ["Known Bank"],
            "type": ["state body or state-owned company"],
            "justification": ["x"],
        }
    )
    rows = pd.DataFrame(
        {
            "foreign_principal": ["Known Bank ", "Sergei Chemezov", "Pravda", "Toyota"],
            "country": ["RUSSIA", "RUSSIA", "USSR", "JAPAN"],
        }
    )
    out = russia.code_principals(rows, coded)
    assert out["type"].tolist() == [
        "state body or state-owned company",
        russia.NOT_YET_CODED,
        "state media",
    ]


# ---- competition_rank ---------------------------------------------------------------------------


def test_competition_rank_ties_share_a_rank():
    counts = {"A": 10, "B": 5, "C": 5, "D": 3}
    assert [russia.competition_rank(counts, k) for k in "ABCD"] == [1, 2, 2, 4]


def test_competition_rank_unknown_label():
    with pytest.raises(KeyError, match="'RUSSIA' is not among the 1 labels"):
        russia.competition_rank({"JAPAN": 56}, "RUSSIA")


@given(
    st.dictionaries(st.text(min_size=1, max_size=4), st.integers(0, 60), min_size=1, max_size=30)
)
def test_competition_rank_matches_pandas_min_rank(counts):
    expected = pd.Series(counts).rank(method="min", ascending=False).astype(int)
    for label in counts:
        assert russia.competition_rank(counts, label) == expected[label]


# ---- share_by_type ----------------------------------------------------------------------------


def test_share_by_type_keeps_every_type_and_sums_to_one():
    rows = pd.DataFrame(
        {
            "type": ["state media", "state media", "unclear", russia.NOT_YET_CODED],
            "year": [2020, 2020, 2021, 2021],
        }
    )
    overall = russia.share_by_type(rows)
    assert overall["type"].tolist() == [*russia.TYPES, russia.NOT_YET_CODED]
    assert overall.set_index("type").loc["state media", "share"] == 0.5
    by_year = russia.share_by_type(rows, by="year")
    assert len(by_year) == 2 * (len(russia.TYPES) + 1)
    assert by_year.groupby("year")["share"].sum().round(9).tolist() == [1.0, 1.0]
    assert by_year.query("year == 2021 and type == 'unclear'")["rows"].item() == 1


def test_share_by_type_of_nothing_is_zero():
    table = russia.share_by_type(pd.DataFrame({"type": pd.Series([], dtype=object)}))
    assert table["rows"].sum() == 0 and table["share"].sum() == 0


# ---- exodus_table on small frames -------------------------------------------------------------


def frame(rows):
    out = pd.DataFrame(
        rows,
        columns=[
            "registration_number",
            "registrant_name",
            "foreign_principal",
            "country",
            "principal_registered",
            "principal_terminated",
        ],
    )
    for column in ("principal_registered", "principal_terminated"):
        out[column] = pd.to_datetime(out[column])
    return out


def test_exodus_table_marks_backdating_and_survivors():
    before = frame(
        [
            (1, "Firm A", "Stays", "RUSSIA", "2020-01-01", None),
            (2, "Firm B", "Leaves", "RUSSIA", "2020-01-01", None),
            (3, "Firm C", "Backdated", "RUSSIA", "2020-01-01", None),
            (4, "Firm D", "Other", "JAPAN", "2020-01-01", None),
        ]
    )
    after = frame(
        [
            (1, "Firm A", "Stays", "RUSSIA", "2020-01-01", None),
            (2, "Firm B", "Leaves", "RUSSIA", "2020-01-01", "2022-02-25"),
            (3, "Firm C", "Backdated", "RUSSIA", "2020-01-01", "2021-09-30"),
            (4, "Firm D", "Other", "JAPAN", "2020-01-01", "2022-03-01"),
        ]
    )
    current = frame([(3, "Firm C", "Backdated (renamed)", "RUSSIA", "2020-01-01", "2021-09-30")])
    table = russia.exodus_table(
        before, "2022-02-23", after, "2022-03-31", current=current
    ).set_index("foreign_principal")
    assert list(table.columns) == russia.EXODUS_COLUMNS[:2] + russia.EXODUS_COLUMNS[3:]
    assert table["active_2022_02_23"].all() and len(table) == 3
    assert table["active_2022_03_31"].to_dict() == {
        "Stays": True,
        "Backdated": False,
        "Leaves": False,
    }
    assert table.loc["Backdated", "days_backdated"] == 146
    assert table.loc["Leaves", "days_backdated"] == 0
    assert pd.isna(table.loc["Stays", "days_backdated"])
    assert table.loc["Backdated", "name_in_current_file"] == "Backdated (renamed)"


EXODUS_ROW = "1,Firm,Name,RUSSIA,2020-01-01,true,false,2022-02-25,1,Name"


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("active_2022_02_23", "yes", "'yes': not one of ['true', 'false']"),
        ("principal_registered", "2020-02-30", "not an ISO date"),
        ("days_backdated", "-3", "not a whole number"),
        ("registrant_name", "", "required, but blank"),
    ],
)
def test_load_exodus_names_file_line_and_column(tmp_path, field, value, message):
    path = tmp_path / "exodus.csv"
    record = dict(zip(russia.EXODUS_COLUMNS, EXODUS_ROW.split(","), strict=True))
    good = ",".join(record.values())
    record[field] = value
    path.write_text(
        ",".join(russia.EXODUS_COLUMNS) + f"\n{good}\n" + ",".join(record.values()) + "\n",
        encoding="utf-8",
    )
    with pytest.raises(russia.CodingError) as caught:
        russia.load_exodus(path)
    assert str(caught.value).startswith(f"{path}, line 3, column {field}: ")
    assert message in str(caught.value)


def test_load_exodus_types_a_valid_file(tmp_path):
    path = tmp_path / "exodus.csv"
    path.write_text(",".join(russia.EXODUS_COLUMNS) + f"\n{EXODUS_ROW}\n", encoding="utf-8")
    table = russia.load_exodus(path)
    assert table["active_2022_02_23"].tolist() == [True]
    assert table["active_2022_03_31"].tolist() == [False]
    assert table["principal_terminated"].tolist() == [pd.Timestamp("2022-02-25")]
    assert table["days_backdated"].tolist() == [1]


# ---- this chapter's exercise master --------------------------------------------------------

MASTER = paths.EXERCISES_DIR / "russia-in-washington.ipynb"


def test_master_has_five_autograded_and_two_open_questions():
    table = exercises.question_table(MASTER)
    auto, manual = table[table["kind"] == "auto"], table[table["kind"] == "manual"]
    assert len(auto) >= 5 and len(manual) == 2
    assert auto["points"].sum() == 15


def test_master_reads_the_principals_the_coding_and_the_yearly_series():
    assert exercises.assignment_config(MASTER)["files"] == [
        "data/fara/foreign_principals.csv",
        "data/russia/principals_coded.csv",
        "data/fara/active_by_country_year.csv",
    ]


def test_master_needs_only_pandas_altair_and_otter():
    from tests.test_exercises import master_imports

    assert master_imports(MASTER) <= {"pandas", "altair", "numbers"}


# ---- the committed data ------------------------------------------------------------------------


def test_codebook_covers_every_russia_name_in_the_2025_04_10_file():
    need_shared(BULK_2025)
    raw = fara.read_bulk(BULK_2025, "principals").frame
    names = set(raw.loc[raw["country"].str.strip() == "RUSSIA", "foreign_principal"].str.strip())
    coded = russia.load_principals_coded()
    assert len(names) == 235
    assert set(coded["foreign_principal"]) == names


def test_committed_coding_is_complete_for_the_committed_data():
    principals = fara.load_principals()
    coded_rows = russia.code_principals(principals)
    russian = coded_rows[coded_rows["country"] == "RUSSIA"]
    uncoded = sorted(set(russian.loc[russian["type"] == russia.NOT_YET_CODED, "foreign_principal"]))
    if fara.load_datapackage()["snapshot_date"] == "2025-04-10":
        assert uncoded == []
    assert set(coded_rows["type"]) <= {*russia.TYPES, russia.NOT_YET_CODED}
    ussr = coded_rows[coded_rows["country"] == "USSR"]
    assert len(ussr) > 0 and ussr["type"].isin(russia.TYPES).all()


def test_active_rows_on_the_snapshot_are_coded_as_documented():
    principals = fara.load_principals()
    if fara.load_datapackage()["snapshot_date"] != "2025-04-10":
        pytest.skip("figures below belong to the 2025-04-10 snapshot")
    now = fara.active_on("2025-04-10", russia.code_principals(principals))
    assert dict(zip(now["foreign_principal"], now["type"])) == {
        "Union of oil and Gas Producers of Russia": "private company or association",
        "Eduard Khudainatov": "individual facing sanctions or legal action",
        "Congress of People's Deputies": "opposition or exile group",
        "Roman Arkadyevich Abramovich": "individual facing sanctions or legal action",
    }


def test_committed_exodus_facts():
    table = russia.load_exodus()
    assert int(table["active_2022_02_23"].sum()) == 11
    assert int(table["active_2022_03_31"].sum()) == 4
    ended = table[table["active_2022_02_23"] & ~table["active_2022_03_31"]]
    assert len(ended) == 7
    in_week = ended["principal_terminated"].between("2022-02-22", "2022-02-28")
    assert int(in_week.sum()) == 6
    tenex = ended[~in_week]
    assert tenex["foreign_principal"].tolist() == ["TENEX, Joint Stock Company"]
    assert tenex["principal_terminated"].dt.strftime("%Y-%m-%d").tolist() == ["2021-09-30"]
    assert (table["name_in_current_file"] != "").all()


def test_exodus_script_reproduces_the_committed_table(tmp_path):
    for day in ("2022-02-23", "2022-03-31"):
        need_shared(FARA_SHARED / f"fara-history_{day}")
    out = tmp_path / "exodus.csv"
    proc = subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "russia_exodus_2022.py"),
            "--shared",
            str(paths.SHARED_DIR),
            "--out",
            str(out),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert "11 active on 2022-02-23, 4 on 2022-03-31" in proc.stdout
    assert out.read_bytes() == russia.exodus_path().read_bytes()


def test_exodus_script_fails_clearly_without_snapshots(tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "russia_exodus_2022.py"),
            "--shared",
            str(tmp_path),
            "--out",
            str(tmp_path / "x.csv"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "fara-history_2022-02-23" in proc.stderr and not (tmp_path / "x.csv").exists()


# ---- the executed chapter: glued figures equal the FARA facts ----------------------------------

FARA_FACTS_2025_04_10 = {
    "active_russia": 4,
    "active_japan": 56,
    "active_saudi_arabia": 43,
    "active_qatar": 27,
    "active_united_arab_emirates": 24,
    "active_ukraine": 23,
    "active_china": 16,
    "active_israel": 13,
    "exodus_before": 11,
    "exodus_after": 4,
    "exodus_terminated": 7,
    "exodus_near": 6,
    "exodus_near_first": "22 February 2022",
    "exodus_near_last": "28 February 2022",
    "backdated_name": "TENEX, Joint Stock Company",
    "backdated_date": "30 September 2021",
    "abramovich_registrant": "Kobre & Kim LLP",
    "snapshot_date": "10 April 2025",
}


@pytest.fixture(scope="module")
def book(built_book):
    assert built_book.returncode == 0, built_book.log[-6000:]
    return built_book


@pytest.fixture(scope="module")
def glued(book):
    """The values the chapter glued in the suite's one book build (myst-nb's glue file)."""
    return glued_values(book.root, "chapters/russia-in-washington")


@pytest.mark.slow
def test_glued_figures_equal_the_fara_facts(glued):
    if fara.load_datapackage()["snapshot_date"] != "2025-04-10":
        pytest.skip("the asserted facts belong to the 2025-04-10 snapshot")
    assert {key: glued.get(key) for key in FARA_FACTS_2025_04_10} == FARA_FACTS_2025_04_10


@pytest.mark.slow
def test_glued_rank_is_the_competition_rank_of_the_data(glued):
    active = fara.active_on(fara.load_datapackage()["snapshot_date"], fara.load_principals())
    counts = active["country"].str.strip().value_counts()
    assert glued["russia_rank"] == 1 + int((counts > counts["RUSSIA"]).sum())
    assert glued["labels_above_russia"] + 1 == glued["russia_rank"]


# ---- the built page: this chapter's charts, links and figures ----------------------------------


@pytest.fixture(scope="module")
def page_html(book):
    return (book.html / "chapters" / "russia-in-washington.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_the_four_charts_use_the_chart_helpers(page_html):
    specs = chart_specs(page_html)
    assert len(specs) == 4
    for spec in specs:
        assert spec["width"] == "container", spec["title"]
        assert spec["title"]["subtitle"] and spec["description"]
    focus = [s for s in specs if charts.HIGHLIGHT in json.dumps(s.get("encoding", s))]
    assert focus, "no chart marks the series in focus with the highlight colour"


@pytest.mark.slow
def test_page_links_the_student_files_and_glues_the_figures(page_html):
    assert 'href="../exercises/russia-in-washington.zip"' in page_html
    assert 'href="../exercises/russia-in-washington.ipynb"' in page_html
    assert 'Russia had <span class="pasted-text">4</span>' in page_html


def test_coding_rules_from_the_codebook_hold_in_the_committed_file():
    coded = russia.load_principals_coded().set_index("foreign_principal")
    # Loyal "systemic" parties are not opposition; exile assemblies are (codebook rules 1 and 2).
    assert (
        coded.loc["Liberal Democratic Party of Russia", "type"]
        == "political party or civil society"
    )
    assert coded.loc["Congress of People's Deputies", "type"] == "opposition or exile group"
    # ICLP's only state link in the data is the VEB.RF contracts it channelled.
    assert coded.loc["International Centre for Legal Protection", "type"] == "unclear"
    assert coded.loc["Deripaska, Oleg", "justification"].startswith("Inferred")
    # A type resting on an address, a date or a presumption says so.
    hints = coded["justification"].str.contains(
        r"\baddress is|\bpresumed\b|purpose inferred", case=False
    )
    assert coded.loc[hints, "justification"].str.startswith("Inferred").all()
    assert set(russia.STATE_TYPES) <= set(russia.TYPES) and russia.INDIVIDUAL_TYPE in russia.TYPES


# ---- the chapter's figures and charts (moved out of the page) ---------------------------------


def test_rank_table_keeps_labels_at_or_above_russia_with_competition_ranks():
    by_label = pd.Series({"JAPAN": 9, "CHINA": 5, "RUSSIA": 5, "PERU": 5, "QATAR": 2})
    table = russia.rank_table(by_label).set_index("country")
    assert list(table.index) == ["JAPAN", "CHINA", "RUSSIA", "PERU"]  # QATAR below Russia
    assert table["rank"].to_dict() == {"JAPAN": 1, "CHINA": 2, "RUSSIA": 2, "PERU": 2}
    assert table.loc["JAPAN", "group"] == "The article's comparison set"
    assert table.loc["CHINA", "group"] == "Context (China, Israel)"
    assert table.loc["PERU", "group"] == "Other labels"
    assert table.loc["RUSSIA", "group"] == "Russia"


def test_yearly_series_adds_soviet_rows_to_russia_and_dates_the_last_year():
    yearly = pd.DataFrame(
        {
            "country_normalized": ["USSR", "RUSSIA", "RUSSIA", "JAPAN", "CHINA"],
            "year": [1990, 1990, 2025, 2025, 2025],
            "active": [4, 3, 6, 9, 8],
        }
    )
    snapshot = pd.Timestamp("2025-04-10")
    series = russia.yearly_series(yearly, snapshot, 1990).set_index(["country", "year"])
    assert series.loc[("RUSSIA", 1990), "active"] == 7  # USSR and RUSSIA labels together
    assert series.loc[("RUSSIA", 2025), "date"] == snapshot
    assert series.loc[("RUSSIA", 1990), "date"] == pd.Timestamp("1990-12-31")
    assert "CHINA" not in series.index.get_level_values("country")
    assert series.loc[("RUSSIA", 1990), "line"] == "Russia (USSR before 1992)"


def test_year_range_and_state_rows_in_year():
    series = pd.DataFrame(
        {"line": ["A", "A", "B", "B"], "year": [2001, 2002, 2001, 2002], "active": [3, 5, 4, 4]}
    )
    assert russia.year_range(series, 2001, 2002) == {"A": "3–5", "B": "4"}
    over_time = pd.DataFrame(
        {
            "year": [2021, 2021, 2021, 2022],
            "type": ["state media", "unclear", "state body or state-owned company", "unclear"],
            "rows": [2, 3, 1, 7],
        }
    )
    assert russia.state_rows_in_year(over_time, 2021) == (3, 6)


def test_state_client_reads_russian_rows_and_names_a_missing_one():
    principals = pd.DataFrame(
        {
            "country": ["RUSSIA", "UKRAINE"],
            "foreign_principal": ["Gazprom Export", "Gazprom Export"],
            "registrant_name": ["Ketchum, Inc.", "Ketchum, Inc."],
            "principal_registered": pd.to_datetime(["2006-07-01", "2010-01-01"]),
            "principal_terminated": pd.to_datetime(["2015-03-31", "2012-01-01"]),
        }
    )
    row, years = russia.state_client(principals, "Gazprom Export", "Ketchum")
    assert years == "2006–2015" and row["country"] == "RUSSIA"
    with pytest.raises(ValueError, match="Alston"):
        russia.state_client(principals, "Gazprom Export", "Alston")


def test_the_chapters_charts_have_titles_descriptions_and_tooltips():
    snapshot = pd.Timestamp("2025-04-10")
    by_label = pd.Series({"JAPAN": 9, "RUSSIA": 5})
    ended = pd.DataFrame(
        {
            "name_in_current_file": ["A", "B"],
            "registrant_name": ["R1", "R2"],
            "principal_terminated": pd.to_datetime(["2022-02-25", "2021-06-01"]),
            "days_backdated": [0, 267],
        }
    )
    over_time = pd.DataFrame(
        {"year": [2020], "type": ["state media"], "rows": [2], "share": [1.0], "total": [2]}
    )
    series = russia.yearly_series(
        pd.DataFrame({"country_normalized": ["RUSSIA"], "year": [1991], "active": [3]}),
        snapshot,
        1990,
    )
    for chart in [
        russia.rank_chart(by_label, snapshot),
        russia.yearly_chart(series, 1990),
        russia.termination_chart(ended, pd.Timestamp("2022-02-24")),
        russia.type_share_chart(over_time),
    ]:
        spec = chart.to_dict()
        assert spec["title"]["text"] and spec["description"]
        assert "tooltip" in json.dumps(spec)


def test_rows_naming_matches_whole_words_in_principal_or_registrant():
    frame = pd.DataFrame(
        {
            "foreign_principal": ["Sberbank of Russia", "Radiodiffusion Francaise", "Other"],
            "registrant_name": ["Firm A", "Fusionist LLC", "Nord  Stream Advisers"],
            "country": ["RUSSIA", "FRANCE", "GERMANY"],
        }
    )
    found = russia.rows_naming(frame, ["Sberbank", "Fusion", "Nord Stream", "Butina"])
    assert found.set_index("name")["rows"].to_dict() == {
        "Sberbank": 1,
        "Fusion": 0,  # "Radiodiffusion" and "Fusionist" are not the word
        "Nord Stream": 1,  # any whitespace between the words
        "Butina": 0,
    }
    assert found.loc[found["name"] == "Sberbank", "countries"].item() == "RUSSIA"


def test_no_documented_unregistered_case_appears_in_the_committed_fara_file():
    principals = fara.load_principals()
    for names in russia.UNREGISTERED_CASES.values():
        assert russia.rows_naming(principals, names)["rows"].sum() == 0, names
