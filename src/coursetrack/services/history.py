"""Undo: revert one command of the history.

Every write transaction is a `command` row, and triggers record each row it
inserted, updated or deleted in `change` with the values before and after
(see `store.schema.install_history`). Undo replays one command's changes
backwards, as a new command, so the log shows the undo too and nothing is ever
erased. Listing the history, and naming a command's changes, is `services.log`.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session, col, select

from coursetrack.errors import ConflictError, InputError, Refused
from coursetrack.models import CATALOG, TRACKED, Command, table_names
from coursetrack.services.log import LogEntry, _Step, entry, walk
from coursetrack.store import dependents
from coursetrack.store.reader import reader_of
from coursetrack.store.schema import defer_foreign_keys


@dataclass
class Undone:
    command: LogEntry
    reverted: int


def undo_candidate(
    session: Session, *, command_id: int | None = None, detail: int | None = 0
) -> LogEntry:
    """The command `undo` would revert (`command_id`, or the newest one not undone).

    Refuses, with the reason, a command that cannot be undone: unknown, undone
    already, an undo itself, one whose rows a later command changed again, or
    one a later command depends on (`_refuse_if_later_commands_depend`).
    `detail`: how many of its changes to name and decode (as for `log.log_entries`);
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
    conn = session.connection()
    later = dependents.later_changer(conn, target.id)  # type: ignore[arg-type]
    if later is not None and later.took_its_id:
        _refuse(conn, target, later, "it took the id of a row the undo would put back")
    if later is not None:
        raise Refused(
            f"cannot undo #{target.id} {target.line}: #{later.id} {later.line} changed the same "
            f"rows after it; undo #{later.id} first (or leave both); nothing was changed"
        )
    _refuse_if_later_commands_depend(conn, target)
    _refuse_if_others_changed_its_catalog_rows(session.connection(), target)
    reader = reader_of(session)  # named as `log` names it, by the same walk
    if detail == 0:
        total = session.connection().execute(
            text("SELECT count(*) FROM change WHERE command_id = :c"), {"c": target.id}
        )
        return entry(reader, _Step(target, [], total.scalar_one(), False))
    return entry(reader, next(walk(reader, [target], detail=detail)))


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
    _refuse_if_others_rows_went(conn, entry, current)
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


def _refuse_if_later_commands_depend(conn, target: Command) -> None:
    """Refuse an undo that would break a rule of the record a later command relies on.

    The policy, the same for every dependency: refuse and name the later
    command to undo first, rather than take its rows back too. An undo reverts
    the one command the user named (and was asked about); silently reverting a
    review or a note the user made later, and did not name, would be the
    surprise undo exists to avoid. Undoing newest first always works.
    Checked before any row changes (see `store.dependents`), so the user reads
    why, not a constraint's name.
    """
    assert target.id is not None
    review = dependents.review_of_undone_topic(conn, target.id)
    if review is not None:
        _refuse(conn, target, ("review", review), "a review needs a done topic")
    hung = dependents.hung_under(conn, target.id)
    # A row under it that none of this learner's commands made is another curator's:
    # `_refuse_if_others_rows_went` names them, once the undo has found it.
    if hung is not None and dependents.blame(conn, target.id, *hung) is not None:
        _refuse(conn, target, hung, "it added to what the undo would remove")
    taken = dependents.taken_keys(conn, target.id)
    if taken is not None:
        _refuse(conn, target, (taken.table, taken.row_id), _why_taken(taken))


def _why_taken(taken: dependents.Taken) -> str:
    """Which rule a row holding the key the undo would give back stands on."""
    values = dict(zip(taken.columns, taken.values, strict=True))
    if "slug" in values:
        return f"it took the slug {values['slug']!r}, which the undo would give back"
    if "position" in values:
        return f"it took place {values['position']}, which the undo would give back"
    if taken.table == "goal":
        return "a specialization has one goal"
    if taken.table == "progress":
        return "an item has one progress row"
    return f"one {taken.table} row per {', '.join(taken.columns)}"


