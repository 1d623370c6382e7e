"""The history of changes: what `log` lists and what `undo` reverts.

Every write transaction is a `command` row, and triggers record each row it
inserted, updated or deleted in `change` with the values before and after
(see `store.schema.install_history`). Undo replays one command's changes backwards, as
a new command, so the log shows the undo too and nothing is ever erased.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import DateTime, cast, func, text
from sqlmodel import Session, col, select

from coursetrack.dates import start_of
from coursetrack.errors import ConflictError, InputError, Refused
from coursetrack.models import Command
from coursetrack.refs import resolve
from coursetrack.store.schema import defer_foreign_keys

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
    more: int = 0  # changes left out (see log_entries' `detail`)

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


_ITEMS = ("specialization", "course", "topic")
_PARENT = {"specialization": None, "course": "specialization", "topic": "course"}
_OWNER_COLUMNS = (("topic", 2), ("course", 1), ("specialization", 0))


def _light(dialect: str):
    """One change, without decoding its JSON: a change may hold a 50 MB note, and
    naming it needs only a slug and the ids of its item's parents.

    The history's JSON is text on both engines; SQLite reads into it with
    `json_extract`, PostgreSQL with `->>` (then casts the ids back to integers).
    """

    def field(column: str, key: str, *, integer: bool = False) -> str:
        if dialect != "postgresql":
            return f"json_extract({column}, '$.{key}')"
        value = f"(CAST({column} AS json) ->> '{key}')"
        return f"CAST({value} AS INTEGER)" if integer else value

    def either(key: str) -> str:
        return f"coalesce({field('new', key, integer=True)}, {field('old', key, integer=True)})"

    return text(
        f"""SELECT id, table_name, row_id, op, {field("old", "slug")}, {field("new", "slug")},
              {either("specialization_id")}, {either("course_id")}, {either("topic_id")}
       FROM change WHERE command_id = :command ORDER BY id DESC"""
    )


class _Past:
    """Items as they were at one moment of the history, walked back from now.

    It starts from the store as it is (rows read by id, when first needed) and
    steps back over every change to a specialization, course or topic, newest
    first; so each change is named by the slugs its item and parents had right
    after it, though they were renamed or removed since, or their id was given
    to another item (an undo frees ids). `era` tells two items that had the
    same id apart: 0 is the row as it is now, and it grows each time the walk
    passes the insert that began a row's life (an undo's re-insert does not:
    that row is the one the undone command removed).
    """

    def __init__(self, session: Session) -> None:
        self.conn = session.connection()
        self.then: dict[tuple[str, int], tuple | None] = {}  # (slug, parent id) or None: absent
        self.now: dict[tuple[str, int], tuple | None] = {}
        self.last_known: dict[tuple[str, int], tuple] = {}
        self.era: dict[tuple[str, int], int] = {}
        self.misses: dict[str, int] = {}

    def row(self, table: str, row_id: int | None) -> tuple | None:
        if row_id is None:
            return None
        key = (table, row_id)
        if key in self.then:
            found = self.then[key]
        else:
            if key not in self.now:
                self._read_now(table, row_id)
            found = self.now[key]
        return found if found is not None else self.last_known.get(key)

    def _read_now(self, table: str, row_id: int) -> None:
        """The row as it is now: one query each for a few, the whole table for many."""
        parent = {"specialization": "NULL", "course": "specialization_id"}.get(table, "course_id")
        self.misses[table] = self.misses.get(table, 0) + 1
        if self.misses[table] <= 64:
            hit = self.conn.execute(
                text(f"SELECT slug, {parent} FROM {table} WHERE id = :id"), {"id": row_id}
            ).first()
            self.now[(table, row_id)] = tuple(hit) if hit else None
            return
        for found_id, slug, parent_id in self.conn.execute(
            text(f"SELECT id, slug, {parent} FROM {table}")
        ):
            self.now.setdefault((table, found_id), (slug, parent_id))
        self.now.setdefault((table, row_id), None)
        self.misses[table] = -(10**9)  # the whole table is known: an absent id is gone

    def chain(self, table: str, row_id: int | None) -> list[tuple[str, int, int]]:
        """The item and its parents as (table, id, era), item first."""
        out: list[tuple[str, int, int]] = []
        while table and row_id is not None:
            out.append((table, row_id, self.era.get((table, row_id), 0)))
            values = self.row(table, row_id)
            parent = _PARENT[table]
            if values is None or parent is None:
                break
            table, row_id = parent, values[1]
        return out

    def name(self, chain: list[tuple[str, int, int]]) -> str | None:
        slugs = []
        for table, row_id, _era in chain:
            values = self.row(table, row_id)
            if values is None:
                return None
            slugs.append(values[0])
        return "/".join(reversed(slugs)) if slugs else None

    def step_back(self, table: str, row_id: int, op: str, old: tuple | None, *, by_undo: bool):
        key = (table, row_id)
        if op == "insert":
            self.then[key] = None
            if not by_undo:
                self.era[key] = self.era.get(key, 0) + 1
        else:
            self.then[key] = old


@dataclass
class _Light:
    id: int
    table: str
    row_id: int
    op: str
    item: str
    chain: list[tuple[str, int, int]]


@dataclass
class _Step:
    """One command met on the walk: its first `detail` changes named, and their total."""

    command: Command
    changes: list[_Light]
    total: int
    touches_wanted: bool


def _walk(
    session: Session,
    commands: Iterable[Command],
    *,
    detail: int | None = None,
    wanted: tuple[str, int, int] | None = None,
) -> Iterator[_Step]:
    """Each command, newest first, with its changes named as the store was then.

    `detail`: how many of each command's changes (oldest first) to name; the
    others only move the walk back. `wanted`: an item as (table, id, era 0);
    each step says whether any of its changes concern it.
    """
    past = _Past(session)
    conn = session.connection()
    light_sql = _light(conn.dialect.name)
    for command in commands:
        rows = conn.execute(light_sql, {"command": command.id}).all()
        for row in rows:  # rows this command removed still name their children
            if row.table_name in _ITEMS:
                values = _values(row, old=row.op != "insert")
                past.last_known.setdefault((row.table_name, row.row_id), values)
        named: list[_Light] = []
        touches = False
        for index, row in zip(range(len(rows) - 1, -1, -1), rows, strict=True):
            if wanted is not None or detail is None or index < detail:
                light = _name(past, row)
                touches = touches or (wanted is not None and wanted in light.chain)
                if detail is None or index < detail:
                    named.append(light)
            if row.table_name in _ITEMS:
                past.step_back(
                    row.table_name,
                    row.row_id,
                    row.op,
                    _values(row, old=True) if row.op != "insert" else None,
                    by_undo=command.undoes is not None,
                )
        named.reverse()  # oldest change first, as the command made them
        yield _Step(command, named, len(rows), touches)


def _name(past: _Past, row) -> _Light:
    table, row_id = row.table_name, row.row_id
    if table in _ITEMS:
        slug = row[4] if row.op == "update" else (row[5] or row[4])
        chain = past.chain(table, row_id)
        parent = past.name(chain[1:]) if len(chain) > 1 else None
        if table != "specialization" and parent is None:
            parent_id = _values(row, old=False)[1]
            parent = past.name(past.chain(_PARENT[table], parent_id))  # type: ignore[arg-type]
        item = f"{parent}/{slug}" if parent else slug
    else:
        owner_table, owner_id = next(
            ((t, row[6 + i]) for t, i in _OWNER_COLUMNS if row[6 + i] is not None),
            ("specialization", None),
        )
        chain = past.chain(owner_table, owner_id)
        item = past.name(chain)
    return _Light(row.id, table, row_id, row.op, item or f"{table}#{row_id}", chain)


def _values(row, *, old: bool) -> tuple:
    """(slug, parent id) of an item change, before (`old`) or after it."""
    slug = row[4] if old else (row[5] or row[4])
    parent = {"specialization": None, "course": row[6], "topic": row[7]}[row.table_name]
    return (slug, parent)


def _entry(session: Session, step: _Step) -> LogEntry:
    """The full entry of one shown command: only now is its changes' JSON decoded."""
    command = step.command
    full = {
        row.id: row
        for row in session.connection().execute(
            text("SELECT id, old, new FROM change WHERE command_id = :c ORDER BY id LIMIT :n"),
            {"c": command.id, "n": len(step.changes)},
        )
    }
    return LogEntry(
        id=command.id,  # type: ignore[arg-type]
        at=dt.datetime.fromisoformat(command.at).astimezone(),
        command=command.line,
        undone_by=command.undone_by,
        undoes=command.undoes,
        changes=[
            ChangeEntry(
                table=c.table,
                row_id=c.row_id,
                op=c.op,
                item=c.item,
                old=json.loads(full[c.id].old) if full[c.id].old else None,
                new=json.loads(full[c.id].new) if full[c.id].new else None,
            )
            for c in step.changes
        ],
        more=step.total - len(step.changes),
    )


