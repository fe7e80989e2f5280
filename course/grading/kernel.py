"""Running one notebook top to bottom in a fresh Jupyter kernel, keeping only the exported
answers: outputs are dropped as they arrive, errors do not stop the run, and a deadline does."""

from __future__ import annotations

import math
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from course.grading import export
from course.grading.answers import read_exported
from course.grading.sandbox import Sandbox

ANSWERS_FILE = ".course-answers.json"

# Runs first in the student's kernel: otter's grading mode makes export() and check_all() no-ops
# (export would zip the notebook and run its tests again), while grader.check keeps working.
GRADING_MODE_CELL = """\
import otter as __course_otter
__course_otter.Notebook.init_grading_mode(tests_dir="tests")
del __course_otter
"""

# Runs last: the source of course/grading/export.py, executed in a namespace of its own.
EXPORT_CELL = """\
__course_space = {"__builtins__": __import__("builtins"), "__name__": "course_export"}
exec(SOURCE, __course_space)
__course_space["export"](NAMES, TARGET, globals())
del __course_space
"""


def export_source() -> str:
    return Path(export.__file__).read_text(encoding="utf-8")


@dataclass
class KernelRun:
    """What running a notebook gave: a status, a message, the exported answers and the names
    of the errors its cells raised."""

    status: str
    message: str = ""
    exported: dict = field(default_factory=lambda: {"answers": {}, "missing": [], "failed": {}})
    cell_errors: list[str] = field(default_factory=list)
    missing_files: list[str] = field(default_factory=list)


def sandboxed_manager_class(sandbox: Sandbox, folder: Path, workdir: Path):
    """A kernel manager class whose kernels start inside ``sandbox`` and talk to the grader
    over Unix sockets in ``folder`` (the sandbox has no network, not even loopback)."""
    from jupyter_client.manager import AsyncKernelManager

    runtime = folder / "kernel"
    runtime.mkdir(exist_ok=True)

    class SandboxedKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            kwargs.update(transport="ipc", connection_file=str(runtime / "kernel.json"))
            super().__init__(**kwargs)

        def format_kernel_cmd(self, extra_arguments=None):
            return sandbox.command(super().format_kernel_cmd(extra_arguments), folder, workdir)

    return SandboxedKernelManager


def local_manager_class(runtime: Path):
    """Unsandboxed kernels (``course check``) also talk over Unix sockets, in ``runtime``:
    nothing listens on TCP, and ipykernel has no reason to print its "running over TCP without
    encryption" warning, which alarms students."""
    from jupyter_client.manager import AsyncKernelManager

    class LocalKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            kwargs.update(transport="ipc", connection_file=str(runtime / "kernel.json"))
            super().__init__(**kwargs)

    return LocalKernelManager


def _quiet_client(notebook, workdir: Path, deadline: float, manager_class=None):
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

    extra = {"kernel_manager_class": manager_class} if manager_class is not None else {}
    client = QuietClient(
        notebook,
        kernel_name="python3",
        allow_errors=True,
        record_timing=False,
        resources={"metadata": {"path": str(workdir)}},
        shutdown_kernel="immediate",
        startup_timeout=max(5, int(deadline - time.monotonic())),
        timeout_func=lambda cell: max(1, int(math.ceil(deadline - time.monotonic()))),
        **extra,
    )
    client.cell_errors = []
    client.missing_files = []
    return client


def prepare(notebook, names: list[str], answers_path: Path):
    """The notebook as it runs: grading mode first, the student's code cells, the export last."""
    import nbformat

    cells = [nbformat.v4.new_code_cell(GRADING_MODE_CELL)]
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cells.append(nbformat.v4.new_code_cell(cell.source))
        # markdown and raw cells need no kernel time
    export_cell = (
        EXPORT_CELL.replace("SOURCE", repr(export_source()))
        .replace("NAMES", repr(names))
        .replace("TARGET", repr(str(answers_path)))
    )
    cells.append(nbformat.v4.new_code_cell(export_cell))
    prepared = nbformat.v4.new_notebook(cells=cells)
    prepared.metadata = notebook.metadata
    return prepared


def execute_for_answers(
    notebook,
    names: list[str],
    workdir: Path,
    timeout: float,
    sandbox: Sandbox | None = None,
    folder: Path | None = None,
) -> KernelRun:
    """Run ``notebook`` with cwd ``workdir``; returns status, the exported answers and notes.
    With a ``sandbox``, the kernel runs inside it and may write only in ``folder`` (which
    holds ``workdir``)."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    answers_path = workdir / (ANSWERS_FILE + "." + secrets.token_hex(8))
    prepared = prepare(notebook, names, answers_path)
    deadline = time.monotonic() + timeout
    runtime = None
    if sandbox is not None:
        manager_class = sandboxed_manager_class(sandbox, folder or workdir, workdir)
    else:
        # Sockets in a private folder, never in ``workdir`` (the student's own folder).
        runtime = Path(tempfile.mkdtemp(prefix="course-kernel-"))
        manager_class = local_manager_class(runtime)
    client = _quiet_client(prepared, workdir, deadline, manager_class)
    run = KernelRun("ok")
    try:
        client.execute()
    except CellTimeoutError:
        run.status, run.message = "timeout", f"stopped after {timeout:g} s"
    except DeadKernelError:
        run.status = "error"
        run.message = "the kernel died while running the notebook (os._exit or a crash)"
    except Exception as error:  # kernel failed to start, or the notebook broke nbclient
        run.status = "error"
        run.message = f"could not run the notebook: {type(error).__name__}: {str(error)[:200]}"
    finally:
        if runtime is not None:
            shutil.rmtree(runtime, ignore_errors=True)
    run.cell_errors = list(client.cell_errors)
    run.missing_files = list(client.missing_files)
    if sandbox is not None and sandbox.cgroup is not None:
        sandbox.cgroup.wait_empty()  # nothing the notebook started is still running
    if run.status == "ok":
        try:
            run.exported = read_exported(answers_path)
        except (OSError, ValueError) as error:
            run.message = (
                f"the answers could not be exported ({type(error).__name__}: {str(error)[:100]})"
            )
    return run
