"""Running one notebook top to bottom in a fresh Jupyter kernel, keeping only the exported
answers: outputs are dropped as they arrive, errors do not stop the run, and a deadline does."""

from __future__ import annotations

import math
import re
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from course.grading import export
from course.grading.answers import read_exported
from course.grading.sandbox import Sandbox
from course.grading.skipped_imports import SKIPPED_IMPORTS

ANSWERS_FILE = ".course-answers.json"

# Runs first in the student's kernel: the export module (course/grading/export.py) loads in a
# namespace of its own and wraps grader.check to record each question's values when it is
# checked; otter's grading mode makes export() and check_all() no-ops (export would zip the
# notebook and run its tests again), while grader.check keeps working.
GRADING_MODE_CELL = """\
import sys as __course_sys, types as __course_types
for __course_name in SKIPPED:  # course.grading.skipped_imports: seconds saved per kernel
    __course_sys.modules.setdefault(__course_name, None)
__course_module = __course_types.ModuleType("course_export")
exec(SOURCE, __course_module.__dict__)
__course_sys.modules["course_export"] = __course_module  # found again by the export cell
__course_module.install(QUESTIONS)
import otter as __course_otter
__course_otter.Notebook.init_grading_mode(tests_dir="tests")
del __course_sys, __course_types, __course_name, __course_module, __course_otter
"""

# Runs last: the final values of every graded name, and the records of the checks.
EXPORT_CELL = """\
__import__("sys").modules["course_export"].export(NAMES, TARGET, globals())
"""

# Cells otter's runner drops before running a notebook (otter.execute.preprocessor).
IGNORE_TAG = "otter_ignore"


def export_source() -> str:
    return Path(export.__file__).read_text(encoding="utf-8")


@dataclass
class KernelRun:
    """What running a notebook gave: a status, a message, the exported answers and the names
    of the errors its cells raised."""

    status: str
    message: str = ""
    exported: dict = field(
        default_factory=lambda: {"answers": {}, "missing": [], "failed": {}, "checked": {}}
    )
    cell_errors: list[str] = field(default_factory=list)
    missing_files: list[str] = field(default_factory=list)
    stopped: list[str] = field(default_factory=list)  # cells interrupted at --cell-timeout


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

        async def interrupt_kernel(self) -> None:  # type: ignore[override]  # no restart flag
            # A signal would reach bwrap, not the kernel, and end the sandbox: ask the kernel
            # to interrupt itself over its control channel instead.
            self._connect_control_socket()
            self.session.send(self._control_socket, self.session.msg("interrupt_request", {}))

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


# After the notebook's deadline, the export cell still gets this long to save the answers.
EXPORT_GRACE_SECONDS = 10.0
DEFAULT_CELL_TIMEOUT = 60.0


def _quiet_client(
    notebook, workdir: Path, deadline: float, manager_class=None, cell_timeout: float | None = None
):
    """An nbclient client that drops outputs, counts the errors cells raise, interrupts a cell
    that runs past ``cell_timeout`` and goes on with the next, and at ``deadline`` (a
    time.monotonic() value) interrupts the running cell, skips the rest and runs only the
    last (export) cell."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError

    last = len(notebook.cells) - 1

    class QuietClient(NotebookClient):
        cell_errors: list[str]
        missing_files: list[str]
        stopped: list[int]
        out_of_time: bool
        current: int

        def output(self, outs, msg, display_id, cell_index):
            # Keep nothing: only the exported answers matter, and a cell printing
            # gigabytes must not fill the grader's memory.
            if msg["msg_type"] == "error" and msg["content"].get("ename") != "KeyboardInterrupt":
                self.cell_errors.append(msg["content"].get("ename", "Error"))
                if msg["content"].get("ename") == "FileNotFoundError":
                    self.missing_files.append(str(msg["content"].get("evalue", ""))[:300])
            return None

        async def async_execute_cell(self, cell, cell_index, *args, **kwargs):
            self.current = cell_index
            if self.out_of_time and cell_index != last:
                return cell  # past the deadline: only the export cell still runs
            return await super().async_execute_cell(cell, cell_index, *args, **kwargs)

        async def _async_handle_timeout(self, timeout, cell=None):
            if self.current == last or (self.out_of_time and self.current != last):
                raise CellTimeoutError.error_from_timeout_and_cell(
                    "Cell execution timed out", timeout, cell
                )
            if time.monotonic() >= deadline - 0.5:
                self.out_of_time = True
            else:
                self.stopped.append(self.current)
            assert self.km is not None  # set while the notebook runs
            await self.km.interrupt_kernel()  # type: ignore[misc]  # async in AsyncKernelManager
            # Answer for the kernel: nbclient moves on to the next cell at once.
            return {"content": {"status": "error", "ename": "CellTimeout", "evalue": ""}}

    def cell_time(cell) -> int:
        left = deadline - time.monotonic()
        if client.current == last:
            return max(1, int(math.ceil(max(left, 0) + EXPORT_GRACE_SECONDS)))
        if cell_timeout is not None and cell_timeout < left:
            return max(1, int(math.ceil(cell_timeout)))
        return max(1, int(math.ceil(left)))

    extra = {"kernel_manager_class": manager_class} if manager_class is not None else {}
    client = QuietClient(
        notebook,
        kernel_name="python3",
        allow_errors=True,
        record_timing=False,
        resources={"metadata": {"path": str(workdir)}},
        shutdown_kernel="immediate",
        startup_timeout=max(5, int(deadline - time.monotonic())),
        timeout_func=cell_time,
        **extra,
    )
    client.cell_errors, client.stopped, client.out_of_time, client.current = [], [], False, 0
    client.missing_files = []
    return client


def fill(template: str, **values: str) -> str:
    """``template`` with each placeholder word replaced in one pass: inserted text (a variable
    called ``TARGET``, say) is never itself replaced."""
    words = "|".join(map(re.escape, values))
    return re.sub(rf"\b({words})\b", lambda match: values[match.group(1)], template)


def ignored(cell) -> bool:
    """A cell otter's runner removes: tagged ``otter_ignore`` or marked ``otter: ignore``."""
    metadata = cell.get("metadata", {})
    otter_meta = metadata.get("otter", {})
    return IGNORE_TAG in (metadata.get("tags") or []) or bool(
        isinstance(otter_meta, dict) and otter_meta.get("ignore", False)
    )


