"""Rubrics: what a peer review scores on a course or topic (issue 23), as a catalog gives it.

A catalog (and a backup) writes a rubric as a list of criteria, each a mapping of
`criterion` (text) and `points` (the most a review may give it, a whole number):

    rubric:
      - criterion: The model trains
        points: 10
      - criterion: Clear write-up
        points: 5

The store keeps it as one JSON text (`course.rubric`, `topic.rubric`:
`[{"criterion": "The model trains", "points": 10}, ...]`, in order), and holds its
rule itself (`store.rules.COURSE_RUBRIC`, written out in `store.peer_rules`). This
module is the one place that turns one form into the other, and that checks a
document's rubric before the store sees it, so that a mistake is reported at its
`file:line:col` like any other in a catalog (`documents.first_error` reads the
`at`, `field` and `key` of an error raised here to place it inside the list).

The strict loader reads every YAML scalar as text: `points: 10` arrives as "10", a
JSON backup's as 10; both are read, nothing else is (`10.0`, `true`, ` 10`).

Only `json` is imported at the top: `show` reads a stored rubric on a command's
path; checking a document (pydantic's error type) is for imports alone.
"""

from __future__ import annotations

import json
import re
from typing import Any

from coursetrack.validate import MAX_CRITERIA, MAX_CRITERION, MAX_POINTS, text_problem

#: A criterion's keys, in the order they are written.
KEYS = ("criterion", "points")
_DIGITS = re.compile(r"[0-9]{1,3}")
#: JSON's escape of a NUL, which the store refuses anywhere in a rubric's text
#: (`store.peer_rules`): a criterion that spells these six characters out is one.
_NUL_ESCAPE = "\\u0000"


def to_json(criteria: list[dict[str, Any]]) -> str:
    """The stored form of a checked rubric: a JSON array of `{"criterion", "points"}`."""
    return json.dumps(
        [{"criterion": c["criterion"], "points": c["points"]} for c in criteria],
        ensure_ascii=False,
    )


def read(stored: str | None) -> list[dict[str, Any]] | None:
    """A stored rubric as the list a document writes (None: the item has none).

    The store holds only well-formed rubrics (its own rule), so this trusts it."""
    if stored is None:
        return None
    return [{"criterion": c["criterion"], "points": int(c["points"])} for c in json.loads(stored)]


def total(criteria: list[dict[str, Any]]) -> int:
    """The most points a review can give under this rubric."""
    return sum(c["points"] for c in criteria)


def _kind_of(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    return "null" if value is None else "a single value"


def _error(
    message: str, *, at: int | None = None, field: str | None = None, key: bool = False
) -> Exception:
    """A document's error inside a rubric: the item `at`, its `field` (its key's place
    with `key`), as `documents.first_error` places it."""
    from pydantic_core import PydanticCustomError

    from coursetrack.documents import RULE_ERROR

    ctx: dict[str, Any] = {"problem": message}
    if at is not None:
        ctx.update(at=at, field=field, key=key)
    return PydanticCustomError(RULE_ERROR, "{problem}", ctx)


def _points(value: Any) -> int | None:
    """The points as a whole number: a JSON number, or YAML's text of digits."""
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 1 <= value <= MAX_POINTS else None


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return value if _DIGITS.fullmatch(value) else repr(value[:40])
    return _kind_of(value) if isinstance(value, dict | list) or value is None else str(value)


def checked(value: Any) -> str | None:
    """A document's `rubric:` as the store keeps it (JSON text), or None when it has none.

    A pydantic "before" validator of catalogs and backups: raises the first problem,
    placed at the criterion (and key) it is about. `rubric:` with nothing after it is no
    rubric, as any optional field left blank."""
    if value is None or value == "":
        return None
    if not isinstance(value, list):
        raise _error(
            f"rubric must be a list of criteria (each a criterion: and its points:), "
            f"not {_kind_of(value)}"
        )
    if not value:
        raise _error(f"an empty rubric; list 1 to {MAX_CRITERIA} criteria, or leave rubric: out")
    if len(value) > MAX_CRITERIA:
        raise _error(
            f"too many criteria: a rubric has at most {MAX_CRITERIA} (this one has {len(value)})",
            at=MAX_CRITERIA,
        )
    seen: dict[str, int] = {}
    criteria = []
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            raise _error(
                "each item of rubric must be a mapping with criterion: and points:, "
                f"not {_kind_of(item)}",
                at=i,
            )
        for key in item:
            if key not in KEYS:
                raise _error(
                    f"unknown key {key!r}; allowed here: {', '.join(KEYS)}",
                    at=i,
                    field=key,
                    key=True,
                )
        for key in KEYS:
            if key not in item:
                raise _error(f"missing required key {key!r}", at=i)
        criterion, points = item["criterion"], _points(item["points"])
        if not isinstance(criterion, str):
            raise _error(
                f"criterion must be text, not {_kind_of(criterion)}", at=i, field="criterion"
            )
        problem = text_problem(criterion, what="criterion", limit=MAX_CRITERION, required=True)
        if problem is None and _NUL_ESCAPE in criterion:
            problem = f"criterion holds the text {_NUL_ESCAPE}, which a rubric cannot keep"
        if problem:
            raise _error(problem, at=i, field="criterion")
        if criterion in seen:
            raise _error(
                f"duplicate criterion {criterion!r} (also item {seen[criterion] + 1} of this "
                "rubric); give each criterion once",
                at=i,
                field="criterion",
            )
        seen[criterion] = i
        if points is None:
            raise _error(
                f"points must be a whole number from 1 to {MAX_POINTS}, "
                f"not {_shown(item['points'])}",
                at=i,
                field="points",
            )
        criteria.append({"criterion": criterion, "points": points})
    return to_json(criteria)
