"""Undo's statements: which command to revert, what stands in its way, and the reverting.

Every write transaction is a `command` row, and triggers record each row it
inserted, updated or deleted in `change`, with the values before and after
(see `triggers.install_history`). Undo replays one command's changes backwards,
generically, by table name and JSON values: so it reverts every command,
whichever service made it. `services.undo` decides what to refuse and says
why; this module runs the SQL, through a Writer (or, for the question asked
before the write, a Reader).
"""

from __future__ import annotations

import json
import sqlite3
import sys
from functools import cache
from typing import TYPE_CHECKING, Any

from coursetrack.store import queries
from coursetrack.vocabulary import Op

if TYPE_CHECKING:
    from coursetrack.store.reader import Reader, Row
    from coursetrack.store.writer import Writer

#: The tables the history records (`models.TRACKED`), so the only ones an undo writes to.
TRACKED_TABLES = frozenset(
    (
        "specialization", "course", "topic", "progress", "note", "link", "review", "goal",
        "member", "peer_request", "peer_review",
    )
)  # fmt: skip

#: The tables a study group shares: the tracked ones no learner owns (`models.CATALOG`).
CATALOG_TABLES = ("specialization", "course", "topic")

#: `elsewhere`: the machine of a command another replica made (NULL: this store's), as
#: `log` names it (queries.LOG_COMMANDS): after a sync, the newest command may be another's.
_COMMAND = (
    "SELECT id, at, line, undoes, undone_by, "
    "CASE WHEN replica = (SELECT replica FROM sync_state) THEN NULL "
    "ELSE coalesce(machine, replica) END AS elsewhere FROM command"
)


# --- which command ---------------------------------------------------------------------


def command(reader: Reader, command_id: int) -> Row | None:
    """One command of the history: id, at, line, undoes, undone_by, elsewhere."""
    return reader.one(_COMMAND + " WHERE id = :id", id=command_id)


def newest_undoable(reader: Reader, *, current: int | None) -> Row | None:
    """The newest command that is neither undone nor an undo (nor `current`, the
    command asking), and changed something: a store written before commands that
    change nothing stopped being recorded may still hold some (`Store.write`)."""
    live = (
        " WHERE undone_by IS NULL AND undoes IS NULL"
        " AND EXISTS (SELECT 1 FROM change WHERE change.command_id = command.id)"
    )
    order = " ORDER BY id DESC LIMIT 1"
    if current is None:
        return reader.one(_COMMAND + live + order)
    return reader.one(_COMMAND + live + " AND id <> :current" + order, current=current)


def change_count(reader: Reader, command_id: int) -> int:
    """How many changes one command made."""
    return int(reader.scalar(queries.LOG_CHANGE_COUNT, command=command_id))


def record_undo(writer: Writer, *, target: int, by: int) -> None:
    """Link the undone command and the undo (`log` shows both)."""
    writer.execute("UPDATE command SET undone_by = :by WHERE id = :target", by=by, target=target)
    writer.execute("UPDATE command SET undoes = :target WHERE id = :by", by=by, target=target)


# --- what stands in the way -------------------------------------------------------------


def later_command_in_undo(reader: Reader, *, target: int, current: int) -> Row | None:
    """A later live command (id, line) that touched a row this undo (`current`) touched.

    Removing a row the undone command inserted also removes, by cascade, what
    later commands hung under it; the triggers record those under the undo.
    """
    return reader.one(
        """SELECT c.id, c.line FROM change mine
           JOIN change later
             ON later.table_name = mine.table_name AND later.row_id = mine.row_id
            AND later.command_id > :target AND later.command_id != :current
           JOIN command c ON c.id = later.command_id
           WHERE mine.command_id = :current AND c.undone_by IS NULL AND c.undoes IS NULL
           ORDER BY c.id LIMIT 1""",
        target=target,
        current=current,
    )


def catalog_changed_since(reader: Reader, *, target: int) -> tuple[str, str | None] | None:
    """(table, slug) of a catalog row `target` inserted or updated that is no longer as
    its last change of the row left it (PostgreSQL: a study group's other curator).

    Compared by containment: a column added by a later schema is not in an old
    change's record.
    """
    for table in CATALOG_TABLES:
        changed = reader.one(
            f"""SELECT CAST(ch.new AS jsonb) ->> 'slug' AS slug FROM change ch
            LEFT JOIN {table} t ON t.id = ch.row_id
            WHERE ch.command_id = :target AND ch.table_name = '{table}'
              AND ch.op <> 'delete'
              AND NOT EXISTS (SELECT 1 FROM change after WHERE after.command_id = :target
                              AND after.table_name = ch.table_name
                              AND after.row_id = ch.row_id AND after.id > ch.id)
              AND (t.id IS NULL OR NOT to_jsonb(t) @> CAST(ch.new AS jsonb))
            LIMIT 1""",
            target=target,
        )
        if changed is not None:
            return table, changed.slug
    return None