def prepare(notebook, names: list[str], answers_path: Path, questions: dict | None = None):
    """The notebook as it runs: grading mode first, the student's code cells, the export last.
    ``questions`` maps each question to the names its tests read (recorded at its check)."""
    import nbformat

    grading_mode = fill(
        GRADING_MODE_CELL,
        SKIPPED=repr(SKIPPED_IMPORTS),
        SOURCE=repr(export_source()),
        QUESTIONS=repr(dict(questions or {})),
    )
    cells = [nbformat.v4.new_code_cell(grading_mode)]
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type == "code" and not ignored(cell):
            cells.append(nbformat.v4.new_code_cell(cell.source))
            # The student's cell number, for messages about a stopped cell.
            cells[-1].metadata["course_cell"] = number
            # Otter's runner checks the questions a cell lists in its otter metadata after it.
            listed = (cell.get("metadata", {}).get("otter") or {}).get("tests") or []
            if isinstance(listed, list) and listed:
                calls = "".join(f"__import__('otter').Notebook().check({q!r})\n" for q in listed)
                cells.append(nbformat.v4.new_code_cell(calls))
        # markdown and raw cells need no kernel time
    export_cell = fill(EXPORT_CELL, NAMES=repr(names), TARGET=repr(str(answers_path)))
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
    cell_timeout: float | None = None,
    questions: dict | None = None,
) -> KernelRun:
    """Run ``notebook`` with cwd ``workdir``; returns status, the exported answers and notes.
    With a ``sandbox``, the kernel runs inside it and may write only in ``folder`` (which
    holds ``workdir``). A cell past ``cell_timeout`` seconds is interrupted and the run goes
    on; at ``timeout`` the run stops, but the answers defined so far are still exported.
    ``questions`` (question -> names) are also recorded at each question's ``grader.check``."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    answers_path = workdir / (ANSWERS_FILE + "." + secrets.token_hex(8))
    prepared = prepare(notebook, names, answers_path, questions)
    deadline = time.monotonic() + timeout
    runtime = None
    if sandbox is not None:
        manager_class = sandboxed_manager_class(sandbox, folder or workdir, workdir)
    else:
        # Sockets in a private folder, never in ``workdir`` (the student's own folder).
        runtime = Path(tempfile.mkdtemp(prefix="course-kernel-"))
        manager_class = local_manager_class(runtime)
    client = _quiet_client(prepared, workdir, deadline, manager_class, cell_timeout)
    run = KernelRun("ok")
    exported = False  # the export cell ran to its end
    try:
        client.execute()
        exported = True
        if client.out_of_time:
            run.status, run.message = "timeout", f"stopped after {timeout:g} s"
    except CellTimeoutError:
        run.status, run.message = "timeout", f"stopped after {timeout:g} s"
    except Exception as error:
        if client.out_of_time:
            # Past the deadline, whatever ends the run (the kernel dying under the CPU limit,
            # a shutdown that fails) is still the notebook running out of time, not a crash.
            run.status, run.message = "timeout", f"stopped after {timeout:g} s"
        elif isinstance(error, DeadKernelError):
            run.status = "error"
            run.message = "the kernel died while running the notebook (os._exit or a crash)"
        else:  # kernel failed to start, or the notebook broke nbclient
            run.status = "error"
            run.message = f"could not run the notebook: {type(error).__name__}: {str(error)[:200]}"
    finally:
        if runtime is not None:
            shutil.rmtree(runtime, ignore_errors=True)
    run.cell_errors = list(client.cell_errors)
    run.missing_files = list(client.missing_files)
    for index in client.stopped:
        cell = prepared.cells[index]
        first = next((line.strip() for line in cell.source.splitlines() if line.strip()), "")
        number = cell.metadata.get("course_cell", index)
        run.stopped.append(f"cell {number} ({first[:40]})")
    if sandbox is not None and sandbox.cgroup is not None:
        sandbox.cgroup.wait_empty()  # nothing the notebook started is still running
    if exported:
        try:
            run.exported = read_exported(answers_path)
        except (OSError, ValueError) as error:
            run.message = (
                f"the answers could not be exported ({type(error).__name__}: {str(error)[:100]})"
            )
    return run
