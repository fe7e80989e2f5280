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
# "today" is judged on the dated list of 1 October 2025, so rows added to the April file leave
# individual-sanctions-today alone.
FARA_FLIP = {"fara-shallow-today", "comparators-lobby-more"}


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


def test_ledger_has_the_contract_columns_and_at_least_10_claims(ledger):
    # The ledger is "every checkable claim" (issue 23), so there is no upper bound.
    header = (REPO / "data" / "claims.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",") == list(claims.COLUMNS)
    assert len(ledger) >= 10
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


def post_1991_russian_names() -> set[str]:
    rows = fara.load_principals()
    rows = rows[
        (rows["country"].str.strip() == "RUSSIA") & (rows["principal_registered"].dt.year >= 1992)
    ]
    return set(rows["foreign_principal"].str.strip())


def test_state_interest_coding_covers_every_post_1991_name_and_is_not_ownership():
    coding = claims.load_state_interest()
    assert set(coding["foreign_principal"]) == post_1991_russian_names()
    owned = russia.load_principals_coded().set_index("foreign_principal")["type"]
    interest = coding.set_index("foreign_principal")["state_interest"]
    # State-owned, but their registered work is not the state's policy: coded no.
    for name in ("Moscow State University", "National Library of Russia", "Kurchatov Institute"):
        assert claims.type_meaning(owned[name]) == claims.STATE and interest[name] == "no"
    # A government body and state media serve the state under both codings.
    for name in ("Russian Federation", "ANO TV-Novosti"):
        assert interest[name] == "yes"
    differ = sum(
        (claims.type_meaning(owned[n]) == claims.STATE) != (v == "yes") for n, v in interest.items()
    )
    assert differ >= 10, "the state-interest coding must not be a copy of the ownership coding"


def test_a_bad_state_interest_row_is_refused_with_file_line_and_column(tmp_path):
    path = tmp_path / "state_interest.csv"
    text = (REPO / "data" / "russia" / "state_interest.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    name, _, rest = lines[3].partition(",yes,") if ",yes," in lines[3] else (None, None, None)
    lines[3] = (
        lines[3]
        .replace(",no,", ",maybe,")
        .replace(",yes,", ",maybe,")
        .replace(",unclear,", ",maybe,")
    )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(tables.TableError) as err:
        claims.load_state_interest(path)
    assert (err.value.line, err.value.column) == (4, "state_interest")
    assert "state_interest.csv" in str(err.value)


def test_state_principals_few(data_copy):
    found = claims.state_principals_few()
    # Post-1991 names only: Soviet-era rows filed under RUSSIA are left out.
    assert found.figures["names"] == len(post_1991_russian_names())
    assert found.figures["names"] < len(russia.load_principals_coded())
    # The count reading, recomputed here: state-interest rows active at each year-end.
    coding = claims.load_state_interest().set_index("foreign_principal")["state_interest"]
    rows = fara.load_principals()
    rows = rows[
        (rows["country"].str.strip() == "RUSSIA") & (rows["principal_registered"].dt.year >= 1992)
    ]
    interest = rows[rows["foreign_principal"].str.strip().map(coding) == "yes"]
    snapshot = claims.snapshot_date()
    counts = [
        len(fara.active_on(min(pd.Timestamp(f"{year}-12-31"), snapshot), interest))
        for year in range(1992, snapshot.year + 1)
    ]
    assert found.figures["years"] == len(counts)
    assert found.figures["max_state_interest_rows"] == max(counts)
    assert found.figures["handful_years"] == sum(c <= claims.HANDFUL for c in counts)
    # The share reading, recomputed: state-interest names among post-1991 names.
    names = coding[coding.index.isin(post_1991_russian_names())]
    assert found.figures["state_interest_share"] == pytest.approx((names == "yes").mean())
    # Why the verdict reads a share: the count reading would hold in most years whatever the
    # coding, because Russia had few rows at all.
    assert found.figures["handful_years_any_coding"] >= found.figures["years"] / 2
    assert found.figures["handful_years"] >= found.figures["handful_years_any_coding"]
    # Ownership is a sensitivity with a different answer, not the verdict.
    assert found.figures["owned_share"] > found.figures["state_interest_share"]
    assert found.verdict == claims.PARTLY
    # Code every name as serving the state: the share reading then refutes the claim.
    path = data_copy / "russia" / "state_interest.csv"
    coded = claims.load_state_interest(path)
    coded["state_interest"] = "yes"
    coded.to_csv(path, index=False)
    assert claims.state_principals_few(data_copy).verdict == claims.NOT_SUPPORTED


def test_soviet_era_rows_under_russia_do_not_count_for_post_1991_claims(data_copy):
    before = claims.state_principals_few(data_copy).figures
    add_russian_rows(data_copy, 30, registered="1985-06-01")
    after = claims.state_principals_few(data_copy).figures
    assert after["names"] == before["names"]
    assert after["max_state_interest_rows"] == before["max_state_interest_rows"]


def test_handful_by_year_counts_and_shares():
    table = claims.handful_by_year()
    assert table.index.min() == 1992 and table.index.max() == claims.snapshot_date().year
    assert (table["state_interest"] <= table["active"]).all()
    assert table["share"].between(0, 1).all()


def test_registry_list_of_1_october_2025():
    listed = claims.load_registry_list()
    assert len(listed) == 5
    for person in claims.NAMED_INDIVIDUALS:
        assert listed["foreign_principal"].str.contains(person).sum() == 1, person
    assert listed["source"].str.contains("PROVENANCE.md").all()
    # The list is the date nearest the article; the April snapshot is five months earlier.
    assert abs(claims.REGISTRY_LIST_DATE - claims.ARTICLE_DATE) < abs(
        claims.ARTICLE_DATE - claims.snapshot_date()
    )


def test_a_bad_registry_list_row_is_refused_with_file_line_and_column(tmp_path):
    text = (REPO / "data" / "russia" / "registry_2025-10-01.csv").read_text(encoding="utf-8")
    path = tmp_path / "registry_2025-10-01.csv"
    path.write_text(text.replace("2025-05-20", "20/05/2025", 1), encoding="utf-8")
    with pytest.raises(tables.TableError) as err:
        claims.load_registry_list(path)
    assert (err.value.line, err.value.column) == (5, "principal_registered")


def test_individual_sanctions_today(data_copy):
    found = claims.individual_sanctions_today()
    # On the list of 1 October 2025 all four people the article names are on file.
    assert found.figures["list_named_on_file"] == 4
    assert found.figures["list_state_rows"] == 0
    assert found.figures["list_individual_share"] >= 0.5
    # On the April snapshot, the second date, Chemezov and Brovko were not yet registered.
    assert found.figures["snapshot_named_on_file"] == 2
    assert found.figures["snapshot_state_rows"] == 0
    assert found.verdict == claims.PARTLY
    # A state-owned principal on the dated list breaks the rule.
    path = data_copy / "russia" / "registry_2025-10-01.csv"
    with path.open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerow(
            ["Test State Company", "2025-06-01", "state body or state-owned company", "yes", "test"]
        )
    assert claims.individual_sanctions_today(data_copy).verdict == claims.NOT_SUPPORTED


def test_the_gap_with_each_comparison_country_is_stated_per_country():
    yearly = claims.yearly_active()
    # Ukraine is not ahead "after 2014-2017": Russia had more rows in 2019 and 2020.
    assert (yearly.loc[[2019, 2020], "RUSSIA"] > yearly.loc[[2019, 2020], "UKRAINE"]).all()
    assert claims.ahead_from(yearly, "UKRAINE") > 2020
    assert claims.ahead_from(yearly, "JAPAN") == 1992
    starts = {country: claims.ahead_from(yearly, country) for country in claims.COMPARISON}
    assert len(set(starts.values())) > 2, "the countries pulled ahead in different years"


def test_claims_keep_the_article_words(ledger):
    text = ledger.set_index("claim_id")["claim"]
    assert (
        "nationalism" in text["bush-milestones"]
        and "national interest" not in text["bush-milestones"]
    )
    assert "unless" in text["deal-changes-nothing"]
    assert "handful" in text["state-principals-few"] and "since" in text["state-principals-few"]
    for claim_id in ("trump-one-on-one", "trump-arctic-china"):
        row = ledger.set_index("claim_id").loc[claim_id]
        assert row["testable"] == "no" and row["evidence"]


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
    # Real timelines always carry an event text, which the arc reports for its first clash.
    return frame.assign(date=pd.to_datetime(frame["date"]), event=[f"e{i}" for i in frame.index])


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


# Wordings that issue 23 found wrong, and what replaced them. A page or data file that brings
# one back fails here, naming the file and the reason.
CORRECTED = {
    "The timeline is independent evidence": "the timeline is the course's own selection and scoring",
    "opens after 2014–2017": "the gap opened in a different year for each comparison country",
    "course's table is the lowest": "the National Security Archive's count is the lowest",
    "structural realism": "the article's causes include ideology and nationalism",
    "Iraq and U.S. unilateralism": "the article names unilateralism only",
    "programme of George W. Bush's second term": "the Freedom Agenda was announced in 2003",
    "has nobody to keep": "the article says 'few durable mechanisms'",
    "national interest won out": "the article says nationalism",
    "registered after it was published": "after the committed snapshot, before the article",
    "date the course last consulted it": "no consultation dates were recorded",
    "imposed on those entities in 2022": "sanctions are dated per entity",
}


def test_corrected_wordings_stay_corrected():
    files = [*(REPO / "chapters").glob("*.md"), REPO / "data" / "claims.csv",
             *(REPO / "data").glob("*/CODEBOOK.md"), *(REPO / "data").glob("*/*.csv"),
             *(REPO / "exercises").glob("*.ipynb")]  # fmt: skip
    for path in files:
        text = " ".join(path.read_text(encoding="utf-8").split())
        for wording, why in CORRECTED.items():
            assert wording not in text, f"{path.relative_to(REPO)}: {wording!r} ({why})"


def test_score_claims_are_judged_on_both_codings():
    """The score-dependent claims under the first coding are the ledger's own figures; under
    the second they are the same rules on the second scores, merged in here by hand."""
    from course import agreement
    from course.datasets import timeline

    table = claims.score_claims_under_both()
    assert list(table.columns) == claims.BOTH_CODINGS_COLUMNS
    assert set(table["claim_id"]) == set(claims.SCORE_CLAIMS)
    found = claims.evidence_all()
    events = timeline.load_events()
    second = agreement.load_second_coding()
    by_hand = events.merge(second[["event_id", "second_score"]], on="event_id")
    by_hand = by_hand.assign(score=by_hand["second_score"].astype("Int64"))
    for claim_id in claims.SCORE_CLAIMS:
        rows = table[table["claim_id"] == claim_id].set_index("figure")
        assert rows.loc["verdict", "first"] == found[claim_id].verdict
        again = claims.EVIDENCE[claim_id](None, by_hand)
        assert rows.loc["verdict", "second"] == again.verdict
        for name, value in found[claim_id].figures.items():
            assert rows.loc[name, "first"] == claims.figure_text(value)
            assert rows.loc[name, "second"] == claims.figure_text(again.figures[name])
    assert (table["same"] == (table["first"] == table["second"])).all()
    # Scores that break the arc are seen: with every Bush-era score set to -1 there is no
    # warmth before the first clash.
    hostile = second.assign(
        second_score=second["event_id"].map(
            lambda i: -1 if i in set(events.loc[events["era"] == "bush-putin", "event_id"]) else 0
        )
    )
    coded = agreement.second_coded(events, hostile)
    assert claims.bush_warmth_then_clash(None, coded).verdict == claims.NOT_SUPPORTED
