"""The grading sandbox (bubblewrap), tried as a hostile student would: a class built from the
answer key, each notebook adding one hostile cell, graded in one `course grade --jobs 2` run.
For each: nothing outside the sandbox changed, nothing it started survives, the listener on
127.0.0.1 saw nothing, the CSV is what the grader wrote, and the honest answers score full
marks. Also: no bwrap means exit 2 naming the package, and --no-sandbox flags its rows."""

from __future__ import annotations

import csv
import hashlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import otter
import pytest

from course import paths
from course.exercises.masters import question_table
from course.grading import kernel
from course.grading import sandbox as sandbox_module
from course.grading.sandbox import Limits, Sandbox, SandboxUnavailable, parse_size
from course.paths import REPO_ROOT
from tests.fixtures.submissions import ClassMaker, run_course_grade

SLUG = "russia-in-washington"
# The answer key's total as grades.csv writes it, read from the master's auto-graded points.
_TABLE = question_table(paths.REPO_ROOT / "exercises" / f"{SLUG}.ipynb")
KEY_TOTAL = f"{_TABLE.loc[_TABLE['kind'] == 'auto', 'points'].sum():g}"
TIMEOUT = 60.0
HAS_BWRAP = shutil.which("bwrap") is not None
needs_bwrap = pytest.mark.skipif(
    not HAS_BWRAP and os.environ.get("CI", "").lower() not in {"1", "true", "yes"},
    reason="bubblewrap (bwrap) is not installed; CI installs it and runs these tests",
)


def _read_rows(out: Path) -> dict[str, dict]:
    with open(out, newline="") as handle:
        return {row["submission"]: row for row in csv.DictReader(handle)}


# --- fast: the pieces ---------------------------------------------------------------------------


def test_memory_sizes_parse_and_refuse_nonsense():
    assert parse_size("2G") == 2 * 2**30
    assert parse_size("512M") == 512 * 2**20
    assert parse_size("1.5GiB") == 3 * 2**29
    assert parse_size(str(2**30)) == 2**30
    for bad in ("lots", "2X", "-1G", "100M"):
        with pytest.raises(ValueError):
            parse_size(bad)


def test_missing_bwrap_exits_2_naming_the_package(tmp_path):
    """Fail closed: with no bwrap on PATH, nothing is graded and the package is named."""
    empty = tmp_path / "bin"
    empty.mkdir()
    (tmp_path / "class").mkdir()
    done = run_course_grade(
        tmp_path / "class", tmp_path / "g.csv", SLUG, env={**os.environ, "PATH": str(empty)}
    )
    assert done.returncode == 2, done.stderr
    assert "bwrap" in done.stderr and "`bubblewrap`" in done.stderr, done.stderr
    assert "--no-sandbox" in done.stderr
    assert not (tmp_path / "g.csv").exists()


@needs_bwrap
def test_the_sandbox_itself(tmp_path):
    """A shell in the sandbox: unprivileged, no remount, no network, none of the grader's files,
    a private /tmp, and only its own folder writable."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    folder = tmp_path / "private"
    (folder / "work").mkdir(parents=True)
    box = Sandbox.create(Limits())
    try:
        script = f"""
id -u; id -g
grep CapEff /proc/self/status
mount -o remount,rw / && echo REMOUNTED
mount -o remount,rw,bind {sys.prefix} && echo REMOUNTED
touch {sys.prefix}/escape 2>/dev/null && echo WROTE-VENV
ls -A {REPO_ROOT} 2>/dev/null | grep -vx .venv && echo SAW-REPO  # the venv may be in it
ls {tmp_path} 2>/dev/null | grep -v private && echo SAW-OTHERS
python -c 'import socket; socket.create_connection(("127.0.0.1", {port}), timeout=2)' \
    2>/dev/null && echo CONNECTED
