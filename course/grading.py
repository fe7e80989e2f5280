"""Grading otter submissions without Docker: fast, parallel, and out of the student's reach.

How one submission is graded:

1. A grading worker (``python -m course.grading --worker``, one per core) copies the notebook and
   the assignment's data into a private temporary folder; the original is only ever read.
2. The copy runs top to bottom in a fresh Jupyter kernel (errors do not stop it; outputs are
   dropped as they arrive, so gigantic outputs cost nothing). A last, injected cell exports the
   values of the names the tests read, as JSON (never pickle: decoding must not run code).
3. The kernel is shut down. The worker, a process the student's code never ran in, with otter,
   pandas and the tests loaded before the kernel started, writes a pristine copy of the data to a
   new folder and runs every public and hidden test on the exported values. Patching otter,
   ``grader.check`` or builtins inside the notebook changes nothing here, and files the notebook
   writes are never read as results.
4. The worker answers the parent over a private pipe, signed with a key only the two share.

Limit: kernels run as the same OS user as the grader, so a notebook could still read the hidden
tests from disk or disturb other processes. Running kernels as a separate, unprivileged user is
the fix; the instructor guide explains how.
"""

from __future__ import annotations

import collections
import csv
import hashlib
import hmac
import io
import json
import math
import os
import queue
import secrets
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

STATUSES = ("ok", "timeout", "error", "unreadable")
MAX_NOTEBOOK_BYTES = 100 * 1024 * 1024
MAX_ANSWER_BYTES = 64 * 1024 * 1024
# Time allowed on top of --timeout for the worker to start a kernel, shut it down and run the
# tests, before the parent gives up on the worker and kills it.
WORKER_GRACE_SECONDS = 30.0
ANSWERS_FILE = ".course-answers.json"

# Runs first in the student's kernel: otter's grading mode makes export() and check_all() no-ops
# (export would zip the notebook and run its tests again), while grader.check keeps working.
GRADING_MODE_CELL = """\
import otter as __course_otter
__course_otter.Notebook.init_grading_mode(tests_dir="tests")
del __course_otter
"""

# Runs last in the student's kernel: JSON-encodes the answers the tests need. Unknown types are
# recorded by name only, so they fail their tests instead of crashing the export. It runs in a
# namespace of its own, so a student's variable called `list` or `json` cannot break it.
EXPORT_FUNCTION = r"""
def export(names, target, space):
    import json, math, numbers
    def encode(value, depth=0):
        if depth > 30:
            raise ValueError("nested too deeply")
        if value is None or isinstance(value, (bool, str)):
            return value
        if value is Ellipsis:
            return {"__kind__": "ellipsis"}
        if isinstance(value, numbers.Integral):
            return int(value)
        if isinstance(value, numbers.Real):
            number = float(value)
            return number if math.isfinite(number) else {"__kind__": "float", "repr": repr(number)}
        kind = type(value).__module__.split(".")[0] + "." + type(value).__name__
        if kind == "pandas.Series":
            return {"__kind__": "series", "name": encode(value.name, depth + 1),
                    "index": [encode(v, depth + 1) for v in value.index.tolist()],
                    "values": [encode(v, depth + 1) for v in value.tolist()]}
        if kind == "pandas.DataFrame":
            if value.size > 200_000:
                return {"__kind__": "unsupported", "type": "DataFrame with over 200,000 cells"}
            return {"__kind__": "dataframe",
                    "columns": [encode(v, depth + 1) for v in value.columns.tolist()],
                    "index": [encode(v, depth + 1) for v in value.index.tolist()],
                    "rows": [[encode(v, depth + 1) for v in row] for row in value.itertuples(index=False)]}
        if kind == "pandas.Timestamp":
            return {"__kind__": "timestamp", "iso": value.isoformat()}
        if kind == "pandas.NaTType":
            return {"__kind__": "nat"}
        if kind.startswith("altair.") and hasattr(value, "to_dict"):
            return {"__kind__": "chart", "spec": json.loads(json.dumps(value.to_dict()))}
        if kind == "numpy.ndarray":
            return {"__kind__": "list", "items": [encode(v, depth + 1) for v in value.tolist()]}
        if isinstance(value, dict):
            return {"__kind__": "dict", "items": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in value.items()]}
        if isinstance(value, (list, tuple, set, frozenset)):
            items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
            return {"__kind__": type(value).__name__ if type(value).__name__ in ("tuple", "set", "frozenset") else "list",
                    "items": [encode(v, depth + 1) for v in items]}
        return {"__kind__": "unsupported", "type": kind}
    answers, missing, failed = {}, [], {}
    for name in names:
        if name not in space:
            missing.append(name)
            continue
        try:
            answers[name] = encode(space[name])
        except Exception as error:
            failed[name] = type(error).__name__ + ": " + str(error)[:200]
    with open(target, "w", encoding="utf-8") as handle:
        json.dump({"answers": answers, "missing": missing, "failed": failed}, handle)
"""
EXPORT_CELL = """\
__course_space = {"__builtins__": __import__("builtins")}
exec(SOURCE, __course_space)
__course_space["export"](NAMES, TARGET, globals())
del __course_space
"""