def log_entries(
    session: Session,
    *,
    ref: str | None = None,
    since: dt.date | None = None,
    limit: int | None = None,
    detail: int | None = None,
) -> list[LogEntry]:
    """Commands newest first, optionally only those touching `ref` and its children.

    Items are named as they were when each command ran. Only the commands
    returned have their changes decoded (only the first `detail` of each, if
    given: a view that shows eight needs no more), and the walk stops at
    `limit`, so `log -n 3` costs the same on a store of any size.
    """
    query = select(Command).order_by(col(Command.id).desc())
    if since is not None:
        # From that day's midnight in the user's zone, compared as moments: SQLite's
        # datetime() turns any stored offset (older stores kept local ones) into UTC;
        # PostgreSQL reads the ISO stamp as a timestamp with its zone.
        start = start_of(since).astimezone(dt.UTC)
        if session.connection().dialect.name == "postgresql":
            query = query.where(cast(Command.at, DateTime(timezone=True)) >= start)
        else:
            query = query.where(func.datetime(Command.at) >= start.strftime("%Y-%m-%d %H:%M:%S"))
    wanted = None
    if ref is not None:
        target = resolve(session, ref)
        wanted = (target.kind, target.item.id, 0)
    entries: list[LogEntry] = []
    if limit is not None and limit < 1:
        return entries
    for step in _walk(session, session.exec(query), detail=detail, wanted=wanted):
        if wanted is None or step.touches_wanted:
            entries.append(_entry(session, step))
            if limit is not None and len(entries) >= limit:
                break
    return entries


