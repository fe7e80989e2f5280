"""Raw inputs: bytes from a .csv or a .csv.zip, decoding, and finding the files in a folder."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
import zlib
from pathlib import Path

import pandas as pd

from course.fara.layout import BULK_FILE_NAMES
from course.fara.report import FaraDataError


def read_raw_bytes(path: Path | str) -> tuple[bytes, str]:
    """The CSV bytes of ``path`` (a .csv, or a .zip holding one .csv) and the sha256 of ``path``."""
    path = Path(path)
    if path.is_dir():
        raise FaraDataError(path, "is a folder, expected a .csv or .csv.zip file")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise FaraDataError(path, "file not found") from None
    digest = hashlib.sha256(data).hexdigest()
    if path.suffix.lower() != ".zip":
        return data, digest
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise FaraDataError(path, f"not a ZIP archive ({describe_non_zip(data)})") from None
    with archive:
        members = [m for m in archive.namelist() if m.lower().endswith(".csv")]
        if len(members) != 1:
            raise FaraDataError(
                path, f"ZIP should hold exactly one .csv, found {archive.namelist()}"
            )
        try:
            return archive.read(members[0]), digest
        except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as err:
            raise FaraDataError(path, f"ZIP member {members[0]} is damaged: {err}") from None


def describe_non_zip(data: bytes) -> str:
    head = data[:200].lstrip().lower()
    if not data:
        return "the file is empty"
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
        return "it is an HTML page, probably an error page served instead of the download"
    if data.startswith(b"PK"):
        return "the archive is truncated or damaged"
    return f"it starts with {data[:20]!r}"


def decode(data: bytes, encoding: str, path) -> str:
    if not data:
        raise FaraDataError(path, "file is empty (no header line)", line=1)
    if data.startswith(b"\xef\xbb\xbf") and encoding != "utf-8":
        raise FaraDataError(
            path,
            "starts with a UTF-8 byte-order mark; DOJ bulk files are cp1252 without one "
            "(was the file re-saved by a spreadsheet program?)",
            line=1,
        )
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise FaraDataError(
            path, f"byte {data[err.start : err.start + 1]!r} is not valid {encoding}", line=line
        ) from None


def find_bulk_file(folder: Path | str, kind: str) -> Path:
    """``FARA_All_*.csv`` (or ``.csv.zip``) of ``kind`` inside ``folder``."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FaraDataError(
            folder, "raw folder not found (expected a folder holding the DOJ bulk files)"
        )
    name = BULK_FILE_NAMES[kind]
    for candidate in (folder / name, folder / (name + ".zip")):
        if candidate.is_file():
            return candidate
    raise FaraDataError(folder, f"has no {name} or {name}.zip")


def snapshot_date_from_folder(folder: Path | str) -> str | None:
    """The ``YYYY-MM-DD`` at the end of a folder name such as ``bulk_2025-04-10``, if any."""
    match = re.search(r"_(\d{4}-\d{2}-\d{2})$", Path(folder).name)
    if not match:
        return None
    try:
        return pd.Timestamp(match.group(1)).strftime("%Y-%m-%d")
    except ValueError:
        return None