class GradingUsageError(ValueError):
    """Bad arguments (a missing folder, an unknown assignment); the CLI exits non-zero."""


# ---------------------------------------------------------------------------------------------
# The assignment's tests, loaded once per worker before any student code runs.


@dataclass
class GradingKit:
    """Everything needed to grade one assignment, read from its otter autograder zip."""

    assignment: str
    tests: dict[str, str]  # question -> otter exception-based test source
    files: dict[str, bytes]  # relative path -> data the notebook and tests read
    possible: dict[str, float] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)  # notebook names the tests take as arguments

    @property
    def questions(self) -> list[str]:
        return sorted(self.tests, key=_question_order)


def _question_order(name: str):
    digits = "".join(ch for ch in name if ch.isdigit())
    return (int(digits) if digits else math.inf, name)


def _test_file(source: str, question: str):
    from otter.test_files import ExceptionTestFile

    return ExceptionTestFile.from_string(source, path=f"{question}.py")


def _describe(tests: dict[str, str]) -> tuple[dict[str, float], list[str]]:
    possible, names = {}, []
    for question, source in tests.items():
        test_file = _test_file(source, question)
        possible[question] = float(test_file.possible)
        for case in test_file.test_cases:
            for name in case.body._get_func_params():
                if name != "env" and name not in names:
                    names.append(name)
    return possible, names


def load_kit(autograder_zip: Path) -> GradingKit:
    """Read an otter autograder zip: the assignment name, all tests (hidden too) and its files."""
    with zipfile.ZipFile(autograder_zip) as archive:
        config = json.loads(archive.read("otter_config.json"))
        tests, files = {}, {}
        for member in archive.namelist():
            if member.startswith("tests/") and member.endswith(".py"):
                tests[Path(member).stem] = archive.read(member).decode("utf-8")
            elif member.startswith("files/") and not member.endswith("/"):
                files[member[len("files/") :]] = archive.read(member)
    kit = GradingKit(assignment=config.get("assignment_name", ""), tests=tests, files=files)
    kit.possible, kit.names = _describe(tests)
    return kit


def public_kit(notebook, path: Path) -> GradingKit:
    """A kit holding only the public tests a student notebook carries in its metadata."""
    meta = notebook.metadata.get("otter", {})
    tests = {
        question: source
        for question, source in meta.get("tests", {}).items()
        if isinstance(source, str)
    }
    if not tests:
        raise GradingUsageError(
            f"{path}: no otter tests in the notebook metadata; is it a student notebook of this course?"
        )
    kit = GradingKit(assignment=meta.get("assignment_name", ""), tests=tests, files={})
    kit.possible, kit.names = _describe(tests)
    return kit


# ---------------------------------------------------------------------------------------------
# Decoding the exported answers (plain JSON -> pandas objects), in the clean process.


class ChartSpec:
    """A chart as the student's kernel exported it: ``to_dict()`` returns its Vega-Lite spec."""

    def __init__(self, spec: dict):
        self._spec = spec

    def to_dict(self, *args, **kwargs) -> dict:
        return json.loads(json.dumps(self._spec))

    def __repr__(self) -> str:
        return f"ChartSpec(mark={self._spec.get('mark')!r})"


class Unsupported:
    """An answer of a type the export does not carry (a function, a module...)."""

    def __init__(self, kind: str):
        self.kind = kind

    def __repr__(self) -> str:
        return f"<unsupported answer of type {self.kind}>"


