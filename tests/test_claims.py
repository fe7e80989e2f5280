"""course.claims: the claims ledger's data, its evidence functions, and ``claims check``."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from course import claims, fara, paths
from course.chapters import russia_in_washington as russia
from course.datasets import tables
from tests.conftest import need_shared

REPO = Path(__file__).resolve().parent.parent
FARA_FLIP = {"fara-shallow-today", "comparators-lobby-more", "individual-sanctions-today"}


@pytest.fixture(scope="module")
def ledger() -> pd.DataFrame:
    return claims.load_claims()


@pytest.fixture
def data_copy(tmp_path) -> Path:
    """A private copy of the committed data/ (same layout), for tests that change it."""
    target = tmp_path / "data"
    shutil.copytree(paths.DATA_DIR, target)
    return target


def run_check(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "course", "claims", "check", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


# ---- the ledger itself --------------------------------------------------------------------------


def test_ledger_has_the_contract_columns_and_10_to_15_claims(ledger):
    header = (REPO / "data" / "claims.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",") == list(claims.COLUMNS)
    assert 10 <= len(ledger) <= 15
    assert set(ledger["section"]) <= set(claims.SECTIONS)
    assert set(ledger["section"]) == set(claims.SECTIONS), "every chapter teaches some claim"


def test_every_testable_claim_has_an_evidence_function_and_no_function_is_orphaned(ledger):
    testable = set(ledger.loc[ledger["testable"] != "no", "claim_id"])
    assert testable == set(claims.EVIDENCE)
    assert set(ledger.loc[ledger["testable"] == "no", "verdict"]) == {claims.NOT_TESTABLE}


def test_every_testable_claim_has_a_test_in_this_module(ledger):
    source = Path(__file__).read_text(encoding="utf-8")
    for function in claims.EVIDENCE.values():
        assert f"def test_{function.__name__}" in source, function.__name__


@pytest.mark.parametrize("claim_id", sorted(claims.EVIDENCE))
def test_committed_verdict_is_the_computed_one(ledger, claim_id):
    found = claims.EVIDENCE[claim_id]()
    recorded = ledger.set_index("claim_id").loc[claim_id, "verdict"]
    assert found.verdict == recorded, found.figures_text()
    assert found.rule and found.figures


def test_claims_are_paraphrased_not_copied_from_the_article(ledger):
    path = need_shared(paths.SHARED_DIR / "article" / "trumputin-pact.txt")
    article = path.read_text(encoding="utf-8")
    words = article.lower().split()
    runs = {" ".join(words[i : i + 6]) for i in range(len(words) - 5)}
    for text in ledger["claim"]:
        mine = text.lower().split()
        copied = [" ".join(mine[i : i + 6]) for i in range(len(mine) - 5)]
        assert not runs.intersection(copied), text


@pytest.mark.parametrize(
    "edit, line, column",
    [
        (lambda rows: rows[1].__setitem__(6, "mostly true"), 2, "verdict"),
        (lambda rows: rows[2].__setitem__(0, rows[1][0]), 3, "claim_id"),
        (lambda rows: rows[3].__setitem__(4, "no"), 4, "verdict"),
        (lambda rows: rows[5].__setitem__(1, "chapter-9"), 6, "section"),
    ],
)
def test_a_bad_claims_row_is_refused_with_file_line_and_column(tmp_path, edit, line, column):
    with (REPO / "data" / "claims.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    edit(rows)
    path = tmp_path / "claims.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    with pytest.raises(tables.TableError) as err:
        claims.load_claims(path)
    assert (err.value.line, err.value.column) == (line, column)
    assert "claims.csv" in str(err.value)


def test_every_codebook_type_has_a_meaning():
    # Fails when the codebook renames or splits a type: add the new name to TYPE_MEANING.
    for kind in russia.TYPES:
        assert claims.type_meaning(kind) in {
            claims.STATE,
            claims.INDIVIDUAL,
            claims.NON_STATE,
            claims.UNCLEAR,
        }
    with pytest.raises(claims.ClaimsError, match="TYPE_MEANING"):
        claims.type_meaning("no such type")


# ---- FARA evidence ------------------------------------------------------------------------------


def add_russian_rows(data_dir: Path, count: int, registered: str = "2025-01-15") -> None:
    """Append ``count`` Russian principal rows, active on the snapshot date, in the file's format."""
    path = data_dir / "fara" / "foreign_principals.csv"
    with path.open("a", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        for number in range(count):
            writer.writerow(
                [9900 + number, "Test Advocacy, LLC", f"Test principal {number}", "RUSSIA",
                 "RUSSIA", registered, "", "2025-01-10", "Moscow", "", ""]
            )  # fmt: skip
    fara.clear_cache()


def test_fara_shallow_today():
    found = claims.fara_shallow_today()
    snapshot = claims.snapshot_date()
    active = fara.active_on(snapshot, fara.load_principals())
    russian = int((active["country"].str.strip() == "RUSSIA").sum())
    assert found.figures["russia_active"] == russian
    assert found.figures["russia_share"] == pytest.approx(russian / len(active))
    assert found.figures["russia_active"] < found.figures["comparison_min"]
    assert found.verdict == claims.SUPPORTED


def test_comparators_lobby_more(data_copy):
    found = claims.comparators_lobby_more()
    assert found.figures["named"] == 6 and found.verdict == claims.PARTLY
    # The named country with fewest rows decides: give Russia half of that and the rule fails.
    add_russian_rows(
        data_copy, found.figures["named_min"] // 2 + 1 - found.figures["russia_active"]
    )
    assert claims.comparators_lobby_more(data_copy).verdict == claims.NOT_SUPPORTED


def test_fara_always_low():
    found = claims.fara_always_low()
    yearly = fara.load_active_by_country_year()
    russia_yearly = yearly[(yearly["country_normalized"] == "RUSSIA") & (yearly["year"] >= 1992)]
    # Computed from the principal rows, it agrees with the committed yearly table.
    assert found.figures["russia_max"] == russia_yearly["active"].max()
    assert found.figures["years"] == len(russia_yearly)
    assert 0.5 <= found.figures["years_below_median"] / found.figures["years"] < 1
    assert found.verdict == claims.PARTLY


def test_state_principals_few(data_copy):
    found = claims.state_principals_few()
    assert found.figures["names"] == len(russia.load_principals_coded())
    assert found.verdict == claims.NOT_SUPPORTED
    # Recode every state principal as private: the same rule then supports the claim.
    path = data_copy / "russia" / "principals_coded.csv"
    coded = russia.load_principals_coded(path)
    state = coded["type"].map(claims.type_meaning) == claims.STATE
    coded.loc[state, "type"] = "private company or association"
    coded.to_csv(path, index=False)
    recoded = claims.state_principals_few(data_copy)
    assert recoded.figures["state_names"] == 0 and recoded.verdict == claims.SUPPORTED


def test_individual_sanctions_today():
    found = claims.individual_sanctions_today()
    assert found.figures["state_rows"] == 0
    assert found.figures["individual_share"] >= 0.5
    # Chemezov and Brovko registered after the committed snapshot.
    assert found.figures["named_on_file"] == 2
    assert found.verdict == claims.PARTLY


def test_rt_2017():
    found = claims.rt_2017()
    assert found.figures["first_rt_registration"].year == 2017
    assert found.figures["first_rt_registrant"].startswith("T&R Productions")
    assert found.verdict == claims.SUPPORTED


def test_sixty_more_russian_rows_flip_exactly_the_fara_footprint_claims(data_copy):
    add_russian_rows(data_copy, 60)
    table = claims.check(data_copy).set_index("claim_id")
    assert set(table.index[~table["agrees"]]) == FARA_FLIP
    assert table.loc["fara-shallow-today", "computed"] == claims.NOT_SUPPORTED


# ---- oral history and timeline evidence ---------------------------------------------------------


def test_over_30_interviews(data_copy):
    found = claims.over_30_interviews()
    assert found.verdict == claims.NOT_TESTABLE and found.figures["listed"] < 31
    path = data_copy / "oral_history" / "interviewees.csv"
    people = pd.read_csv(path, dtype=str, keep_default_na=False)
    listed = people[people["in_collection"] == "confirmed"].iloc[[0]]
    extra = pd.concat([listed.assign(name=f"Person {i}") for i in range(31)])
    pd.concat([people, extra]).to_csv(path, index=False)
    assert claims.over_30_interviews(data_copy).verdict == claims.SUPPORTED


def test_witnesses_agree_warmth(data_copy):
    found = claims.witnesses_agree_warmth()
    assert found.figures["us_speakers"] >= 1 and found.figures["russian_speakers"] >= 1
    assert found.verdict == claims.PARTLY
    path = data_copy / "oral_history" / "explanations.csv"
    rows = pd.read_csv(path, dtype=str, keep_default_na=False)
    chemistry = rows["factor"] == "personal chemistry"
    rows.loc[chemistry, "basis"] = "transcript"
    rows.to_csv(path, index=False)
    assert claims.witnesses_agree_warmth(data_copy).verdict == claims.SUPPORTED
    rows.loc[chemistry, "stance"] = "limited_effect"
    rows.to_csv(path, index=False)
    assert claims.witnesses_agree_warmth(data_copy).verdict == claims.NOT_SUPPORTED


def events(*rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["date", "kind", "score"])
    return frame.assign(date=pd.to_datetime(frame["date"]))


def test_warmth_then_erosion_rule():
    warm_then_worse = events(
        ("2001-01-01", "meeting", 2), ("2001-06-01", "clash", -2),
        ("2001-07-01", "meeting", 1), ("2002-01-01", "agreement", 1), ("2002-06-01", "clash", -1),
    )  # fmt: skip
    arc = claims.warmth_then_erosion(warm_then_worse)
    assert arc["first_clash"] == pd.Timestamp("2001-06-01")
    assert (arc["before_clash"], arc["contacts_after"], arc["substance_after"]) == (2, 1, -2)
    assert arc["holds"]
    recovered = warm_then_worse.assign(score=[2, -2, 1, 3, -1])
    assert not claims.warmth_then_erosion(recovered)["holds"]
    cold_start = warm_then_worse.assign(score=[-1, -2, 1, 1, -1])
    assert not claims.warmth_then_erosion(cold_start)["holds"]
    assert not claims.warmth_then_erosion(warm_then_worse.assign(kind="meeting"))["holds"]


def test_bush_warmth_then_clash():
    found = claims.bush_warmth_then_clash()
    assert found.figures["first_clash"] == pd.Timestamp("2001-12-13")  # the ABM notice
    assert found.figures["before_clash"] > 0 and found.figures["substance_after"] < 0
    assert found.verdict == claims.PARTLY


def test_bush_milestones(data_copy):
    # Both events on file: as far as data can go, since what they proved is a judgement.
    assert claims.bush_milestones().verdict == claims.PARTLY
    path = data_copy / "timeline" / "events.csv"
    rows = pd.read_csv(path, dtype=str, keep_default_na=False)
    rows = rows[~rows["date"].str.startswith("2007-02")]
    rows.to_csv(path, index=False)
    found = claims.bush_milestones(data_copy)
    assert found.figures["clash_2007_02"] is False and found.verdict == claims.NOT_SUPPORTED


def test_trump_repeats_pattern():
    found = claims.trump_repeats_pattern()
    assert found.figures["term_2017_first_clash"].year == 2017
    assert found.figures["term_2025_first_clash"].year == 2025
    assert found.verdict == claims.PARTLY


# ---- the command -------------------------------------------------------------------------------


def test_claims_check_exits_0_on_the_committed_data():
    done = run_check()
    assert done.returncode == 0, done.stderr
    for claim_id in claims.load_claims()["claim_id"]:
        assert claim_id in done.stdout
    assert "russia_active=" in done.stdout


def test_claims_check_exits_1_and_names_the_flipped_claims(data_copy):
    add_russian_rows(data_copy, 60)
    done = run_check("--data", str(data_copy))
    assert done.returncode == 1, done.stdout + done.stderr
    named = done.stderr.rsplit(":", 1)[1]
    assert {name.strip() for name in named.split(",")} == FARA_FLIP


@pytest.mark.parametrize(
    "command, message",
    [
        (["claims", "check", "--data", "/no/such/folder"], "no such data folder"),
        (["claims", "check", "--bogus"], "unrecognized arguments"),
        (["claims", "verify"], "invalid choice"),
        (["claims", "check", "--data"], "expected one argument"),
    ],
)
def test_claims_check_usage_errors_exit_2(command, message):
    done = subprocess.run(
        [sys.executable, "-m", "course", *command], cwd=REPO, capture_output=True, text=True
    )
    assert done.returncode == 2
    assert message in done.stderr


def test_claims_check_exits_2_naming_a_bad_file_under_the_data_root(data_copy):
    coded = data_copy / "russia" / "principals_coded.csv"
    coded.write_text(coded.read_text(encoding="utf-8") + "Acme,no such type,why\n", "utf-8")
    done = run_check("--data", str(data_copy))
    assert done.returncode == 2
    assert str(coded) in done.stderr and "column type" in done.stderr
    shutil.rmtree(data_copy / "timeline")
    coded.write_text("", encoding="utf-8")
    assert run_check("--data", str(data_copy)).returncode == 2


def test_claims_check_exits_2_on_a_bad_or_incomplete_ledger(data_copy):
    path = data_copy / "claims.csv"
    text = path.read_text(encoding="utf-8")
    rows = list(csv.reader(text.splitlines()))
    rows[-1][0], rows[-1][4], rows[-1][6] = "new-claim", "yes", "supported"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    done = run_check("--data", str(data_copy))
    assert done.returncode == 2
    assert "'new-claim'" in done.stderr and "no evidence function" in done.stderr
    path.unlink()
    done = run_check("--data", str(data_copy))
    assert done.returncode == 2 and "claims.csv: missing" in done.stderr


def test_every_claim_is_linked_from_the_chapter_that_teaches_it():
    ledger = claims.load_claims()
    for claim_id, section in zip(ledger["claim_id"], ledger["section"]):
        page = (REPO / "chapters" / f"{section}.md").read_text(encoding="utf-8")
        assert f"<ledger-{claim_id}>" in page, f"chapters/{section}.md does not link {claim_id}"
