"""The sandbox a submission's kernel runs in: bubblewrap (``bwrap``), no Docker needed.

The kernel runs as an unprivileged user (uid 65534) in its own user namespace with every
capability dropped, so it cannot remount anything even when the grader runs as root. It sees a
read-only system (``/usr``, ``/etc``, the Python installation and the venv), a private ``/tmp``,
and one writable folder holding only this submission's copy, its staged data files and the
kernel's sockets. The class folder, other submissions, the autograder zip, the grader's working
folder, home and output CSV are simply not there. It has its own PID namespace, torn down with
the kernel (``--unshare-pid --die-with-parent``), so nothing it starts outlives it, and its own
network namespace, so it reaches no host, loopback included: the grader talks to the kernel over
Unix sockets in the shared folder (jupyter_client's ``ipc`` transport).

Resource limits (``prlimit``, inside the sandbox): address space (``--memory``, default 2 GiB),
CPU time (the timeout plus a margin), file size, and number of processes. Linux exempts uid 0
from the process limit, and a grader running as root maps the sandbox user onto uid 0, so as
root the processes are also counted by a ``pids`` cgroup of their own.
"""

from __future__ import annotations

import math
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from course.grading.kit import GradingUsageError

SANDBOX_UID = 65534  # "nobody" inside the sandbox's user namespace
DEFAULT_MEMORY = 2 * 2**30
DEFAULT_PROCESSES = 256  # processes and threads together; a kernel uses about 15
DEFAULT_FILE_SIZE = 256 * 2**20
TMP_SIZE = 256 * 2**20
# Kernel start-up and the export cell's grace after the deadline (kernel.EXPORT_GRACE_SECONDS)
# use CPU too: the wall-clock timeout must always come first, or a busy loop that outlives the
# deadline is killed by the CPU limit and reads as a crash, not a timeout.
CPU_MARGIN_SECONDS = 30
PACKAGE_HINT = (
    "install the Debian/Ubuntu package `bubblewrap` (sudo apt-get install bubblewrap), "
    "or pass --no-sandbox to grade trusted notebooks unsandboxed"
)
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")
CGROUP_PREFIX = "course-grade-"
PROBE = "import os, sys; sys.exit(0 if os.getuid() == 65534 and os.getgid() == 65534 else 3)"


class SandboxUnavailable(GradingUsageError):
    """No working bubblewrap sandbox on this machine: ``course grade`` refuses to run."""


@dataclass(frozen=True)
class Limits:
    """Per-submission resource limits (bytes, processes, CPU seconds)."""

    memory: int = DEFAULT_MEMORY
    processes: int = DEFAULT_PROCESSES
    file_size: int = DEFAULT_FILE_SIZE
    cpu_seconds: int = 120 + CPU_MARGIN_SECONDS

    @classmethod
    def for_timeout(cls, timeout: float, memory: int = DEFAULT_MEMORY) -> Limits:
        return cls(memory=memory, cpu_seconds=math.ceil(timeout) + CPU_MARGIN_SECONDS)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Limits:
        return cls(**{key: int(data[key]) for key in asdict(cls())})