def catalog_removed_not_its_own(
    reader: Reader, *, target: int, current: int
) -> tuple[str, str | None] | None:
    """(table, slug) of a catalog row this undo (`current`) deleted that `target` never
    changed: another curator added it under a row the undo removed (PostgreSQL)."""
    catalog = ", ".join(f"'{table}'" for table in CATALOG_TABLES)
    went = reader.one(
        f"""SELECT mine.table_name, CAST(mine.old AS jsonb) ->> 'slug' AS slug FROM change mine
           WHERE mine.command_id = :current AND mine.op = 'delete'
             AND mine.table_name IN ({catalog})
             AND NOT EXISTS (SELECT 1 FROM change its WHERE its.command_id = :target
                             AND its.table_name = mine.table_name
                             AND its.row_id = mine.row_id)
           ORDER BY mine.id LIMIT 1""",
        target=target,
        current=current,
    )
    return (went.table_name, went.slug) if went is not None else None


# --- reverting ---------------------------------------------------------------------------


class Blocked(Exception):
    """A reverted row broke a rule of the store: `reason` is the driver's first line."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def defer_rules(writer: Writer) -> None:
    """Check foreign keys and the rules across tables at the end, not per statement:
    undo re-inserts rows in any order. (SQLite's rule triggers stand aside in this
    mode; `check_deferred_rules` checks what they let pass.)"""
    if writer.dialect == "postgresql":
        writer.execute("SET CONSTRAINTS ALL DEFERRED")
    else:
        writer.execute("PRAGMA defer_foreign_keys = ON")


def check_deferred_rules(writer: Writer) -> None:
    """SQLite's end of a deferred undo, just before it commits: the rule across tables
    its triggers let pass (`rules.check_deferred`); its foreign keys are checked by the
    commit itself. PostgreSQL checked both in `revert`."""
    if writer.dialect != "postgresql":
        from coursetrack.store.rules import check_deferred

        check_deferred(writer)


def revert(writer: Writer, command_id: int) -> int:
    """Replay a command's changes backwards (after `defer_rules`); how many there were.

    A run of statements of one shape is one executemany, and only the values an
    undo needs are decoded (none for an insert): undoing the removal of a
    100,000-topic program is 200,000 rows. PostgreSQL checks the deferred rules
    before this returns, so a conflict is `Blocked`, with its reason, here
    rather than at commit.
    """
    rows = writer.all(
        "SELECT table_name, row_id, op, CASE op WHEN 'insert' THEN NULL ELSE old END AS old "
        "FROM change WHERE command_id = :c ORDER BY id DESC",
        c=command_id,
    )
    rows = _in_rule_order(rows)
    pending_sql = ""
    pending: list[dict] = []
    try:
        for row in rows:
            sql, params = _reverse(row.table_name, row.row_id, row.op, _parsed(row.old))
            if sql != pending_sql and pending:
                writer.executemany(pending_sql, pending)
                pending = []
            pending_sql = sql
            pending.append(params)
        if pending:
            writer.executemany(pending_sql, pending)
        if writer.dialect == "postgresql":
            writer.execute("SET CONSTRAINTS ALL IMMEDIATE")
    except _integrity_errors() as exc:
        reason = getattr(exc, "orig", None) or exc
        first = str(reason).splitlines()[0] if str(reason) else type(reason).__name__
        raise Blocked(first) from None
    return len(rows)


def _integrity_errors() -> tuple[type[BaseException], ...]:
    """The drivers' IntegrityError classes, of those loaded (none is imported for this)."""
    errors: list[type[BaseException]] = [sqlite3.IntegrityError]
    for module, name in (("sqlalchemy.exc", "IntegrityError"), ("psycopg2", "IntegrityError")):
        loaded = sys.modules.get(module)
        if loaded is not None and hasattr(loaded, name):
            errors.append(getattr(loaded, name))
    return tuple(errors)


def _parsed(value: Any) -> dict:
    """A change's stored JSON (text, or a dict already on PostgreSQL), as a dict."""
    if not value:
        return {}
    return json.loads(value) if isinstance(value, str | bytes) else dict(value)


def _in_rule_order(rows: list[Row]) -> list[Row]:
    """The changes newest first, but a review taken out first and put back last.

    A review needs its topic done, and the store checks that at each row: a
    removal deleted the topic's progress before its reviews (the cascade's
    order), so strictly backwards the reviews would come back first. Reviews
    are only ever inserted or deleted, one change each, so moving them keeps
    every row's own changes in order.
    """
    out = [row for row in rows if row.table_name == "review" and row.op == "insert"]
    out += [row for row in rows if row.table_name != "review"]
    out += [row for row in rows if row.table_name == "review" and row.op != "insert"]
    return out


class UnknownTable(Exception):
    """A change to a table the history does not track (never from our own triggers)."""


