"""No hand-typed figures in chapter prose: every number must come from a glued computation.

`hand_typed_figures(text)` scans a MyST notebook's markdown, outside code cells, code, glue and
other roles, links, raw HTML, dates, section numbers and citations, and returns each digit
figure or number word it finds. Every page in `_toc.yml` is scanned (fast: it reads sources);
a deliberate exception goes into `EXEMPT` with the page, the text and the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from tests.test_book import source_of, toc_files

# (page, text, reason): a finding on ``page`` is allowed when its line contains ``text`` and
# its figure lies inside that text. Keep the text short and the reason specific.
EXEMPT = [
    ("chapters/intro", "The two", "the article's two authors, not a data figure"),
    ("chapters/intro", "in three steps", "the shape of the article's argument"),
    ("chapters/intro", "adds two kinds", "the course's two cautions, listed next"),
    ("chapters/intro", "Two versions", "the article's two published versions"),
    ("chapters/intro", "the two answers", "two readings compared, not a data figure"),
    ("chapters/glossary", "(22 U.S.C.", "the title of the U.S. Code, a citation"),
    ("chapters/russia-in-washington", "is 18 U.S.C.", "the title of the U.S. Code, a citation"),
    ("chapters/glossary", "every six months", "the statutory reporting period"),
    ("chapters/glossary", "two snapshots", "a definition's wording, not a data figure"),
    ("chapters/glossary", "twice-daily", "how often the archive scraped, as its author states"),
    (
        "chapters/russia-in-washington",
        "twice a day",
        "how often the archive scraped (PROVENANCE.md)",
    ),
    ("chapters/glossary", "under two firms, or under two", "an example of rows versus principals"),
    ("chapters/glossary", "is two rows", "the same example, continued"),
    ("chapters/glossary", "in Washington in two", "the two strategies the entry then names"),
    ("chapters/glossary", "1, 2, 2, 4", "a worked example of competition ranking"),
    ("chapters/glossary", "six-point ceasefire", "the ceasefire's name"),
    ("chapters/instructor-guide", "Three-week module", "a syllabus's name (issue 26)"),
    # Exercise designs (issue 26): how many dates, events, codings or designs a question uses.
    ("chapters/russia-in-washington", "clients on three dates", "q4's design: its three dates"),
    ("chapters/bush-putin", "how far two codings agree", "the timeline's two codings"),
    ("chapters/bush-putin", "score a dozen events", "q4's design: the events to score"),
    ("chapters/bush-putin", "course's two codings", "the timeline's two codings"),
    ("chapters/conclusion", "since 1992 under four", "q3's design: four readings"),
    ("chapters/conclusion", "under four designs", "q4's design: four designs"),
    ("chapters/instructor-guide", "least half of the auto-graded", "the blueprint's rule"),
    ("chapters/instructor-guide", "the three dates of `q4`", "q4's design: its three dates"),
    ("chapters/instructor-guide", "of the twelve events", "q4's design: the events to score"),
    ("chapters/instructor-guide", "course's two", "the timeline's two codings"),
    ("chapters/instructor-guide", "under four readings", "q3's design: four readings"),
    ("chapters/instructor-guide", "run under four designs", "q4's design: four designs"),
    ("chapters/russia-in-washington", "at least twice", "q3's design: twice Russia's rows"),
    ("chapters/instructor-guide", "twice Russia's count", "q3's design: twice Russia's rows"),
    ("chapters/changelog", "at least twice", "q3's design: twice Russia's rows"),
    ("chapters/instructor-guide", "scored -2 or lower", "a score on the codebook's scale"),
]

MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
    "|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
DASH = "[-–—]"
_DATES = [
    rf"\b\d{{1,2}}\s*{DASH}\s*\d{{1,2}}\s+(?:{MONTHS})\b(?:\s+\d{{4}})?",  # 22–28 February 2022
    rf"\b\d{{1,2}}\s+(?:{MONTHS})\b(?:,?\s+\d{{4}})?",  # 24 February 2022
    rf"\b(?:{MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?,\s+\d{{4}}",  # February 24, 2022
    rf"\b(?:{MONTHS})\s+\d{{4}}\b",  # November 2017
    r"\b\d{4}-\d{2}-\d{2}\b",  # 2022-02-23
    r"\b\d{1,2}/\d{1,2}/\d{4}\b",  # 02/23/2022
    r"\b9/11\b",
    rf"\b(?:1[89]|20)\d{{2}}s?(?:\s*{DASH}\s*(?:\d{{2}}|(?:1[89]|20)\d{{2}}))?\b",  # 1938, 1990s, 2001–08
]
DATE = re.compile("|".join(f"(?:{pattern})" for pattern in _DATES))
SECTION = re.compile(r"(?:§+\s*|\b(?:[Ss]ection|[Cc]hapter|[Pp]art|[Aa]ppendix)\s+)\d+(?:\.\d+)*")
FIGURE = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*(?:st|nd|rd|th)?(?:\s?%)?(?!\w)")
NUMBER_WORDS = re.compile(
    r"\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen"
    r"|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
    r"|hundreds?|thousands?|millions?|billions?|dozens?|half|twice|percent)\b",
    re.IGNORECASE,
)

ROLE = re.compile(r"\{[\w:.-]+\}`[^`]*`")  # {glue:text}`x`, {cite}`k`, {term}`t <T>`
INLINE_CODE = re.compile(r"``.*?``|`[^`]*`")
LINK_TARGET = re.compile(r"\]\([^)]*\)")
HTML_TAG = re.compile(r"<[^>]+>")
URL = re.compile(r"https?://\S+")
LIST_NUMBER = re.compile(r"^\s*\d+[.)]\s")  # an ordered list's marker, not a figure
OPTION_LINE = re.compile(r"^\s*:[\w-]+:")  # directive options (:class: tip)
FENCE = re.compile(r"^\s*(`{3,}|~{3,}|:{3,})\s*(\{[^}]*\})?\s*(\S*)")
CODE_DIRECTIVES = {"{code-cell}", "{code-block}", "{code}", "{literalinclude}", "{raw}", "{math}"}


@dataclass(frozen=True)
class Finding:
    line: int
    token: str
    context: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.token!r} in {self.context.strip()!r}"


def prose_lines(text: str) -> list[tuple[int, str]]:
    """(line number, text) of the markdown that readers see as prose."""
    lines = text.splitlines()
    out, start = [], 0
    if lines and lines[0].strip() == "---":  # jupytext front matter
        for index in range(1, len(lines)):
            if lines[index].strip() == "---":
                start = index + 1
                break
    code_fence = None  # the fence string that closes the code block we are in
    open_fences: list[str] = []
    for index in range(start, len(lines)):
        line = lines[index]
        match = FENCE.match(line)
        if code_fence is not None:
            if (
                match
                and match.group(1)[0] == code_fence[0]
                and len(match.group(1)) >= len(code_fence)
                and not match.group(2)
                and not match.group(3)
            ):
                code_fence = None
            continue
        if match:
            fence, directive, language = match.groups()
            if (
                directive
                and directive in CODE_DIRECTIVES
                or (fence[0] != ":" and not directive and language)
            ):
                code_fence = fence
                continue
            if not directive and not language and open_fences and open_fences[-1][0] == fence[0]:
                open_fences.pop()  # closes an admonition or other prose directive
                continue
            if not directive and not language and fence[0] == "`":
                code_fence = fence  # a bare ``` opens a plain code block
                continue
            open_fences.append(fence)
            continue
        stripped = line.strip()
        if (
            OPTION_LINE.match(line)
            or stripped.startswith("%")
            or re.fullmatch(r"\([\w-]+\)=", stripped)
        ):
            continue
        out.append((index + 1, line))
    return out


def hand_typed_figures(text: str, number_words: bool = True) -> list[Finding]:
    """Every figure in the prose of ``text`` that was typed by hand rather than glued."""
    findings = []
    for number, line in prose_lines(text):
        clean = LIST_NUMBER.sub(" ", line)
        clean = ROLE.sub(" ", clean)
        clean = INLINE_CODE.sub(" ", clean)
        clean = URL.sub(" ", LINK_TARGET.sub("]", clean))
        clean = HTML_TAG.sub(" ", clean)
        clean = DATE.sub(" ", clean)
        clean = SECTION.sub(" ", clean)
        for match in FIGURE.finditer(clean):
            findings.append(Finding(number, match.group(0), line))
        if number_words:
            for match in NUMBER_WORDS.finditer(clean):
                findings.append(Finding(number, match.group(0), line))
    return findings


# ---- the scanner itself must catch figures and spare what is allowed --------------------------

SAMPLE = """---
jupytext:
  text_representation:
    format_version: 0.13
