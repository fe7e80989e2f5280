"""Atomic file writes: a reader sees the old file or the new one, never half of either."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_target(path: Path | str, private: bool = False) -> Iterator[Path]:
    """A temporary path beside ``path`` to write to; renamed over ``path`` when the block ends
    without an error, removed otherwise. ``private`` keeps mkstemp's 0600 (files naming students);
    otherwise the file gets the usual 0644."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # In the target's folder, so the final rename stays on one file system.
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    os.close(handle)
    partial = Path(name)
    try:
        yield partial
        if not private:
            partial.chmod(0o644)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def write_atomic(
    path: Path | str, data: str | bytes, private: bool = False, newline: str | None = None
) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` in one piece; see :func:`atomic_target`."""
    with atomic_target(path, private=private) as partial:
        if isinstance(data, bytes):
            partial.write_bytes(data)
        else:
            with open(partial, "w", encoding="utf-8", newline=newline) as stream:
                stream.write(data)
    return Path(path)


# Fixed member timestamps keep a zip's bytes the same for the same content.
ZIP_DATE = (2025, 1, 1, 0, 0, 0)


def write_zip(path: Path | str, members: list[tuple[str, bytes]]) -> Path:
    """A reproducible zip of ``(name, bytes)`` members (fixed dates, 0644), written atomically."""
    import zipfile

    with atomic_target(path) as partial:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, payload in members:
                info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, payload)
    return Path(path)