def decode(value):
    """Turn one exported JSON value back into the Python/pandas object the tests expect."""
    import pandas as pd

    if not isinstance(value, dict):
        return value
    kind = value.get("__kind__")
    if kind == "ellipsis":
        return Ellipsis
    if kind == "float":
        return float(value["repr"])
    if kind == "series":
        return pd.Series(
            [decode(v) for v in value["values"]],
            index=[decode(v) for v in value["index"]],
            name=decode(value["name"]),
        )
    if kind == "dataframe":
        return pd.DataFrame(
            [[decode(v) for v in row] for row in value["rows"]],
            columns=[decode(v) for v in value["columns"]],
            index=[decode(v) for v in value["index"]],
        )
    if kind == "timestamp":
        return pd.Timestamp(value["iso"])
    if kind == "nat":  # an empty date, e.g. a principal not terminated
        return pd.NaT
    if kind == "chart":
        return ChartSpec(value["spec"])
    if kind == "dict":
        return {_hashable(decode(k)): decode(v) for k, v in value["items"]}
    if kind in {"list", "tuple"}:
        return (list if kind == "list" else tuple)(decode(v) for v in value["items"])
    if kind in {"set", "frozenset"}:
        return (set if kind == "set" else frozenset)(_hashable(decode(v)) for v in value["items"])
    return Unsupported(str(value.get("type", kind)))


def _hashable(value):
    return tuple(value) if isinstance(value, list) else value


def _write_files(files: dict[str, bytes], folder: Path) -> None:
    for relative, payload in files.items():
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(payload)


def run_tests(kit: GradingKit, answers: dict, workdir: Path) -> dict[str, dict]:
    """Run every test of ``kit`` on ``answers`` with a pristine copy of the data as cwd."""
    _write_files(kit.files, workdir)
    previous = os.getcwd()
    results = {}
    try:
        os.chdir(workdir)
        for question in kit.questions:
            test_file = _test_file(kit.tests[question], question)
            test_file.run(dict(answers))
            results[question] = {
                "score": float(test_file.score),
                "possible": float(test_file.possible),
                "public_passed": sum(
                    r.passed for r in test_file.test_case_results if not r.test_case.hidden
                ),
                "public_total": sum(not r.test_case.hidden for r in test_file.test_case_results),
                "public_points": float(
                    sum(
                        r.test_case.points
                        for r in test_file.test_case_results
                        if r.passed and not r.test_case.hidden
                    )
                ),
                "public_possible": float(
                    sum(c.points for c in test_file.test_cases if not c.hidden)
                ),
                "public_summary": test_file.summary(public_only=True),
            }
    finally:
        os.chdir(previous)
    return results


# ---------------------------------------------------------------------------------------------
# Running one notebook in a fresh kernel.


def _quiet_client(notebook, workdir: Path, deadline: float):
    """An nbclient client that drops outputs, counts the errors cells raise, and stops at
    ``deadline`` (a time.monotonic() value) however many cells are left."""
    from nbclient import NotebookClient

    class QuietClient(NotebookClient):
        def output(self, outs, msg, display_id, cell_index):
            # Keep nothing: only the exported answers matter, and a cell printing
            # gigabytes must not fill the grader's memory.
            if msg["msg_type"] == "error":
                self.cell_errors.append(msg["content"].get("ename", "Error"))
                if msg["content"].get("ename") == "FileNotFoundError":
                    self.missing_files.append(str(msg["content"].get("evalue", ""))[:300])
            return None

    client = QuietClient(
        notebook,
        config=_kernel_config(workdir),
        kernel_name="python3",
        allow_errors=True,
        record_timing=False,
        resources={"metadata": {"path": str(workdir)}},
        shutdown_kernel="immediate",
        startup_timeout=max(5, int(deadline - time.monotonic())),
        timeout_func=lambda cell: max(1, int(math.ceil(deadline - time.monotonic()))),
    )
    client.cell_errors = []
    client.missing_files = []
    return client


def _remove_sockets(client) -> None:
    ip = client.config.KernelManager.get("ip") if "KernelManager" in client.config else None
    if ip:
        shutil.rmtree(Path(ip).parent, ignore_errors=True)


def _kernel_config(workdir: Path):
    """Kernels talk over local (IPC) sockets where the OS has them: nothing listens on TCP, and
    ipykernel has no reason to print its "running over TCP without encryption" warning, which
    alarms students. The sockets live in a private temporary folder, never in ``workdir``."""
    from traitlets.config import Config

    config = Config()
    if os.name == "posix":
        config.KernelManager.transport = "ipc"
        config.KernelManager.ip = str(Path(tempfile.mkdtemp(prefix="course-kernel-")) / "kernel")
    return config


