"""The instructor layer (issue 26): each article chapter's teaching blocks in the instructor
guide, sample syllabi whose dates fit, the AI use policy, and the changelog appendix.

Chapters come from `_toc.yml` (its numbered part) and masters from `exercises/`, so a chapter
added to the article part needs its blocks here before this test passes.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import yaml

from course.paths import REPO_ROOT

GUIDE = REPO_ROOT / "chapters" / "instructor-guide.md"
CHANGELOG = REPO_ROOT / "chapters" / "changelog.md"
BLOCKS = ["Reading checks", "Discussion questions", "Memo task", "Background for instructors"]
SYLLABI = ["One-week module", "Three-week module", "Semester unit"]
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
DAY = re.compile(rf"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (\d{{1,2}}) ({'|'.join(MONTHS)}) (\d{{4}})\b")
LONG_MONTHS = [dt.date(2000, m, 1).strftime("%B") for m in range(1, 13)]


def toc_parts() -> list[dict]:
    return yaml.safe_load((REPO_ROOT / "_toc.yml").read_text(encoding="utf-8"))["parts"]


def article_chapters() -> list[str]:
    """Slugs of the TOC's numbered part: the article, section by section."""
    parts = [part for part in toc_parts() if part.get("numbered")]
    return [entry["file"].split("/", 1)[1] for part in parts for entry in part["chapters"]]


def sections(text: str, level: int) -> dict[str, str]:
    """heading text -> body, for the headings of exactly ``level`` (fenced code skipped)."""
    out, heading, body, fenced = {}, None, [], False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        match = None if fenced else re.match(r"^(#+) (.*)$", line)
        if match and len(match.group(1)) <= level:
            if heading is not None:
                out[heading] = "\n".join(body)
            heading = match.group(2).strip() if len(match.group(1)) == level else None
            body = []
        elif heading is not None:
            body.append(line)
    if heading is not None:
        out[heading] = "\n".join(body)
    return out


def guide_section(name: str) -> str:
    found = sections(GUIDE.read_text(encoding="utf-8"), 2)
    assert name in found, f"instructor-guide.md has no '## {name}' section"
    return found[name]


def numbered_items(text: str) -> list[str]:
    return re.findall(r"^\d+\. (.*)$", text, flags=re.M)


def parse_day(match: re.Match) -> dt.date:
    weekday, day, month, year = match.groups()
    date = dt.date(int(year), MONTHS.index(month) + 1, int(day))
    assert date.strftime("%a") == weekday, f"{match.group(0)} is a {date:%A}"
    return date


# ---- teaching blocks ---------------------------------------------------------------------------


def test_the_article_part_is_found():
    assert {"russia-in-washington", "conclusion"} <= set(article_chapters())


@pytest.mark.parametrize("slug", article_chapters())
def test_each_article_chapter_has_its_four_teaching_blocks(slug):
    chapters = sections(guide_section("Teaching each chapter"), 3)
    mine = [body for heading, body in chapters.items() if heading.endswith(f"(`{slug}`)")]
    assert len(mine) == 1, f"no '### Chapter … (`{slug}`)' under 'Teaching each chapter'"
    blocks = sections(mine[0], 4)
    assert list(blocks) == BLOCKS, f"{slug}: blocks {list(blocks)}, expected {BLOCKS}"

    checks = numbered_items(blocks["Reading checks"])
    assert 3 <= len(checks) <= 5, f"{slug}: {len(checks)} reading checks (3 to 5 asked)"
    answers = blocks["Reading checks"].count("*Answer:*")
    assert answers == len(checks), f"{slug}: every reading check needs a short *Answer:*"

    questions = numbered_items(blocks["Discussion questions"])
    assert len(questions) == 3, f"{slug}: {len(questions)} discussion questions (3 asked)"

    memo = blocks["Memo task"]
    assert "{glue:text}`ig_memo_words`" in memo, f"{slug}: the memo states the glued word limit"
    assert "| Full marks |" in memo and "| Little or nothing |" in memo, f"{slug}: no rubric"

    background = blocks["Background for instructors"]
    assert re.search(r"^- \*\*", background, flags=re.M), f"{slug}: background has no points"


def test_the_memo_word_limit_is_at_most_600():
    limit = re.search(r"^MEMO_WORDS = (\d+)$", GUIDE.read_text(encoding="utf-8"), flags=re.M)
    assert limit and 0 < int(limit.group(1)) <= 600


# ---- sample syllabi ----------------------------------------------------------------------------


