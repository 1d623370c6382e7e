"""The history of changes: what `log` lists and what `undo` reverts.

Every write transaction is a `command` row, and triggers record each row it
inserted, updated or deleted in `change` with the values before and after
(see `db._history_triggers`). Undo replays one command's changes backwards, as
a new command, so the log shows the undo too and nothing is ever erased.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from sqlalchemy import func, text
from sqlmodel import Session, col, select

from coursetrack.dates import start_of
from coursetrack.errors import InputError
from coursetrack.models import Change, Command
from coursetrack.refs import resolve

#: Tables whose rows belong to an item through owner columns.
_OWNED = ("progress", "note", "link", "review", "goal")


@dataclass
class ChangeEntry:
    table: str
    row_id: int
    op: str
    item: str  # the ref of the item it concerns, or the row's table#id when gone
    old: dict | None
    new: dict | None

    @property
    def fields(self) -> dict[str, tuple]:
        """For an update: the columns that changed, as (old, new)."""
        if not (self.old and self.new):
            return {}
        return {k: (self.old.get(k), v) for k, v in self.new.items() if self.old.get(k) != v}


@dataclass
class LogEntry:
    id: int
    at: dt.datetime
    command: str
    undone_by: int | None
    undoes: int | None
    changes: list[ChangeEntry] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "at": self.at.isoformat(timespec="seconds"),
            "command": self.command,
            "undone": self.undone_by is not None,
            "undoes": self.undoes,
            "changes": [
                {
                    "table": c.table,
                    "row_id": c.row_id,
                    "op": c.op,
                    "item": c.item,
                    "old": c.old,
                    "new": c.new,
                }
                for c in self.changes
            ],
        }


class _Names:
    """Refs of items by id, so a change can say which item it touched."""

    def __init__(self, session: Session) -> None:
        conn = session.connection()
        self.specs = dict(conn.execute(text("SELECT id, slug FROM specialization")).all())
        self.courses = {
            row.id: (row.specialization_id, row.slug)
            for row in conn.execute(text("SELECT id, specialization_id, slug FROM course"))
        }
        self.topics = {
            row.id: (row.course_id, row.slug)
            for row in conn.execute(text("SELECT id, course_id, slug FROM topic"))
        }

    def remember(self, table: str, row_id: int, values: dict) -> None:
        """Know a deleted item by its last values, so its children still get a ref."""
        if table == "specialization":
            self.specs.setdefault(row_id, values.get("slug"))
        elif table == "course":
            self.courses.setdefault(row_id, (values.get("specialization_id"), values.get("slug")))
        elif table == "topic":
            self.topics.setdefault(row_id, (values.get("course_id"), values.get("slug")))

    def spec(self, spec_id: int | None) -> str | None:
        return self.specs.get(spec_id)

    def course(self, course_id: int | None) -> str | None:
        if course_id not in self.courses:
            return None
        spec_id, slug = self.courses[course_id]
        parent = self.spec(spec_id)
        return f"{parent}/{slug}" if parent else None

    def topic(self, topic_id: int | None) -> str | None:
        if topic_id not in self.topics:
            return None
        course_id, slug = self.topics[topic_id]
        parent = self.course(course_id)
        return f"{parent}/{slug}" if parent else None

    def of(self, table: str, row_id: int, values: dict) -> str:
        if table == "specialization":
            name = self.spec(row_id) or values.get("slug")
        elif table == "course":
            name = self.course(row_id) or _joined(
                self.spec(values.get("specialization_id")), values
            )
        elif table == "topic":
            name = self.topic(row_id) or _joined(self.course(values.get("course_id")), values)
        else:
            name = (
                self.topic(values.get("topic_id"))
                or self.course(values.get("course_id"))
                or self.spec(values.get("specialization_id"))
            )
        return name or f"{table}#{row_id}"


def _joined(parent: str | None, values: dict) -> str | None:
    slug = values.get("slug")
    return f"{parent}/{slug}" if parent and slug else slug


def _entries(session: Session, commands: list[Command]) -> list[LogEntry]:
    names = _Names(session)
    ids = [c.id for c in commands]
    changes: dict[int, list[ChangeEntry]] = {i: [] for i in ids}
    rows = session.exec(
        select(Change).where(col(Change.command_id).in_(ids)).order_by(col(Change.id))
    ).all()
    decoded = [
        (row, json.loads(row.old) if row.old else None, json.loads(row.new) if row.new else None)
        for row in rows
    ]
    for row, old, new in decoded:
        names.remember(row.table_name, row.row_id, old or new or {})
    for row, old, new in decoded:
        changes[row.command_id].append(
            ChangeEntry(
                table=row.table_name,
                row_id=row.row_id,
                op=row.op,
                item=names.of(row.table_name, row.row_id, new or old or {}),
                old=old,
                new=new,
            )
        )
    return [
        LogEntry(
            id=c.id,
            at=dt.datetime.fromisoformat(c.at).astimezone(),
            command=c.line,
            undone_by=c.undone_by,
            undoes=c.undoes,
            changes=changes[c.id],
        )
        for c in commands
    ]


def log_entries(
    session: Session,
    *,
    ref: str | None = None,
    since: dt.date | None = None,
    limit: int | None = None,
) -> list[LogEntry]:
    """Commands newest first, optionally only those touching `ref` and its children."""
    query = select(Command).order_by(col(Command.id).desc())
    if since is not None:
        # From that day's midnight in the user's zone, compared as moments: SQLite's
        # datetime() turns any stored offset (older stores kept local ones) into UTC.
        start = start_of(since).astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
        query = query.where(func.datetime(Command.at) >= start)
    if limit and ref is None:
        query = query.limit(limit)  # `log -n 3` reads three commands, not the whole history
    commands = list(session.exec(query).all())
    entries = _entries(session, commands)
    if ref is not None:
        prefix = resolve(session, ref).ref
        entries = [
            e
            for e in entries
            if any(c.item == prefix or c.item.startswith(prefix + "/") for c in e.changes)
        ]
    return entries[:limit] if limit else entries


@dataclass
class Undone:
    command: LogEntry
    reverted: int


def undo_last(session: Session) -> Undone:
    """Revert the newest command not yet undone, inside the caller's transaction.

    Must run in a `Store.write` transaction, whose own command row records the
    reverting changes and is linked to the command it undid.
    """
    current = session.info.get("command_id")
    target = session.exec(
        select(Command)
        .where(
            col(Command.undone_by).is_(None),
            col(Command.undoes).is_(None),
            col(Command.id) != current,
        )
        .order_by(col(Command.id).desc())
        .limit(1)
    ).first()
    if target is None:
        raise InputError("nothing to undo: the history is empty or all of it is undone already")
    (entry,) = _entries(session, [target])
    conn = session.connection()
    conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")  # rows come back in any order
    for change in reversed(entry.changes):
        _revert(conn, change)
    target.undone_by = current
    session.add(target)
    this = session.get(Command, current)
    if this is not None:
        this.undoes = target.id
        session.add(this)
    session.flush()
    entry.undone_by = current
    return Undone(entry, len(entry.changes))


_TABLES = {"specialization", "course", "topic", *_OWNED}


def _revert(conn, change: ChangeEntry) -> None:
    table = change.table
    if table not in _TABLES:  # names come from our own triggers; never from input
        raise InputError(f"cannot undo a change to unknown table {table!r}")
    if change.op == "insert":
        conn.execute(text(f"DELETE FROM {table} WHERE id = :id"), {"id": change.row_id})
    elif change.op == "update":
        values = change.old or {}
        assignments = ", ".join(f"{c} = :{c}" for c in values if c != "id")
        conn.execute(text(f"UPDATE {table} SET {assignments} WHERE id = :id"), values)
    else:
        values = change.old or {}
        columns = ", ".join(values)
        params = ", ".join(f":{c}" for c in values)
        conn.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({params})"), values)