def _prepare(notebook, names: list[str], answers_path: Path):
    import nbformat

    cells = [nbformat.v4.new_code_cell(GRADING_MODE_CELL)]
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cells.append(nbformat.v4.new_code_cell(cell.source))
        # markdown and raw cells need no kernel time
    export = (
        EXPORT_CELL.replace("SOURCE", repr(EXPORT_FUNCTION))
        .replace("NAMES", repr(names))
        .replace("TARGET", repr(str(answers_path)))
    )
    cells.append(nbformat.v4.new_code_cell(export))
    prepared = nbformat.v4.new_notebook(cells=cells)
    prepared.metadata = notebook.metadata
    return prepared


def execute_for_answers(notebook, names: list[str], workdir: Path, timeout: float) -> dict:
    """Run ``notebook`` with cwd ``workdir``; returns status, the exported answers and notes."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    answers_path = workdir / (ANSWERS_FILE + "." + secrets.token_hex(8))
    prepared = _prepare(notebook, names, answers_path)
    deadline = time.monotonic() + timeout
    client = _quiet_client(prepared, workdir, deadline)
    status, message = "ok", ""
    try:
        client.execute()
    except CellTimeoutError:
        status, message = "timeout", f"stopped after {timeout:g} s"
    except DeadKernelError:
        status, message = (
            "error",
            "the kernel died while running the notebook (os._exit or a crash)",
        )
    except Exception as error:  # kernel failed to start, or the notebook broke nbclient
        status, message = (
            "error",
            f"could not run the notebook: {type(error).__name__}: {str(error)[:200]}",
        )
    finally:
        _remove_sockets(client)
    exported = {"answers": {}, "missing": [], "failed": {}}
    if status == "ok":
        try:
            if answers_path.stat().st_size > MAX_ANSWER_BYTES:
                raise ValueError(f"more than {MAX_ANSWER_BYTES // 2**20} MB")
            exported = json.loads(answers_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            message = (
                f"the answers could not be exported ({type(error).__name__}: {str(error)[:100]})"
            )
    return {
        "status": status,
        "message": message,
        "exported": exported,
        "cell_errors": list(client.cell_errors),
        "missing_files": list(client.missing_files),
    }


# ---------------------------------------------------------------------------------------------
# Grading one submission (inside a worker).


def grade_submission(path: Path, kit: GradingKit, timeout: float) -> dict:
    """Grade one notebook file; never raises for a bad submission, returns a result dict."""
    import nbformat

    result = {"status": "ok", "scores": {}, "message": ""}
    try:
        size = path.stat().st_size
        if size > MAX_NOTEBOOK_BYTES:
            return {
                **result,
                "status": "unreadable",
                "message": f"file is larger than {MAX_NOTEBOOK_BYTES // 2**20} MB",
            }
        raw = path.read_bytes()
        notebook = nbformat.reads(raw.decode("utf-8"), as_version=4)
        if not isinstance(notebook.get("cells"), list):
            raise ValueError("no list of cells")
    except Exception as error:
        first = (
            str(error).strip().splitlines()[0][:160] if str(error).strip() else type(error).__name__
        )
        return {**result, "status": "unreadable", "message": f"not a valid notebook: {first}"}
    name = (notebook.metadata.get("otter") or {}).get("assignment_name")
    if name != kit.assignment:
        found = f"assignment '{name}'" if name else "no otter assignment name in its metadata"
        return {
            **result,
            "status": "error",
            "message": f"notebook is for {found}, not '{kit.assignment}'",
        }

    work = Path(tempfile.mkdtemp(prefix="course-grade-run-"))
    clean = Path(tempfile.mkdtemp(prefix="course-grade-tests-"))
    try:
        _write_files(kit.files, work)
        # The private copy carries otter's expected file name so grader.check finds its tests.
        (work / f"{kit.assignment}.ipynb").write_bytes(raw)
        run = execute_for_answers(notebook, kit.names, work, timeout)
        if run["status"] != "ok":
            return {**result, "status": run["status"], "message": run["message"]}
        exported = run["exported"]
        answers = {}
        for name, value in exported.get("answers", {}).items():
            try:
                answers[name] = decode(value)
            except Exception as error:  # a malformed answer fails its tests, nothing more
                answers[name] = Unsupported(f"undecodable ({type(error).__name__})")
        outcomes = run_tests(kit, answers, clean)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(clean, ignore_errors=True)
    notes = [run["message"]] if run["message"] else []
    if run["cell_errors"]:
        counts = collections.Counter(run["cell_errors"])
        listed = ", ".join(f"{n} x{c}" if c > 1 else n for n, c in sorted(counts.items()))
        notes.append(f"cells raised: {listed}")
    missing = sorted(n for n in exported.get("missing", []) if n in kit.names)
    if missing:
        notes.append("not defined: " + ", ".join(missing))
    for name, why in sorted(exported.get("failed", {}).items()):
        notes.append(f"{name} not exported: {why}")
    return {
        "status": "ok",
        "scores": {q: o["score"] for q, o in outcomes.items()},
        "message": "; ".join(notes),
    }


# ---------------------------------------------------------------------------------------------
# The worker process and its private, signed line protocol.


def _sign(key: bytes, body: str) -> str:
    return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()


def _envelope(key: bytes, message: dict) -> str:
    """One protocol line: the JSON message and its HMAC (jobs and results are both signed)."""
    body = json.dumps(message)
    return json.dumps({"body": body, "sig": _sign(key, body)}) + "\n"


def _verify(key: bytes, line) -> dict | None:
    """The message of a correctly signed line, else None (forged or garbled lines are ignored)."""
    try:
        envelope = json.loads(line)
        body = envelope["body"]
        if isinstance(body, str) and hmac.compare_digest(str(envelope["sig"]), _sign(key, body)):
            return json.loads(body)
    except (ValueError, KeyError, TypeError):
        pass
    return None


def _worker_main() -> int:
    # Take the protocol streams away from fds 0 and 1 so kernels (which inherit them) cannot
    # read jobs or write answers in our name; dup() makes non-inheritable copies.
    proto_in = os.fdopen(os.dup(0), "r", encoding="utf-8")
    proto_out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    key = bytes.fromhex(proto_in.readline().strip())
    # Load the tools that judge before any student code runs (they cannot be swapped later).
    import nbclient  # noqa: F401
    import nbformat  # noqa: F401
    import otter.test_files  # noqa: F401
    import pandas  # noqa: F401

    kits: dict[str, GradingKit] = {}
    for line in proto_in:
        job = _verify(key, line)
        if job is None:  # not from our parent: someone wrote into the pipe
            continue
        kit = kits.get(job["kit"]) or kits.setdefault(job["kit"], load_kit(Path(job["kit"])))
        try:
            result = grade_submission(Path(job["submission"]), kit, float(job["timeout"]))
        except Exception as error:  # a bug here must cost one row, not the run
            result = {
                "status": "error",
                "scores": {},
                "message": f"grader error: {type(error).__name__}: {error}",
            }
        proto_out.write(_envelope(key, {"id": job["id"], "result": result}))
        proto_out.flush()
    return 0


class _Worker:
    """The parent's handle on one worker process."""

    def __init__(self):
        self.key = secrets.token_bytes(32)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "course.grading", "--worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            cwd=tempfile.gettempdir(),
        )
        self.buffer = b""
        self.proc.stdin.write(self.key.hex().encode() + b"\n")
        self.proc.stdin.flush()

    def ask(self, job: dict, wait: float) -> dict | None:
        """Send a job; the signed result, or None if the worker died or ran out of time."""
        try:
            self.proc.stdin.write(_envelope(self.key, job).encode())
            self.proc.stdin.flush()
        except OSError:  # the worker is already gone (broken pipe)
            return None
        deadline = time.monotonic() + wait
        fd = self.proc.stdout.fileno()
        while True:
            while b"\n" in self.buffer:
                line, self.buffer = self.buffer.split(b"\n", 1)
                reply = _verify(self.key, line)
                if reply is not None and reply.get("id") == job["id"]:
                    return reply["result"]
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    return None
                self.buffer = (self.buffer + chunk)[-(4 << 20) :]

    def stop(self, kill: bool = False) -> None:
        if kill:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        else:
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                self.stop(kill=True)
        self.proc.wait()