def syllabus_rows(body: str) -> list[list[str]]:
    rows = []
    for line in body.splitlines():
        if line.startswith("|") and not re.match(r"^\|[-| ]+\|$", line):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows[1:]  # the header row names the columns


def test_the_three_syllabi_exist():
    assert list(sections(guide_section("Sample syllabi"), 3))[: len(SYLLABI)] == SYLLABI


@pytest.mark.parametrize("name", SYLLABI)
def test_syllabus_dates_fit_and_assignments_follow_their_readings(name):
    body = sections(guide_section("Sample syllabi"), 3)[name]
    assert "optional" not in body.lower(), f"{name}: every chapter, the conclusion too, is taught"
    rows = syllabus_rows(body)
    assert rows, f"{name} has no table"
    sessions = []
    for row in rows:
        dates = [parse_day(match) for match in DAY.finditer(" ".join(row))]
        assert dates, f"{name}: a row without a date: {row}"
        assert all(date.weekday() < 5 for date in dates), f"{name}: a weekend date in {row}"
        sessions.append(dates[0])
    assert sessions == sorted(set(sessions)), f"{name}: sessions out of order {sessions}"

    read_on = {}
    for session, row in zip(sessions, rows, strict=True):
        for slug in article_chapters():
            if f"({slug}.md)" in row[1]:
                read_on.setdefault(slug, session)
    assert set(read_on) == set(article_chapters()), f"{name}: chapters not read: " + str(
        set(article_chapters()) - set(read_on)
    )
    for slug in article_chapters():
        if not (REPO_ROOT / "exercises" / f"{slug}.ipynb").is_file():
            continue
        due = [
            parse_day(DAY.search(match.group(1)))
            for row in rows
            for match in re.finditer(rf"`{slug}` notebook[^|]*?due ({DAY.pattern})", row[2])
        ]
        assert len(due) == 1, f"{name}: `{slug}` notebook needs one due date"
        assert due[0] > read_on[slug], f"{name}: `{slug}` is due before its chapter is read"
        first_mention = next(
            session for session, row in zip(sessions, rows, strict=True) if f"`{slug}`" in row[2]
        )
        assert first_mention >= read_on[slug], f"{name}: `{slug}` handed out before its reading"
    memo = [
        parse_day(DAY.search(m.group(1))) for m in re.finditer(rf"memo due ({DAY.pattern})", body)
    ]
    assert len(memo) == 1 and memo[0] > max(read_on.values()), f"{name}: memo due date"


def test_the_date_check_can_fail():
    with pytest.raises(AssertionError, match="is a"):
        parse_day(DAY.search("Mon 2 Mar 2027"))  # a Tuesday


# ---- AI use policy -----------------------------------------------------------------------------


def test_ai_use_policy_has_a_template_to_paste():
    body = guide_section("AI use policy")
    template = re.search(r"```text\n(.*?)```", body, flags=re.S)
    assert template, "the AI use policy needs a ```text template instructors can paste"
    assert "Allowed" in template.group(1) and "Not allowed" in template.group(1)


# ---- changelog ---------------------------------------------------------------------------------


def test_changelog_is_an_appendix_page():
    appendices = [part for part in toc_parts() if part.get("caption") == "Appendices"]
    assert appendices, "_toc.yml has no Appendices part"
    files = [entry["file"] for entry in appendices[0]["chapters"]]
    assert "chapters/changelog" in files


def test_changelog_entries_are_dated_newest_first_and_name_the_exercises():
    entries = sections(CHANGELOG.read_text(encoding="utf-8"), 2)
    assert entries, "the changelog has no '## <date>' entries"
    dates = []
    for heading in entries:
        match = re.fullmatch(rf"(\d{{1,2}}) ({'|'.join(LONG_MONTHS)}) (\d{{4}})", heading)
        assert match, f"changelog heading {heading!r} is not a date like '7 December 2026'"
        day, month, year = match.groups()
        dates.append(dt.date(int(year), LONG_MONTHS.index(month) + 1, int(day)))
    assert dates == sorted(set(dates), reverse=True), "changelog entries must be newest first"
    assert max(dates) <= dt.date.today(), "a changelog entry is dated in the future"
    masters = {path.stem for path in (REPO_ROOT / "exercises").glob("*.ipynb")}
    for heading, body in entries.items():
        assert "**Exercises affected**" in body, f"{heading}: no 'Exercises affected' part"
        affected = body.split("**Exercises affected**", 1)[1]
        for name in re.findall(r"`([a-z][a-z-]*)`", affected):
            assert name in masters, f"{heading}: `{name}` is not a graded notebook"