def parse_size(text: str) -> int:
    """``2G``, ``2GiB``, ``512M``, ``1500000000``: bytes (K, M, G are powers of 1024)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*", str(text), re.IGNORECASE)
    if not match:
        raise GradingUsageError(f"--memory {text!r}: expected a size such as 2G, 512M or bytes")
    number, unit = float(match.group(1)), match.group(2).lower()
    size = int(number * 1024 ** " kmgt".index(unit or " "))
    if size < 256 * 2**20:
        raise GradingUsageError(f"--memory {text}: at least 256M, a kernel needs that much")
    return size


def describe_size(size: int) -> str:
    for unit, factor in (("GiB", 2**30), ("MiB", 2**20)):
        if size >= factor:
            return f"{size / factor:g} {unit}"
    return f"{size} bytes"


def _read_only_dirs() -> list[str]:
    """System folders, the Python installation and the venv, and any other site-packages the
    interpreter's path names (a venv layered on another by a .pth line), without ones inside
    another. Never the checkout itself: an editable install's path is not a site-packages."""
    wanted = [*SYSTEM_DIRS, sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix]
    wanted.append(str(Path(os.path.realpath(sys.executable)).parent.parent))
    wanted += [p for p in sys.path if os.path.basename(p) in ("site-packages", "dist-packages")]
    found = sorted({os.path.abspath(p) for p in wanted if os.path.isdir(p)}, key=len)
    kept: list[str] = []
    for path in found:
        if not any(path == k or path.startswith(k.rstrip("/") + "/") for k in kept):
            kept.append(path)
    return kept


class PidsCgroup:
    """A ``pids`` cgroup of its own for a worker's kernels (root only: see the module doc)."""

    def __init__(self, path: Path):
        self.path = path
        self.procs = path / "cgroup.procs"

    @classmethod
    def create(cls, limit: int) -> PidsCgroup:
        root = cls.find_root()
        if root is None:
            raise SandboxUnavailable(
                "grading as root needs a writable `pids` cgroup to limit the sandbox's "
                "processes (Linux does not apply RLIMIT_NPROC to uid 0); none was found under "
                "/sys/fs/cgroup. Run `course grade` as an ordinary user, or pass --no-sandbox "
                "to grade trusted notebooks unsandboxed"
            )
        path = root / f"{CGROUP_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
        try:
            path.mkdir()
            (path / "pids.max").write_text(str(limit))
        except OSError as error:
            raise SandboxUnavailable(
                f"could not create the cgroup {path} ({error}); run `course grade` as an "
                "ordinary user, or pass --no-sandbox to grade trusted notebooks unsandboxed"
            ) from error
        return cls(path)

    @staticmethod
    def find_root() -> Path | None:
        v1 = Path("/sys/fs/cgroup/pids")
        if (v1 / "cgroup.procs").is_file() and os.access(v1, os.W_OK):
            return v1
        v2 = Path("/sys/fs/cgroup")
        try:
            controllers = (v2 / "cgroup.subtree_control").read_text().split()
        except OSError:
            return None
        return v2 if "pids" in controllers and os.access(v2, os.W_OK) else None

    def members(self) -> list[int]:
        try:
            return [int(p) for p in self.procs.read_text().split()]
        except OSError:
            return []

    def wait_empty(self, seconds: float = 10.0) -> bool:
        """Wait for every process of the last kernel to be gone (the PID namespace tears down
        asynchronously after the kernel is killed)."""
        deadline = time.monotonic() + seconds
        while self.members():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True

    def remove(self) -> None:
        self.wait_empty()
        try:
            self.path.rmdir()
        except OSError:
            pass


def remove_cgroups_of(worker_pid: int) -> None:
    """Remove the cgroups of a worker that was killed before it could remove them itself."""
    root = PidsCgroup.find_root() if os.geteuid() == 0 else None
    for path in root.glob(f"{CGROUP_PREFIX}{worker_pid}-*") if root else []:
        PidsCgroup(path).remove()