# ---------------------------------------------------------------------------------------------
# A whole class.


@dataclass
class GradeRow:
    submission: str
    status: str
    scores: dict[str, float]
    message: str

    def total(self) -> float:
        return sum(self.scores.values())


def find_submissions(folder: Path) -> list[Path]:
    """Every ``*.ipynb`` under ``folder`` (checkpoints excluded), in a stable order."""
    found = [
        p
        for p in Path(folder).rglob("*.ipynb")
        if ".ipynb_checkpoints" not in p.parts and p.is_file()
    ]
    return sorted(found, key=lambda p: p.relative_to(folder).as_posix())


def _fmt(number: float) -> str:
    return f"{number:g}"


def write_grades(
    rows: list[GradeRow], questions: list[str], possible: dict[str, float], out: Path
) -> None:
    """Write the grades CSV atomically (a temporary file in the same folder, then a rename)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["submission", "status", "total", "max", *questions, "message"])
    maximum = sum(possible.values())
    for row in rows:
        graded = row.status == "ok"
        writer.writerow(
            [
                row.submission,
                row.status,
                _fmt(row.total()),
                _fmt(maximum),
                *[_fmt(row.scores.get(q, 0.0)) if graded else "" for q in questions],
                row.message,
            ]
        )
    handle, partial = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".partial")
    with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
        stream.write(buffer.getvalue())
    os.replace(partial, out)


class _Progress:
    def __init__(self, total: int, stream=sys.stderr):
        self.total, self.done, self.stream = total, 0, stream
        self.enabled = stream.isatty() and total > 0
        self.lock = threading.Lock()

    def step(self) -> None:
        with self.lock:
            self.done += 1
            if self.enabled:
                filled = int(30 * self.done / self.total)
                self.stream.write(
                    f"\rgrading [{'#' * filled}{'.' * (30 - filled)}] {self.done}/{self.total}"
                )
                if self.done == self.total:
                    self.stream.write("\n")
                self.stream.flush()


def grade_class(
    submissions: Path,
    autograder_zip: Path,
    out: Path,
    jobs: int | None = None,
    timeout: float = 120.0,
) -> tuple[list[GradeRow], str]:
    """Grade every notebook under ``submissions``; writes ``out`` and returns (rows, summary)."""
    submissions = Path(submissions)
    if not submissions.is_dir():
        raise GradingUsageError(f"submissions folder {submissions} does not exist")
    if timeout <= 0:
        raise GradingUsageError("--timeout must be positive")
    jobs = (os.cpu_count() or 1) if jobs is None else jobs
    if jobs < 1:
        raise GradingUsageError("--jobs must be at least 1")
    started = time.monotonic()
    kit = load_kit(Path(autograder_zip))
    paths = find_submissions(submissions)
    rows: list[GradeRow | None] = [None] * len(paths)
    todo: queue.Queue = queue.Queue()
    for index in range(len(paths)):
        todo.put(index)
    progress = _Progress(len(paths))

    def serve() -> None:
        worker = None
        try:
            while True:
                try:
                    index = todo.get_nowait()
                except queue.Empty:
                    return
                if worker is not None and worker.proc.poll() is not None:
                    worker.stop(kill=True)  # died after its last answer: start afresh
                    worker = None
                worker = worker or _Worker()
                job = {
                    "id": secrets.token_hex(8),
                    "submission": str(paths[index].resolve()),
                    "kit": str(Path(autograder_zip).resolve()),
                    "timeout": timeout,
                }
                result = worker.ask(job, timeout + WORKER_GRACE_SECONDS)
                if result is None:
                    died = worker.proc.poll() is not None
                    worker.stop(kill=True)
                    worker = None
                    result = (
                        {"status": "error", "scores": {}, "message": "the grading process died"}
                        if died
                        else {
                            "status": "timeout",
                            "scores": {},
                            "message": f"stopped after {timeout:g} s (kernel unresponsive)",
                        }
                    )
                rows[index] = GradeRow(
                    paths[index].relative_to(submissions).as_posix(),
                    result["status"],
                    result.get("scores", {}),
                    result.get("message", ""),
                )
                progress.step()
        finally:
            if worker is not None:
                worker.stop()

    threads = [threading.Thread(target=serve, daemon=True) for _ in range(min(jobs, len(paths)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # A grader failure must cost rows, never drop submissions from the CSV.
    done = [
        row
        if row is not None
        else GradeRow(
            paths[index].relative_to(submissions).as_posix(),
            "error",
            {},
            "not graded: the grading run failed before reaching this submission",
        )
        for index, row in enumerate(rows)
    ]
    write_grades(done, kit.questions, kit.possible, out)
    graded = [row for row in done if row.status == "ok"]
    failed = {status: sum(row.status == status for row in done) for status in STATUSES[1:]}
    mean = sum(row.total() for row in graded) / len(graded) if graded else 0.0
    summary = (
        f"graded {len(graded)} of {len(done)} submissions, failed {sum(failed.values())} "
        f"({', '.join(f'{n} {s}' for s, n in failed.items())}); "
        f"mean score {mean:.2f}/{_fmt(sum(kit.possible.values()))}; "
        f"wall time {time.monotonic() - started:.1f} s -> {out}"
    )
    return done, summary


def grade_command(args) -> int:
    """``python -m course grade``: build the assignment if needed, grade the folder, summarise."""
    from course import exercises
    from course.paths import BUILD_DIR, EXERCISES_DIR

    # A private --source builds apart, so its files never land where the book publishes from.
    public = Path(args.source).resolve() == EXERCISES_DIR.resolve()
    build = BUILD_DIR / ("exercises" if public else "private-exercises")
    try:
        autograder = exercises.autograder_for(args.assignment, args.source, build)
        _, summary = grade_class(
            args.submissions, autograder, args.out, jobs=args.jobs, timeout=args.timeout
        )
    except (GradingUsageError, exercises.ExerciseBuildError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(summary)
    return 0


# ---------------------------------------------------------------------------------------------
# A student's self-check from a terminal.


def check_notebook(path: Path, timeout: float = 300.0) -> tuple[list[tuple[str, dict]], str]:
    """Run a student notebook in a fresh kernel (cwd: its folder) and its public tests apart."""
    import nbformat

    path = Path(path)
    try:
        notebook = nbformat.read(path, as_version=4)
    except Exception as error:
        raise GradingUsageError(f"{path}: not a readable notebook ({error})") from error
    kit = public_kit(notebook, path)
    run = execute_for_answers(notebook, kit.names, path.resolve().parent, timeout)
    answers_files = list(path.resolve().parent.glob(ANSWERS_FILE + ".*"))
    for leftover in answers_files:
        leftover.unlink(missing_ok=True)
    if run["status"] != "ok":
        return [], run["message"]
    if run["missing_files"]:
        return [], missing_data_message(path, run["missing_files"])
    answers = {n: decode(v) for n, v in run["exported"].get("answers", {}).items()}
    # Public tests may read the data shipped beside the notebook, so they run in its folder.
    outcomes = run_tests(kit, answers, path.resolve().parent)
    return list(outcomes.items()), ""


def missing_data_message(path: Path, errors: list[str]) -> str:
    """What a FileNotFoundError in a student's notebook means: which file, and where it looked.

    ``errors`` are the exceptions' texts, e.g. "[Errno 2] No such file or directory: 'data/x.csv'".
    """
    import re

    folder = Path(path).resolve().parent
    lines = []
    for error in dict.fromkeys(errors):
        match = re.search(r"""['"]([^'"]+)['"]\s*$""", error)
        name = match.group(1) if match else error
        looked = Path(name) if Path(name).is_absolute() else folder / name
        lines.append(f"the notebook could not find {name} (looked for {looked})")
    return (
        "; ".join(lines)
        + f". Keep the notebook in the folder you unzipped, beside its data/ folder ({folder} "
        "has no such file), then run the check again. No question was scored."
    )


def check_command(args) -> int:
    """``python -m course check NOTEBOOK``: a per-question table of the public tests."""
    try:
        outcomes, problem = check_notebook(args.notebook)
    except GradingUsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if problem:
        print(f"{args.notebook}: {problem}", file=sys.stderr)
        return 1
    print(f"{'question':<10}{'public tests':<16}{'points':<10}")
    for question, outcome in outcomes:
        print(
            f"{question:<10}{outcome['public_passed']}/{outcome['public_total']} passed{'':<5}"
            f"{_fmt(outcome['public_points'])}/{_fmt(outcome['public_possible'])}"
        )
    passed = all(o["public_passed"] == o["public_total"] for _, o in outcomes)
    print(
        "Only the public tests ran. Hidden tests are added when your work is graded, "
        "so a question can still lose points."
    )
    return 0 if passed else 1


if __name__ == "__main__" and sys.argv[1:] == ["--worker"]:
    sys.exit(_worker_main())
