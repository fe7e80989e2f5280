"""Grading one submission (inside a worker): read it, run a private copy, test the answers."""

from __future__ import annotations

import collections
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from course.exercises import notebook_build_hash
from course.grading.answers import decode_all, decode_per_question, graded_records
from course.grading.kernel import DEFAULT_CELL_TIMEOUT, execute_for_answers
from course.grading.kit import GradingKit, run_tests, write_files
from course.grading.result import VERSION_MISMATCH, Result
from course.grading.sandbox import Sandbox, describe_size

MAX_NOTEBOOK_BYTES = 100 * 1024 * 1024
# "<base>/course-grade-run-XXXXXXXX/kernel/kernel-ipc-NN" must fit in 107 bytes.
MAX_BASE_LENGTH = 60
RUN_PREFIX, TESTS_PREFIX = "course-grade-run-", "course-grade-tests-"


def notebook_in_zip(path: Path) -> bytes:
    """The one notebook inside an otter export zip; ValueError saying why when there is not
    exactly one (or it is too large)."""
    with zipfile.ZipFile(path) as archive:
        notebooks = [
            info
            for info in archive.infolist()
            if info.filename.lower().endswith(".ipynb")
            and not info.is_dir()
            and ".ipynb_checkpoints" not in info.filename
            and not info.filename.startswith("__MACOSX/")
        ]
        if len(notebooks) != 1:
            listed = f" ({', '.join(i.filename for i in notebooks)})" if notebooks else ""
            count = "no notebook" if not notebooks else f"{len(notebooks)} notebooks"
            raise ValueError(f"the zip holds {count}{listed}; expected exactly one")
        with archive.open(notebooks[0]) as stream:  # the size header can lie: read at most
            raw = stream.read(MAX_NOTEBOOK_BYTES + 1)
    if len(raw) > MAX_NOTEBOOK_BYTES:
        raise ValueError(f"the notebook in the zip is larger than {MAX_NOTEBOOK_BYTES // 2**20} MB")
    return raw


def read_submission(path: Path, kit: GradingKit):
    """(notebook, raw bytes, None) or (None, None, a Result saying why it cannot be graded).
    ``path`` is a notebook or an otter export zip holding one."""
    import nbformat

    if path.suffix.lower() == ".zip":
        try:
            raw = notebook_in_zip(path)
        except zipfile.BadZipFile as error:
            return None, None, Result("unreadable", message=f"not a valid zip: {error}"[:200])
        except (OSError, ValueError, RuntimeError) as error:  # RuntimeError: encrypted member
            return None, None, Result("unreadable", message=str(error)[:200])
    else:
        raw = None
    try:
        if raw is None:
            size = path.stat().st_size
            if size > MAX_NOTEBOOK_BYTES:
                message = f"file is larger than {MAX_NOTEBOOK_BYTES // 2**20} MB"
                return None, None, Result("unreadable", message=message)
            raw = path.read_bytes()
        notebook = nbformat.reads(raw.decode("utf-8"), as_version=4)
        if not isinstance(notebook.get("cells"), list):
            raise ValueError("no list of cells")
    except Exception as error:
        text = str(error).strip()
        first = text.splitlines()[0][:160] if text else type(error).__name__
        return None, None, Result("unreadable", message=f"not a valid notebook: {first}")
    name = (notebook.metadata.get("otter") or {}).get("assignment_name")
    if name != kit.assignment:
        found = f"assignment '{name}'" if name else "no otter assignment name in its metadata"
        message = f"notebook is for {found}, not '{kit.assignment}'"
        return None, None, Result("error", message=message)
    return notebook, raw, None


def version_flags(notebook, build_hash: str | None) -> list[str]:
    """``[VERSION_MISMATCH]`` when a build hash is expected and the notebook does not carry it
    (another hash, or none: built before hashes existed, or its metadata stripped)."""
    if build_hash is None or notebook_build_hash(notebook) == build_hash:
        return []
    return [VERSION_MISMATCH]


def private_base() -> str:
    """Where private folders go: the temporary folder, unless its path is so long that the
    kernel's Unix sockets inside would pass Linux's 107-byte limit on socket paths."""
    base = tempfile.gettempdir()
    return base if len(base) <= MAX_BASE_LENGTH else "/tmp"


