"""The print edition: `make pdf` on the strictly built clean copy, read back with poppler.

Every TOC page's title is in the PDF's text, there is at least one sheet per TOC entry, each
chart's title is printed with a drawing under it (pixels, not a blank box), visible code is
printed whole (long lines wrap instead of being cut) and code hidden behind a toggle stays
hidden. One singlehtml build of the clean copy (execution cache reused) plus one print.
"""

from __future__ import annotations

import html as html_lib
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.browser.conftest import chart_specs, require, toc_pages

pytestmark = pytest.mark.slow

RESOLUTION = 50  # dpi for the pixel check
BELOW_TITLE = 150  # points under a chart's title where its drawing must be
# Share of that band inked beyond text; measured: 0.5% (the sparsest chart, a dot plot) to 39%.
MIN_GRAPHICS = 0.003


@pytest.fixture(scope="module")
def print_edition(built_book):
    """``make pdf`` in the built clean copy: (pdf path, singlehtml page, seconds)."""
    assert built_book.returncode == 0, built_book.log[-4000:]
    for tool in ("pdftotext", "pdftoppm"):
        require(bool(shutil.which(tool)), tool, "install the Debian package 'poppler-utils'")
    require(bool(shutil.which("make")), "make", "install the Debian package 'make'")
    venv = Path(sys.executable).parent.parent
    command = ["make", "pdf", f"VENV={venv}"]
    # The venv is installed already: make must not reinstall it from the copy.
    command += ["-o", str(venv / ".installed"), "-o", str(venv / ".installed-dev")]
    # built_book ran the exercise build already.
    command += ["-o", "_build/exercises/.make-stamp"]
    env = {**os.environ, "COURSE_ROOT": str(built_book.root)}
    start = time.perf_counter()
    proc = subprocess.run(command, cwd=built_book.root, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    assert proc.returncode == 0, f"make pdf failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    pdf = built_book.root / "_build" / "pdf" / "book.pdf"
    single = built_book.root / "_build" / "singlehtml"
    page = re.search(r"url=([^\"]+)", (single / "index.html").read_text()).group(1)
    print(f"make pdf on the clean copy: {seconds:.1f} s")
    return pdf, (single / page).read_text(encoding="utf-8"), built_book.html


def pdf_pages(pdf: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


def squash(text: str) -> str:
    """Text without whitespace or soft hyphens: how a wrapped line still matches its source."""
    return re.sub(r"[\s\u00ad]+", "", text)


def page_title(path: Path) -> str:
    h1 = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").find("h1")
    for link in h1.select("a.headerlink"):
        link.decompose()
    return " ".join(h1.get_text(" ").split())


def test_pdf_has_every_page_title_and_a_sheet_per_toc_entry(print_edition):
    pdf, _, html = print_edition
    pages = pdf_pages(pdf)
    text = squash(" ".join(pages))
    toc = toc_pages()
    assert len(pages) >= len(toc), f"{len(pages)} sheets for {len(toc)} TOC entries"
    missing = [page for page in toc if squash(page_title(html / page)) not in text]
    assert not missing, f"titles not in the PDF's text: {missing}"


def _chart_title(spec: dict) -> str:
    title = spec.get("title")
    if isinstance(title, dict):
        title = title.get("text")
    if isinstance(title, list):
        title = " ".join(title)
    return title or ""


def _words(pdf: Path, sheet: int) -> list[tuple[float, float, float, float, str]]:
    """Every word printed on a sheet with its box (points): x0, y0, x1, y1, text."""
    out = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(sheet), "-l", str(sheet), str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    pattern = (
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    )
    return [(*map(float, box), html_lib.unescape(w)) for *box, w in re.findall(pattern, out)]


def _pixels(pdf: Path, sheet: int, tmp_path: Path) -> tuple[int, int, bytes]:
    stem = tmp_path / f"sheet{sheet}"
    subprocess.run(
        ["pdftoppm", "-r", str(RESOLUTION), "-f", str(sheet), "-l", str(sheet), "-singlefile"]
        + [str(pdf), str(stem)],
        check=True,
    )
    data = stem.with_suffix(".ppm").read_bytes()
    magic, size, _, pixels = data.split(b"\n", 3)
    assert magic == b"P6"
    width, height = map(int, size.split())
    return width, height, pixels


def graphics_share(pdf: Path, sheet: int, top: float, tmp_path: Path) -> float:
    """Share of the pixels in the band under ``top`` (points) that are inked by something
    other than text: marks, lines and axes of a drawn chart. Word boxes are masked out."""
    width, height, pixels = _pixels(pdf, sheet, tmp_path)
    scale = RESOLUTION / 72
    text = set()
    for x0, y0, x1, y1, _ in _words(pdf, sheet):
        for y in range(int(y0 * scale) - 1, int(y1 * scale) + 2):
            text.update((x, y) for x in range(int(x0 * scale) - 1, int(x1 * scale) + 2))
    inked = total = 0
    for y in range(int(top * scale), min(height, int((top + BELOW_TITLE) * scale))):
        for x in range(width):
            if (x, y) in text:
                continue
            i = (y * width + x) * 3
            total += 1
            inked += min(pixels[i : i + 3]) < 200
    return inked / total if total else 0.0


def test_pdf_charts_are_drawn(print_edition, tmp_path):
    pdf, single, _ = print_edition
    titles = [t for t in map(_chart_title, chart_specs(single).values()) if t]
    assert titles, "no titled chart in the book"
    pages = pdf_pages(pdf)
    problems = []
    for title in titles:
        # The title is text inside the chart's SVG: printed only if the chart drew.
        sheets = [n + 1 for n, page in enumerate(pages) if squash(title) in squash(page)]
        if not sheets:
            problems.append(f"chart {title!r}: title not printed (the chart did not draw)")
            continue
        words = _words(pdf, sheets[0])
        first = title.split()
        tops = [
            words[i][1]
            for i in range(len(words) - len(first) + 1)
            if [w[4] for w in words[i : i + len(first)]] == first
        ]
        share = graphics_share(pdf, sheets[0], tops[0] if tops else 0.0, tmp_path)
        if share < MIN_GRAPHICS:
            problems.append(
                f"chart {title!r} on sheet {sheets[0]}: blank under its title "
                f"({share:.2%} of the band is drawn, beyond text)"
            )
    assert not problems, "\n".join(problems)


def test_pdf_wraps_long_code_and_keeps_hidden_code_hidden(print_edition):
    pdf, single, _ = print_edition
    text = squash(" ".join(pdf_pages(pdf)))
    soup = BeautifulSoup(single, "html.parser")
    hidden, shown = [], []
    for pre in soup.select("div.highlight pre"):
        lines = [line for line in pre.get_text().splitlines() if len(line.strip()) > 20]
        (hidden if pre.find_parent("details") else shown).extend(lines)
    long_lines = [line for line in shown if len(line) > 90]
    assert long_lines, "no code line longer than 90 characters to check wrapping with"
    cut = [line for line in long_lines if squash(line) not in text]
    assert not cut, f"{len(cut)} long code lines not printed whole, e.g. {cut[:3]}"
    visible = squash(" ".join(shown))
    leaked = [line for line in hidden if squash(line) in text and squash(line) not in visible]
    assert hidden, "no hidden code cell in the book"
    assert not leaked, f"hidden code printed: {leaked[:3]}"