class Sandbox:
    """Builds the command that starts a kernel inside bubblewrap."""

    def __init__(self, limits: Limits, bwrap: str, prlimit: str):
        self.limits = limits
        self.bwrap, self.prlimit = bwrap, prlimit
        self.cgroup: PidsCgroup | None = None
        if os.geteuid() == 0:
            self.cgroup = PidsCgroup.create(limits.processes + 8)  # + bwrap's own processes

    @classmethod
    def create(cls, limits: Limits) -> Sandbox:
        """A sandbox, or SandboxUnavailable naming what is missing."""
        if not sys.platform.startswith("linux"):
            raise SandboxUnavailable(
                "the grading sandbox (bubblewrap) needs Linux: grade inside a Linux container or "
                "WSL2, or pass --no-sandbox to grade trusted notebooks unsandboxed"
            )
        bwrap = shutil.which("bwrap")
        if bwrap is None:
            raise SandboxUnavailable(
                f"the grading sandbox needs `bwrap`, not found: {PACKAGE_HINT}"
            )
        prlimit = shutil.which("prlimit") or (
            "/usr/bin/prlimit" if Path("/usr/bin/prlimit").is_file() else None
        )
        if prlimit is None:
            raise SandboxUnavailable(
                "the grading sandbox needs `prlimit`, not found: install the Debian/Ubuntu "
                "package `util-linux`, or pass --no-sandbox to grade trusted notebooks unsandboxed"
            )
        return cls(limits, bwrap, os.path.realpath(prlimit))

    def command(self, argv: list[str], folder: Path, workdir: Path) -> list[str]:
        """``argv`` wrapped to run sandboxed, with ``folder`` (holding ``workdir``) writable."""
        limits = self.limits
        # The private /tmp comes first: bwrap mounts in order, and a /tmp mounted after the
        # read-only binds would hide a venv or a checkout under /tmp (CI runners, clones).
        bwrap = [self.bwrap, "--size", str(TMP_SIZE), "--tmpfs", "/tmp"]
        for path in _read_only_dirs():
            bwrap += ["--ro-bind", path, path]
        bwrap += ["--proc", "/proc", "--dev", "/dev"]
        bwrap += ["--bind", str(folder), str(folder), "--chdir", str(workdir)]
        bwrap += ["--unshare-all", "--unshare-user", "--disable-userns"]
        bwrap += ["--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID), "--cap-drop", "ALL"]
        bwrap += ["--die-with-parent", "--new-session", "--clearenv"]
        env = {
            "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
            "HOME": "/tmp",
            "TMPDIR": "/tmp",
            "LANG": "C.UTF-8",
            "MPLBACKEND": "agg",
            # One thread each: threads count as processes, and a kernel needs no more.
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        }
        for name, value in env.items():
            bwrap += ["--setenv", name, value]
        limit = [
            self.prlimit,
            f"--as={limits.memory}",
            f"--nproc={limits.processes}",
            f"--fsize={limits.file_size}",
            f"--cpu={limits.cpu_seconds}",
            "--",
        ]
        command = [*bwrap, "--", *limit, *argv]
        if self.cgroup is not None:
            # Join the cgroup before bwrap starts, so every process of the sandbox is counted.
            join = 'echo $$ > "$0" && exec "$@"'
            command = ["/bin/sh", "-c", join, str(self.cgroup.procs), *command]
        return command

    def probe(self) -> None:
        """Start one sandboxed interpreter; SandboxUnavailable with bwrap's words if it fails."""
        folder = Path(tempfile.mkdtemp(prefix="course-grade-probe-"))
        try:
            done = subprocess.run(
                self.command([sys.executable, "-c", PROBE], folder, folder),
                capture_output=True,
                text=True,
                timeout=60,
                stdin=subprocess.DEVNULL,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise SandboxUnavailable(f"the grading sandbox did not start: {error}") from error
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        if done.returncode != 0:
            said = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
            raise SandboxUnavailable(
                f"bwrap is installed but could not start the grading sandbox ({said}). It needs "
                "user namespaces: on Ubuntu 24.04 and later run `sudo sysctl -w "
                "kernel.apparmor_restrict_unprivileged_userns=0`; on older Debian `sudo sysctl "
                "-w kernel.unprivileged_userns_clone=1`; inside Docker, unprivileged user "
                "namespaces are usually blocked. Or pass --no-sandbox to grade trusted "
                "notebooks unsandboxed"
            )

    def close(self) -> None:
        if self.cgroup is not None:
            self.cgroup.remove()
            self.cgroup = None
