"""Fresh numbers after a data change: re-execute and re-read pages when ``data/`` or ``course/``
changed since the execution cache was filled.

jupyter-cache keys a notebook's outputs on its code cells only, and Sphinx re-reads a page
only when its source changed, so an edited CSV would leave the old glued figures on the page.
Before Sphinx reads, this extension hashes every file under ``data/`` and every ``course/``
module; when the digest differs from the one stamped beside the cache, it empties the cache
and asks Sphinx to re-read every page. Any change re-executes every page: the pages are few
and a data or helper change is rare, while a no-change build only pays for the hashing.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)

STAMP_NAME = "course-inputs.sha256"


def input_files(root: Path) -> list[Path]:
    """Files whose content a page's outputs may depend on: data and the helper package."""
    files = [p for p in (root / "data").rglob("*") if p.is_file()]
    files += (root / "course").rglob("*.py")
    return sorted(files)


def inputs_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in input_files(root):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _refresh(app, env, docnames: list[str]) -> None:
    cache_dir = Path(env.mystnb_config.execution_cache_path)
    stamp = cache_dir / STAMP_NAME
    current = inputs_digest(Path(app.srcdir))
    if stamp.is_file() and stamp.read_text() == current:
        return
    if cache_dir.is_dir():
        from jupyter_cache import get_cache

        cache = get_cache(cache_dir)
        for record in cache.list_cache_records():
            cache.remove_cache(record.pk)
        logger.info("course: data/ or course/ changed; every page is executed again")
    # env-before-read-docs lets an extension add documents to read, in place.
    docnames.extend(sorted(set(env.found_docs) - set(docnames)))
    cache_dir.mkdir(parents=True, exist_ok=True)
    stamp.write_text(current)


def setup(app):
    app.connect("env-before-read-docs", _refresh)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