touch /tmp/scratch && echo TMP-OK
touch {folder}/work/answer && echo FOLDER-OK
"""
        done = subprocess.run(
            box.command(["/bin/sh", "-c", script], folder, folder / "work"),
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        box.close()
        listener.close()
    lines = done.stdout.split()
    assert lines[:2] == ["65534", "65534"], done
    assert "CapEff:" in lines and lines[lines.index("CapEff:") + 1] == "0000000000000000"
    for escaped in ("REMOUNTED", "WROTE-VENV", "SAW-REPO", "SAW-OTHERS", "CONNECTED"):
        assert escaped not in lines, done
    assert "TMP-OK" in lines and "FOLDER-OK" in lines, done
    assert (folder / "work" / "answer").exists() and not Path(sys.prefix, "escape").exists()


@needs_bwrap
def test_root_gets_a_pids_cgroup_and_removes_it():
    if os.geteuid() != 0:
        pytest.skip("only a grader running as root needs the pids cgroup")
    box = Sandbox.create(Limits())
    path = box.cgroup.path
    assert path.is_dir() and (path / "pids.max").read_text().strip() == str(Limits().processes + 8)
    box.close()
    assert not path.exists()


def venv_under_tmp(checkout: Path) -> Path:
    """A venv under /tmp (as a CI runner or a throw-away clone has) that imports ``course`` from
    ``checkout`` and everything else from this venv's site-packages: plain path lines, so the
    editable install's own .pth (pointing at this worktree) is not read."""
    venv = checkout / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(site, "course-under-tmp.pth").write_text(
        f"{checkout}\n{sysconfig.get_paths()['purelib']}\n{sysconfig.get_paths()['platlib']}\n"
    )
    return python


