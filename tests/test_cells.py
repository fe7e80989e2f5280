"""Chapter code cells are linted like the package (course.book.cells), with page line numbers."""

from __future__ import annotations

import textwrap

from course.book import cells

PAGE = textwrap.dedent(
    """\
    ---
    jupytext: {}
    ---
    # A page whose prose may run long: {long}

    ```{code-cell} ipython3
    :tags: [remove-cell]
    import pandas as pd
    value = pd.Series([1])
    ```

    ```{code-cell} ipython3
    unused = 1
    label = "{long}"
    %matplotlib inline
    value
    ```
    """
).replace("{long}", "x" * 120)


def test_cell_lines_keep_page_line_numbers_and_blank_everything_else():
    lines = cells.cell_lines(PAGE)
    assert len(lines) == len(PAGE.splitlines())
    assert lines[7] == "import pandas as pd"  # page line 8
    assert lines[6] == "" and lines[3] == ""  # the :tags: option and the prose
    assert lines[14] == ""  # the magic


def test_findings_name_the_page_line_and_rule(tmp_path):
    page = tmp_path / "chapters" / "new.md"
    page.parent.mkdir()
    page.write_text(PAGE)
    findings = cells.lint_page(page, root=tmp_path)
    assert findings == ["chapters/new.md:14:101: E501 Line too long (130 > 100)"]


def test_every_chapter_is_linted():
    names = {page.name for page in cells.pages()}
    assert {"russia-in-washington.md", "intro.md", "glossary.md"} <= names
