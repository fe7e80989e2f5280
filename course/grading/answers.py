"""The exported answers back in the grading process: read safely, decoded into the pandas
objects the tests expect (plain JSON in, no code run)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

MAX_ANSWER_BYTES = 64 * 1024 * 1024


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


def read_exported(path: Path) -> dict:
    """The JSON the export wrote: the final record and one per checked question. The folder belonged to the student's code, so the file must be
    a regular file (not a link, a FIFO or a device) no bigger than ``MAX_ANSWER_BYTES``."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ValueError("not a regular file")
        if info.st_size > MAX_ANSWER_BYTES:
            raise ValueError(f"more than {MAX_ANSWER_BYTES // 2**20} MB")
        exported = json.loads(handle.read(MAX_ANSWER_BYTES + 1).decode("utf-8"))
    record = _record(exported)
    checked = exported.get("checked", {})
    if not isinstance(checked, dict):
        raise ValueError("not an answers record")
    record["checked"] = {str(question): _record(value) for question, value in checked.items()}
    return record


def _record(exported) -> dict:
    """One ``{"answers", "missing", "failed"}`` record, checked for shape."""
    if not isinstance(exported, dict) or not isinstance(exported.get("answers", {}), dict):
        raise ValueError("not an answers record")
    missing, failed = exported.get("missing", []), exported.get("failed", {})
    return {
        "answers": exported.get("answers", {}),
        "missing": [str(n) for n in missing] if isinstance(missing, list) else [],
        "failed": {str(k): str(v) for k, v in failed.items()} if isinstance(failed, dict) else {},
    }


def graded_records(exported: dict, questions: list[str]) -> dict[str, dict]:
    """question -> the record it is graded on: its values at its last ``grader.check`` if one
    ran, else the values at the end of the notebook (otter's runner checks it there)."""
    checked = exported.get("checked", {})
    final = {key: exported.get(key, {}) for key in ("answers", "missing", "failed")}
    return {question: checked.get(question, final) for question in questions}


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
    if kind == "nat":
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


def decode_all(exported: dict) -> dict:
    """Every exported answer decoded; a malformed one fails its tests, nothing more."""
    answers = {}
    for name, value in exported.get("answers", {}).items():
        try:
            answers[name] = decode(value)
        except Exception as error:
            answers[name] = Unsupported(f"undecodable ({type(error).__name__})")
    return answers


def _hashable(value):
    return tuple(value) if isinstance(value, list) else value


def decode_per_question(exported: dict, questions: list[str]) -> dict[str, dict]:
    """question -> its decoded answers (``graded_records``); the final record decoded once."""
    decoded: dict[int, dict] = {}
    out = {}
    for question, record in graded_records(exported, questions).items():
        if id(record) not in decoded:
            decoded[id(record)] = decode_all(record)
        out[question] = decoded[id(record)]
    return out
