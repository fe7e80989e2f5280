"""The grading worker process and its private, signed line protocol.

The parent starts one worker per parallel job (``python -m course.grading --worker``). The worker
loads otter, pandas and each assignment's tests before any student code runs, then grades the
jobs it is sent, one at a time. Jobs and results travel as JSON lines signed with a key only the
two processes share, so a kernel that writes into the pipe cannot forge a result.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from course.grading.kit import GradingKit, load_kit
from course.grading.result import Result
from course.grading.sandbox import Limits, Sandbox, remove_cgroups_of
from course.grading.submission import grade_submission, remove_folders_of


def sign(key: bytes, body: str) -> str:
    return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()


def envelope(key: bytes, message: dict) -> str:
    """One protocol line: the JSON message and its HMAC (jobs and results are both signed)."""
    body = json.dumps(message)
    return json.dumps({"body": body, "sig": sign(key, body)}) + "\n"


def verify(key: bytes, line) -> dict | None:
    """The message of a correctly signed line, else None (forged or garbled lines are ignored)."""
    try:
        wrapped = json.loads(line)
        body = wrapped["body"]
        if isinstance(body, str) and hmac.compare_digest(str(wrapped["sig"]), sign(key, body)):
            return json.loads(body)
    except (ValueError, KeyError, TypeError):
        pass
    return None


def grade_job(job: dict, kits: dict[str, GradingKit], sandboxes: dict[Limits, Sandbox]) -> Result:
    """One job: a submission, the autograder zip and the sandbox's limits (None: unsandboxed)."""

    kit = kits.get(job["kit"]) or kits.setdefault(job["kit"], load_kit(Path(job["kit"])))
    sandbox = None
    if job.get("sandbox") is not None:
        limits = Limits.from_json(job["sandbox"])
        sandbox = sandboxes.get(limits) or sandboxes.setdefault(limits, Sandbox.create(limits))
    cell_timeout = job.get("cell_timeout")
    return grade_submission(
        Path(job["submission"]),
        kit,
        float(job["timeout"]),
        sandbox,
        float(cell_timeout) if cell_timeout else None,
        job.get("build_hash"),
    )


def worker_main() -> int:
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
    sandboxes: dict[Limits, Sandbox] = {}
    try:
        for line in proto_in:
            job = verify(key, line)
            if job is None:  # not from our parent: someone wrote into the pipe
                continue
            try:
                result = grade_job(job, kits, sandboxes)
            except Exception as error:  # a bug here must cost one row, not the run
                result = Result("error", message=f"grader error: {type(error).__name__}: {error}")
            proto_out.write(envelope(key, {"id": job["id"], "result": result.to_json()}))
            proto_out.flush()
    finally:
        for sandbox in sandboxes.values():
            sandbox.close()
    return 0


class Worker:
    """The parent's handle on one worker process."""

    def __init__(self):
        import secrets

        self.key = secrets.token_bytes(32)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "course.grading", "--worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            cwd=tempfile.gettempdir(),
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None  # both PIPE
        self.stdin, self.stdout = self.proc.stdin, self.proc.stdout
        self.buffer = b""
        self.stdin.write(self.key.hex().encode() + b"\n")
        self.stdin.flush()

    def ask(self, job: dict, wait: float) -> Result | None:
        """Send a job; the signed result, or None if the worker died or ran out of time."""
        try:
            self.stdin.write(envelope(self.key, job).encode())
            self.stdin.flush()
        except OSError:  # the worker is already gone (broken pipe)
            return None
        deadline = time.monotonic() + wait
        fd = self.stdout.fileno()
        while True:
            while b"\n" in self.buffer:
                line, self.buffer = self.buffer.split(b"\n", 1)
                reply = verify(self.key, line)
                if reply is not None and reply.get("id") == job["id"]:
                    return Result.from_json(reply.get("result") or {})
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
                self.stdin.close()
                self.proc.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                self.stop(kill=True)
        self.proc.wait()
        if kill:  # its sandbox dies with it (--die-with-parent); its folders and cgroup remain
            remove_folders_of(self.proc.pid)
            remove_cgroups_of(self.proc.pid)
