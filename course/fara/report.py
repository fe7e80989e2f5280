"""Errors and accounting: what happened to every record of a file."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


class FaraDataError(ValueError):
    """Input that cannot be read as FARA data; the message names the file, line and column."""

    def __init__(self, path, problem: str, line: int | None = None, column: str | None = None):
        self.path, self.problem, self.line, self.column = str(path), problem, line, column
        where = self.path
        if line is not None:
            where += f", line {line}"
        if column is not None:
            where += f", column {column!r}"
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class RecordNote:
    """One record that needed repair or was rejected: its first physical line and the reason."""

    line: int
    reason: str
    raw: str


@dataclass
class LoadReport:
    """What happened to every record of one file: ``parsed + repaired + rejected == raw``."""

    path: str
    kind: str
    raw: int = 0
    parsed: int = 0
    repaired: list[RecordNote] = field(default_factory=list)
    rejected: list[RecordNote] = field(default_factory=list)
    #: Counts of documented quirks (records may have several); they do not partition ``raw``.
    quirks: dict[str, int] = field(default_factory=dict)

    @property
    def balanced(self) -> bool:
        return self.parsed + len(self.repaired) + len(self.rejected) == self.raw

    def summary(self) -> dict:
        """A JSON-friendly summary (counts and reasons, no raw text)."""
        reasons: dict[str, int] = {}
        for note in self.repaired:
            reasons[note.reason] = reasons.get(note.reason, 0) + 1
        return {
            "raw": self.raw,
            "parsed": self.parsed,
            "repaired": len(self.repaired),
            "rejected": len(self.rejected),
            "repair_reasons": dict(sorted(reasons.items())),
            "rejected_lines": [note.line for note in self.rejected],
            "quirks": dict(sorted(self.quirks.items())),
        }


@dataclass
class LoadResult:
    """A typed frame (one row per accepted record, ``raw_line`` = first physical line) and its report."""

    frame: pd.DataFrame
    report: LoadReport
    sha256: str = ""
    source_sha256: str = ""
