"""Progress writes: `done`, `start`, `reopen`, and the counts `done` reports with.

Only units (topics, and courses without topics) carry a status. Done and
reopen work on every unit under an item at once, as a few set-based
statements: a specialization of 100,000 topics is a handful of round trips
under the write lock, not 100,000. Every statement here takes the item as its
kind ("specialization", "course", "topic") and row id, as `refs` resolves it.

The status words are the values the store holds (`services.figures` spells
them too): "todo", "in-progress", "done".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from coursetrack.store import queries

if TYPE_CHECKING:
    from coursetrack.store.reader import Reader, Row
    from coursetrack.store.writer import Writer

TODO = "todo"
IN_PROGRESS = "in-progress"
DONE = "done"

#: The progress column that points at each kind of item.
OWNER = {"specialization": "specialization_id", "course": "course_id", "topic": "topic_id"}

_TOPICLESS = "NOT EXISTS (SELECT 1 FROM topic WHERE topic.course_id = course.id)"

#: The units under an item, per kind: (progress column, query of the unit ids, its
#: table) for topics, then for courses without topics. The query takes `:id`.
_SCOPES = {
    "topic": [("topic_id", "SELECT :id AS id", "topic")],
    "course": [
        ("topic_id", "SELECT id FROM topic WHERE course_id = :id", "topic"),
        ("course_id", f"SELECT id FROM course WHERE id = :id AND {_TOPICLESS}", "course"),
    ],
    "specialization": [
        (
            "topic_id",
            "SELECT topic.id FROM topic JOIN course ON course.id = topic.course_id "
            "WHERE course.specialization_id = :id",
            "topic",
        ),
        (
            "course_id",
            f"SELECT id FROM course WHERE specialization_id = :id AND {_TOPICLESS}",
            "course",
        ),
    ],
}


@dataclass(frozen=True)
class EarlyUnit:
    """A unit that was started after the day it would be marked done on."""

    kind: str  # "topic" or "course"
    unit_id: int
    title: str
    started_on: dt.date


def started_after(writer: Reader, *, kind: str, item_id: int, on: dt.date) -> EarlyUnit | None:
    """The open unit under the item started latest after `on`, if any (topics first):
    `done --on` refuses a completion before the start."""
    for column, units, table in _SCOPES[kind]:
        row = writer.one(
            f"SELECT p.{column} AS unit_id, p.started_on, x.title FROM progress p "
            f"JOIN {table} x ON x.id = p.{column} WHERE p.{column} IN ({units}) "
            "AND p.status != :done AND p.started_on > :on ORDER BY p.started_on DESC LIMIT 1",
            id=item_id,
            done=DONE,
            on=on,
        )
        if row is not None:
            return EarlyUnit(table, row.unit_id, row.title, row.started_on)
    return None


def mark_done(
    writer: Writer, *, kind: str, item_id: int, on: dt.date, not_before_start: bool
) -> tuple[int, int]:
    """Mark every open unit under the item done on `on`; (units changed, units done already).

    `not_before_start`: `on` is today by default, so a unit started later (a change
    of zone) is completed on its start day instead (see `dates.not_before`).
    """
    completed = "CASE WHEN started_on > :on THEN started_on ELSE :on END"
    completed = completed if not_before_start else ":on"
    changed = unchanged = 0
    for column, units, _table in _SCOPES[kind]:
        args = {"id": item_id, "on": on, "done": DONE}
        unchanged += writer.scalar(
            f"SELECT count(*) FROM progress WHERE {column} IN ({units}) AND status = :done",
            **args,
        )
        changed += writer.execute(
            f"UPDATE progress SET status = :done, completed_on = {completed} "
            f"WHERE {column} IN ({units}) AND status != :done",
            **args,
        )
        changed += writer.execute(
            f"INSERT INTO progress ({column}, status, completed_on) "
            f"SELECT unit.id, :done, :on FROM ({units}) AS unit "
            f"WHERE NOT EXISTS (SELECT 1 FROM progress WHERE {column} = unit.id) "
            "ORDER BY unit.id",
            **args,
        )
    return changed, unchanged


def reopen(writer: Writer, *, kind: str, item_id: int) -> tuple[int, int]:
    """Undo `done` on every done unit under the item; (units reopened, units under it).

    A reopened topic leaves the review ladder: reviews are of done topics (a
    backup holding reviews of an unfinished topic is refused), and done again
    starts it afresh.
    """
    changed = total = 0
    for column, units, _table in _SCOPES[kind]:
        args = {"id": item_id, "done": DONE}
        if column == "topic_id":
            writer.execute(
                f"DELETE FROM review WHERE topic_id IN ({units}) AND topic_id IN "
                "(SELECT topic_id FROM progress WHERE status = :done)",
                **args,
            )
        total += writer.scalar(f"SELECT count(*) FROM ({units}) AS unit", id=item_id)
        changed += writer.execute(
            "UPDATE progress SET completed_on = NULL, status = CASE "
            "WHEN started_on IS NOT NULL THEN :in_progress ELSE :todo END "
            f"WHERE {column} IN ({units}) AND status = :done",
            **args,
            in_progress=IN_PROGRESS,
            todo=TODO,
        )
    return changed, total


def progress_of(reader: Reader, *, kind: str, item_id: int) -> Row | None:
    """The item's progress (status, started_on, completed_on), if it has a row: reads'."""
    return reader.one(queries.PROGRESS_OF.format(owner=OWNER[kind]), id=item_id)


def progress_row(reader: Reader, *, kind: str, item_id: int) -> Row | None:
    """The item's own progress row (id, status, started_on, completed_on), if it has one."""
    return reader.one(
        f"SELECT id, status, started_on, completed_on FROM progress WHERE {OWNER[kind]} = :id",
        id=item_id,
    )


def has_topics(reader: Reader, course_id: int) -> bool:
    """Whether a course has topics (else it is a unit of its own)."""
    sql = "SELECT 1 FROM topic WHERE course_id = :id LIMIT 1"
    return reader.scalar(sql, id=course_id) is not None


def mark_started(
    writer: Writer, *, kind: str, item_id: int, on: dt.date, status: str | None
) -> None:
    """Record the item started on `on`, its row made if it has none; `status`: the
    unit's new status (None: a course with topics or a specialization, whose status
    is derived from its units and left as it is)."""
    row = progress_row(writer, kind=kind, item_id=item_id)
    if row is None:
        writer.execute(
            f"INSERT INTO progress ({OWNER[kind]}, status, started_on) VALUES (:id, :status, :on)",
            id=item_id,
            status=status or TODO,
            on=on,
        )
    elif status is None:
        writer.execute("UPDATE progress SET started_on = :on WHERE id = :id", id=row.id, on=on)
    else:
        writer.execute(
            "UPDATE progress SET started_on = :on, status = :status WHERE id = :id",
            id=row.id,
            on=on,
            status=status,
        )


def specialization_by_slug(reader: Reader, slug: str) -> Row | None:
    """The specialization (id, slug, title) with this exact slug."""
    return reader.one("SELECT id, slug, title FROM specialization WHERE slug = :slug", slug=slug)


def unit_counts(reader: Reader, spec_id: int) -> Row:
    """A specialization's units counted in the database (total, done, last_done_on):
    a program of 100,000 units never reaches Python."""
    row = reader.one(queries.UNIT_COUNTS.format(units=queries.UNITS), spec_id=spec_id)
    assert row is not None
    return row
