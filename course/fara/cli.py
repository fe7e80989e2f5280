"""The ``python -m course data build|refresh`` verbs: progress, summary line, exit codes, and
atomic writes around :mod:`course.fara`.

Exit codes: 0 success, 1 bad or missing data (download, ZIP, CSV), 2 bad arguments.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
import zlib
from pathlib import Path

from course import fara


class Progress:
    """Stage messages and a download bar on stderr, only when stderr is a terminal."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())

    def __call__(self, message: str) -> None:
        if self.enabled:
            self.stream.write(f"\r\033[K{message}…")
            self.stream.flush()

    def bar(self, label: str, done: int, total: int | None) -> None:
        if not self.enabled:
            return
        if total:
            width = 30
            filled = int(width * done / total)
            self.stream.write(
                f"\r\033[K{label} [{'#' * filled}{'.' * (width - filled)}] "
                f"{done / 1e6:.1f}/{total / 1e6:.1f} MB"
            )
        else:
            self.stream.write(f"\r\033[K{label} {done / 1e6:.1f} MB")
        self.stream.flush()

    def clear(self) -> None:
        if self.enabled:
            self.stream.write("\r\033[K")
            self.stream.flush()


def write_atomically(out: Path, files: dict[str, bytes]) -> None:
    """Write ``files`` into ``out`` via a temporary folder beside it; other files in ``out`` stay.

    Nothing in ``out`` changes until every file is complete on disk; then each is renamed into
    place (a rename on one file system cannot leave a partial file).
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise fara.FaraDataError(out, "--out exists and is not a folder")
    parent = out.absolute().parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-build-", dir=parent))
    try:
        for name, data in files.items():
            with open(staging / name, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        if not out.exists():
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(staging, 0o777 & ~umask)  # mkdtemp makes 0700; a data folder is ordinary
            os.rename(staging, out)
            return
        for name in files:
            os.replace(staging / name, out / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


class UsageError(ValueError):
    """A bad command-line value (exit code 2)."""


def parse_snapshot_date(given: str) -> str:
    """A ``--snapshot-date`` value as ISO ``YYYY-MM-DD``."""
    try:
        return dt.date.fromisoformat(given).isoformat()
    except ValueError:
        raise UsageError(f"--snapshot-date {given!r} is not a YYYY-MM-DD date") from None


def resolve_snapshot_date(raw: Path, given: str | None) -> str:
    """``--snapshot-date`` if given, else the ``_YYYY-MM-DD`` suffix of the raw folder's name."""
    if given:
        return parse_snapshot_date(given)
    found = fara.snapshot_date_from_folder(raw)
    if not found:
        raise UsageError(
            f"no --snapshot-date given and the raw folder name {Path(raw).name!r} "
            "does not end in _YYYY-MM-DD"
        )
    return found


def build(
    raw: Path, out: Path, snapshot_date: str, history=(), progress: Progress | None = None
) -> str:
    """Derive and write the datasets; returns the one-line summary."""
    progress = progress or Progress()
    started = time.perf_counter()
    files, summary = fara.build_datasets(raw, snapshot_date, history, progress=progress)
    progress("writing")
    write_atomically(out, files)
    progress.clear()
    p, r = summary["principals"], summary["registrants"]
    return (
        f"data build: {p['raw']:,} principal records ({p['repaired']:,} repaired, {p['rejected']} rejected), "
        f"{r['raw']:,} registrants, snapshot {summary['snapshot_date']} -> {out} "
        f"({len(files)} files, {time.perf_counter() - started:.1f} s)"
    )


def _download(url: str, target: Path, progress: Progress, timeout: float = 60.0) -> None:
    request = urllib.request.Request(url, headers={"User-Agent": "trumputin-course data refresh"})
    try:
        with (
            urllib.request.urlopen(request, timeout=timeout) as response,
            open(target, "wb") as handle,
        ):
            total = response.headers.get("Content-Length")
            total = int(total) if total and total.isdigit() else None
            done = 0
            while chunk := response.read(64 * 1024):
                handle.write(chunk)
                done += len(chunk)
                progress.bar(f"downloading {Path(target).name}", done, total)
            if total is not None and done < total:
                raise fara.FaraDataError(url, f"download stopped after {done:,} of {total:,} bytes")
    except urllib.error.HTTPError as err:
        raise fara.FaraDataError(url, f"download failed: HTTP {err.code} {err.reason}") from None
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise fara.FaraDataError(url, f"download failed: {reason}") from None
    finally:
        progress.clear()


def check_bulk_zip(path: Path, kind: str, url: str = "") -> None:
    """A DOJ bulk ZIP: intact archive, one CSV member, the expected header line."""
    data = path.read_bytes()
    where = url or path
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise fara.FaraDataError(
            where, f"not a ZIP archive ({fara.describe_non_zip(data)})"
        ) from None
    with archive:
        try:
            broken = archive.testzip()
        except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as err:
            raise fara.FaraDataError(where, f"ZIP is damaged: {err}") from None
        if broken:
            raise fara.FaraDataError(where, f"ZIP member {broken} fails its CRC check")
    csv_bytes, _ = fara.read_raw_bytes(path)
    first = csv_bytes.split(b"\n", 1)[0].decode("cp1252", errors="replace")
    expected = '"' + '","'.join(fara.bulk_header(kind)) + '"'
    if first.rstrip("\r") != expected:
        raise fara.FaraDataError(
            where, f"unexpected header {first.strip()[:200]!r} (expected {expected!r})", line=1
        )


def refresh(
    base_url: str,
    cache: Path,
    out: Path,
    snapshot_date: str,
    history=(),
    progress: Progress | None = None,
) -> str:
    """Download both bulk ZIPs, check them, keep them in ``cache/bulk_<date>/``, then build."""
    progress = progress or Progress()
    cache = Path(cache)
    cache.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".download-", dir=cache))
    try:
        for kind in fara.KINDS:
            name = fara.BULK_FILE_NAMES[kind] + ".zip"
            url = base_url.rstrip("/") + "/" + name
            _download(url, staging / name, progress)
            check_bulk_zip(staging / name, kind, url)
        snapshot = cache / f"bulk_{snapshot_date}"
        snapshot.mkdir(exist_ok=True)
        for kind in fara.KINDS:
            name = fara.BULK_FILE_NAMES[kind] + ".zip"
            os.replace(staging / name, snapshot / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    line = build(snapshot, out, snapshot_date, history, progress)
    return line.replace("data build:", f"data refresh: {snapshot} ->", 1)


def run(args) -> int:
    """Entry point for ``python -m course data ...`` (see ``course.__main__``)."""
    progress = Progress()
    history = getattr(args, "history", None) or ()
    try:
        if args.data_verb == "build":
            snapshot_date = resolve_snapshot_date(args.raw, args.snapshot_date)
            print(build(args.raw, args.out, snapshot_date, history, progress))
            return 0
        if args.data_verb == "refresh":
            # A download is a snapshot of today (UTC) unless told otherwise.
            given = getattr(args, "snapshot_date", None)
            snapshot_date = (
                parse_snapshot_date(given) if given else dt.datetime.now(dt.UTC).date().isoformat()
            )
            print(refresh(args.base_url, args.cache, args.out, snapshot_date, history, progress))
            return 0
    except UsageError as err:
        progress.clear()
        print(f"error: {err}", file=sys.stderr)
        return 2
    except fara.FaraDataError as err:
        progress.clear()
        print(f"error: {err}", file=sys.stderr)
        print(f"nothing written; {args.out} is unchanged", file=sys.stderr)
        return 1
    return 2