@needs_bwrap
def test_the_sandbox_starts_from_a_checkout_and_venv_under_tmp():
    """The private /tmp is mounted before the read-only binds, so a venv under /tmp stays
    visible inside the sandbox (mounted after them, it hid the venv: prlimit could not find
    the interpreter)."""
    checkout = Path(tempfile.mkdtemp(prefix="course-checkout-", dir="/tmp"))
    try:
        shutil.copytree(REPO_ROOT / "course", checkout / "course")
        python = venv_under_tmp(checkout)
        # The probe, then a kernel's imports inside the sandbox: the venv and the
        # site-packages its .pth line adds are both visible there.
        probe = (
            "import course.grading.sandbox as s, pathlib, subprocess, sys, tempfile; "
            "assert sys.prefix.startswith('/tmp/'); "
            "box = s.Sandbox.create(s.Limits()); box.probe(); "
            "d = pathlib.Path(tempfile.mkdtemp(dir='/tmp')); "
            "code = 'import ipykernel, pandas, otter; print(1)'; "
            "done = subprocess.run(box.command([sys.executable, '-c', code], d, d), "
            "capture_output=True, text=True); box.close(); "
            "print('PROBED', s.__file__, done.stdout.strip() or done.stderr[-300:])"
        )
        done = subprocess.run(
            [str(python), "-c", probe], cwd=checkout, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.split() == ["PROBED", str(checkout / "course/grading/sandbox.py"), "1"]
    finally:
        shutil.rmtree(checkout, ignore_errors=True)


@pytest.mark.slow
@needs_bwrap
def test_course_grade_from_a_fresh_clone_under_tmp(built_exercises, maker):
    """``course grade`` with the sandbox on, run from a clean copy of the repository under /tmp
    with its venv there too: the answer key gets full marks. The copy reuses the suite's
    exercise build (its stamps match, so nothing is rebuilt)."""
    from tests.fixtures.build import clean_copy

    maker, _ = maker
    clone = clean_copy(Path(tempfile.mkdtemp(prefix="course-clone-", dir="/tmp")))
    try:
        shutil.copytree(built_exercises.out, clone / "_build" / "exercises")
        python = venv_under_tmp(clone)
        folder = clone.parent / f"{clone.name}-class"
        folder.mkdir()
        nbformat.write(maker.notebook(answered=maker.questions), folder / "key.ipynb")
        env = {k: v for k, v in os.environ.items() if k != "COURSE_ROOT"}
        done = subprocess.run(
            [str(python), "-m", "course", "grade", str(folder), "--assignment", SLUG]
            + ["--out", str(folder / "g.csv"), "--jobs", "1"],
            cwd=clone,
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr
        row = _read_rows(folder / "g.csv")["key.ipynb"]
        assert (row["status"], row["total"], row["max"]) == ("ok", KEY_TOTAL, KEY_TOTAL), row
        assert row["flags"] == "", row  # sandboxed, and the build hash matches
    finally:
        shutil.rmtree(clone, ignore_errors=True)
        shutil.rmtree(clone.parent / f"{clone.name}-class", ignore_errors=True)


def test_no_bwrap_is_an_error_not_a_fallback(monkeypatch):
    monkeypatch.setattr(sandbox_module.shutil, "which", lambda name: None)
    with pytest.raises(SandboxUnavailable, match="bubblewrap"):
        Sandbox.create(Limits())


# --- slow: the hostile class --------------------------------------------------------------------

# Each cell attacks, swallows the expected failure, and raises only if the attack worked, so an
# empty message proves every attempt failed and the cell ran to its end.
ATTACKS = {
    "write-install": """
import pathlib
for folder in [{site!r}, {otter_dir!r}, {course_dir!r}]:
    target = pathlib.Path(folder) / "course_hostile_{token}.py"
    try:
        target.write_text("GRADE = 999")
    except OSError:
        continue
    raise RuntimeError("ESCAPED: wrote " + str(target))
""",
    "other-submission": """
import glob, os, pathlib
victim = pathlib.Path({victim!r})
if victim.exists() or glob.glob({class_dir!r} + "/**/*.ipynb", recursive=True):
    try:
        victim.write_text("{{}}")
    except OSError:
        pass
    raise RuntimeError("ESCAPED: the class folder is visible")
for seen in (os.listdir("/"), os.listdir(os.path.dirname(os.getcwd()))):
    if any("victim" in name for name in seen):
        raise RuntimeError("ESCAPED: another submission is visible")
""",
    "detached": """
import os, subprocess, sys
script = '''
import sys, time
for _ in range(240):
    time.sleep(0.25)
    try:
        with open(sys.argv[1], "a") as handle:
            handle.write("hacker.ipynb,ok,999,14,3,3,3,3,3,,\\\\n")
    except OSError:
        pass
'''
subprocess.Popen([sys.executable, "-c", script, {out!r}, "{marker}"], start_new_session=True,
                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
pid = os.fork()
if pid == 0:  # a double fork as well, re-parented inside the sandbox
    os.setsid()
    os.execv(sys.executable, [sys.executable, "-c", script, {out!r}, "{marker}"])
""",
    "read-autograder": """
import os, pathlib, sys, zipfile
for path in [{zip_path!r}, {repo!r} + "/pyproject.toml", {class_dir!r}, {out!r}]:
    if os.path.exists(path):
        raise RuntimeError("ESCAPED: can see " + path)
home = {home!r}
# Python or the venv may live under the grader's home (pyenv): only the folders leading to
# them, read-only, may be there.
python = [p + "/" for p in {{sys.prefix, sys.base_prefix}}]
if os.path.isdir(home) and any(
    not any(p.startswith(os.path.join(home, name) + "/") for p in python)
    for name in os.listdir(home)
):
    raise RuntimeError("ESCAPED: can see the grader's home")
try:
    zipfile.ZipFile({zip_path!r}).read("tests/q1.py")
except (OSError, KeyError):
    pass
else:
    raise RuntimeError("ESCAPED: read the hidden tests")
""",
    "network": """
import socket
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=3).sendall(b"escaped")
except OSError:
    pass
else:
    raise RuntimeError("ESCAPED: reached the listener")
""",
    "memory": """
blob = bytearray(6 * 2**30)
""",
    "fork-loop": """
import os, time
children = []
try:
    for _ in range(600):
        pid = os.fork()
        if pid == 0:
            time.sleep(120)
            os._exit(0)
        children.append(pid)
finally:
    for pid in children:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
raise RuntimeError("ESCAPED: forked %d processes" % len(children))
""",
    "remount": """
import pathlib, subprocess, sys
for args in (["mount", "-o", "remount,rw", "/"], ["mount", "-o", "remount,rw,bind", sys.prefix]):
    if subprocess.run(args, capture_output=True).returncode == 0:
        raise RuntimeError("ESCAPED: " + " ".join(args))
for folder in ["/", sys.prefix, {site!r}]:
    try:
        (pathlib.Path(folder) / "course_hostile_{token}_remount").write_text("x")
    except OSError:
        continue
    if folder != "/":  # "/" is the sandbox's own empty root: writing there harms nothing
        raise RuntimeError("ESCAPED: wrote into " + folder)
""",
}

# What each row must say: the honest answers keep their 14 points either way.
EXPECTED_MESSAGES = {
    "memory": "cells raised: MemoryError; memory limit of 2 GiB reached",
    "fork-loop": "cells raised: BlockingIOError",
}


def _snapshot(*folders: Path) -> dict[str, str]:
    found = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
            elif path.is_dir():
                found[str(path)] = "dir"
    return found


def _processes_mentioning(*needles: str) -> list[str]:
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if any(needle in cmdline for needle in needles):
            found.append(f"{proc.name}: {cmdline[:200]}")
    return found


class Listener:
    """A TCP listener on 127.0.0.1 that records every connection it accepts."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.seen: list[str] = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stopped.is_set():
            try:
                connection, peer = self.server.accept()
            except OSError:
                continue
            self.seen.append(str(peer))
            connection.close()

    def close(self):
        self.stopped.set()
        self.thread.join()
        self.server.close()


@pytest.fixture(scope="module")
def maker(built_exercises):
    """From the suite's one exercise build (conftest): no otter assign run of its own."""
    built = built_exercises.items[SLUG]
    return ClassMaker(built.student_notebook, built.solutions_notebook), built


@pytest.mark.slow
@needs_bwrap
def test_a_hostile_class_is_contained(maker, tmp_path):
    maker, built = maker
    token = secrets.token_hex(6)
    marker = f"course-hostile-{token}"
    folder = tmp_path / "class"
    victim = folder / "victim.ipynb"
    out = tmp_path / "out" / "grades.csv"
    # The workers' TMPDIR: every kernel's folder is in it. Short, as Unix socket paths must be.
    scratch = Path(tempfile.mkdtemp(prefix="course-hostile-", dir="/tmp"))
    listener = Listener()
    site = sysconfig.get_paths()["purelib"]
    otter_dir = str(Path(otter.__file__).parent)
    course_dir = str(REPO_ROOT / "course")
    values = {
        "site": site,
        "otter_dir": otter_dir,
        "course_dir": course_dir,
        "token": token,
        "victim": str(victim),
        "class_dir": str(folder),
        "out": str(out),
        "marker": marker,
        "zip_path": str(built.autograder_zip),
        "repo": str(REPO_ROOT),
        "home": str(Path.home()),
        "port": listener.port,
    }
    folder.mkdir()
    nbformat.write(maker.notebook(answered=maker.questions), victim)
    for name, attack in ATTACKS.items():
        cell = attack.format(**values)
        notebook = maker.notebook(answered=maker.questions, insert_before={"q1": cell})
        nbformat.write(notebook, folder / f"hostile-{name}.ipynb")
    watched = [Path(otter_dir), Path(course_dir), built.autograder_zip.parent, folder]
    before = _snapshot(*watched)
    site_before = sorted(os.listdir(site))
    env = {**os.environ, "TMPDIR": str(scratch)}
    try:
        done = run_course_grade(
            folder, out, SLUG, "--jobs", "2", "--timeout", str(TIMEOUT), env=env
        )
        finished = time.monotonic()
        assert done.returncode == 0, done.stderr
        written = out.read_bytes()
        # Give anything that escaped the teardown time to act, then look for it.
        time.sleep(max(0.0, 3.0 - (time.monotonic() - finished)))
        survivors = _processes_mentioning(marker, str(scratch))
        left_in_scratch = [p.name for p in scratch.iterdir()]
    finally:
        listener.close()
        shutil.rmtree(scratch, ignore_errors=True)
        for leftover in Path(site).glob(f"course_hostile_{token}*"):
            leftover.unlink()
    assert survivors == []
    assert listener.seen == []
    assert out.read_bytes() == written, "the grades CSV changed after the grader wrote it"
    assert _snapshot(*watched) == before
    assert sorted(os.listdir(site)) == site_before
    assert not list(Path(otter_dir).glob("course_hostile_*"))
    assert left_in_scratch == []  # every private folder removed

    rows = _read_rows(out)
    assert sorted(rows) == sorted(["victim.ipynb"] + [f"hostile-{n}.ipynb" for n in ATTACKS])
    for name, row in rows.items():
        attack = name.removeprefix("hostile-").removesuffix(".ipynb")
        assert (row["status"], row["total"], row["flags"]) == ("ok", KEY_TOTAL, ""), dict(rows)
        assert row["message"] == EXPECTED_MESSAGES.get(attack, ""), row


@pytest.mark.slow
@needs_bwrap
def test_no_sandbox_warns_and_flags_every_row(maker, tmp_path):
    maker, _ = maker
    folder = tmp_path / "class"
    folder.mkdir()
    nbformat.write(maker.notebook(answered=maker.questions), folder / "key.ipynb")
    out = tmp_path / "grades.csv"
    done = run_course_grade(folder, out, SLUG, "--jobs", "1", "--no-sandbox")
    assert done.returncode == 0, done.stderr
    assert "warning: --no-sandbox" in done.stderr and "trust" in done.stderr
    row = _read_rows(out)["key.ipynb"]
    assert (row["status"], row["total"], row["flags"]) == ("ok", KEY_TOTAL, "unsandboxed")


def test_the_cpu_limit_outlasts_the_deadline_and_the_export_grace():
    # A busy loop that ignores interrupts burns CPU until the export cell's grace runs out;
    # the CPU limit must not kill it first (a crash would read as `error`, not `timeout`).
    for timeout in (5, 30, 120):
        limits = Limits.for_timeout(timeout)
        assert limits.cpu_seconds >= timeout + kernel.EXPORT_GRACE_SECONDS + 10
