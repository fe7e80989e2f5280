"""The one atomic writer (course.files): whole files or none, private when asked."""

from __future__ import annotations

import stat
import zipfile

import pytest

from course import files


def test_write_atomic_replaces_in_one_piece_and_leaves_no_partial(tmp_path):
    target = tmp_path / "sub" / "grades.csv"
    files.write_atomic(target, "old\n")
    files.write_atomic(target, "new\n")
    assert target.read_text() == "new\n"
    assert [p.name for p in target.parent.iterdir()] == ["grades.csv"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_private_files_are_readable_by_their_owner_only(tmp_path):
    target = files.write_atomic(tmp_path / "feedback.txt", "names a student", private=True)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_a_failed_write_keeps_the_old_file_and_removes_the_partial(tmp_path):
    target = tmp_path / "page.html"
    target.write_text("old")
    with pytest.raises(RuntimeError), files.atomic_target(target) as partial:
        partial.write_text("half")
        raise RuntimeError("disk full")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"]


def test_zips_are_reproducible(tmp_path):
    members = [("b.txt", b"2"), ("a/c.txt", b"3")]
    first = files.write_zip(tmp_path / "one.zip", members)
    second = files.write_zip(tmp_path / "two.zip", members)
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        assert archive.namelist() == ["b.txt", "a/c.txt"]
        assert archive.getinfo("b.txt").date_time == files.ZIP_DATE
