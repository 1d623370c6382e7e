"""A stored program written back as a catalog: `coursetrack export catalog SPEC`.

What a friend needs to follow the same program, and nothing of the learner:
the specialization, its courses and topics with their titles, slugs (always
written, so a later re-import of a newer copy matches by them), descriptions and
URLs and rubrics, in the catalog format (`catalog`), read by `coursetrack import FILE`.
Progress, notes, links, reviews, the goal and certificate URLs are the learner's
record and are left out; so is a catalog's `source:`, which the store never held.

The rows are read as a backup reads them (`store.backup`); the YAML is written
by the backup's dumper, so text that YAML would turn into something else (`no`,
`1e3`, `~`) is quoted and comes back as written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from coursetrack import rubrics
from coursetrack.errors import ExportError
from coursetrack.refs import resolve
from coursetrack.services.backup_export import _dump
from coursetrack.store import backup as store

if TYPE_CHECKING:
    from coursetrack.store.reader import Reader, Row

#: What a shared catalog holds of each item, in the catalog format's order; the
#: certificate URLs the store also keeps are the learner's own.
SPEC_FIELDS = ("slug", "title", "provider", "url", "description")
COURSE_FIELDS = ("slug", "title", "description", "url", "rubric")
TOPIC_FIELDS = ("slug", "title", "description", "url", "rubric")


def _fields(row: Row, names: tuple[str, ...]) -> dict[str, Any]:
    """The row's set columns; a rubric as the list of criteria the format writes."""
    out = {name: row[name] for name in names if row[name] is not None}
    if "rubric" in out:
        out["rubric"] = rubrics.read(out["rubric"])
    return out


def collect(reader: Reader, spec_ref: str) -> dict[str, Any]:
    """The catalog document of the specialization `spec_ref` names."""
    target = resolve(reader, spec_ref)
    if target.kind != "specialization":
        raise ExportError(
            f"{spec_ref!r} is a {target.kind}; a catalog holds a whole specialization, "
            f"e.g. {target.specialization.slug}"
        )
    spec = target.specialization
    topics_of: dict[int, list[dict[str, Any]]] = {}
    for topic in store.topics(reader, spec["id"]):
        topics_of.setdefault(topic["course_id"], []).append(_fields(topic, TOPIC_FIELDS))
    courses = []
    for course in store.courses(reader, spec["id"]):
        entry = _fields(course, COURSE_FIELDS)
        topics = topics_of.get(course["id"])
        if topics:
            entry["topics"] = topics
        courses.append(entry)
    document = _fields(spec, SPEC_FIELDS)
    if courses:
        document["courses"] = courses
    return document


def to_yaml(document: dict[str, Any]) -> str:
    """The catalog as a file: a comment saying what it is, then the YAML."""
    header = (
        f"# {document['slug']}: a coursetrack catalog (the program alone: no progress or notes).\n"
        "# Track it with:  coursetrack import FILE\n"
    )
    return header + _dump(document)
