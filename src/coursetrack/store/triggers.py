"""The history: triggers that record every row change into `change`, and the binding
of a write transaction to the command it records under, on both engines.

Triggers see what the code does not: ON DELETE CASCADE and bulk UPDATEs. A write
under no command fails (change.command_id is NOT NULL), so nothing changes the
store without a trace for `undo` and `log` (`store.history`). They have a home
apart from the steps that first made them (`store.migrations`): unlike a frozen
step they follow the models, and more than the upgrade uses them: a new store
(`store.fresh`), `store.check`, which compares a store's triggers with these, and
every write, which binds its command (`bind_command`, `BIND_SQLITE`).

`store.engine` and `store.schema` import this on every start-up, shell completion
included: nothing here imports SQLAlchemy or the models at module level.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

#: The transaction-local setting the PostgreSQL triggers read (see `bind_command`).
COMMAND_SETTING = "coursetrack.command"


# The two helpers every module of the schema speaks through (`store.migrations`,
# `store.schema`): statements run as written, and which engine a connection is on.
def _run(conn: Connection, statements: tuple[str, ...] | list[str]) -> None:
    for statement in statements:
        conn.exec_driver_sql(statement)


def _pg(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


#: The tracked tables and their columns as schemas 5 and 6 left them: the history those
#: steps make (`migrations._m005_learners`, `_m006_rules`), frozen, since the models
#: describe the newest schema (schema 7 adds `rubric` and the peer review tables).
TRACKED_V6: dict[str, tuple[str, ...]] = {
    "specialization": ("id", "slug", "title", "provider", "url", "description", "certificate_url"),
    "course": (
        "id", "specialization_id", "position", "slug", "title", "description", "url",
        "certificate_url",
    ),
    "topic": ("id", "course_id", "position", "slug", "title", "description", "url"),
    "progress": (
        "id", "specialization_id", "course_id", "topic_id", "status", "started_on",
        "completed_on", "learner",
    ),
    "note": (
        "id", "specialization_id", "course_id", "topic_id", "written_on", "text", "learner",
        "private",
    ),
    "link": (
        "id", "specialization_id", "course_id", "topic_id", "url", "title", "added_on", "learner",
    ),
    "review": ("id", "topic_id", "reviewed_on", "grade", "interval_days", "due_on", "learner"),
    "goal": ("id", "specialization_id", "target_on", "learner"),
    "member": ("id", "learner", "shared"),
}  # fmt: skip

#: SQLite's one-row table of the command a write transaction records under (`bind_command`).
HISTORY_BINDING_SQLITE = """CREATE TABLE history_binding (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            command_id INTEGER NOT NULL
        )"""

#: On SQLite, as on PostgreSQL, a change is recorded under the command its own
#: transaction bound (`bind_command`), never a guess such as the newest command:
#: a write with none bound (the sqlite3 shell) fails on change.command_id NOT NULL.
_SQLITE_COMMAND = "(SELECT command_id FROM history_binding)"


def install_history(conn: Connection, tracked: dict[str, tuple[str, ...]] | None = None) -> None:
    """(Re)make the history triggers of every tracked table, from the models' columns.

    Idempotent: a later migration that adds a column to a tracked table calls
    it again; an older step passes the tables and columns of its own time
    (`tracked`), since the models describe the newest schema. PostgreSQL's
    trigger reads the command from the transaction-local setting `bind_command`
    made, and fails the write (change.command_id is NOT NULL) when there is
    none: nothing changes a shared store without a trace.
    """
    if tracked is None:
        from coursetrack.models import TRACKED, columns_of

        tracked = {m.__tablename__: columns_of(m) for m in TRACKED}  # type: ignore[misc]
    if not _pg(conn):
        _sqlite_triggers(conn, tracked, _SQLITE_COMMAND)
        return
    for table, columns in tracked.items():
        _run(conn, _pg_trigger(table, columns))


def _pg_trigger(table: str, columns: tuple[str, ...]) -> list[str]:
    def row(alias: str) -> str:
        pairs = ", ".join(f"'{c}', {alias}.{c}" for c in columns)
        return f"json_build_object({pairs})::text"

    head = "INSERT INTO change (command_id, table_name, row_id, op, old, new) VALUES"
    function = f"""CREATE OR REPLACE FUNCTION history_{table}() RETURNS trigger
        LANGUAGE plpgsql AS $$
        DECLARE
            bound integer := nullif(current_setting('{COMMAND_SETTING}', true), '')::integer;
        BEGIN
            IF TG_OP = 'INSERT' THEN
                {head} (bound, '{table}', NEW.id, 'insert', NULL, {row("NEW")});
            ELSIF TG_OP = 'UPDATE' THEN
                {head} (bound, '{table}', NEW.id, 'update', {row("OLD")}, {row("NEW")});
            ELSE
                {head} (bound, '{table}', OLD.id, 'delete', {row("OLD")}, NULL);
            END IF;
            RETURN NULL;
        END $$"""
    each = f"ON {table} FOR EACH ROW"
    run = f"EXECUTE FUNCTION history_{table}()"
    return [
        function,
        *(
            f"DROP TRIGGER IF EXISTS history_{table}_{op} ON {table}"
            for op in ("insert", "update", "delete")
        ),
        f"CREATE TRIGGER history_{table}_insert AFTER INSERT {each} {run}",
        f"CREATE TRIGGER history_{table}_update AFTER UPDATE {each} "
        f"WHEN (OLD.* IS DISTINCT FROM NEW.*) {run}",
        f"CREATE TRIGGER history_{table}_delete AFTER DELETE {each} {run}",
    ]


#: SQLite's binding of a transaction's changes to its command, and its undoing (see
#: `bind_command`; `Store.write` runs them itself on a plain sqlite3 connection).
BIND_SQLITE = "INSERT OR REPLACE INTO history_binding (id, command_id) VALUES (1, :command_id)"
UNBIND_SQLITE = "DELETE FROM history_binding"

#: PostgreSQL's binding: a transaction-local setting, gone at commit or rollback (see
#: `bind_command`; `Store.write` runs it itself on a plain psycopg2 connection).
BIND_POSTGRES = f"SELECT pg_catalog.set_config('{COMMAND_SETTING}', :command_id, true)"


def bind_command(conn: Connection, command_id: int) -> None:
    """Record every change of this transaction under `command_id`, and under no other.

    Called by `Store.write` right after it inserts the command row. PostgreSQL:
    a transaction-local setting, gone at commit or rollback. SQLite: the
    one-row `history_binding`, emptied again just before this transaction
    commits (and never committed with it), so a later write outside coursetrack
    cannot inherit it.
    """
    if _pg(conn):
        conn.exec_driver_sql(
            BIND_POSTGRES.replace(":command_id", "%(command_id)s"),
            {"command_id": str(int(command_id))},
        )
        return
    from sqlalchemy import event

    conn.exec_driver_sql(BIND_SQLITE.replace(":command_id", "?"), (int(command_id),))
    if not event.contains(conn, "commit", _unbind):
        event.listen(conn, "commit", _unbind, once=True)


def _unbind(conn: Connection) -> None:
    """Empty SQLite's `history_binding` inside the committing transaction (see `bind_command`)."""
    conn.connection.driver_connection.execute(UNBIND_SQLITE)  # type: ignore[union-attr]