@dataclass
class Undone:
    command: LogEntry
    reverted: int


def undo_candidate(
    session: Session, *, command_id: int | None = None, detail: int | None = 0
) -> LogEntry:
    """The command `undo` would revert (`command_id`, or the newest one not undone).

    Refuses, with the reason, a command that cannot be undone: unknown, undone
    already, an undo itself, or one whose rows a later command changed again.
    `detail`: how many of its changes to name and decode (as for `log_entries`);
    the question needs only their number.
    """
    current = session.info.get("command_id")
    if command_id is None:
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
    else:
        target = session.get(Command, command_id) if command_id < 2**63 else None
        if target is None or target.id == current:
            raise InputError(f"there is no command #{command_id}; 'coursetrack log' lists them")
        if target.undone_by is not None:
            raise InputError(
                f"#{target.id} {target.line} was undone already, by #{target.undone_by}"
            )
        if target.undoes is not None:
            raise InputError(
                f"#{target.id} is itself an undo (of #{target.undoes}); "
                "to get that change back, run its command again"
            )
    later = (
        session.connection()
        .execute(
            text(
                """SELECT c.id, c.line FROM change mine
               JOIN change later
                 ON later.table_name = mine.table_name AND later.row_id = mine.row_id
                AND later.command_id > mine.command_id
               JOIN command c ON c.id = later.command_id
               WHERE mine.command_id = :target AND c.undone_by IS NULL AND c.undoes IS NULL
               ORDER BY c.id LIMIT 1"""
            ),
            {"target": target.id},
        )
        .first()
    )
    if later is not None:
        raise Refused(
            f"cannot undo #{target.id} {target.line}: #{later.id} {later.line} changed the same "
            f"rows after it; undo #{later.id} first (or leave both); nothing was changed"
        )
    if detail == 0:
        total = session.connection().execute(
            text("SELECT count(*) FROM change WHERE command_id = :c"), {"c": target.id}
        )
        return _entry(session, _Step(target, [], total.scalar_one(), False))
    return _entry(session, next(_walk(session, [target], detail=detail)))


