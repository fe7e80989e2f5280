"""``python -m course data build|refresh`` run as real processes: summary, exit codes, determinism,
atomic writes, progress on a terminal, and refresh against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import functools
import http.server
import os
import pty
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest

from course import fara, paths
from tests.conftest import need_shared
from tests.test_fara import BULK, FP, REG, write_sample

REPO = paths.REPO_ROOT


def course(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "course", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file in ``folder`` with its bytes and modification time (ns)."""
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


def stray_temp_dirs(parent: Path) -> list[str]:
    return [p.name for p in parent.iterdir() if p.name.startswith(".")]


@pytest.fixture
def existing_out(tmp_path) -> Path:
    """An output folder that already holds a previous build plus someone else's file."""
    raw = write_sample(tmp_path / "raw_2025-01-02")
    out = tmp_path / "site" / "fara"
    proc = course("data", "build", "--raw", raw, "--out", out)
    assert proc.returncode == 0, proc.stderr
    (out / "NOTES.txt").write_text("not ours")
    return out


def test_build_writes_files_and_prints_one_line(tmp_path):
    raw = write_sample(tmp_path / "raw_2025-01-02")
    out = tmp_path / "out"
    proc = course("data", "build", "--raw", raw, "--out", out)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # no progress display without a terminal
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        "data build: 5 principal records (1 repaired, 0 rejected)"
    )
    assert sorted(p.name for p in out.iterdir()) == [
        "active_by_country_year.csv",
        "datapackage.json",
        "foreign_principals.csv",
        "registrants.csv",
        "snapshot_checks.csv",
    ]
    assert fara.load_datapackage(out)["snapshot_date"] == "2025-01-02"
    principals = fara.load_principals(out)
    assert principals.columns.tolist() == fara.PRINCIPALS_COLUMNS and len(principals) == 5
    assert stray_temp_dirs(tmp_path) == []


def test_rebuild_is_byte_identical(tmp_path):
    raw = write_sample(tmp_path / "raw_2025-01-02")
    first, second = tmp_path / "a", tmp_path / "b"
    assert course("data", "build", "--raw", raw, "--out", first).returncode == 0
    assert course("data", "build", "--raw", raw, "--out", second).returncode == 0
    before = {name: data for name, (data, _) in snapshot(first).items()}
    assert before == {name: data for name, (data, _) in snapshot(second).items()}
    assert course("data", "build", "--raw", raw, "--out", first).returncode == 0
    assert {name: data for name, (data, _) in snapshot(first).items()} == before


def test_snapshot_date_option_and_default(tmp_path):
    raw = write_sample(tmp_path / "raw_2025-01-02")
    out = tmp_path / "out"
    assert (
        course(
            "data", "build", "--raw", raw, "--out", out, "--snapshot-date", "2024-12-31"
        ).returncode
        == 0
    )
    assert fara.load_datapackage(out)["snapshot_date"] == "2024-12-31"


def test_missing_snapshot_date_is_an_error(tmp_path):
    raw = write_sample(tmp_path / "downloads")
    out = tmp_path / "out"
    proc = course("data", "build", "--raw", raw, "--out", out)
    assert proc.returncode == 2
    assert "--snapshot-date" in proc.stderr and "'downloads'" in proc.stderr
    assert not out.exists()
    bad = course("data", "build", "--raw", raw, "--out", out, "--snapshot-date", "10/04/2025")
    assert bad.returncode == 2 and "not a YYYY-MM-DD date" in bad.stderr


def _corrupt_truncated(raw: Path) -> str:
    data = (raw / FP).read_bytes()
    (raw / FP).write_bytes(data[:-25])
    return "line 7"


def _corrupt_bom(raw: Path) -> str:
    (raw / FP).write_bytes(b"\xef\xbb\xbf" + (raw / FP).read_bytes())
    return "byte-order mark"


def _corrupt_renamed(raw: Path) -> str:
    (raw / REG).write_bytes((raw / REG).read_bytes().replace(b'"Business Name"', b'"Company"', 1))
    return "column(s) 'Business Name'"


def _corrupt_date(raw: Path) -> str:
    (raw / FP).write_bytes((raw / FP).read_bytes().replace(b'"05/05/2005"', b'"2005-05-05"', 1))
    return "line 4, column 'Foreign Principal Registration Date'"


