"""The answer export: the one program of the grader that runs inside the student's kernel.

The grader executes this file's source in a module of its own before the student's first cell
(so a student's variable called ``list`` or ``json`` cannot break it). ``install`` wraps otter's
``Notebook.check`` so that each ``grader.check("qN")`` records the values of the names qN's tests
read at that moment, as otter's own runner grades qN then; ``export``, in the last cell, writes
those records and the final values (for questions never checked) to ``target``. Values are
JSON-encoded (never pickle: decoding must not run code); unknown types are recorded by name
only, so they fail their tests instead of crashing the export. Standard library and otter only.
"""

import json
import math
import numbers

MAX_DEPTH = 30
MAX_FRAME_CELLS = 200_000


def encode(value, depth=0):
    """One value as plain JSON; pandas, numpy and altair objects are recognised by type name."""
    if depth > MAX_DEPTH:
        raise ValueError("nested too deeply")
    if value is None or isinstance(value, bool | str):
        return value
    if value is Ellipsis:
        return {"__kind__": "ellipsis"}
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        return number if math.isfinite(number) else {"__kind__": "float", "repr": repr(number)}
    kind = type(value).__module__.split(".")[0] + "." + type(value).__name__
    inner = depth + 1
    if kind == "pandas.Series":
        return {
            "__kind__": "series",
            "name": encode(value.name, inner),
            "index": [encode(v, inner) for v in value.index.tolist()],
            "values": [encode(v, inner) for v in value.tolist()],
        }
    if kind == "pandas.DataFrame":
        if value.size > MAX_FRAME_CELLS:
            return {"__kind__": "unsupported", "type": "DataFrame with over 200,000 cells"}
        return {
            "__kind__": "dataframe",
            "columns": [encode(v, inner) for v in value.columns.tolist()],
            "index": [encode(v, inner) for v in value.index.tolist()],
            "rows": [[encode(v, inner) for v in row] for row in value.itertuples(index=False)],
        }
    if kind == "pandas.Timestamp":
        return {"__kind__": "timestamp", "iso": value.isoformat()}
    if kind == "pandas.NaTType":  # an empty date, e.g. a principal not terminated
        return {"__kind__": "nat"}
    if kind.startswith("altair.") and hasattr(value, "to_dict"):
        return {"__kind__": "chart", "spec": json.loads(json.dumps(value.to_dict()))}
    if kind == "numpy.ndarray":
        return {"__kind__": "list", "items": [encode(v, inner) for v in value.tolist()]}
    if isinstance(value, dict):
        return {
            "__kind__": "dict",
            "items": [[encode(k, inner), encode(v, inner)] for k, v in value.items()],
        }
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=repr) if isinstance(value, set | frozenset) else value
        name = type(value).__name__
        return {
            "__kind__": name if name in ("tuple", "set", "frozenset") else "list",
            "items": [encode(v, inner) for v in items],
        }
    return {"__kind__": "unsupported", "type": kind}


def snapshot(names, space):
    """``{"answers", "missing", "failed"}`` for ``names`` looked up in ``space``."""
    answers, missing, failed = {}, [], {}
    for name in names:
        if name not in space:
            missing.append(name)
            continue
        try:
            answers[name] = encode(space[name])
        except Exception as error:
            failed[name] = type(error).__name__ + ": " + str(error)[:200]
    return {"answers": answers, "missing": missing, "failed": failed}


CHECKED: dict[
    str, dict
] = {}  # question -> snapshot at its last grader.check, as otter keeps the last result


def install(question_names):
    """Record each question's names when ``grader.check`` runs it (``question_names``: question
    -> the names its tests read). Otter's runner has every test file, so there a check of a
    known question never raises: here too (the kernel holds only the public tests, if any)."""
    import sys

    from otter import Notebook

    original = Notebook.check

    def check(self, question, global_env=None):
        if global_env is None:
            global_env = sys._getframe(1).f_globals
        names = question_names.get(question)
        if names is None:  # unknown to the autograder: fails as it does under otter
            return original(self, question, global_env)
        CHECKED[question] = snapshot(names, global_env)
        try:
            return original(self, question, global_env)
        except Exception:
            return None

    Notebook.check = check


def export(names, target, space):
    """Write the final values of ``names`` in ``space`` and the check-time records."""
    record = snapshot(names, space)
    record["checked"] = CHECKED
    with open(target, "w", encoding="utf-8") as handle:
        json.dump(record, handle)
