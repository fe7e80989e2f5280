"""What grading one submission produces: a small typed record, sent through the worker pipe."""

from __future__ import annotations

from dataclasses import dataclass, field

STATUSES = ("ok", "timeout", "error", "unreadable")
# Values of the grades CSV's ``flags`` column (semicolon-separated when there are several).
UNSANDBOXED = "unsandboxed"
# The notebook does not carry the build hash of the assignment as built now (another version
# of the master or its data, or no hash at all): its questions or data may differ.
VERSION_MISMATCH = "version_mismatch"


@dataclass
class Result:
    """The outcome for one submission: a status from ``STATUSES``, points per question (only
    when the status is ``ok``), a message for the instructor and flags for the CSV."""

    status: str
    scores: dict[str, float] = field(default_factory=dict)
    message: str = ""
    flags: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "status": self.status,
            "scores": dict(self.scores),
            "message": self.message,
            "flags": list(self.flags),
        }

    @classmethod
    def from_json(cls, data: dict) -> Result:
        """The record a worker sent; a field of the wrong type makes the row an error."""
        status = data.get("status")
        scores = data.get("scores", {})
        if (
            status not in STATUSES
            or not isinstance(scores, dict)
            or not all(isinstance(k, str) and isinstance(v, int | float) for k, v in scores.items())
        ):
            return cls("error", {}, "grader error: malformed result from the grading process")
        flags = [str(flag) for flag in data.get("flags", []) if isinstance(flag, str)]
        return cls(
            status, {k: float(v) for k, v in scores.items()}, str(data.get("message", "")), flags
        )