def _corrupt_empty(raw: Path) -> str:
    (raw / REG).write_bytes(b"")
    return "empty"


def _corrupt_missing(raw: Path) -> str:
    (raw / FP).unlink()
    (raw / REG).unlink()
    return "has no FARA_All_ForeignPrincipals.csv"


def _corrupt_html_zip(raw: Path) -> str:
    (raw / FP).unlink()
    (raw / (FP + ".zip")).write_bytes(b"<!DOCTYPE html>\n<html><body><h1>503</h1></body></html>")
    return "HTML page"


@pytest.mark.parametrize(
    "corrupt",
    [
        _corrupt_truncated,
        _corrupt_bom,
        _corrupt_renamed,
        _corrupt_date,
        _corrupt_empty,
        _corrupt_missing,
        _corrupt_html_zip,
    ],
    ids=lambda f: f.__name__.removeprefix("_corrupt_"),
)
def test_bad_input_leaves_existing_output_untouched(existing_out, corrupt):
    raw = write_sample(existing_out.parent.parent / "bad_2025-02-03")
    expected_text = corrupt(raw)
    before = snapshot(existing_out)
    proc = course("data", "build", "--raw", raw, "--out", existing_out)
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert expected_text in proc.stderr
    assert str(raw) in proc.stderr  # names the file or folder
    assert "unchanged" in proc.stderr
    assert snapshot(existing_out) == before
    assert stray_temp_dirs(existing_out.parent) == []