---

# Title

```{code-cell} ipython3
glue("russia", 4)
x = 56
```

Russia had {glue:text}`russia` rows on 10 April 2025, cited {cite}`grek2025`, see §4 and Section 2.
The 1938 law; on 2022-02-23; dates 22–28 February 2022; in November 2017; the 1990s.

:::{admonition} Course commentary
:class: note
Body with {glue:text}`share:.0%` of rows.
:::

```python
print(123)
```

<a href="../exercises/x-2.zip">download</a> and [link](https://example.org/7)
"""


def test_allowed_forms_pass():
    assert hand_typed_figures(SAMPLE) == []


@pytest.mark.parametrize(
    "planted, token",
    [
        ("Russia had 4 active principals.", "4"),
        ("Japan had 56, far more.", "56"),
        ("A share of 50% is large.", "50%"),
        ("It fell from 11 to 4.", "11"),
        ("Only four rows remain.", "four"),
        ("Half of the rows are individuals.", "Half"),
        ("The 3rd largest.", "3rd"),
        ("Total 1,234 rows.", "1,234"),
    ],
)
def test_planted_figures_are_caught(planted, token):
    found = hand_typed_figures(SAMPLE + "\n" + planted + "\n")
    assert [f.token for f in found][:1] == [token], found


def test_figures_inside_admonitions_are_caught():
    text = ":::{admonition} Course commentary\n:class: note\nRussia ranks 46th.\n:::\n"
    assert [f.token for f in hand_typed_figures(text)] == ["46th"]


def test_findings_name_the_line():
    text = "Intro.\n\nRussia had 4 rows.\n"
    assert hand_typed_figures(text)[0].line == 3


# ---- the chapters --------------------------------------------------------------------------------


def test_ordered_list_markers_are_not_figures():
    assert [f.token for f in hand_typed_figures("1. First.\n2. Russia had 4 rows.\n")] == ["4"]


def exempted(slug: str, finding: Finding) -> bool:
    return any(
        page == slug and text in finding.context and finding.token in text
        for page, text, _ in EXEMPT
    )


def test_every_exemption_is_still_needed():
    for page, text, reason in EXEMPT:
        assert reason and page in toc_files(), (page, text)
        findings = hand_typed_figures(source_of(page).read_text(encoding="utf-8"))
        assert any(text in f.context and f.token in text for f in findings), (
            f"{page}: exemption {text!r} matches nothing; remove it"
        )


@pytest.mark.parametrize("page", toc_files())
def test_page_prose_has_no_hand_typed_figures(page):
    findings = hand_typed_figures(source_of(page).read_text(encoding="utf-8"))
    left = [f for f in findings if not exempted(page, f)]
    assert not left, f"{page}: hand-typed figures (glue them, or exempt them in EXEMPT):\n" + (
        "\n".join(map(str, left))
    )