def _sqlite_triggers(conn: Connection, tracked: dict[str, tuple[str, ...]], command: str) -> None:
    """SQLite's history triggers: every row change into `change`, under `command` (SQL).

    Triggers see what the ORM does not: ON DELETE CASCADE and bulk UPDATEs.
    A write under no command fails (change.command_id is NOT NULL), so
    nothing can change the store without a trace.
    """
    for table, columns in tracked.items():
        for op in ("insert", "update", "delete"):
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS history_{table}_{op}")

        def row(alias: str, columns: tuple[str, ...] = columns) -> str:
            pairs = ", ".join(f"'{c}', {alias}.{c}" for c in columns)
            return f"json_object({pairs})"

        head = "INSERT INTO change (command_id, table_name, row_id, op, old, new) VALUES "
        conn.exec_driver_sql(
            f"CREATE TRIGGER history_{table}_insert AFTER INSERT ON {table} BEGIN "
            f"{head}({command}, '{table}', NEW.id, 'insert', NULL, {row('NEW')}); END"
        )
        conn.exec_driver_sql(
            f"CREATE TRIGGER history_{table}_update AFTER UPDATE ON {table} "
            f"WHEN {row('OLD')} IS NOT {row('NEW')} BEGIN "
            f"{head}({command}, '{table}', NEW.id, 'update', {row('OLD')}, {row('NEW')}); END"
        )
        conn.exec_driver_sql(
            f"CREATE TRIGGER history_{table}_delete AFTER DELETE ON {table} BEGIN "
            f"{head}({command}, '{table}', OLD.id, 'delete', {row('OLD')}, NULL); END"
        )