def _reverse(table: str, row_id: int, op: str, old: dict) -> tuple[str, dict]:
    """The statement that takes one change back, and its parameters."""
    if table not in TRACKED_TABLES:  # names come from our own triggers; never from input
        raise UnknownTable(table)
    if op == "insert":
        return f"DELETE FROM {table} WHERE id = :id", {"id": row_id}
    if op == "update":
        assignments = ", ".join(f"{c} = :{c}" for c in old if c != "id")
        return f"UPDATE {table} SET {assignments} WHERE id = :id", old
    columns = ", ".join(old)
    params = ", ".join(f":{c}" for c in old)
    return f"INSERT INTO {table} ({columns}) VALUES ({params})", old


# --- what `log` reads (services.log) ----------------------------------------------------


def commands_before(reader: Reader, *, before: int, page: int) -> list[Row]:
    """Up to `page` commands older than `before`, newest first."""
    return reader.all(queries.LOG_COMMANDS, before=before, page=page)


@cache
def _light(dialect: str, part: str) -> str:
    return queries.log_changes_light(dialect, part)


def changes_light(reader: Reader, *, command: int) -> list[Row]:
    """A command's changes, newest first, without their JSON (see `queries.log_changes_light`)."""
    return reader.all(_light(reader.dialect, ""), command=command)


def item_changes_light(reader: Reader, *, command: int) -> list[Row]:
    """The same, only its changes to specializations, courses and topics."""
    return reader.all(_light(reader.dialect, "items"), command=command)


def changes_of_item_light(reader: Reader, *, command: int, table: str, row_id: int) -> list[Row]:
    """The same, only its changes to one item."""
    sql = _light(reader.dialect, "item")
    return reader.all(sql, command=command, table=table, row_id=row_id)


def changes_shown(reader: Reader, *, command: int, n: int | None) -> list[Row]:
    """A command's first `n` changes, with their JSON and what names them."""
    return reader.all(queries.LOG_CHANGES_SHOWN, command=command, n=n)


def changes_values(reader: Reader, *, command: int, n: int) -> list[Row]:
    """A command's first `n` changes' JSON (id, old, new)."""
    return reader.all(queries.LOG_CHANGES_FULL, command=command, n=n)


def changes_values_between(reader: Reader, *, command: int, first: int, last: int) -> list[Row]:
    """A command's changes' JSON (id, old, new) with ids from `first` to `last`."""
    return reader.all(queries.LOG_CHANGES_BETWEEN, command=command, first=first, last=last)


def item_now(reader: Reader, *, table: str, row_id: int) -> Row | None:
    """An item's slug and parent id as the store holds it now (None: gone)."""
    return reader.one(queries.ITEM_NOW[table], id=row_id)


def items_now(reader: Reader, *, table: str) -> list[Row]:
    """Every item of `table`: id, slug, parent id."""
    return reader.all(queries.ITEMS_NOW[table])


def rubrics_put_back(reader: Reader, *, target: int) -> list[Row]:
    """The rubrics undoing `target` would put back on courses and topics it updated, where
    they differ from today's (`kind`, `item_id`, `ref`: the item's slugs, `rubric`: JSON
    text or None), in the order it changed them: what the peer reviews given since must
    still fit (`services.undo`). A command that changed no course or topic reads nothing."""
    found: list[Row] = []
    for sql in _RUBRICS_PUT_BACK.values():
        old = queries.json_field(reader.dialect, "ch.old", "rubric")
        for row in reader.all(sql.format(old=old), target=target, op=Op.UPDATE.value):
            if row.rubric != row.now:
                found.append(row)
    return sorted(found, key=lambda row: row.change_id)


#: `rubrics_put_back`'s read, by kind: the command's first change of each row (its `old`
#: is what the undo puts back), the item's ref and its rubric today.
_RUBRICS_PUT_BACK = {
    kind: f"""SELECT ch.id AS change_id, '{kind}' AS kind, ch.row_id AS item_id, {{old}} AS rubric,
           x.rubric AS now, {ref} AS ref
    FROM change ch JOIN {kind} x ON x.id = ch.row_id {joins}
    WHERE ch.command_id = :target AND ch.table_name = '{kind}' AND ch.op = :op
      AND ({{old}} IS NOT NULL OR x.rubric IS NOT NULL)
      AND NOT EXISTS (SELECT 1 FROM change e WHERE e.table_name = '{kind}'
                      AND e.row_id = ch.row_id AND e.command_id = :target AND e.id < ch.id)"""
    for kind, joins, ref in (
        (
            "course",
            "JOIN specialization s ON s.id = x.specialization_id",
            "s.slug || '/' || x.slug",
        ),
        (
            "topic",
            "JOIN course c ON c.id = x.course_id "
            "JOIN specialization s ON s.id = c.specialization_id",
            "s.slug || '/' || c.slug || '/' || x.slug",
        ),
    )
}