def run_with_terminal_stderr(*args) -> tuple[int, str, str]:
    """Run ``python -m course ARGS`` with stderr on a real pseudo-terminal; (code, stdout, terminal)."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "course", *map(str, args)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=follower,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    stdout, _ = proc.communicate(timeout=300)
    return proc.returncode, stdout.decode(), b"".join(chunks).decode(errors="replace")


def test_progress_display_on_a_terminal(tmp_path):
    raw = write_sample(tmp_path / "raw_2025-01-02")
    code, stdout, terminal = run_with_terminal_stderr(
        "data", "build", "--raw", raw, "--out", tmp_path / "out"
    )
    assert code == 0
    assert "reading principals" in terminal and "\r" in terminal
    assert stdout.startswith("data build:") and len(stdout.splitlines()) == 1


# ------------------------------------------------------------------------------------------
# Real data
# ------------------------------------------------------------------------------------------


def test_real_build_from_raw_folder_matches_committed(tmp_path):
    raw = need_shared(BULK)
    out = tmp_path / "fara"
    proc = course("data", "build", "--raw", raw, "--out", out)
    assert proc.returncode == 0, proc.stderr
    assert (
        "17,358 principal records (152 repaired, 0 rejected), 6,929 registrants, snapshot 2025-04-10"
        in proc.stdout
    )
    for name in ["foreign_principals.csv", "registrants.csv", "active_by_country_year.csv"]:
        assert (out / name).read_bytes() == (paths.FARA_DIR / name).read_bytes(), name


# ------------------------------------------------------------------------------------------
# data refresh against a real HTTP server on 127.0.0.1
# ------------------------------------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def server(tmp_path):
    """A real HTTP server on 127.0.0.1 serving ``tmp_path/site``; yields (base URL, folder)."""
    site = tmp_path / "site-root"
    site.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/bulk/zip/", site / "bulk" / "zip"
    finally:
        httpd.shutdown()
        httpd.server_close()


def zip_bulk_files(raw: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for name in (FP, REG):
        with zipfile.ZipFile(target / (name + ".zip"), "w", zipfile.ZIP_DEFLATED) as zf:
            zf.write(raw / name, name)


def refresh(base_url: str, tmp_path: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return course(
        "data",
        "refresh",
        "--base-url",
        base_url,
        "--cache",
        tmp_path / "cache",
        "--out",
        out,
        "--snapshot-date",
        "2025-04-10",
        *extra,
    )


def test_refresh_downloads_checks_keeps_and_builds(server, tmp_path):
    base_url, folder = server
    zip_bulk_files(need_shared(BULK), folder)
    out = tmp_path / "fara"
    proc = refresh(base_url, tmp_path, out)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("data refresh:") and "17,358 principal records" in proc.stdout
    kept = tmp_path / "cache" / "bulk_2025-04-10"
    assert sorted(p.name for p in kept.iterdir()) == [FP + ".zip", REG + ".zip"]
    for name in ["foreign_principals.csv", "registrants.csv", "active_by_country_year.csv"]:
        assert (out / name).read_bytes() == (paths.FARA_DIR / name).read_bytes(), name
    package = fara.load_datapackage(out)
    assert (
        package["sources"][0]["sha256"]
        == "c1b1dcf36216075241c69fa9ab47b14e114aad444ec2be358ec998fc29113323"
    )
    assert "zip_sha256" in package["sources"][0]


def test_refresh_shows_a_download_bar_on_a_terminal(server, tmp_path):
    base_url, folder = server
    zip_bulk_files(need_shared(BULK), folder)
    code, stdout, terminal = run_with_terminal_stderr(
        "data",
        "refresh",
        "--base-url",
        base_url,
        "--cache",
        tmp_path / "cache",
        "--out",
        tmp_path / "fara",
        "--snapshot-date",
        "2025-04-10",
    )
    assert code == 0, terminal
    assert f"downloading {FP}.zip [" in terminal and "#" * 30 in terminal
    assert stdout.startswith("data refresh:")


def _failed_refresh(base_url: str, tmp_path: Path) -> str:
    """Refresh over a previous build from ``base_url``: it must fail (exit 1) and leave that
    build as it was; returns what it printed on stderr."""
    out = tmp_path / "fara"
    out.mkdir()
    (out / "foreign_principals.csv").write_text("previous build\n")
    before = snapshot(out)
    proc = refresh(base_url, tmp_path, out)
    assert proc.returncode == 1, proc.stderr
    assert snapshot(out) == before
    return proc.stderr


def test_refresh_truncated_zip_fails_cleanly(server, tmp_path):
    base_url, folder = server
    zip_bulk_files(need_shared(BULK), folder)
    whole = (folder / (FP + ".zip")).read_bytes()
    (folder / (FP + ".zip")).write_bytes(whole[: len(whole) // 2])
    stderr = _failed_refresh(base_url, tmp_path)
    assert f"{base_url}{FP}.zip" in stderr and ("truncated" in stderr or "damaged" in stderr)
    assert not (tmp_path / "cache" / "bulk_2025-04-10").exists()


def test_refresh_html_error_page_fails_cleanly(server, tmp_path):
    base_url, folder = server
    folder.mkdir(parents=True)
    for name in (FP, REG):
        (folder / (name + ".zip")).write_bytes(
            b"<!DOCTYPE html><html><title>Maintenance</title></html>"
        )
    assert "HTML page" in _failed_refresh(base_url, tmp_path)


def test_refresh_http_404_fails_cleanly(server, tmp_path):
    base_url, _ = server
    assert "HTTP 404" in _failed_refresh(base_url, tmp_path)


def test_refresh_network_failure_fails_cleanly(tmp_path):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert "download failed" in _failed_refresh(f"http://127.0.0.1:{port}/bulk/zip/", tmp_path)


def test_refresh_wrong_header_fails_cleanly(server, tmp_path):
    base_url, folder = server
    raw = write_sample(tmp_path / "raw_2025-01-02")
    (raw / FP).write_bytes((raw / FP).read_bytes().replace(b'"Zip"', b'"Postcode"', 1))
    zip_bulk_files(raw, folder)
    assert "unexpected header" in _failed_refresh(base_url, tmp_path)


def test_failure_after_reading_leaves_output_untouched(existing_out):
    raw = write_sample(existing_out.parent.parent / "raw_2025-02-03")
    not_a_snapshot = existing_out.parent.parent / "history-without-date"
    write_sample(not_a_snapshot)
    before = snapshot(existing_out)
    proc = course("data", "build", "--raw", raw, "--out", existing_out, "--history", not_a_snapshot)
    assert proc.returncode == 1 and "must end in _YYYY-MM-DD" in proc.stderr
    assert snapshot(existing_out) == before
    assert stray_temp_dirs(existing_out.parent) == []


def test_out_that_is_a_file_is_refused(tmp_path):
    raw = write_sample(tmp_path / "raw_2025-01-02")
    out = tmp_path / "fara"
    out.write_text("a file, not a folder")
    proc = course("data", "build", "--raw", raw, "--out", out)
    assert proc.returncode == 1 and "not a folder" in proc.stderr
    assert out.read_text() == "a file, not a folder"