def undo_command(
    session: Session, *, command_id: int | None = None, detail: int | None = 0
) -> Undone:
    """Revert one command (see `undo_candidate`), inside the caller's transaction.

    Must run in a `Store.write` transaction, whose own command row records the
    reverting changes and is linked to the command it undid. The CLI passes
    the id it named to the user, so a command that another terminal ran while
    this one waited for the lock is never the one reverted.
    """
    current = session.info.get("command_id")
    entry = undo_candidate(session, command_id=command_id, detail=detail)
    conn = session.connection()
    defer_foreign_keys(conn)  # rows come back in any order
    reverted = _revert_all(conn, entry.id)  # type: ignore[arg-type]
    _refuse_if_later_rows_went(conn, entry, current)
    target = session.get(Command, entry.id)
    assert target is not None
    target.undone_by = current
    session.add(target)
    this = session.get(Command, current)
    if this is not None:
        this.undoes = target.id
        session.add(this)
    session.flush()
    entry.undone_by = current
    return Undone(entry, reverted)


def _refuse_if_later_rows_went(conn, entry: LogEntry, current: int | None) -> None:
    """Roll back an undo that took rows a later command made or changed.

    `undo_candidate` compares the rows the command itself changed; removing a
    row it inserted also removes, by cascade, the rows that later commands hung
    under it (a note, a topic's progress). The triggers recorded those under
    this undo, so any row it touched that a later live command touched too
    means the undo would destroy that command's work.
    """
    later = conn.execute(
        text(
            """SELECT c.id, c.line FROM change mine
               JOIN change later
                 ON later.table_name = mine.table_name AND later.row_id = mine.row_id
                AND later.command_id > :target AND later.command_id != :current
               JOIN command c ON c.id = later.command_id
               WHERE mine.command_id = :current AND c.undone_by IS NULL AND c.undoes IS NULL
               ORDER BY c.id LIMIT 1"""
        ),
        {"target": entry.id, "current": current},
    ).first()
    if later is not None:
        raise Refused(
            f"cannot undo #{entry.id} {entry.command}: it would also remove what #{later.id} "
            f"{later.line} added under it; undo #{later.id} first (or leave both); "
            "nothing was changed"
        )


_TABLES = {"specialization", "course", "topic", *_OWNED}


def _revert_all(conn, command_id: int) -> int:
    """Replay a command's changes backwards; a run of one shape is one executemany.

    Only the values an undo needs are decoded (none for an insert). On SQLite
    the statements go straight to sqlite3, which keeps them prepared: undoing
    the removal of a 100,000-topic program is 200,000 rows. PostgreSQL checks
    the deferred foreign keys before this returns, so a conflict is refused
    here, with its reason, rather than at commit.
    """
    rows = conn.execute(
        text(
            "SELECT table_name, row_id, op, CASE op WHEN 'insert' THEN NULL ELSE old END "
            "FROM change WHERE command_id = :c ORDER BY id DESC"
        ),
        {"c": command_id},
    ).all()
    from sqlalchemy.exc import IntegrityError

    pg = conn.dialect.name == "postgresql"
    raw = None if pg else conn.connection.driver_connection

    def run(sql: str, batch: list[dict]) -> None:
        if raw is None:
            conn.execute(text(sql), batch)
        else:
            raw.executemany(sql, batch)

    pending_sql, pending = "", []
    try:
        for table, row_id, op, old in rows:
            sql, params = _reverse(table, row_id, op, json.loads(old) if old else {})
            if sql != pending_sql and pending:
                run(pending_sql, pending)
                pending = []
            pending_sql = sql
            pending.append(params)
        if pending:
            run(pending_sql, pending)
        if pg:
            conn.exec_driver_sql("SET CONSTRAINTS ALL IMMEDIATE")
    except (sqlite3.IntegrityError, IntegrityError) as exc:
        reason = exc.orig if isinstance(exc, IntegrityError) else exc
        first = str(reason).splitlines()[0] if str(reason) else type(reason).__name__
        raise ConflictError(
            f"cannot undo #{command_id}: a later change is in the way ({first}); "
            "nothing was changed"
        ) from None
    return len(rows)


def _reverse(table: str, row_id: int, op: str, old: dict) -> tuple[str, dict]:
    """The statement that takes one change back, and its parameters."""
    if table not in _TABLES:  # names come from our own triggers; never from input
        raise InputError(f"cannot undo a change to unknown table {table!r}")
    if op == "insert":
        return f"DELETE FROM {table} WHERE id = :id", {"id": row_id}
    if op == "update":
        assignments = ", ".join(f"{c} = :{c}" for c in old if c != "id")
        return f"UPDATE {table} SET {assignments} WHERE id = :id", old
    columns = ", ".join(old)
    params = ", ".join(f":{c}" for c in old)
    return f"INSERT INTO {table} ({columns}) VALUES ({params})", old
