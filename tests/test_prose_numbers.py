"""No hand-typed figures in chapter prose: every number must come from a glued computation.

`hand_typed_figures(text)` scans a MyST notebook's markdown, outside code cells, code, glue and
other roles, links, raw HTML, dates, section numbers and citations, and returns each digit
figure or number word it finds. Other chapters opt in by adding their file to CHECKED.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CHECKED = [
    "chapters/russia-in-washington.md",
    "chapters/fara-data.md",
    "chapters/oral-history-data.md",
    "chapters/instructor-guide.md",
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
        clean = ROLE.sub(" ", line)
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


@pytest.mark.parametrize("chapter", CHECKED)
def test_chapter_prose_has_no_hand_typed_figures(chapter):
    path = REPO / chapter
    findings = hand_typed_figures(path.read_text(encoding="utf-8"))
    assert not findings, f"{chapter}: hand-typed figures (glue them):\n" + "\n".join(
        map(str, findings)
    )