def remove_folders_of(worker_pid: int) -> None:
    """Remove the private folders of a worker that was killed in the middle of a submission."""
    for base in {private_base(), tempfile.gettempdir()}:
        for prefix in (RUN_PREFIX, TESTS_PREFIX):
            for folder in Path(base).glob(f"{prefix}{worker_pid}-*"):
                shutil.rmtree(folder, ignore_errors=True)


def grade_submission(
    path: Path,
    kit: GradingKit,
    timeout: float,
    sandbox: Sandbox | None = None,
    cell_timeout: float | None = DEFAULT_CELL_TIMEOUT,
    build_hash: str | None = None,
) -> Result:
    """Grade one notebook file (its kernel inside ``sandbox`` unless None); never raises for a
    bad submission. A row that ran out of ``timeout`` keeps the answers exported by then. With
    ``build_hash``, a notebook carrying another one (or none) is flagged version_mismatch."""
    notebook, raw, refused = read_submission(path, kit)
    if refused is not None:
        return refused
    flags = version_flags(notebook, build_hash)
    # The only folder the sandboxed kernel can write: the copy and data in work/, its sockets
    # in kernel/. The tests run on a pristine copy of the data elsewhere.
    # Named after this worker, so the parent can remove them if it has to kill the worker.
    private = Path(tempfile.mkdtemp(prefix=f"{RUN_PREFIX}{os.getpid()}-", dir=private_base()))
    work = private / "work"
    clean = Path(tempfile.mkdtemp(prefix=f"{TESTS_PREFIX}{os.getpid()}-"))
    try:
        work.mkdir()
        write_files(kit.files, work)
        # The private copy carries otter's expected file name so grader.check finds its tests
        # (a renamed notebook is graded as if it had its name: see the instructor guide).
        (work / f"{kit.assignment}.ipynb").write_bytes(raw)
        run = execute_for_answers(
            notebook, kit.names, work, timeout, sandbox, private, cell_timeout, kit.question_names
        )
        if run.status == "error" or (
            run.status == "timeout"
            and not run.exported["answers"]
            and not run.exported.get("checked")
        ):
            if sandbox is not None and run.message.startswith("the kernel died"):
                limits = sandbox.limits
                run.message = (
                    "the kernel died while running the notebook (os._exit, a crash, or over "
                    f"the {describe_size(limits.memory)} memory or the CPU time limit)"
                )
            return Result(run.status, message=run.message, flags=flags)
        # Each question on its values at its last grader.check (else at the end), as otter.
        per_question = decode_per_question(run.exported, kit.questions)
        outcomes = run_tests(kit, decode_all(run.exported), clean, per_question)
    finally:
        shutil.rmtree(private, ignore_errors=True)
        shutil.rmtree(clean, ignore_errors=True)
    notes = [run.message] if run.message else []
    if run.stopped:
        limit = f" after {cell_timeout:g} s" if cell_timeout else ""
        notes.append(f"stopped{limit}: {', '.join(run.stopped)}")
    if run.cell_errors:
        counts = collections.Counter(run.cell_errors)
        listed = ", ".join(f"{n} x{c}" if c > 1 else n for n, c in sorted(counts.items()))
        notes.append(f"cells raised: {listed}")
    records = graded_records(run.exported, kit.questions)
    missing: set[str] = set()
    failed: dict[str, str] = {}
    for question, record in records.items():
        own = kit.question_names.get(question, [])
        missing.update(n for n in record.get("missing", []) if n in own)
        failed.update((n, why) for n, why in record.get("failed", {}).items() if n in own)
    if missing:
        notes.append("not defined: " + ", ".join(sorted(missing)))
    for name, why in sorted(failed.items()):
        notes.append(f"{name} not exported: {why}")
    if sandbox is not None and any(e.endswith("MemoryError") for e in run.cell_errors):
        notes.append(f"memory limit of {describe_size(sandbox.limits.memory)} reached")
    for question, outcome in outcomes.items():
        if outcome["score"] < outcome["possible"]:
            notes.extend(f"{question}: {failure}" for failure in outcome["failures"])
    scores = {q: o["score"] for q, o in outcomes.items()}
    return Result(run.status, scores, "; ".join(notes), flags)
