"""course.book.freshness: a change under data/ or course/ empties the execution cache and re-reads
every page; no change leaves both alone."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import nbformat
from jupyter_cache import get_cache
from jupyter_cache.base import CacheBundleIn

from course.book import freshness


def project(tmp_path: Path) -> Path:
    (tmp_path / "data" / "x").mkdir(parents=True)
    (tmp_path / "data" / "x" / "t.csv").write_text("a\n1\n2\n")
    (tmp_path / "course").mkdir()
    (tmp_path / "course" / "x.py").write_text("A = 1\n")
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters" / "page.md").write_text("# Page\n")
    return tmp_path


def build(root: Path, read: list[str]) -> list[str]:
    """Run the hook as Sphinx would before reading ``read``; return the documents to read."""
    cache_dir = root / "_build" / ".jupyter_cache"
    app = SimpleNamespace(srcdir=str(root))
    env = SimpleNamespace(
        mystnb_config=SimpleNamespace(execution_cache_path=str(cache_dir)),
        found_docs={"chapters/page", "chapters/other"},
    )
    docnames = list(read)
    freshness._refresh(app, env, docnames)
    return docnames


def cache_one(root: Path) -> None:
    cache = get_cache(root / "_build" / ".jupyter_cache")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    page = root / "chapters" / "page.md"
    cache.cache_notebook_bundle(
        CacheBundleIn(notebook, str(page), data={"execution_seconds": 1.0}), check_validity=False
    )


def test_digest_follows_data_and_helper_content_only(tmp_path):
    root = project(tmp_path)
    first = freshness.inputs_digest(root)
    (root / "chapters" / "page.md").write_text("# Page, edited\n")
    assert freshness.inputs_digest(root) == first
    (root / "data" / "x" / "t.csv").write_text("a\n1\n")
    second = freshness.inputs_digest(root)
    assert second != first
    (root / "course" / "x.py").write_text("A = 2\n")
    assert freshness.inputs_digest(root) != second


def test_a_data_change_empties_the_cache_and_rereads_every_page(tmp_path):
    root = project(tmp_path)
    assert sorted(build(root, [])) == ["chapters/other", "chapters/page"]  # first build
    cache_one(root)
    assert build(root, []) == []  # nothing changed: nothing re-read, cache kept
    assert len(get_cache(root / "_build" / ".jupyter_cache").list_cache_records()) == 1
    (root / "data" / "x" / "t.csv").write_text("a\n1\n")  # drop a row
    assert sorted(build(root, ["chapters/page"])) == ["chapters/other", "chapters/page"]
    assert get_cache(root / "_build" / ".jupyter_cache").list_cache_records() == []
    assert build(root, []) == []