def _refuse(conn, target: Command, row: tuple[str, int] | dependents.Later, why: str) -> None:
    """Refuse, naming the later command that made `row` as it is (or that command)."""
    if isinstance(row, dependents.Later):
        later: dependents.Later | None = row
    else:
        later = dependents.blame(conn, target.id, *row)  # type: ignore[arg-type]
    if later is None:
        raise Refused(
            f"cannot undo #{target.id} {target.line}: a later change depends on it ({why}); "
            "nothing was changed"
        )
    raise Refused(
        f"cannot undo #{target.id} {target.line}: #{later.id} {later.line} depends on it "
        f"({why}); undo #{later.id} first (or leave both); nothing was changed"
    )


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
            f"cannot undo #{entry.id} {entry.command}: #{later.id} {later.line} depends on it "
            f"(it added to what the undo would remove); undo #{later.id} first (or leave both); "
            "nothing was changed"
        )


#: The tables a study group shares: the tracked ones no learner owns (the catalog).
_CATALOG = table_names(CATALOG)


def _refuse_if_others_changed_its_catalog_rows(conn, target: Command) -> None:
    """In a study group, refuse to undo a catalog change another curator changed again.

    A learner's history is theirs alone (row-level security), so the check on
    later commands above sees only this learner's; the catalog is shared.
    Each catalog row the command inserted or updated must still be as its last
    change of the row left it: otherwise someone changed it since, and
    reverting would silently take their change back. (Compared by containment:
    a column added by a later schema is not in an old change's record.)
    """
    from coursetrack.store import group

    if not group.is_group(conn):
        return
    for table in _CATALOG:
        changed = conn.execute(
            text(
                f"""SELECT ch.new::jsonb ->> 'slug' FROM change ch
                LEFT JOIN {table} t ON t.id = ch.row_id
                WHERE ch.command_id = :target AND ch.table_name = '{table}'
                  AND ch.op <> 'delete'
                  AND NOT EXISTS (SELECT 1 FROM change after WHERE after.command_id = :target
                                  AND after.table_name = ch.table_name
                                  AND after.row_id = ch.row_id AND after.id > ch.id)
                  AND (t.id IS NULL OR NOT to_jsonb(t) @> ch.new::jsonb)
                LIMIT 1"""
            ),
            {"target": target.id},
        ).first()
        if changed is not None:
            raise Refused(
                f"cannot undo #{target.id} {target.line}: another curator changed {table} "
                f"{changed[0]} after it; nothing was changed"
            )


def _refuse_if_others_rows_went(conn, entry: LogEntry, current: int | None) -> None:
    """In a study group, refuse an undo that took catalog rows another curator added.

    Removing a row the command inserted removes, by cascade, what hangs under
    it. Rows of this learner's later commands are caught by
    `_refuse_if_later_rows_went`; another learner's record is kept by the
    group's guard; a catalog row the command itself did not make, but the
    undo removed, was added by another curator.
    """
    from coursetrack.store import group

    if not group.is_group(conn):
        return
    catalog = ", ".join(f"'{table}'" for table in _CATALOG)
    went = conn.execute(
        text(
            f"""SELECT mine.table_name, mine.old::jsonb ->> 'slug' FROM change mine
               WHERE mine.command_id = :current AND mine.op = 'delete'
                 AND mine.table_name IN ({catalog})
                 AND NOT EXISTS (SELECT 1 FROM change its WHERE its.command_id = :target
                                 AND its.table_name = mine.table_name
                                 AND its.row_id = mine.row_id)
               ORDER BY mine.id LIMIT 1"""
        ),
        {"target": entry.id, "current": current},
    ).first()
    if went is not None:
        raise Refused(
            f"cannot undo #{entry.id} {entry.command}: it would also remove {went[0]} "
            f"{went[1]}, which another curator added under it; nothing was changed"
        )


#: The tables the history records, so the only ones an undo writes to.
_TABLES = {model.__tablename__ for model in TRACKED}


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
    rows = _in_rule_order(rows)
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


def _in_rule_order(rows: list) -> list:
    """The changes newest first, but a review taken out first and put back last.

    A review needs its topic done, and the store checks that at each row: a
    removal deleted the topic's progress before its reviews (the cascade's
    order), so strictly backwards the reviews would come back first. Reviews
    are only ever inserted or deleted, one change each, so moving them keeps
    every row's own changes in order.
    """
    out = [row for row in rows if row[0] == "review" and row[2] == "insert"]
    out += [row for row in rows if row[0] != "review"]
    out += [row for row in rows if row[0] == "review" and row[2] != "insert"]
    return out


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
