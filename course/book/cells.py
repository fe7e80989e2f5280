"""Lint the code cells of the chapter pages with ruff, as the package's own code is linted.

Each ``chapters/*.md`` page becomes a Python text of the same length in lines: code-cell
bodies stay where they are and every other line is blank, so ruff's line numbers are the
page's. Cells run top to bottom in one namespace, so imports after the first cell (E402) are
allowed; the line limit (E501) is enforced, unlike in the package, where ``ruff format`` keeps it.

``python -m course.book.cells --check`` exits 1 when a finding remains (``make lint``).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

from course.paths import REPO_ROOT

FENCE = re.compile(r"^(`{3,}|~{3,})\{code-cell\}")
OPTION = re.compile(r"^:[\w-]+:")
# As the package (pyproject.toml), plus the line limit; E402 and B018 (a bare expression as a
# cell's last line is how a notebook shows a value) fit notebooks.
RULES = ["--select", "E,F,W,B,UP", "--ignore", "E402,B018,B905", "--line-length", "100"]


def cell_lines(text: str) -> list[str]:
    """The page as Python: code-cell bodies in place, every other line blank."""
    out: list[str] = []
    fence = None  # the closing fence of the cell we are in
    in_options = False
    for line in text.splitlines():
        if fence is None:
            match = FENCE.match(line)
            if match:
                fence, in_options = match.group(1), True
            out.append("")
            continue
        if line.strip() == fence:
            fence = None
            out.append("")
        elif in_options and (OPTION.match(line) or line.strip() == "---"):
            out.append("")  # cell options (:tags: ...) or a YAML options block
        else:
            in_options = False
            # IPython magics and shell escapes are not Python.
            out.append("" if line.lstrip().startswith(("%", "!")) else line)
    return out


def lint_page(page: Path, root: Path = REPO_ROOT) -> list[str]:
    """ruff's findings on one page, as ``chapters/x.md:LINE:COL: CODE message``."""
    source = "\n".join(cell_lines(page.read_text(encoding="utf-8"))) + "\n"
    name = page.relative_to(root).as_posix()
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--isolated", *RULES,
         "--output-format", "concise", "--stdin-filename", f"{name}.py", "-"],
        input=source, capture_output=True, text=True, cwd=root,
    )  # fmt: skip
    if done.returncode not in (0, 1):
        raise RuntimeError(f"ruff failed on {name}: {done.stderr.strip()}")
    findings = []
    for line in done.stdout.splitlines():
        if line.startswith(f"{name}.py:"):
            findings.append(name + line[len(name) + 3 :])
    return findings


def pages(root: Path = REPO_ROOT) -> list[Path]:
    return sorted((root / "chapters").glob("*.md"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if any finding remains")
    args = parser.parse_args(argv)
    findings = [finding for page in pages() for finding in lint_page(page)]
    for finding in findings:
        print(finding)
    print(f"chapter cells: {len(findings)} finding(s) in {len(pages())} pages")
    return 1 if findings and args.check else 0


if __name__ == "__main__":
    raise SystemExit(main())
