"""The import's reads and bulk writes: a catalog merged in a few statements, whatever its size.

`services.importer` decides what changes (matching by slug, positions, what is
reported); this module writes it level by level: one `executemany` for the rows
that change, one for those removed, one for those added, so a catalog of 20,000
topics costs a handful of statements, not one per topic. The history triggers
still record every row, and skip an update that changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import islice
from typing import TYPE_CHECKING, Any

from coursetrack.store import uids
from coursetrack.store.items import COLUMNS, PARENTS, TABLES
from coursetrack.vocabulary import Status, sql

if TYPE_CHECKING:
    from coursetrack.store.reader import Reader, Row
    from coursetrack.store.writer import Writer

#: What a re-import copies onto a stored row: what describes it, less the slug it is
#: matched by (tests/test_importer.py holds these to `models.described_by`).
FIELDS = {kind: tuple(name for name in names if name != "slug") for kind, names in COLUMNS.items()}


def specialization(reader: Reader, slug: str) -> Row | None:
    """The stored specialization with this slug, all its columns."""
    return reader.one(_SPEC_BY_SLUG, slug=slug)


_SPEC_BY_SLUG = f"SELECT id, {', '.join(COLUMNS['specialization'])} FROM specialization " + (
    "WHERE slug = :slug"
)


def courses(reader: Reader, spec_id: int) -> list[Row]:
    """The specialization's courses, in order, all their columns."""
    return reader.all(_COURSES, parent=spec_id)


_COURSES = (
    f"SELECT id, position, {', '.join(COLUMNS['course'])} FROM course "
    "WHERE specialization_id = :parent ORDER BY position"
)


def topics(reader: Reader, spec_id: int) -> list[Row]:
    """Every topic of the specialization, in one statement, with its `course_id`."""
    return reader.all(_TOPICS, parent=spec_id)


_TOPICS = (
    f"SELECT t.id, t.course_id, t.position, {', '.join('t.' + c for c in COLUMNS['topic'])} "
    "FROM topic t JOIN course c ON c.id = t.course_id "
    "WHERE c.specialization_id = :parent ORDER BY t.course_id, t.position"
)


def course_ids(reader: Reader, spec_id: int) -> dict[str, int]:
    """The specialization's course ids by slug (the parents of new topics)."""
    return {row.slug: row.id for row in reader.all(_COURSE_IDS, parent=spec_id)}


_COURSE_IDS = "SELECT id, slug FROM course WHERE specialization_id = :parent"


def done_courses_without_topics(reader: Reader, spec_id: int) -> dict[int, Row]:
    """The specialization's courses that have no topic and were marked done themselves,
    with the dates of that progress."""
    return {
        row.course_id: row
        for row in reader.all(_DONE_ALONE, parent=spec_id, done=Status.DONE.value)
    }


_DONE_ALONE = """
SELECT p.course_id, p.started_on, p.completed_on
FROM progress p JOIN course c ON c.id = p.course_id
WHERE c.specialization_id = :parent AND p.status = :done
  AND NOT EXISTS (SELECT 1 FROM topic t WHERE t.course_id = c.id)
"""


def add_specialization(writer: Writer, values: Mapping[str, Any]) -> int:
    """Insert a specialization (every column of `COLUMNS`, and its uid: `store.uids`); its id."""
    return writer.insert(
        _ADD_SPEC,
        **{name: values[name] for name in COLUMNS["specialization"]},
        uid=uids.settle_catalog(writer, "specialization", (values["slug"],)),
    )


_ADD_SPEC = "INSERT INTO specialization ({}, uid) VALUES ({}, :uid) RETURNING id".format(
    ", ".join(COLUMNS["specialization"]), ", ".join(f":{c}" for c in COLUMNS["specialization"])
)


def update_rows(writer: Writer, kind: str, rows: Iterable[Mapping[str, Any]]) -> None:
    """Write the position (not of a specialization) and `FIELDS` of each row, by id: one
    statement for them all."""
    names = ("position", *FIELDS[kind]) if kind in PARENTS else FIELDS[kind]
    batch = [{"id": row["id"], **{name: row[name] for name in names}} for row in rows]
    if batch:
        writer.executemany(_UPDATE[kind], batch)


_UPDATE = {
    kind: f"UPDATE {TABLES[kind]} SET "
    + ", ".join(f"{name} = :{name}" for name in (("position",) if kind in PARENTS else ()) + names)
    + " WHERE id = :id"
    for kind, names in FIELDS.items()
}


def delete_rows(writer: Writer, kind: str, ids: Iterable[int]) -> None:
    """Delete these courses (topics), all under them and the records on them (ON DELETE
    CASCADE)."""
    batch = [{"id": row_id} for row_id in ids]
    if batch:
        writer.executemany(f"DELETE FROM {TABLES[kind]} WHERE id = :id", batch)


def add_rows(writer: Writer, kind: str, rows: Iterable[Mapping[str, Any]]) -> None:
    """Insert courses (topics): each row has its parent's id, position and `COLUMNS`.

    Sent `CHUNK` rows to a statement, taken from `rows` as they come: a catalog of
    100,000 topics never holds all its parameters at once.
    """
    rows = iter(rows)
    while chunk := list(islice(rows, CHUNK)):
        writer.executemany(_ADD[kind], uids.with_catalog_uids(writer, kind, PARENTS[kind], chunk))


#: Rows to one `executemany` of the import: few statements, a bounded memory.
CHUNK = 2000

_ADD = {
    kind: "INSERT INTO {} ({}, uid) VALUES ({}, :uid)".format(
        kind,
        ", ".join((PARENTS[kind], "position", *COLUMNS[kind])),
        ", ".join(f":{c}" for c in (PARENTS[kind], "position", *COLUMNS[kind])),
    )
    for kind in PARENTS
}


def carry_done(writer: Writer, courses: Iterable[Mapping[str, Any]]) -> None:
    """Every topic of each course done, on the dates its whole-course progress has
    (`course_id`, `started_on`, `completed_on`): a finished course that gains topics stays
    finished."""
    batch = [
        {key: row[key] for key in ("course_id", "started_on", "completed_on")} for row in courses
    ]
    if batch:
        writer.executemany(_CARRY_DONE, batch)


_CARRY_DONE = (
    "INSERT INTO progress (topic_id, status, started_on, completed_on) "
    f"SELECT id, {sql(Status.DONE)}, :started_on, :completed_on FROM topic "
    "WHERE course_id = :course_id "
    "ORDER BY id"
)
